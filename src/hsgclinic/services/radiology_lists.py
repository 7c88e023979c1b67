"""The radiologist's standing list across days (issue 8): studies with an **unsigned** report (none yet, or a
draft), **overdue** ones (the report's ready date has passed and it is still not signed: REPORT-READY) and every
**REPORT-DOSE**-flagged study, plus the dose flags of given procedures for the worklist, the report form and the
admin dashboard. Staff only; every list read leaves an audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from hsgclinic.domain.findings import Finding
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import report_ready_on
from hsgclinic.persistence.models import ApplicationForm, Patient, ProcedureAppointment, ProcedureRecord, Report
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden
from hsgclinic.services.serialize import decode_findings

LOOKBACK_DAYS = 90  # how far back the standing list looks for unsigned and flagged studies


@dataclass(frozen=True)
class StudyRow:
    procedure_id: int
    appointment_id: int
    day: dt.date
    slot_time: dt.time
    name: str
    masked_id: str
    form_number: str
    report_status: str | None  # None (not written), draft, signed
    ready_on: dt.date
    overdue: bool
    dose_findings: tuple[Finding, ...]

    @property
    def unsigned(self) -> bool:
        return self.report_status != "signed"

    @property
    def dose_flagged(self) -> bool:
        return bool(self.dose_findings)


def _staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))


def standing_list(ctx: ServiceContext, actor: Actor) -> list[StudyRow]:
    """Unsigned (overdue first) and REPORT-DOSE-flagged studies of the last :data:`LOOKBACK_DAYS` days."""
    _staff(actor)
    today = ctx.today()
    with ctx.write() as uow:
        s = uow.session
        rows = s.execute(
            select(ProcedureRecord, ProcedureAppointment, Patient, ApplicationForm, Report)
            .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
            .join(Patient, Patient.id == ProcedureAppointment.patient_id)
            .join(ApplicationForm, ApplicationForm.id == ProcedureAppointment.application_form_id)
            .outerjoin(Report, Report.procedure_id == ProcedureRecord.id)
            .where(
                ProcedureRecord.stopped.is_(False),
                ProcedureAppointment.day >= today - dt.timedelta(days=LOOKBACK_DAYS),
            )
            .order_by(ProcedureAppointment.day, ProcedureAppointment.slot_number)
        ).all()
        out: list[StudyRow] = []
        for proc, appt, patient, form, report in rows:
            dose = decode_findings(proc.dose_findings)
            status = report.status if report is not None else None
            if status == "signed" and not dose:
                continue
            ready = report.ready_on if report is not None else report_ready_on(appt.day, ctx.calendar_for(appt.day))
            out.append(
                StudyRow(
                    procedure_id=proc.id,
                    appointment_id=appt.id,
                    day=appt.day,
                    slot_time=appt.slot_time,
                    name=patient.name,
                    masked_id=patient.masked_id,
                    form_number=form.number,
                    report_status=status,
                    ready_on=ready,
                    overdue=status != "signed" and ready < today,
                    dose_findings=dose,
                )
            )
        audit.record(
            s, actor, "radiology.standing_list", "day", today.isoformat(), at=ctx.now(), detail={"count": len(out)}
        )
        uow.commit()
    out.sort(key=lambda r: (not r.overdue, not r.unsigned, r.day, r.slot_time))
    return out


def dose_flags(ctx: ServiceContext, procedure_ids: list[int]) -> dict[int, tuple[Finding, ...]]:
    """procedure id → its REPORT-DOSE findings, for those flagged."""
    if not procedure_ids:
        return {}
    with ctx.read() as uow:
        rows = uow.session.execute(
            select(ProcedureRecord.id, ProcedureRecord.dose_findings).where(ProcedureRecord.id.in_(procedure_ids))
        ).all()
    return {pid: found for pid, data in rows if (found := decode_findings(data))}


def flagged_count(ctx: ServiceContext, since: dt.date) -> int:
    """How many procedures since ``since`` carry a REPORT-DOSE flag (the admin dashboard)."""
    with ctx.read() as uow:
        rows = uow.session.execute(
            select(ProcedureRecord.dose_findings)
            .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
            .where(ProcedureAppointment.day >= since, ProcedureRecord.stopped.is_(False))
        ).scalars()
        return sum(1 for data in rows if decode_findings(data))
