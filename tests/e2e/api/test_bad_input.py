"""Bad input never produces a 500 or a trace: every write endpoint gets garbage from a role allowed to call it."""

from __future__ import annotations

from .conftest import bearer
from .test_permissions import TABLE

GARBAGE = [
    [],
    "text",
    {"x": 1},
    {"date": "2026-02-30", "name": "", "id_number": 5, "phone": None},
    {"patient_id": "abc", "visit_date": "yesterday", "cycle": {"period_end": "2026-13-01"}},
    {"patient_id": 10**30, "visit_date": "2026-11-20", "cycle": {"period_end": "2026-11-18"}, "doctor_name": "x"},
    {"findings": {"cavity": "round", "left": 1, "right": None}, "reason": ["a"]},
    {"method": "bitcoin", "amount_cny": "-1"},
    {"hcg_result": "maybe", "operator": ""},
    {"date": "2026-11-21", "review_confirmed_by": "x" * 500},
    {"daily_numbers": -5, "release_time": "25:99", "price_cny": "12.345"},
    {"kind": "party"},
    {"username": "A B", "role": "king", "password": "x"},
    {"access_code": "", "id_last4": "12345"},
]


def test_no_garbage_body_makes_a_server_error(client, tokens):
    token_of = dict(tokens)
    failures = []
    for method, path, allowed in TABLE:
        if method not in ("POST", "PUT", "PATCH") or path.endswith("/logout"):
            continue
        role = next((r for r in ("registrar", "doctor", "radiologist", "admin") if r in allowed), None)
        headers = bearer(token_of[role]) if role else {}
        url = path.replace("{rid}", "1")
        for body in GARBAGE:
            r = client.request(method, url, json=body, headers=headers)
            client.cookies.clear()
            if r.status_code >= 500 or "Traceback" in r.text or ("error" not in r.json() and r.status_code >= 400):
                failures.append(f"{method} {url} {body!r}: {r.status_code} {r.text[:150]}")
        r = client.request(method, url, content=b"\xff\xfe{", headers=headers | {"Content-Type": "application/json"})
        if r.status_code >= 500:
            failures.append(f"{method} {url} <bytes>: {r.status_code}")
    assert not failures, "\n".join(failures)


def test_bad_path_values_are_422_not_500(client, tokens):
    for url in (
        "/api/v1/registrations/availability/2026-02-30",
        "/api/v1/registrations/abc",
        "/api/v1/registrations?day=tomorrow",
        "/api/v1/appointments/99999999999999999999999",
    ):
        r = client.get(url, headers=bearer(tokens["registrar"]))
        assert r.status_code in (404, 422), (url, r.status_code, r.text)
        assert r.json()["error"]["code"]


def test_errors_default_to_chinese(client):
    r = client.post("/api/v1/registrations", json={"date": "2026-11-20"}, headers={"Accept-Language": ""})
    assert r.status_code == 422
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["error"]["message"])


def test_an_unexpected_failure_is_a_json_500_without_a_trace(clinic, monkeypatch):
    from fastapi.testclient import TestClient

    from hsgclinic.services import registration
    from hsgclinic.web.app import create_app

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(registration, "availability", boom)
    with TestClient(create_app(clinic.settings, clinic=clinic), raise_server_exceptions=False) as c:
        r = c.get("/api/v1/registrations/availability/2026-11-20", headers={"Accept-Language": "en"})
    assert r.status_code == 500
    assert r.json()["error"]["code"] == "internal_error" and "secret" not in r.text
