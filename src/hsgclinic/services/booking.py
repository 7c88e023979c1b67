"""Procedure booking (BOOK-*): offer dates, book, reschedule, cancel — places taken like registration numbers.

Booking needs an application form (issued by a passing screening). ``judge_booking`` decides; a BLOCK is refused
with its rule IDs, a REVIEW date needs the confirming doctor's name. A booking creates the unpaid payment
(BOOK-PRICE) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hsgclinic.domain.booking import BookingOptions, judge_booking, offer_dates, slot_times
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_
from hsgclinic.persistence import locking
from hsgclinic.persistence.models import ApplicationForm, Payment, ProcedureAppointment, Screening
from hsgclinic.services import audit, hl7_outbound, identifiers, reminders
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused
from hsgclinic.services.screening import cycle_of
from hsgclinic.services.serialize import encode_findings


@dataclass(frozen=True)
class AppointmentView:
    appointment_id: int
    application_form_id: int
    patient_id: int
    day: dt.date
    slot_number: int
    slot_time: dt.time
    status: str
    price_cny: Decimal
    payment_status: str
    receipt_number: str | None


def _form(session: Session, actor: Actor, form_id: int) -> tuple[ApplicationForm, Screening]:
    form = session.get(ApplicationForm, form_id)
    if form is None or (not actor.is_staff and actor.patient_id != form.patient_id):
        raise NotFound("not_found", N_("No such application form."))
    screening = session.get(Screening, form.screening_id)
    assert screening is not None
    return form, screening


def _places_left(session: Session, days: list[dt.date], capacity: int) -> dict[dt.date, int]:
    left = {}
    for d in days:
        r = locking.remaining(session, locking.PROCEDURE, d)
        left[d] = capacity if r is None else r
    return left


def options(ctx: ServiceContext, actor: Actor, form_id: int) -> BookingOptions:
    """BOOK-WINDOW/LEAD/OPEN/NEXT: the dates that may be offered for this form, best first, with places left."""
    rules = ctx.settings.rules()
    with ctx.write() as uow:
        form, screening = _form(uow.session, actor, form_id)
        days = [form.test_date + dt.timedelta(days=n) for n in range(rules.lead_min_days, rules.lead_max_days + 1)]
        left = _places_left(uow.session, days, ctx.effective().procedure_capacity)
        audit.record(
            uow.session, actor, "booking.options", "application_form", form.id, at=ctx.now(), patient_id=form.patient_id
        )
        uow.commit()
    return offer_dates(
        test_date=form.test_date,
        cycle=cycle_of(screening.inputs),
        calendar=ctx.calendar_for(form.test_date),
        places_left=left,
        rules=rules,
        today=ctx.today(),
    )


def _view(appt: ProcedureAppointment, payment: Payment | None) -> AppointmentView:
    return AppointmentView(
        appointment_id=appt.id,
        application_form_id=appt.application_form_id,
        patient_id=appt.patient_id,
        day=appt.day,
        slot_number=appt.slot_number,
        slot_time=appt.slot_time,
        status=appt.status,
        price_cny=payment.amount_cny if payment else Decimal("0.00"),
        payment_status=payment.status if payment else "unpaid",
        receipt_number=payment.receipt_number if payment else None,
    )


def _judge(
    ctx: ServiceContext,
    s: Session,
    form: ApplicationForm,
    screening: Screening,
    day: dt.date,
    review_confirmed_by: str | None,
) -> tuple[Finding, ...]:
    capacity = ctx.effective().procedure_capacity
    verdict = judge_booking(
        day,
        test_date=form.test_date,
        cycle=cycle_of(screening.inputs),
        calendar=ctx.calendar_for(day),
        places_left=_places_left(s, [day], capacity)[day],
        rules=ctx.settings.rules(),
        today=ctx.today(),
    )
    if verdict.outcome is Outcome.BLOCK:
        blocking = tuple(f for f in verdict.findings if f.outcome is Outcome.BLOCK)
        code = (
            "no_places"
            if all(f.rule == "BOOK-OPEN" and "places" in f.message.msgid for f in blocking)
            else "date_refused"
        )
        raise RuleRefused(code, N_("{day} cannot be booked.", day=day), findings=blocking)
    if verdict.outcome is Outcome.REVIEW and not (review_confirmed_by or "").strip():
        reviews = tuple(f for f in verdict.findings if f.outcome is Outcome.REVIEW)
        raise RuleRefused(
            "review_required",
            N_("{day} needs a doctor's confirmation; give the confirming doctor's name.", day=day),
            findings=reviews,
        )
    return verdict.findings


def _take(
    ctx: ServiceContext,
    actor: Actor,
    s: Session,
    form: ApplicationForm,
    day: dt.date,
    findings: tuple[Finding, ...],
    confirmed_by: str | None,
    now: dt.datetime,
    carried_from: ProcedureAppointment | None = None,
) -> ProcedureAppointment:
    capacity = ctx.effective().procedure_capacity
    st = ctx.settings
    granted = locking.take_place(
        s,
        locking.PROCEDURE,
        day,
        quota=capacity,
        guard=ctx.guard,
        holder=cast(Table, ProcedureAppointment.__table__),
        values={
            "application_form_id": form.id,
            "patient_id": form.patient_id,
            "day": day,
            "slot_time": dt.time(0, 0),
            "status": "booked",
            "active": True,
            "review_confirmed_by": (confirmed_by or "").strip() or None,
            "findings": encode_findings(findings),
            "created_at": now,
            "updated_at": now,
        },
        number_column="slot_number",
    )
    if granted is None:
        raise RuleRefused("no_places", N_("No procedure places are left on {day}.", day=day), rule="BOOK-OPEN")
    appt_id, slot = granted
    appt = s.get(ProcedureAppointment, appt_id)
    assert appt is not None
    slots = slot_times(st.first_slot, st.slot_minutes, max(capacity, slot))
    appt.slot_time = slots[slot - 1]
    identifiers.assign_order(s, appt, carried_from=carried_from)
    audit.record(
        s,
        actor,
        "booking.book",
        "procedure_appointment",
        appt.id,
        at=now,
        patient_id=form.patient_id,
        detail={"day": day.isoformat(), "slot": slot},
    )
    return appt


def _ensure_counter(ctx: ServiceContext, day: dt.date) -> None:
    with ctx.read() as uow:
        exists = locking.remaining(uow.session, locking.PROCEDURE, day) is not None
    if not exists:
        with ctx.uow(write=True) as uow:
            locking.ensure_counter(uow.session, locking.PROCEDURE, day, ctx.effective().procedure_capacity)
            uow.commit()


def book(
    ctx: ServiceContext, actor: Actor, form_id: int, day: dt.date, review_confirmed_by: str | None = None
) -> AppointmentView:
    """Book ``day`` for this application form (one live appointment per form) and create the unpaid payment."""
    _ensure_counter(ctx, day)
    now = ctx.now()
    try:
        with ctx.write() as uow:
            s = uow.session
            form, screening = _form(s, actor, form_id)
            live = s.execute(
                select(ProcedureAppointment).where(
                    ProcedureAppointment.application_form_id == form.id, ProcedureAppointment.active.is_(True)
                )
            ).scalar_one_or_none()
            if live is not None:
                raise RuleRefused(
                    "already_booked",
                    N_("This application form already has a booking on {day}.", day=live.day),
                    rule="BOOK-OPEN",
                )
            findings = _judge(ctx, s, form, screening, day, review_confirmed_by)
            appt = _take(ctx, actor, s, form, day, findings, review_confirmed_by, now)
            payment = Payment(
                appointment_id=appt.id,
                amount_cny=ctx.effective().price_cny,
                status="unpaid",
                receipt_number=None,
                method="",
                paid_at=None,
                refunded_at=None,
            )
            s.add(payment)
            reminders.procedure_planned(ctx, s, appt)
            hl7_outbound.procedure_booked(ctx, s, actor, appt)
            uow.commit()
            return _view(appt, payment)
    except IntegrityError:
        raise RuleRefused("already_booked", N_("This application form is already booked."), rule="BOOK-OPEN") from None


def _appointment(s: Session, actor: Actor, appointment_id: int) -> ProcedureAppointment:
    appt = s.get(ProcedureAppointment, appointment_id)
    if appt is None or (not actor.is_staff and actor.patient_id != appt.patient_id):
        raise NotFound("not_found", N_("No such appointment."))
    return appt


def _release(s: Session, appt: ProcedureAppointment, now: dt.datetime) -> None:
    appt.status, appt.active, appt.updated_at = "cancelled", None, now
    s.flush()
    locking.return_place(s, locking.PROCEDURE, appt.day, appt.slot_number)


def cancel(ctx: ServiceContext, actor: Actor, appointment_id: int, reason: str = "") -> AppointmentView:
    """Cancel a booking; the place goes back to the day's pool at once. A paid booking must be refunded
    separately. ``reason`` (the desk's words) goes into the audit trail."""
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        appt = _appointment(s, actor, appointment_id)
        if appt.status != "booked":
            raise RuleRefused("not_booked", N_("This appointment is not an open booking."), rule="BOOK-OPEN")
        _release(s, appt, now)
        audit.record(
            s,
            actor,
            "booking.cancel",
            "procedure_appointment",
            appt.id,
            at=now,
            patient_id=appt.patient_id,
            detail={"reason": reason.strip()[:500]} if reason.strip() else None,
        )
        reminders.procedure_cancelled(ctx, s, appt)
        hl7_outbound.procedure_cancelled(ctx, s, actor, appt)
        payment = s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
        uow.commit()
        return _view(appt, payment)


def reschedule(
    ctx: ServiceContext, actor: Actor, appointment_id: int, day: dt.date, review_confirmed_by: str | None = None
) -> AppointmentView:
    """Move a booking to ``day`` in one transaction: the new place is taken before the old one is released."""
    _ensure_counter(ctx, day)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        old = _appointment(s, actor, appointment_id)
        if old.status != "booked":
            raise RuleRefused("not_booked", N_("This appointment is not an open booking."), rule="BOOK-OPEN")
        if old.day == day:
            raise InvalidInput("same_day", N_("The appointment is already on {day}.", day=day))
        form, screening = _form(s, actor, old.application_form_id)
        findings = _judge(ctx, s, form, screening, day, review_confirmed_by)
        _release(s, old, now)
        appt = _take(ctx, actor, s, form, day, findings, review_confirmed_by, now, carried_from=old)
        payment = s.execute(select(Payment).where(Payment.appointment_id == old.id)).scalar_one()
        payment.appointment_id = appt.id
        audit.record(
            s,
            actor,
            "booking.reschedule",
            "procedure_appointment",
            appt.id,
            at=now,
            patient_id=appt.patient_id,
            detail={"from": old.day.isoformat(), "to": day.isoformat()},
        )
        reminders.procedure_rescheduled(ctx, s, old, appt)
        hl7_outbound.procedure_rescheduled(ctx, s, actor, old, appt)
        uow.commit()
        return _view(appt, payment)


def get_appointment(ctx: ServiceContext, actor: Actor, appointment_id: int) -> AppointmentView:
    with ctx.write() as uow:
        s = uow.session
        appt = _appointment(s, actor, appointment_id)
        payment = s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
        audit.record(
            s, actor, "booking.read", "procedure_appointment", appt.id, at=ctx.now(), patient_id=appt.patient_id
        )
        uow.commit()
        return _view(appt, payment)


def list_day(ctx: ServiceContext, actor: Actor, day: dt.date) -> list[AppointmentView]:
    with ctx.write() as uow:
        s = uow.session
        rows = s.execute(
            select(ProcedureAppointment, Payment)
            .outerjoin(Payment, Payment.appointment_id == ProcedureAppointment.id)
            .where(ProcedureAppointment.day == day)
            .order_by(ProcedureAppointment.slot_number)
        ).all()
        audit.record(s, actor, "booking.list", "day", day.isoformat(), at=ctx.now(), detail={"count": len(rows)})
        uow.commit()
        return [_view(a, p) for a, p in rows]
