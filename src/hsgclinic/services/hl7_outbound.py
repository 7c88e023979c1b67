"""Telling the hospital's systems what happened, through the outbox (HL7 v2, docs/hl7.md).

Each function runs inside the caller's unit of work, so the message commits or rolls back with the change that
causes it (a refused booking sends nothing), and does nothing unless an HL7 peer is configured
(``HSGCLINIC_HL7_PEER_HOST``). What is stored is a JSON snapshot of the event taken in that transaction; the
worker turns it into the HL7 message (hl7/outbound.py) with a control ID fixed per outbox row. The resident ID
number is never put in it (it is sealed at rest and not for other systems): the patient is named by her hospital
record number. Every snapshot of patient data that leaves is audited (``hl7.enqueue``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.notifications.outbox import HL7_CHANNEL, UNSENT, enqueue_hl7, hl7_control_id
from hsgclinic.persistence.models import (
    ApplicationForm,
    OutboxMessage,
    Patient,
    ProcedureAppointment,
    ProcedureRecord,
    RegistrationNumber,
    Report,
)
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import Forbidden, NotFound, RuleRefused
from hsgclinic.services.identifiers import record_number_of
from hsgclinic.services.reminders import procedure_case, visit_case

BOOKED, RESCHEDULED, CANCELLED, NO_SHOW = "SIU^S12", "SIU^S13", "SIU^S15", "SIU^S26"
REPORT = "ORU^R01"


def enabled(ctx: ServiceContext) -> bool:
    return bool(ctx.settings.hl7_peer_host)


def _patient(s: Session, patient_id: int) -> dict[str, Any]:
    p = s.get(Patient, patient_id)
    if p is None:
        return {"record_number": record_number_of(patient_id)}
    return {
        "record_number": p.record_number or record_number_of(p.id),
        "name": p.name,
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "sex": p.sex or "",
        "phone": p.phone,
    }


def _appointment(ctx: ServiceContext, s: Session, appt: ProcedureAppointment) -> dict[str, Any]:
    form = s.get(ApplicationForm, appt.application_form_id)
    return {
        "id": appt.id,
        "kind": "procedure",
        "start": dt.datetime.combine(appt.day, appt.slot_time).isoformat(),
        "minutes": ctx.settings.slot_minutes,
        "slot_number": appt.slot_number,
        "status": appt.status,
        "form_number": form.number if form else "",
        "accession_number": appt.accession_number or "",
        "study_instance_uid": appt.study_instance_uid or "",
    }


def _put(
    ctx: ServiceContext,
    s: Session,
    actor: Actor | None,
    message_type: str,
    key: str,
    case_ref: str,
    patient_id: int,
    event: dict[str, Any],
) -> bool:
    now = ctx.now()
    event = {"at": now.isoformat(), "patient": _patient(s, patient_id), **event}
    added = enqueue_hl7(
        s, key=key, patient_id=patient_id, case_ref=case_ref, message_type=message_type, event=event, now=now
    )
    if added:
        who = actor or Actor.public()
        detail = {"message": message_type, "peer": f"{ctx.settings.hl7_peer_host}:{ctx.settings.hl7_peer_port}"}
        audit.record(s, who, "hl7.enqueue", "outbox", key, at=now, patient_id=patient_id, detail=detail)
    return added


def _order(ctx: ServiceContext, s: Session, actor: Actor | None, appt: ProcedureAppointment, control: str) -> None:
    """The HSG order (ORM^O01 / OMI^O23, when the setting asks): ``NW`` new, ``CA`` cancelled, ``XO`` changed."""
    kind = ctx.settings.hl7_order_message
    if kind == "none":
        return
    case_ref = procedure_case(appt.application_form_id)
    event = {"order_control": control, "appointment": _appointment(ctx, s, appt)}
    _put(ctx, s, actor, kind, f"{case_ref}|hl7|{kind}|{control}|{appt.id}", case_ref, appt.patient_id, event)


def procedure_booked(ctx: ServiceContext, s: Session, actor: Actor | None, appt: ProcedureAppointment) -> None:
    if not enabled(ctx):
        return
    case_ref = procedure_case(appt.application_form_id)
    event = {"appointment": _appointment(ctx, s, appt)}
    _put(ctx, s, actor, BOOKED, f"{case_ref}|hl7|{BOOKED}|{appt.id}", case_ref, appt.patient_id, event)
    _order(ctx, s, actor, appt, "NW")


def procedure_rescheduled(
    ctx: ServiceContext, s: Session, actor: Actor | None, old: ProcedureAppointment, new: ProcedureAppointment
) -> None:
    if not enabled(ctx):
        return
    case_ref = procedure_case(new.application_form_id)
    event = {
        "appointment": _appointment(ctx, s, new),
        "previous": {"id": old.id, "start": dt.datetime.combine(old.day, old.slot_time).isoformat()},
    }
    _put(ctx, s, actor, RESCHEDULED, f"{case_ref}|hl7|{RESCHEDULED}|{new.id}", case_ref, new.patient_id, event)
    _order(ctx, s, actor, new, "XO")


def procedure_cancelled(ctx: ServiceContext, s: Session, actor: Actor | None, appt: ProcedureAppointment) -> None:
    if not enabled(ctx):
        return
    case_ref = procedure_case(appt.application_form_id)
    event = {"appointment": _appointment(ctx, s, appt)}
    _put(ctx, s, actor, CANCELLED, f"{case_ref}|hl7|{CANCELLED}|{appt.id}", case_ref, appt.patient_id, event)
    _order(ctx, s, actor, appt, "CA")


def visit_no_show(ctx: ServiceContext, s: Session, actor: Actor | None, reg: RegistrationNumber) -> None:
    """REG-NOSHOW: the registration number's visit was missed (SIU^S26 for the visit appointment)."""
    if not enabled(ctx):
        return
    case_ref = visit_case(reg.id)
    event = {
        "appointment": {
            "id": reg.id,
            "kind": "visit",
            "start": dt.datetime.combine(reg.day, dt.time(0, 0)).isoformat(),
            "minutes": 24 * 60,
            "slot_number": reg.queue_number,
            "status": "no_show",
            "form_number": "",
            "accession_number": "",
        }
    }
    _put(ctx, s, actor, NO_SHOW, f"{case_ref}|hl7|{NO_SHOW}|{reg.id}", case_ref, reg.patient_id, event)


def report_signed(ctx: ServiceContext, s: Session, actor: Actor | None, report: Report) -> None:
    """ORU^R01 with the structured report: final for the first signature, corrected for a later version."""
    if not enabled(ctx):
        return
    proc = s.get(ProcedureRecord, report.procedure_id)
    appt = s.get(ProcedureAppointment, proc.appointment_id) if proc else None
    if proc is None or appt is None:
        return
    case_ref = procedure_case(appt.application_form_id)
    signed_at = report.signed_at or ctx.now()
    event = {
        "appointment": _appointment(ctx, s, appt),
        "procedure": {
            "id": proc.id,
            "started_at": proc.started_at.isoformat() if proc.started_at else "",
            "ended_at": proc.ended_at.isoformat() if proc.ended_at else "",
            "operator": proc.operator,
            "contrast_agent": proc.contrast_agent,
            "contrast_kind": proc.contrast_kind or "",
            "fluoroscopy_s": str(proc.fluoroscopy_s) if proc.fluoroscopy_s is not None else "",
        },
        "report": {
            "id": report.id,
            "version": report.version,
            "status": "C" if report.version > 1 else "F",
            "signed_by": report.signed_by or "",
            "signed_at": signed_at.isoformat(),
            "ready_on": report.ready_on.isoformat(),
            "findings": report.findings,
        },
    }
    key = f"{case_ref}|hl7|{REPORT}|{report.id}|v{report.version}"
    _put(ctx, s, actor, REPORT, key, case_ref, appt.patient_id, event)


# -- for the operator (``hsgclinic hl7 outbox`` / ``hl7 resend``): their own use cases, one transaction each ------
@dataclass(frozen=True)
class Undelivered:
    outbox_id: int
    control_id: str
    message_type: str
    case_ref: str
    status: str  # pending, sending, failed
    attempts: int
    created_at: dt.datetime
    last_error: str


def undelivered(ctx: ServiceContext, actor: Actor, limit: int = 100) -> list[Undelivered]:
    """HL7 messages not (yet) delivered, oldest first: waiting in order, or refused by the peer."""
    _admin(actor)
    with ctx.read() as uow:
        rows = uow.session.execute(
            select(OutboxMessage)
            .where(OutboxMessage.channel == HL7_CHANNEL, OutboxMessage.status.in_((*UNSENT, "failed")))
            .order_by(OutboxMessage.id)
            .limit(limit)
        ).scalars()
        return [
            Undelivered(
                r.id, hl7_control_id(r.id), r.template, r.case_ref, r.status, r.attempts, r.created_at, r.last_error
            )
            for r in rows
        ]


def resend(ctx: ServiceContext, actor: Actor, outbox_id: int) -> int:
    """A refused (``failed``) HL7 message written again as a NEW message at the end of the queue (new control ID:
    the peer refused the old one, and the messages after it were delivered in the meantime). Returns its row id."""
    _admin(actor)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        row = s.get(OutboxMessage, outbox_id)
        if row is None or row.channel != HL7_CHANNEL:
            raise NotFound("not_found", N_("No such HL7 message."))
        if row.status != "failed":
            raise RuleRefused("not_failed", N_("Only a message the peer refused can be sent again."))
        copy = OutboxMessage(
            patient_id=row.patient_id,
            case_ref=row.case_ref,
            channel=HL7_CHANNEL,
            template=row.template,
            payload={**row.payload, "resent_from": row.id},
            due_at=now,
            status="pending",
            attempts=0,
            last_error="",
            created_at=now,
        )
        s.add(copy)
        s.flush()
        audit.record(
            s,
            actor,
            "hl7.resend",
            "outbox",
            copy.id,
            at=now,
            patient_id=row.patient_id,
            detail={"message": row.template, "resent_from": row.id},
        )
        uow.commit()
        return copy.id


def _admin(actor: Actor) -> None:
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Your role may not do this."))
