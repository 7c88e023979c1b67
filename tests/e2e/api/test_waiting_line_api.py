"""REG-LINE over HTTP: POST/GET/DELETE /api/v1/registrations/waiting-line — 202 with her position, 201 when a
number is free, the returned number hers with the code she was given, 404/409/422 in the reader's language."""

from __future__ import annotations

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

from .conftest import bearer

DAY = "2026-11-20"
LINE = "/api/v1/registrations/waiting-line"


def body(n: int) -> dict[str, str]:
    return {"date": DAY, "name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def sell_out(client) -> list[dict]:
    taken = [client.post("/api/v1/registrations", json=body(n)).json() for n in range(5)]
    assert client.post("/api/v1/registrations", json=body(99)).status_code == 409
    return taken


def test_a_number_is_taken_at_once_when_one_is_free(client):
    r = client.post(LINE, json=body(1))
    assert r.status_code == 201, r.text
    assert r.json()["queue_number"] == 1


def test_joining_a_sold_out_day_answers_202_with_her_position(client):
    sell_out(client)
    first = client.post(LINE, json=body(10))
    second = client.post(LINE, json=body(11))
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json() | {"access_code": "x"} == {
        "date": DAY,
        "status": "waiting",
        "position": 1,
        "access_code": "x",
        "queue_number": None,
    }
    assert second.json()["position"] == 2
    assert synthetic_resident_id(10) not in first.text and synthetic_name(10) not in first.text


def test_a_cancelled_number_is_hers_and_she_sees_it_with_her_code(client, tokens):
    taken = sell_out(client)
    code = client.post(LINE, json=body(10)).json()["access_code"]
    r = client.post(
        f"/api/v1/registrations/{taken[1]['registration_id']}/cancel",
        json={"reason": "staff"},
        headers=bearer(tokens["registrar"]),
    )
    assert r.status_code == 200, r.text
    client.cookies.clear()
    now = client.get(f"{LINE}/{code}")
    assert now.status_code == 200
    assert (now.json()["status"], now.json()["queue_number"], now.json()["position"]) == ("served", 2, None)
    storm = client.post("/api/v1/registrations", json=body(77))
    assert storm.status_code == 409 and storm.json()["error"]["code"] == "sold_out"


def test_leaving_the_line_and_the_errors(client):
    sell_out(client)
    code = client.post(LINE, json=body(10)).json()["access_code"]
    left = client.delete(f"{LINE}/{code}")
    assert left.status_code == 200 and left.json()["status"] == "withdrawn"
    again = client.delete(f"{LINE}/{code}")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "not_waiting",
        "message": "This place in the line is no longer waiting.",
        "rule": "REG-LINE",
        "rules": ["REG-LINE"],
    }
    missing = client.get(f"{LINE}/ZZZZZZZZ", headers={"Accept-Language": "zh-CN"})
    assert missing.status_code == 404
    assert missing.json()["error"]["message"] == "没有使用此查询码的候补排队。"
    assert client.get(f"{LINE}/not-a-code").status_code == 422


def test_someone_holding_a_number_cannot_join(client):
    sell_out(client)
    r = client.post(LINE, json=body(0))
    assert r.status_code == 409 and r.json()["error"]["rule"] == "REG-REALNAME"
