"""The audit trail is append-only in the database itself, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from hsgclinic.persistence.models import AuditEvent
from hsgclinic.services import admin as admin_service
from hsgclinic.services import registration


def test_audit_events_cannot_be_changed_or_deleted(clinic, public, person):
    registration.take_number(clinic.ctx, public, day=dt.date(2026, 11, 20), **person(1))
    for stmt in (update(AuditEvent).values(actor="someone else"), delete(AuditEvent)):
        with clinic.ctx.uow(write=True) as uow, pytest.raises(DBAPIError):
            uow.session.execute(stmt)
    with clinic.ctx.read() as uow:
        assert uow.session.execute(select(AuditEvent.actor)).scalars().all() == ["public"]


def test_admins_list_and_filter_the_trail(clinic, public, person, admin):
    taken = registration.take_number(clinic.ctx, public, day=dt.date(2026, 11, 20), **person(1)).number
    registration.take_number(clinic.ctx, public, day=dt.date(2026, 11, 20), **person(2))
    admin_list = admin_service.list_audit(clinic.ctx, admin, patient_id=taken.patient_id)
    mine = [(e.action, e.record_id) for e in admin_list]
    assert mine == [("registration.take", str(taken.registration_id))]
