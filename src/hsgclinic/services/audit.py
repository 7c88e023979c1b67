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
    session.execute(
        insert(AuditEvent).values(
            at=at,
            actor=actor.name,
            role=actor.role.value,
            action=action,
            record_type=record_type,
            record_id=str(record_id),
            patient_id=patient_id,
            address=actor.address[:64],
            detail=detail or {},
        )
    )
