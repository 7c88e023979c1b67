"""The sold-out gate (web/api/sold_out_gate.py): a day this server knows is sold out is answered before routing,
with exactly the route's answer; anything it cannot judge goes to the route untouched (body replayed)."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

DAY = "2026-11-20"
URL = "/api/v1/registrations"


def body(n: int, day: str = DAY) -> dict[str, str]:
    return {"date": day, "name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


@pytest.fixture
def sold_out(client, clinic):
    """Five numbers taken (the quota), and the server has seen the day sold out (PostgreSQL: once listening)."""
    taken = [client.post(URL, json=body(n), headers={"Idempotency-Key": f"k-{n}"}).json() for n in range(5)]
    assert client.post(URL, json=body(90)).status_code == 409
    if clinic.place_listener is not None:
        assert clinic.place_listener.wait_connected(10)
        assert client.post(URL, json=body(91)).status_code == 409
    assert clinic.ctx.sold_out.is_sold_out(dt.date.fromisoformat(DAY))
    return taken


def gate_answers(monkeypatch) -> list[int]:
    """Counts the requests that reached the route (its first service call)."""
    reached: list[int] = []
    real = registration.refuse_if_known_sold_out

    def counting(*a, **kw):
        reached.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(registration, "refuse_if_known_sold_out", counting)
    return reached


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [("en", "All numbers for Fri 20 Nov 2026 have been taken."), ("zh-CN", "2026年11月20日（周五）的号已全部挂完。")],
)
def test_a_known_sold_out_day_gets_the_routes_answer_in_her_language_without_reaching_the_route(
    client, sold_out, monkeypatch, lang, sentence
):
    route = client.post(URL, json=body(92), headers={"Accept-Language": lang, "Idempotency-Key": "k-92"})
    reached = gate_answers(monkeypatch)
    r = client.post(URL, json=body(92), headers={"Accept-Language": lang})
    assert r.status_code == 409
    assert r.json() == {"error": {"code": "sold_out", "message": sentence, "rule": "REG-QUOTA", "rules": ["REG-QUOTA"]}}
    assert r.content == route.content  # byte for byte what the route answers
    assert r.headers["content-type"] == "application/json"
    assert r.headers["x-content-type-options"] == "nosniff"  # the security middleware wraps the gate
    assert reached == []


def test_an_idempotency_key_goes_to_the_route_and_replays_her_first_answer(client, sold_out, monkeypatch):
    reached = gate_answers(monkeypatch)
    r = client.post(URL, json=body(0), headers={"Idempotency-Key": "k-0"})  # her phone retries after the rush
    assert r.status_code == 201, r.text
    assert r.headers["idempotent-replayed"] == "true"
    assert r.json() == sold_out[0]
    assert reached  # the route answered


def test_a_body_the_gate_cannot_read_goes_to_the_route(client, sold_out, monkeypatch):
    reached = gate_answers(monkeypatch)
    r = client.post(URL, content=b'{"date": "2026-02-30"', headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post(URL, json={**body(93), "date": "2026-11-21"})  # another day: the route decides
    assert r.status_code in (201, 409)
    assert r.status_code == 201 or r.json()["error"]["code"] != "sold_out"
    assert reached  # the route answered


def test_a_returned_number_is_granted_at_once_through_the_gate(client, clinic, sold_out):
    desk = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
    registration.cancel_number(clinic.ctx, desk, sold_out[2]["registration_id"], reason="staff")
    r = client.post(URL, json=body(94))
    assert r.status_code == 201, r.text
    assert r.json()["queue_number"] == 3
