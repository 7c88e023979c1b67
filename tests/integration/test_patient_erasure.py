"""Erasing a patient's personal data (DATA-ERASE) within the retention rule (DATA-RETAIN), on SQLite and
PostgreSQL: contact data any time, identity only after ``retention_years``; the append-only audit trail is kept
untouched and refers to her by the pseudonymous patient id only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from hsgclinic.persistence.models import AuditEvent, AuthSession, OutboxMessage, Patient, RegistrationNumber
from hsgclinic.services import patient_data, registration, staff
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import Forbidden, NotAuthenticated, NotFound, RuleRefused
from hsgclinic.services.patient_data import EraseScope
from hsgtest import TODAY, make_settings

TOMORROW = TODAY + dt.timedelta(days=1)


def _audit(clinic) -> list[tuple]:
    with clinic.ctx.read() as u:
        return [
            (e.id, e.action, e.actor, e.patient_id, e.record_id, dict(e.detail))
            for e in u.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars()
        ]


@pytest.fixture
def settings(db_url, tmp_path):
    return make_settings(db_url, tmp_path, daily_numbers=5, booking_horizon_days=3)


@pytest.fixture
def her(clinic, public, person):
    """She took a number for tomorrow (a visit-eve reminder is waiting in the outbox) and logged in to My visit."""
    p = person(21) | {"email": "her@example.invalid"}
    taken = registration.take_number(clinic.ctx, public, day=TOMORROW, **p).number
    return p, taken


def test_contact_data_can_be_erased_at_once_and_her_pending_messages_go(clinic, her, admin):
    p, taken = her
    with clinic.ctx.read() as u:
        assert u.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one() >= 1
    before = _audit(clinic)
    done = patient_data.erase(clinic.ctx, admin, taken.patient_id, scope=EraseScope.CONTACT, reason="she asked")
    assert done.messages_withdrawn >= 1
    with clinic.ctx.read() as u:
        row = u.session.get(Patient, taken.patient_id)
        assert row is not None and row.phone == "" and row.email is None
        assert row.name == p["name"] and row.erased_at is None  # her medical record keeps her identity
        messages = u.session.execute(select(OutboxMessage)).scalars().all()
        assert all(m.status not in ("pending", "sending") for m in messages)
        assert all(m.payload == {"erased": True} for m in messages)
    after = _audit(clinic)
    assert after[: len(before)] == before  # the trail is never rewritten
    assert after[-1][1:4] == ("patient.erase", admin.name, taken.patient_id)
    assert after[-1][5]["scope"] == "contact"


def test_identity_cannot_be_erased_before_the_retention_period_ends(clinic, her, admin):
    _, taken = her
    with pytest.raises(RuleRefused) as refused:
        patient_data.erase(clinic.ctx, admin, taken.patient_id, scope=EraseScope.ALL, reason="she asked")
    assert refused.value.rule == "DATA-RETAIN"
    assert refused.value.details["erasable_from"] == TOMORROW.replace(year=TOMORROW.year + 15).isoformat()
    with clinic.ctx.read() as u:
        assert u.session.get(Patient, taken.patient_id).erased_at is None  # type: ignore[union-attr]


def test_after_the_retention_period_her_identity_goes_and_the_audit_keeps_only_the_pseudonym(
    clinic, clock, her, admin, public
):
    p, taken = her
    staff.patient_login(clinic.ctx, access_code=taken.access_code, id_last4=p["id_number"][-4:], address="203.0.113.9")
    clock.advance(dt.timedelta(days=366 * 15 + 2))
    assert [e.patient_id for e in patient_data.expired(clinic.ctx, admin)] == [taken.patient_id]
    before = _audit(clinic)
    patient_data.erase(clinic.ctx, admin, taken.patient_id, scope=EraseScope.ALL, reason="retention ended")
    with clinic.ctx.read() as u:
        row = u.session.get(Patient, taken.patient_id)
        assert row is not None and row.erased_at is not None
        assert (row.name, row.id_number_sealed, row.id_last4, row.birth_date, row.masked_id) == (
            "—",
            None,
            "",
            None,
            "",
        )
        assert row.id_hash.startswith("erased:")
        assert u.session.execute(select(func.count()).select_from(AuthSession)).scalar_one() == 0
        reg = u.session.execute(select(RegistrationNumber)).scalar_one()
        assert reg.access_code != taken.access_code and reg.client_address == ""
    with pytest.raises((NotAuthenticated, NotFound)):
        staff.patient_login(
            clinic.ctx, access_code=taken.access_code, id_last4=p["id_number"][-4:], address="203.0.113.9"
        )
    after = _audit(clinic)
    assert after[: len(before)] == before
    trail = repr(after)
    assert p["id_number"] not in trail and p["name"] not in trail and p["phone"] not in trail
    assert {e[3] for e in after if e[3] is not None} == {taken.patient_id}
    with pytest.raises(NotFound):
        patient_data.reveal_id_number(clinic.ctx, admin, taken.patient_id, reason="after erasure")
    with pytest.raises(RuleRefused):
        patient_data.erase(clinic.ctx, admin, taken.patient_id, scope=EraseScope.ALL, reason="twice")
    # The same person coming back is a new patient: nothing links her to the pseudonym.
    again = registration.take_number(clinic.ctx, public, day=clinic.ctx.today(), **p).number
    assert again.patient_id != taken.patient_id
    assert patient_data.find_patient(clinic.ctx, id_number=p["id_number"]) == again.patient_id


def test_only_an_administrator_erases(clinic, her, registrar):
    _, taken = her
    for who in (registrar, Actor(Role.PATIENT, "p", patient_id=taken.patient_id), Actor.public()):
        with pytest.raises(Forbidden) as refused:
            patient_data.erase(clinic.ctx, who, taken.patient_id, scope=EraseScope.CONTACT, reason="please")
        assert refused.value.rule == "DATA-ERASE"
