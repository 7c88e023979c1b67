"""The patient's own view of her visit (*My visit*): access code + last 4 of the ID → the status of each step.

Read-only apart from the audit trail and the failed-attempt counter, which it shares with
:func:`hsgclinic.services.staff.patient_login` (the same ``code:<access code>`` key, the same limit).
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_, Message
from hsgclinic.persistence.models import (
    AftercarePlanRecord,
    ApplicationForm,
    LoginAttempt,
    Patient,
    Payment,
    ProcedureAppointment,
    ProcedureRecord,
    RegistrationNumber,
    Report,
    Screening,
)
from hsgclinic.persistence.unit_of_work import UnitOfWork
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import NotAuthenticated, TooManyRequests
from hsgclinic.services.serialize import decode_findings, decode_message


class ReportStage(enum.StrEnum):
    """Where her report is, as the kiosk, My visit and the reminders tell her (REPORT-READY)."""

    NONE = "none"  # no procedure recorded yet (or it was cancelled)
    STOPPED = "stopped"  # the procedure was not done (ELIG-PREG): no report will come, no date is shown
    WRITING = "writing"  # a procedure, its report not signed yet: no date is promised
    WAITING = "waiting"  # signed, printable from ``ready_on``
    READY = "ready"  # signed and printable now


def report_stage(report: Report | None, proc: ProcedureRecord | None, today: dt.date) -> ReportStage:
    """REPORT-READY as the patient is told it: only a **signed** report is ever "ready" or given a date."""
    if proc is None:
        return ReportStage.NONE
    if proc.stopped:
        return ReportStage.STOPPED
    if report is None or report.status != "signed":
        return ReportStage.WRITING
    return ReportStage.READY if today >= report.ready_on else ReportStage.WAITING


@dataclass(frozen=True)
class AftercareLine:
    rule: str
    day: dt.date | None
    message: Message
    warning: bool


@dataclass(frozen=True)
class VisitStatus:
    """Every step of her visit; ``None`` where the step has not happened yet."""

    access_code: str
    masked_id: str
    number_day: dt.date
    queue_number: int
    number_status: str  # taken, checked_in, cancelled, no_show
    screening_date: dt.date | None = None
    screening_outcome: Outcome | None = None
    screening_findings: tuple[Finding, ...] = ()
    form_number: str | None = None
    appointment_day: dt.date | None = None
    appointment_time: dt.time | None = None
    appointment_status: str | None = None  # booked, cancelled, done, stopped
    payment_status: str | None = None  # unpaid, paid, refunded
    amount_cny: Decimal | None = None
    receipt_number: str | None = None
    procedure_done: bool = False
    procedure_stopped: bool = False
    report_ready_on: dt.date | None = None  # only for a signed report (a draft's date is no promise)
    report_signed: bool = False
    report_stage: ReportStage = ReportStage.NONE
    aftercare: tuple[AftercareLine, ...] = ()


def check_access(
    ctx: ServiceContext, uow: UnitOfWork, access_code: str, last4: str
) -> tuple[RegistrationNumber, Patient]:
    """The registration behind an access code + last 4 of the ID; failures are counted (too many → refused)."""
    s = uow.session
    code = access_code.strip().upper().replace(" ", "")
    tail = last4.strip().upper()
    now = ctx.now()
    key = f"code:{code}"[:64]
    failures = s.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.username == key, LoginAttempt.at >= now - dt.timedelta(minutes=15))
    ).scalar_one()
    if failures >= ctx.settings.login_attempts_per_15min:
        raise TooManyRequests(
            "too_many_logins", N_("Too many tries with this access code; please try again in 15 minutes.")
        )
    row = s.execute(
        select(RegistrationNumber, Patient)
        .join(Patient, Patient.id == RegistrationNumber.patient_id)
        .where(RegistrationNumber.access_code == code)
    ).first()
    if row is None or not hmac.compare_digest(row[1].id_last4.upper(), tail):
        s.add(LoginAttempt(username=key, address="", at=now))
        uow.commit()
        raise NotAuthenticated(
            "bad_access_code", N_("The access code and the last 4 characters of the ID number do not match.")
        )
    return row[0], row[1]


def latest_screening(s: Session, reg: RegistrationNumber) -> Screening | None:
    """The screening that belongs to this registration (the latest one since the number was taken)."""
    return (
        s.execute(
            select(Screening)
            .where(
                Screening.patient_id == reg.patient_id,
                or_(Screening.registration_id == reg.id, Screening.created_at >= reg.created_at),
            )
            .order_by(Screening.created_at.desc(), Screening.id.desc())
        )
        .scalars()
        .first()
    )


def current_appointment(s: Session, form: ApplicationForm) -> ProcedureAppointment | None:
    """The live appointment of an application form, else its latest cancelled one."""
    rows = list(
        s.execute(
            select(ProcedureAppointment)
            .where(ProcedureAppointment.application_form_id == form.id)
            .order_by(ProcedureAppointment.updated_at.desc(), ProcedureAppointment.id.desc())
        ).scalars()
    )
    live = [a for a in rows if a.status != "cancelled"]
    chosen = live or rows
    return chosen[0] if chosen else None


def _aftercare(plan: dict[str, object]) -> tuple[AftercareLine, ...]:
    lines = []
    items = plan.get("items", [])
    assert isinstance(items, list)
    for item in items:
        day = item.get("day")
        lines.append(
            AftercareLine(
                rule=str(item["rule"]),
                day=dt.date.fromisoformat(day) if isinstance(day, str) else None,
                message=decode_message(item["message"]),
                warning=bool(item.get("warning")),
            )
        )
    return tuple(lines)


def find_visit(ctx: ServiceContext, access_code: str, last4: str) -> VisitStatus:
    """Her visit by access code + last 4 of her ID (raises :class:`NotAuthenticated` when they do not match)."""
    with ctx.write() as uow:
        s = uow.session
        reg, patient = check_access(ctx, uow, access_code, last4)
        status = VisitStatus(
            access_code=reg.access_code,
            masked_id=patient.masked_id,
            number_day=reg.day,
            queue_number=reg.queue_number,
            number_status=reg.status,
        )
        values: dict[str, object] = {}
        screening = latest_screening(s, reg)
        if screening is not None:
            values.update(
                screening_date=screening.visit_date,
                screening_outcome=Outcome(screening.outcome),
                screening_findings=decode_findings(screening.findings),
            )
            form = s.execute(
                select(ApplicationForm).where(ApplicationForm.screening_id == screening.id)
            ).scalar_one_or_none()
            appt = current_appointment(s, form) if form is not None else None
            if form is not None:
                values["form_number"] = form.number
            if appt is not None:
                values.update(appointment_day=appt.day, appointment_time=appt.slot_time, appointment_status=appt.status)
                pay = s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
                if pay is not None:
                    values.update(
                        payment_status=pay.status, amount_cny=pay.amount_cny, receipt_number=pay.receipt_number
                    )
                proc = s.execute(
                    select(ProcedureRecord).where(ProcedureRecord.appointment_id == appt.id)
                ).scalar_one_or_none()
                if proc is not None:
                    values.update(procedure_done=not proc.stopped, procedure_stopped=proc.stopped)
                    report = s.execute(select(Report).where(Report.procedure_id == proc.id)).scalar_one_or_none()
                    stage = report_stage(report, proc, ctx.today())
                    values["report_stage"] = stage
                    if report is not None and stage in (ReportStage.WAITING, ReportStage.READY):
                        values.update(report_ready_on=report.ready_on, report_signed=True)
                    care = s.execute(
                        select(AftercarePlanRecord).where(AftercarePlanRecord.procedure_id == proc.id)
                    ).scalar_one_or_none()
                    if care is not None:
                        values["aftercare"] = _aftercare(care.plan)
        actor = Actor(Role.PATIENT, f"patient:{patient.id}", patient_id=patient.id, registration_id=reg.id)
        audit.record(s, actor, "visit.read", "registration_number", reg.id, at=ctx.now(), patient_id=patient.id)
        uow.commit()
    return VisitStatus(**{**status.__dict__, **values})
