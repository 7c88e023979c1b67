"""What the desk's pages need in one read: each number's progress (form, booking, payment) and the day's
procedure schedule with names (IDs masked). Staff only; every read leaves an audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import (
    ApplicationForm,
    Patient,
    Payment,
    ProcedureAppointment,
    ProcedureRecord,
    RegistrationNumber,
    Report,
    Screening,
)
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden


@dataclass(frozen=True)
class Progress:
    """How far a number's visit has come: the latest screening's outcome, its form, the live booking."""

    screening_outcome: str | None = None
    form_id: int | None = None
    form_number: str | None = None
    appointment_id: int | None = None
    appointment_day: dt.date | None = None
    payment_status: str | None = None


@dataclass(frozen=True)
class ScheduleRow:
    appointment_id: int
    slot_time: dt.time
    slot_number: int
    status: str  # booked, cancelled, done, stopped
    name: str
    masked_id: str
    form_number: str
    price_cny: Decimal
    payment_status: str
    receipt_number: str | None
    procedure_id: int | None
    report_status: str | None = None  # draft, signed
    # every REVIEW confirmed for this procedure: (rule, reason, who confirmed it) — the screening doctor's
    # reasons, then the booking date's REVIEW rules with the confirming doctor
    reviews: tuple[tuple[str, str, str], ...] = ()


def _reviews(screening: Screening | None, appointment: ProcedureAppointment) -> tuple[tuple[str, str, str], ...]:
    out = [
        (str(o.get("rule", "")), str(o.get("reason", "")), str(o.get("doctor", "")))
        for o in (screening.overrides.get("items", []) if screening else [])
    ]
    out += [
        (str(x.get("rule", "")), str(x.get("msgid", "")), appointment.review_confirmed_by or "")
        for x in (appointment.findings or {}).get("items", [])
        if x.get("outcome") == "REVIEW"
    ]
    return tuple(out)


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))


def progress_for_day(ctx: ServiceContext, actor: Actor, day: dt.date) -> dict[int, Progress]:
    """registration id → :class:`Progress` for every number of ``day``."""
    _staff(actor)
    out: dict[int, Progress] = {}
    with ctx.read() as uow:
        s = uow.session
        regs = s.execute(select(RegistrationNumber).where(RegistrationNumber.day == day)).scalars().all()
        for reg in regs:
            screening = (
                s.execute(
                    select(Screening)
                    .where(Screening.patient_id == reg.patient_id, Screening.visit_date >= reg.day)
                    .order_by(Screening.created_at.desc(), Screening.id.desc())
                )
                .scalars()
                .first()
            )
            if screening is None:
                out[reg.id] = Progress()
                continue
            form = s.execute(
                select(ApplicationForm).where(ApplicationForm.screening_id == screening.id)
            ).scalar_one_or_none()
            appt = None
            if form is not None:
                appt = s.execute(
                    select(ProcedureAppointment).where(
                        ProcedureAppointment.application_form_id == form.id, ProcedureAppointment.active.is_(True)
                    )
                ).scalar_one_or_none()
            pay = (
                s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
                if appt is not None
                else None
            )
            out[reg.id] = Progress(
                screening_outcome=screening.outcome,
                form_id=form.id if form else None,
                form_number=form.number if form else None,
                appointment_id=appt.id if appt else None,
                appointment_day=appt.day if appt else None,
                payment_status=pay.status if pay else None,
            )
    return out


def live_appointment(ctx: ServiceContext, actor: Actor, form_id: int) -> int | None:
    """The live booking of an application form, if any."""
    _staff(actor)
    with ctx.read() as uow:
        return uow.session.execute(
            select(ProcedureAppointment.id).where(
                ProcedureAppointment.application_form_id == form_id, ProcedureAppointment.active.is_(True)
            )
        ).scalar_one_or_none()


def form_number(ctx: ServiceContext, actor: Actor, form_id: int) -> tuple[str, str, str] | None:
    """(form number, patient name, masked ID) of an application form."""
    _staff(actor)
    with ctx.read() as uow:
        row = uow.session.execute(
            select(ApplicationForm, Patient)
            .join(Patient, Patient.id == ApplicationForm.patient_id)
            .where(ApplicationForm.id == form_id)
        ).first()
    if row is None:
        return None
    return row[0].number, row[1].name, row[1].masked_id


def form_number_for_procedure(ctx: ServiceContext, actor: Actor, procedure_id: int) -> tuple[str, str, str] | None:
    """(form number, patient name, masked ID) of the patient a procedure record belongs to."""
    _staff(actor)
    with ctx.read() as uow:
        form_id = uow.session.execute(
            select(ProcedureAppointment.application_form_id)
            .join(ProcedureRecord, ProcedureRecord.appointment_id == ProcedureAppointment.id)
            .where(ProcedureRecord.id == procedure_id)
        ).scalar_one_or_none()
    return None if form_id is None else form_number(ctx, actor, form_id)


def schedule(ctx: ServiceContext, actor: Actor, day: dt.date) -> list[ScheduleRow]:
    """The day's procedures in slot order, with names, payment and whether the procedure is recorded."""
    _staff(actor)
    with ctx.write() as uow:
        s = uow.session
        rows = s.execute(
            select(
                ProcedureAppointment, Patient, ApplicationForm, Payment, ProcedureRecord.id, Report.status, Screening
            )
            .join(Patient, Patient.id == ProcedureAppointment.patient_id)
            .join(ApplicationForm, ApplicationForm.id == ProcedureAppointment.application_form_id)
            .outerjoin(Screening, Screening.id == ApplicationForm.screening_id)
            .outerjoin(Payment, Payment.appointment_id == ProcedureAppointment.id)
            .outerjoin(ProcedureRecord, ProcedureRecord.appointment_id == ProcedureAppointment.id)
            .outerjoin(Report, Report.procedure_id == ProcedureRecord.id)
            .where(ProcedureAppointment.day == day)
            .order_by(ProcedureAppointment.slot_number, ProcedureAppointment.id)
        ).all()
        audit.record(s, actor, "schedule.list", "day", day.isoformat(), at=ctx.now(), detail={"count": len(rows)})
        uow.commit()
    return [
        ScheduleRow(
            appointment_id=a.id,
            slot_time=a.slot_time,
            slot_number=a.slot_number,
            status=a.status,
            name=p.name,
            masked_id=p.masked_id,
            form_number=f.number,
            price_cny=pay.amount_cny if pay else Decimal("0.00"),
            payment_status=pay.status if pay else "unpaid",
            receipt_number=pay.receipt_number if pay else None,
            procedure_id=proc_id,
            report_status=report_status,
            reviews=_reviews(scr, a),
        )
        for a, p, f, pay, proc_id, report_status, scr in rows
    ]
