"""Keeping a case's reminders in the outbox in step with the case (issue 5, "Reminders"; docs/decisions/0002).

Every function here runs inside the caller's unit of work, so the messages commit or roll back with the change that
causes them (a refused booking leaves no outbox row). Two kinds of case:

* the **visit** — a registration number (``case_ref`` ``reg-{id}``): the visit-eve reminder when the number was
  taken before the eve, and a notice when the number is cancelled;
* the **procedure** — an application form (``form-{id}``): the procedure eve, the aftercare (CARE-*) once the
  procedure is recorded, and a notice when the booking is moved or cancelled.

Messages go by SMS to her phone and, when she gave one, by email, in her preferred language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.aftercare import AftercarePlan
from hsgclinic.domain.reminders import (
    Appointment,
    AppointmentEvent,
    CaseDates,
    EventKind,
    Reminder,
    ReminderKind,
    ReminderTimes,
    case_reminders,
)
from hsgclinic.notifications.outbox import (
    UNSENT,
    Addressee,
    Contact,
    SyncResult,
    decode_params,
    sync_case_reminders,
    withdraw_case,
)
from hsgclinic.persistence.models import (
    OutboxMessage,
    Patient,
    ProcedureAppointment,
    ProcedureRecord,
    RegistrationNumber,
    Report,
)
from hsgclinic.services.context import ServiceContext

NOTICES = (ReminderKind.APPOINTMENT_CANCELLED, ReminderKind.APPOINTMENT_RESCHEDULED)


def visit_case(registration_id: int) -> str:
    return f"reg-{registration_id}"


def procedure_case(application_form_id: int) -> str:
    return f"form-{application_form_id}"


def times(ctx: ServiceContext) -> ReminderTimes:
    st = ctx.settings
    return ReminderTimes(
        visit_eve=st.reminder_visit_eve_time,
        procedure_eve=st.reminder_procedure_eve_time,
        morning=st.reminder_morning_time,
    )


def addressee(
    session: Session, patient_id: int, case_ref: str, procedure_date: dt.date | None = None
) -> Addressee | None:
    patient = session.get(Patient, patient_id)
    if patient is None:
        return None
    contacts = [Contact("sms", patient.phone)] if patient.phone else []
    if patient.email:
        contacts.append(Contact("email", patient.email))
    return Addressee(
        case_ref=case_ref,
        patient_id=patient.id,
        name=patient.name,
        lang=patient.preferred_lang or "zh_CN",
        contacts=tuple(contacts),
        procedure_date=procedure_date,
    )


def _pending_notices(ctx: ServiceContext, session: Session, case_ref: str) -> list[Reminder]:
    """Notices of this case not yet sent: a later re-plan keeps them (their key is their own instant)."""
    rows = session.execute(
        select(OutboxMessage).where(
            OutboxMessage.case_ref == case_ref,
            OutboxMessage.status.in_(UNSENT),
            OutboxMessage.template.in_([k.value for k in NOTICES]),
        )
    ).scalars()
    out: dict[str, Reminder] = {}
    for row in rows:
        p = row.payload
        try:
            key = str(p["key"])
            due = dt.datetime.fromisoformat(key.partition("@")[2])
            expires = dt.datetime.fromisoformat(str(p["expires_at"])).astimezone(ctx.tz).replace(tzinfo=None)
            r = Reminder(ReminderKind(row.template), due, expires, str(p["rule"]), decode_params(p.get("params", {})))
        except (KeyError, ValueError):
            continue
        out[r.key] = r
    return list(out.values())


def _sync(
    ctx: ServiceContext,
    session: Session,
    who: Addressee | None,
    case: CaseDates,
    keep_notices: bool = True,
) -> SyncResult | None:
    if who is None or not who.contacts:
        return None
    schedule = case_reminders(case, times(ctx))
    if keep_notices:
        have = {r.key for r in schedule}
        schedule += [r for r in _pending_notices(ctx, session, who.case_ref) if r.key not in have]
    return sync_case_reminders(session, who, schedule, now=ctx.now(), tz=ctx.tz)


def _event(
    kind: EventKind, appointment: Appointment, ctx: ServiceContext, **at: dt.datetime | None
) -> AppointmentEvent:
    now = ctx.now_local().replace(second=0, microsecond=0)
    return AppointmentEvent(kind, appointment, now, new_at=at.get("new_at"), old_at=at.get("old_at"))


# -- the visit (a registration number) ------------------------------------------------------------------------


def number_taken(ctx: ServiceContext, session: Session, reg_id: int, patient_id: int, day: dt.date) -> None:
    """The visit-eve reminder, only when the number was taken before the visit day (otherwise nothing: the rush
    path then does no extra work)."""
    if ctx.today() >= day:
        return
    _sync(ctx, session, addressee(session, patient_id, visit_case(reg_id)), CaseDates(visit_day=day))


def number_from_line(
    ctx: ServiceContext, session: Session, reg_id: int, patient_id: int, day: dt.date, number: int
) -> None:
    """The waiting line gave her number ``number`` of ``day`` (REG-LINE): she is told at once (until the day is
    over), and the visit-eve reminder follows as for any number taken ahead."""
    now = ctx.now_local().replace(second=0, microsecond=0)
    start, end = dt.datetime.combine(day, dt.time(0, 0)), dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0))
    event = AppointmentEvent(EventKind.LINE_SERVED, Appointment.VISIT, now, new_at=end, old_at=start, number=number)
    dates = CaseDates(visit_day=day, events=(event,)) if ctx.today() < day else CaseDates(events=(event,))
    _sync(ctx, session, addressee(session, patient_id, visit_case(reg_id)), dates)


def number_cancelled(ctx: ServiceContext, session: Session, reg: RegistrationNumber) -> None:
    """Everything unsent for the visit is withdrawn; she is told at once."""
    case_ref = visit_case(reg.id)
    withdraw_case(session, case_ref, ctx.now())
    event = _event(EventKind.CANCELLED, Appointment.VISIT, ctx)
    _sync(ctx, session, addressee(session, reg.patient_id, case_ref), CaseDates(events=(event,)), keep_notices=False)


# -- the procedure (an application form) ----------------------------------------------------------------------


def _procedure_at(appt: ProcedureAppointment) -> dt.datetime:
    return dt.datetime.combine(appt.day, appt.slot_time)


def procedure_planned(
    ctx: ServiceContext,
    session: Session,
    appt: ProcedureAppointment,
    *,
    aftercare: AftercarePlan | None = None,
    events: Sequence[AppointmentEvent] = (),
) -> SyncResult | None:
    """The case's whole current schedule: the procedure eve, the aftercare when known, and ``events``' notices.
    The "report ready" message is planned only once the report is signed, from the signature (REPORT-READY); a
    correction that withdraws the signature withdraws it too."""
    who = addressee(session, appt.patient_id, procedure_case(appt.application_form_id), appt.day)
    case = CaseDates(
        procedure_at=_procedure_at(appt),
        aftercare=aftercare,
        report_signed_at=_report_signed_at(ctx, session, appt),
        events=tuple(events),
    )
    return _sync(ctx, session, who, case)


def _report_signed_at(ctx: ServiceContext, session: Session, appt: ProcedureAppointment) -> dt.datetime | None:
    """When this appointment's report was signed (local wall time), or None while it is unsigned or absent."""
    signed = session.execute(
        select(Report.signed_at)
        .join(ProcedureRecord, ProcedureRecord.id == Report.procedure_id)
        .where(ProcedureRecord.appointment_id == appt.id, Report.status == "signed")
    ).scalar_one_or_none()
    if signed is None:
        return None
    aware = signed if signed.tzinfo is not None else signed.replace(tzinfo=dt.UTC)
    return aware.astimezone(ctx.tz).replace(tzinfo=None)


def procedure_rescheduled(
    ctx: ServiceContext, session: Session, old: ProcedureAppointment, new: ProcedureAppointment
) -> SyncResult | None:
    event = _event(
        EventKind.RESCHEDULED, Appointment.PROCEDURE, ctx, old_at=_procedure_at(old), new_at=_procedure_at(new)
    )
    return procedure_planned(ctx, session, new, events=(event,))


def procedure_cancelled(ctx: ServiceContext, session: Session, appt: ProcedureAppointment) -> None:
    """A cancelled booking: every unsent message of the case is withdrawn; she is told at once."""
    case_ref = procedure_case(appt.application_form_id)
    withdraw_case(session, case_ref, ctx.now())
    event = _event(EventKind.CANCELLED, Appointment.PROCEDURE, ctx, old_at=_procedure_at(appt))
    who = addressee(session, appt.patient_id, case_ref)
    _sync(ctx, session, who, CaseDates(events=(event,)), keep_notices=False)


def case_closed(ctx: ServiceContext, session: Session, case_refs: Iterable[str]) -> int:
    """Nothing more for these cases (e.g. the procedure was stopped on a positive hCG)."""
    return sum(withdraw_case(session, ref, ctx.now()) for ref in case_refs)


def day_closed(
    ctx: ServiceContext,
    session: Session,
    *,
    appt: ProcedureAppointment | None = None,
    reg: RegistrationNumber | None = None,
) -> None:
    """The clinic closed the day of this booking or number (CAL-SOURCE): she is told at once, and the reminders
    that promised that day (the eve) are withdrawn; a rebooking plans them again."""
    if appt is not None:
        event = _event(EventKind.DAY_CLOSED, Appointment.PROCEDURE, ctx, old_at=_procedure_at(appt))
        who = addressee(session, appt.patient_id, procedure_case(appt.application_form_id), appt.day)
        _sync(ctx, session, who, CaseDates(events=(event,)))
    if reg is not None:
        at = dt.datetime.combine(reg.day, ctx.settings.release_time)  # useless once numbers would be taken
        event = _event(EventKind.DAY_CLOSED, Appointment.VISIT, ctx, old_at=at)
        _sync(ctx, session, addressee(session, reg.patient_id, visit_case(reg.id)), CaseDates(events=(event,)))
