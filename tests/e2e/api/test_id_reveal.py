"""POST /api/v1/patients/{id}/id-number (DATA-REVEAL): the one place the full ID number leaves the database —
registrar, doctor or admin, with a reason, never cached; every other answer carries the masked ID only."""

from __future__ import annotations

from hsgclinic.persistence.models import RegistrationNumber
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

from .conftest import bearer


def test_a_registrar_sees_the_full_number_and_nobody_else_does(client, tokens, clinic):
    n = 31
    taken = client.post(
        "/api/v1/registrations",
        json={
            "date": "2026-11-20",
            "name": synthetic_name(n),
            "id_number": synthetic_resident_id(n),
            "phone": synthetic_phone(n),
        },
    )
    assert taken.status_code == 201
    assert synthetic_resident_id(n) not in taken.text
    with clinic.ctx.read() as u:
        reg = u.session.get(RegistrationNumber, taken.json()["registration_id"])
        assert reg is not None
        pid = reg.patient_id
    url = f"/api/v1/patients/{pid}/id-number"
    r = client.post(url, json={"reason": "ID card check at the desk"}, headers=bearer(tokens["registrar"]))
    assert r.status_code == 200, r.text
    assert r.json() == {"patient_id": pid, "id_number": synthetic_resident_id(n)}
    assert r.headers["cache-control"] == "no-store"
    listed = client.get("/api/v1/registrations?day=2026-11-20", headers=bearer(tokens["registrar"]))
    assert listed.status_code == 200 and synthetic_resident_id(n) not in listed.text
    assert client.post(url, json={"reason": "curious"}, headers=bearer(tokens["radiologist"])).status_code == 403
    assert client.post(url, json={"reason": "curious"}).status_code == 401
    assert client.post(url, json={}, headers=bearer(tokens["doctor"])).status_code == 422
    missing = client.post(
        "/api/v1/patients/999999/id-number", json={"reason": "x" * 5}, headers=bearer(tokens["admin"])
    )
    assert missing.status_code == 404
