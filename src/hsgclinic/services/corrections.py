"""The desk's corrections (issue 8): undo a check-in, and what a cancelled number means for REG-NOSHOW.

Cancelling a number is :func:`hsgclinic.services.registration.cancel_number` (with its reason), cancelling or
moving a booking :func:`hsgclinic.services.booking.cancel` / :func:`~hsgclinic.services.booking.reschedule`,
refunding and paying again :mod:`hsgclinic.services.payments`. Each is one transaction with one audit event.
"""

from __future__ import annotations

from sqlalchemy import or_, select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import Patient, RegistrationNumber, Screening
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden, NotFound, RuleRefused

# Reasons the desk can give for cancelling a number; none of them ever counts as a no-show (REG-NOSHOW).
NUMBER_CANCEL_REASONS = ("patient", "cycle_changed", "screening_failed", "staff")


def undo_check_in(ctx: ServiceContext, actor: Actor, registration_id: int) -> tuple[int, int]:
    """A check-in made by mistake goes back to *waiting* (REG-SEQ), on the day itself and only before a
    screening was recorded for it. Returns (queue number, patient id)."""
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        reg = s.get(RegistrationNumber, registration_id)
        if reg is None:
            raise NotFound("not_found", N_("No such registration number."))
        if reg.status != "checked_in":
            raise RuleRefused("not_checked_in", N_("This number is not checked in."), rule="REG-SEQ")
        if reg.day != ctx.today():
            raise RuleRefused(
                "wrong_day", N_("A check-in can only be undone on its own day ({day}).", day=reg.day), rule="REG-SEQ"
            )
        screened = s.execute(
            select(Screening.id).where(
                Screening.patient_id == reg.patient_id,
                or_(Screening.registration_id == reg.id, Screening.created_at >= reg.updated_at),
                Screening.visit_date == reg.day,
            )
        ).first()
        if screened is not None:
            raise RuleRefused(
                "already_screened",
                N_("A screening is already recorded for this visit; the check-in cannot be undone."),
                rule="REG-SEQ",
            )
        reg.status, reg.updated_at = "taken", now
        patient = s.get(Patient, reg.patient_id)
        audit.record(
            s,
            actor,
            "registration.undo_check_in",
            "registration_number",
            reg.id,
            at=now,
            patient_id=patient.id if patient else None,
        )
        uow.commit()
        return reg.queue_number, reg.patient_id
