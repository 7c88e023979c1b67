"""Closing a day that already has numbers or bookings (CAL-SOURCE; issue 8, "Closing a day").

Before an administrator saves a closure (a calendar override, or a loaded holiday notice), :func:`affected_on`
lists who holds a live number or a live booking on those days. Saving tells each of them at once
(:func:`notify_closed`, in the saving transaction: a ``day_closed`` message, and the eve reminder that promised
that day is withdrawn). Nothing is moved silently: the desk lists everyone still on a closed day as *needs a new
date* (:func:`needs_new_date`) until it rebooks the booking to the next offered date (:func:`rebook_next`, every
BOOK-* rule checked again) or cancels the number (never a no-show).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import Patient, Payment, ProcedureAppointment, RegistrationNumber
from hsgclinic.services import audit, booking, reminders
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden, RuleRefused

HORIZON_DAYS = 120  # how far ahead the desk looks for bookings left on a closed day


@dataclass(frozen=True)
class Affected:
    """A live number or booking on a day that is (or is about to be) closed."""

    kind: str  # "number" | "booking"
    day: dt.date
    record_id: int  # registration number id / appointment id
    patient_id: int
    name: str
    masked_id: str
    queue_number: int | None = None
    slot_time: dt.time | None = None
    payment_status: str | None = None


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))


def _live(s: Session, days: Iterable[dt.date]) -> list[Affected]:
    wanted = sorted(set(days))
    if not wanted:
        return []
    out: list[Affected] = []
    numbers = s.execute(
        select(RegistrationNumber, Patient)
        .join(Patient, Patient.id == RegistrationNumber.patient_id)
        .where(RegistrationNumber.day.in_(wanted), RegistrationNumber.status.in_(("taken", "checked_in")))
        .order_by(RegistrationNumber.day, RegistrationNumber.queue_number)
    ).all()
    out += [Affected("number", r.day, r.id, p.id, p.name, p.masked_id, queue_number=r.queue_number) for r, p in numbers]
    bookings = s.execute(
        select(ProcedureAppointment, Patient, Payment.status)
        .join(Patient, Patient.id == ProcedureAppointment.patient_id)
        .outerjoin(Payment, Payment.appointment_id == ProcedureAppointment.id)
        .where(ProcedureAppointment.day.in_(wanted), ProcedureAppointment.status == "booked")
        .order_by(ProcedureAppointment.day, ProcedureAppointment.slot_number)
    ).all()
    out += [
        Affected(
            "booking", a.day, a.id, p.id, p.name, p.masked_id, slot_time=a.slot_time, payment_status=pay or "unpaid"
        )
        for a, p, pay in bookings
    ]
    out.sort(key=lambda a: (a.day, a.kind != "booking", a.slot_time or dt.time(0), a.queue_number or 0))
    return out


def affected_on(ctx: ServiceContext, actor: Actor, days: Iterable[dt.date]) -> list[Affected]:
    """Who holds a live number or booking on ``days`` (from today on), before a closure is saved."""
    _staff(actor)
    today = ctx.today()
    with ctx.write() as uow:
        found = _live(uow.session, [d for d in days if d >= today])
        if found:
            audit.record(
                uow.session,
                actor,
                "closure.preview",
                "day",
                found[0].day.isoformat(),
                at=ctx.now(),
                detail={"count": len(found)},
            )
        uow.commit()
    return found


def notify_closed(ctx: ServiceContext, session: Session, days: Iterable[dt.date]) -> int:
    """In the caller's transaction: tell everyone with a live number or booking on ``days`` (from today on) that
    the day is closed; returns how many were told."""
    today = ctx.today()
    found = _live(session, [d for d in days if d >= today])
    for a in found:
        if a.kind == "booking":
            appt = session.get(ProcedureAppointment, a.record_id)
            reminders.day_closed(ctx, session, appt=appt)
        else:
            reg = session.get(RegistrationNumber, a.record_id)
            reminders.day_closed(ctx, session, reg=reg)
    return len(found)


def needs_new_date(ctx: ServiceContext, actor: Actor) -> list[Affected]:
    """Every live number and booking, from today on, whose day is closed now: the desk's *needs a new date*."""
    _staff(actor)
    today = ctx.today()
    with ctx.read() as uow:
        s = uow.session
        days = set(
            s.execute(
                select(ProcedureAppointment.day).where(
                    ProcedureAppointment.status == "booked",
                    ProcedureAppointment.day >= today,
                    ProcedureAppointment.day <= today + dt.timedelta(days=HORIZON_DAYS),
                )
            ).scalars()
        ) | set(
            s.execute(
                select(RegistrationNumber.day).where(
                    RegistrationNumber.status.in_(("taken", "checked_in")),
                    RegistrationNumber.day >= today,
                    RegistrationNumber.day <= today + dt.timedelta(days=HORIZON_DAYS),
                )
            ).scalars()
        )
        closed = [d for d in days if _closed(ctx, d)]
        return _live(s, closed)


def _closed(ctx: ServiceContext, day: dt.date) -> bool:
    cal = ctx.calendar_for(day)
    return cal.covers(day) and not cal.is_open(day)


def next_offered_day(ctx: ServiceContext, actor: Actor, appointment_id: int) -> dt.date | None:
    """The first date the booking's application form may be moved to without a doctor's review (BOOK-*)."""
    appt = booking.get_appointment(ctx, actor, appointment_id)
    options = booking.options(ctx, actor, appt.application_form_id)
    days = [o.day for o in options.offers if o.day != appt.day and not o.needs_review]
    return min(days) if days else None


def rebook_next(ctx: ServiceContext, actor: Actor, appointment_id: int) -> booking.AppointmentView:
    """One click on the desk: move a booking off a closed day to the next offered date (every BOOK-* rule checked
    again by :func:`booking.reschedule`; she gets the "moved" message). Refused (BOOK-NEXT) when no date is left."""
    _staff(actor)
    day = next_offered_day(ctx, actor, appointment_id)
    if day is None:
        raise RuleRefused(
            "no_date_left",
            N_("No other date in this cycle meets every rule: cancel the booking and plan the next cycle."),
            rule="BOOK-NEXT",
        )
    return booking.reschedule(ctx, actor, appointment_id, day)
