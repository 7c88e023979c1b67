"""Every endpoint × every role (and none): who gets through, who gets 401/403. A new route without a row here
fails ``test_every_api_route_is_in_the_table``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hsgclinic.persistence.models import AuditEvent
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

from .conftest import bearer

ANY = {"none", "patient", "registrar", "doctor", "radiologist", "admin"}
P, R, D, X, A = "patient", "registrar", "doctor", "radiologist", "admin"
TABLE: list[tuple[str, str, set[str]]] = [
    ("POST", "/api/v1/registrations", ANY),
    ("POST", "/api/v1/registrations/waiting-line", ANY),
    ("GET", "/api/v1/registrations/waiting-line/{code}", ANY),
    ("DELETE", "/api/v1/registrations/waiting-line/{code}", ANY),
    ("GET", "/api/v1/registrations/availability/2026-11-20", ANY),
    ("GET", "/api/v1/registrations?day=2026-11-20", {R}),
    ("GET", "/api/v1/registrations/{rid}", {P, R}),
    ("POST", "/api/v1/registrations/{rid}/check-in", {R}),
    ("POST", "/api/v1/registrations/no-shows/2026-11-19", {R}),
    ("POST", "/api/v1/auth/login", ANY),
    ("GET", "/api/v1/auth/me", ANY),
    ("GET", "/api/v1/admin/users", {A}),
    ("POST", "/api/v1/admin/users", {A}),
    ("PATCH", "/api/v1/admin/users/1", {A}),
    ("POST", "/api/v1/patient/login", ANY),
    ("POST", "/api/v1/screenings", {D}),
    ("GET", "/api/v1/screenings/1", {P, D}),
    ("POST", "/api/v1/screenings/1/application-form", {D}),
    ("GET", "/api/v1/application-forms/1/dates", {R, D}),
    ("POST", "/api/v1/application-forms/1/appointment", {R}),
    ("GET", "/api/v1/appointments?day=2026-11-21", {R, X, A}),
    ("GET", "/api/v1/appointments/1", {P, R, X}),
    ("POST", "/api/v1/appointments/1/reschedule", {R}),
    ("POST", "/api/v1/appointments/1/cancel", {R}),
    ("POST", "/api/v1/appointments/1/payment", {R}),
    ("POST", "/api/v1/appointments/1/refund", {R}),
    ("POST", "/api/v1/appointments/1/procedure", {X}),
    ("PUT", "/api/v1/procedures/1/report", {X}),
    ("GET", "/api/v1/procedures/1/report", {P, X}),
    ("POST", "/api/v1/reports/1/sign", {X}),
    ("POST", "/api/v1/procedures/1/aftercare", {X}),
    ("GET", "/api/v1/admin/settings", {A}),
    ("PATCH", "/api/v1/admin/settings", {A}),
    ("GET", "/api/v1/admin/calendar/overrides", {A}),
    ("PUT", "/api/v1/admin/calendar/overrides/2026-12-01", {A}),
    ("DELETE", "/api/v1/admin/calendar/overrides/2026-12-02", {A}),
    ("GET", "/api/v1/admin/audit", {A}),
    ("POST", "/api/v1/patients/1/id-number", {R, D, A}),
    ("POST", "/api/v1/registrations/{rid}/cancel", {P, R}),
    ("POST", "/api/v1/auth/logout", ANY),  # last: it ends the session it is called with
]


def _template(path: str) -> str:
    import re

    path = path.split("?")[0]
    path = re.sub(r"/\d{4}-\d{2}-\d{2}", "/{day}", path)
    return re.sub(r"/(\d+|\{rid\})(?=/|$)", "/{id}", path)


def test_every_api_route_is_in_the_table(app):
    import re

    paths = app.openapi()["paths"]
    routes = {
        (m.upper(), re.sub(r"\{[a-z_]+\}", "{x}", p))
        for p, ops in paths.items()
        if p.startswith("/api/v1")
        for m in ops
    }
    table = {(m, re.sub(r"\{[a-z]+\}", "{x}", _template(p))) for m, p, _ in TABLE}
    assert routes == table


@pytest.fixture
def patient_token(client) -> tuple[str, int]:
    n = 77
    r = client.post(
        "/api/v1/registrations",
        json={
            "date": "2026-11-20",
            "name": synthetic_name(n),
            "id_number": synthetic_resident_id(n),
            "phone": synthetic_phone(n),
        },
    )
    assert r.status_code == 201
    got = client.post(
        "/api/v1/patient/login",
        json={"access_code": r.json()["access_code"], "id_last4": synthetic_resident_id(n)[-4:]},
    )
    assert got.status_code == 200, got.text
    client.cookies.clear()
    return got.json()["token"], r.json()["registration_id"]


def test_each_role_gets_exactly_what_it_may(client, tokens, patient_token):
    token_of = dict(tokens) | {"patient": patient_token[0], "none": None}
    rid = patient_token[1]
    wrong: list[str] = []
    for role in ("none", "registrar", "doctor", "radiologist", "admin", "patient"):
        for method, path, allowed in TABLE:
            r = client.request(method, path.replace("{rid}", str(rid)), json={}, headers=bearer(token_of[role]))
            client.cookies.clear()
            if role in allowed:
                ok = r.status_code not in (401, 403) and r.status_code < 500
            else:
                ok = r.status_code == (401 if role == "none" else 403)
            if not ok:
                wrong.append(f"{role:11} {method:6} {path}: {r.status_code} {r.text[:120]}")
    assert not wrong, "\n".join(wrong)


def test_a_patient_reaches_her_own_number_and_nothing_else(client, patient_token, clinic):
    token, rid = patient_token
    n = 78
    other = client.post(
        "/api/v1/registrations",
        json={
            "date": "2026-11-20",
            "name": synthetic_name(n),
            "id_number": synthetic_resident_id(n),
            "phone": synthetic_phone(n),
        },
    ).json()
    assert client.get(f"/api/v1/registrations/{rid}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/registrations/{other['registration_id']}", headers=bearer(token)).status_code == 404
    wrong = client.post("/api/v1/patient/login", json={"access_code": other["access_code"], "id_last4": "0000"})
    assert wrong.status_code == 401


def test_reading_patient_data_is_audited(client, tokens, patient_token, clinic):
    _, rid = patient_token
    assert client.get(f"/api/v1/registrations/{rid}", headers=bearer(tokens["registrar"])).status_code == 200
    with clinic.ctx.read() as uow:
        events = uow.session.execute(select(AuditEvent).where(AuditEvent.action == "registration.read")).scalars()
        assert [(e.actor, e.role, e.record_id) for e in events] == [("registrar", "registrar", str(rid))]


def test_staff_login_is_rate_limited_and_wrong_passwords_refused(client, tokens, clinic):
    codes = [
        client.post("/api/v1/auth/login", json={"username": "doctor", "password": "wrong!"}).status_code
        for _ in range(clinic.settings.login_attempts_per_15min + 1)
    ]
    assert codes[:-1] == [401] * clinic.settings.login_attempts_per_15min and codes[-1] == 429
    r = client.post("/api/v1/auth/login", json={"username": "doctor", "password": "correct horse battery"})
    assert r.status_code == 429


def test_sessions_expire(client, tokens, clock):
    import datetime as dt

    assert client.get("/api/v1/admin/users", headers=bearer(tokens["admin"])).status_code == 200
    clock.advance(dt.timedelta(hours=11))
    assert client.get("/api/v1/admin/users", headers=bearer(tokens["admin"])).status_code == 401


def test_an_admin_deactivates_a_user_and_her_session_ends(client, tokens):
    users = client.get("/api/v1/admin/users", headers=bearer(tokens["admin"])).json()
    doctor = next(u for u in users if u["username"] == "doctor")
    r = client.patch(
        f"/api/v1/admin/users/{doctor['user_id']}", json={"active": False}, headers=bearer(tokens["admin"])
    )
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=bearer(tokens["doctor"])).status_code == 401
    me = next(u for u in users if u["username"] == "admin")
    r = client.patch(f"/api/v1/admin/users/{me['user_id']}", json={"active": False}, headers=bearer(tokens["admin"]))
    assert r.status_code == 409
