"""The API contract (docs/security.md): a bounded schemathesis run with a fixed seed over every operation, for
every role, on SQLite and PostgreSQL — no server error, no status the OpenAPI does not declare, no response off
its schema, no schema-valid request refused (except a rule's 422, tests/schemathesis.toml), no invalid one
accepted; and the regressions it found, one by one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import apifuzz
from hsgclinic.web.app import create_app

from .conftest import bearer

MAX_EXAMPLES = 2  # the coverage phase still sends ~2,000 requests per role; `make fuzz` runs 25


def test_schemathesis_finds_nothing_for_any_role(db_url: str) -> None:
    runs = apifuzz.fuzz(db_url, max_examples=MAX_EXAMPLES)
    report = apifuzz.table(runs, f"seed {apifuzz.SEED}")
    assert {r.role for r in runs} == set(apifuzz.ROLES)
    assert all(r.requests > 500 and r.operations > 30 for r in runs), report
    problems = [f"[{r.role}] {e}" for r in runs for e in r.examples]
    assert not any(r.failed for r in runs), report + "\n" + "\n".join(problems)


def test_every_operation_declares_its_errors_with_the_envelope(app) -> None:
    spec = app.openapi()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    envelope = {"$ref": "#/components/schemas/ErrorResponse"}
    for path, operations in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in operations.items():
            errors = {c: r for c, r in op["responses"].items() if c[0] in "45"}
            assert "500" in errors, (method, path)
            for code, answer in errors.items():
                assert answer["content"]["application/json"]["schema"] == envelope, (method, path, code)
            if op.get("security"):
                assert {"401", "403"} <= set(errors), (method, path)


def test_the_fuzzers_finds_stay_fixed(client: TestClient, tokens: dict[str, str], clinic) -> None:
    # 500 (a non-ASCII last 4 compared with the stored ones): now a 422 before any lookup, and the service
    # compares bytes
    from hsgclinic.services import staff
    from hsgclinic.services.errors import NotAuthenticated

    r = client.post("/api/v1/patient/login", json={"access_code": "ABCD2345", "id_last4": "ùÞ¼\u001a"})
    assert r.status_code == 422 and r.json()["error"]["fields"] == ["id_last4"]
    from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

    person = {"name": synthetic_name(5), "id_number": synthetic_resident_id(5), "phone": synthetic_phone(5)}
    code = client.post("/api/v1/registrations", json={"date": "2026-11-20", **person}).json()["access_code"]
    with pytest.raises(NotAuthenticated):
        staff.patient_login(clinic.ctx, access_code=code, id_last4="ùÞ¼é", address="203.0.113.7")
    # 500 on PostgreSQL (a NUL in text): a 422 naming the field, on both databases
    rad = bearer(tokens["radiologist"])
    findings = {
        "cavity": {"shape": "normal", "anomaly": False, "filling_defects": False, "intravasation": False},
        "left": {"patency": "patent", "obstruction_level": "none", "hydrosalpinx": False, "spill": "free"},
        "right": {"patency": "patent", "obstruction_level": "none", "hydrosalpinx": False, "spill": "free"},
    }
    r = client.put("/api/v1/procedures/1/report", json={"findings": findings, "reason": "typo\x00"}, headers=rad)
    assert r.status_code == 422 and r.json()["error"]["fields"] == ["reason"]
    r = client.post("/api/v1/auth/login", json={"username": "admin\x00", "password": "x"})
    assert r.status_code == 422
    # a report's findings are typed: an unknown patency or a dict for the shape is refused by the schema
    bad = {**findings, "left": {**findings["left"], "patency": "open-ish"}}
    assert client.put("/api/v1/procedures/1/report", json={"findings": bad}, headers=rad).status_code == 422
    odd = {**findings, "cavity": {**findings["cavity"], "shape": {"a": 1}}}
    assert client.put("/api/v1/procedures/1/report", json={"findings": odd}, headers=rad).status_code == 422
    # 500 on PostgreSQL (an id past the INTEGER range reached the query): every record id is 1 … 2**31 - 1
    for path in ("/api/v1/appointments/36028797018963968/procedure", "/api/v1/procedures/36028797018963968/aftercare"):
        r = client.post(path, json={"hcg_result": "negative", "operator": "x"}, headers=rad)
        fields = r.json()["error"].get("fields", [])
        assert r.status_code == 422 and fields and fields[0] in ("appointment_id", "procedure_id"), (path, r.text)
    # a date is YYYY-MM-DD, not a Unix time or a midnight datetime; a time is HH:MM both ways
    for day in ("0", "2026-11-20T00:00:00", "20261120"):
        assert client.get(f"/api/v1/registrations/availability/{day}").status_code == 422, day
    assert client.get("/api/v1/registrations/availability/2026-11-20").status_code == 200
    settings = client.get("/api/v1/admin/settings", headers=bearer(tokens["admin"])).json()
    assert settings["release_time"] == "07:00"


def test_a_bare_app_serves_the_same_contract(clinic) -> None:
    spec = create_app(clinic.settings, clinic=clinic).openapi()
    login = spec["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"200", "401", "422", "429", "500"} <= set(login)
