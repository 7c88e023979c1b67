"""Putting reminders into the outbox, in the caller's transaction (design principle 8).

A service that changes a case (books, reschedules, cancels, records the procedure or the report) calls
:func:`sync_case_reminders` with the case's new schedule in the same unit of work: messages the schedule no
longer wants are withdrawn, new ones are added, and ones already there (by their key) are left alone — so the
call is idempotent and a retried request adds nothing. :func:`withdraw_case` is the cancelled case: every
unsent message of it is withdrawn and nothing more is sent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hsgclinic.domain.reminders import Reminder, still_useful
from hsgclinic.persistence.models import OutboxMessage
from hsgclinic.persistence.notification_models import OutboxKey

UNSENT = ("pending", "sending")
# HL7 v2 messages to the hospital's systems (docs/hl7.md) share the table but not the reminders' life: they are
# never withdrawn or re-planned, and the worker sends them one after another in the order they were written.
HL7_CHANNEL = "hl7"


@dataclass(frozen=True)
class Contact:
    channel: str  # "email" | "sms"
    address: str


@dataclass(frozen=True)
class Addressee:
    """Who the case's messages go to, and in which language."""

    case_ref: str
    patient_id: int | None
    name: str
    lang: str
    contacts: tuple[Contact, ...]
    procedure_date: dt.date | None = None  # for the check-in link (CARE-BLEED)


@dataclass(frozen=True)
class SyncResult:
    added: int
    withdrawn: int
    kept: int


def encode(value: object) -> Any:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    if isinstance(value, dt.time):
        return {"time": value.isoformat(timespec="minutes")}
    return value


def decode(value: Any) -> object:
    if isinstance(value, dict) and len(value) == 1:
        ((tag, text),) = value.items()
        if tag == "datetime":
            return dt.datetime.fromisoformat(text)
        if tag == "date":
            return dt.date.fromisoformat(text)
        if tag == "time":
            return dt.time.fromisoformat(text)
    return value


def decode_params(params: Mapping[str, Any]) -> dict[str, object]:
    return {k: decode(v) for k, v in params.items()}


def message_key(case_ref: str, channel: str, reminder: Reminder) -> str:
    return f"{case_ref}|{channel}|{reminder.key}"


def sync_case_reminders(
    session: Session,
    addressee: Addressee,
    reminders: Iterable[Reminder],
    *,
    now: dt.datetime,
    tz: ZoneInfo,
) -> SyncResult:
    """Make the case's unsent outbox messages match ``reminders`` (local times in ``tz``; ``now`` aware)."""
    now_local = now.astimezone(tz).replace(tzinfo=None)
    wanted: dict[str, tuple[Contact, Reminder]] = {}
    for original in reminders:
        # The key is the reminder's own instant, not the moment a late one is brought forward to: a re-plan an
        # hour later must find the message already there (or already sent), not add a second copy.
        for r in still_useful([original], now_local):
            for c in addressee.contacts:
                wanted[message_key(addressee.case_ref, c.channel, original)] = (c, r)
    rows = session.execute(
        select(OutboxKey.key, OutboxMessage.id, OutboxMessage.status)
        .join(OutboxMessage, OutboxMessage.id == OutboxKey.outbox_id)
        .where(OutboxMessage.case_ref == addressee.case_ref, OutboxMessage.channel != HL7_CHANNEL)
    ).all()
    existing = {key for key, _, _ in rows}
    stale = [oid for key, oid, status in rows if key not in wanted and status in UNSENT]
    withdrawn = _withdraw(session, stale, now)
    added = 0
    for key, (contact, r) in wanted.items():
        if key in existing:
            continue
        due = r.due.replace(tzinfo=tz).astimezone(dt.UTC)
        expires = r.expires.replace(tzinfo=tz).astimezone(dt.UTC)
        msg = OutboxMessage(
            patient_id=addressee.patient_id,
            case_ref=addressee.case_ref,
            channel=contact.channel,
            template=r.kind.value,
            payload={
                "to": contact.address,
                "name": addressee.name,
                "lang": addressee.lang,
                "rule": r.rule,
                "key": key.rpartition("|")[2],
                "params": {k: encode(v) for k, v in r.params.items()},
                "due_local": r.due.isoformat(),
                "expires_at": expires.isoformat(),
                "procedure_date": addressee.procedure_date.isoformat() if addressee.procedure_date else None,
            },
            due_at=due,
            status="pending",
            attempts=0,
            last_error="",
            created_at=now,
        )
        session.add(msg)
        session.flush()
        session.add(OutboxKey(key=key, outbox_id=msg.id))
        added += 1
    session.flush()
    return SyncResult(added=added, withdrawn=withdrawn, kept=len(wanted) - added)


def withdraw_case(session: Session, case_ref: str, now: dt.datetime) -> int:
    """A cancelled case: every unsent message of it is withdrawn (in the cancelling transaction)."""
    ids = list(
        session.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.case_ref == case_ref,
                OutboxMessage.status.in_(UNSENT),
                OutboxMessage.channel != HL7_CHANNEL,
            )
        ).scalars()
    )
    return _withdraw(session, ids, now)


def _withdraw(session: Session, ids: list[int], now: dt.datetime) -> int:
    if not ids:
        return 0
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status.in_(UNSENT))
        .values(status="withdrawn", last_error=f"withdrawn at {now.isoformat()}")
        .execution_options(synchronize_session=False)
    )
    # A withdrawn message gives its key up: a later plan may want the same reminder again.
    session.execute(delete(OutboxKey).where(OutboxKey.outbox_id.in_(ids)).execution_options(synchronize_session=False))
    return len(ids)


def hl7_control_id(outbox_id: int) -> str:
    """MSH-10 of the HL7 message in outbox row ``outbox_id``: the same on every attempt, so that a receiver that
    got it twice (a lost ACK, a worker that died after sending) can tell the copy from a new message."""
    return f"HSG{outbox_id:012d}"


def enqueue_hl7(
    session: Session,
    *,
    key: str,
    patient_id: int | None,
    case_ref: str,
    message_type: str,
    event: Mapping[str, Any],
    now: dt.datetime,
) -> bool:
    """Put one HL7 message (``message_type`` such as ``SIU^S12``; ``event`` the JSON snapshot it is built from) in
    the outbox in the caller's transaction. ``key`` makes it idempotent: an event already enqueued adds nothing
    (returns False)."""
    if session.get(OutboxKey, key) is not None:
        return False
    msg = OutboxMessage(
        patient_id=patient_id,
        case_ref=case_ref,
        channel=HL7_CHANNEL,
        template=message_type,
        payload={"message_type": message_type, "event": dict(event)},
        due_at=now,
        status="pending",
        attempts=0,
        last_error="",
        created_at=now,
    )
    session.add(msg)
    session.flush()
    session.add(OutboxKey(key=key, outbox_id=msg.id))
    session.flush()
    return True
