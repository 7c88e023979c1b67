"""The audit trail: every read and write of patient data leaves one append-only event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from hsgclinic.persistence.models import AuditEvent
from hsgclinic.services.context import Actor


def record(
    session: Session,
    actor: Actor,
    action: str,
    record_type: str,
    record_id: object,
    *,
    at: dt.datetime,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one event to the current transaction (an INSERT, never an UPDATE or DELETE)."""
    row = values(actor, action, record_type, at=at, patient_id=patient_id, detail=detail)
    session.execute(insert(AuditEvent).values(**row, record_id=str(record_id)))


def values(
    actor: Actor,
    action: str,
    record_type: str,
    *,
    at: dt.datetime,
    patient_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An event's column values without ``record_id`` (for an insert that learns the id in the same statement)."""
    return {
        "at": at,
        "actor": actor.name,
        "role": actor.role.value,
        "action": action,
        "record_type": record_type,
        "patient_id": patient_id,
        "address": actor.address[:64],
        "detail": detail or {},
    }
