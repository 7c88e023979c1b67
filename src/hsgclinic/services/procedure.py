"""The procedure day: record the procedure (PROC, hCG first), write / correct / sign the report (REPORT-*),
produce the aftercare plan (CARE-*)."""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.aftercare import AftercareInputError, AftercarePlan, plan_aftercare
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
    check_report,
    dose_findings,
    report_ready_on,
)
from hsgclinic.persistence.models import (
    AftercarePlanRecord,
    ApplicationForm,
    Payment,
    ProcedureAppointment,
    ProcedureRecord,
    Report,
    ReportRevision,
    Screening,
)
from hsgclinic.services import audit, hl7_outbound, reminders, worklist_mpps
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused
from hsgclinic.services.screening import cycle_of
from hsgclinic.services.serialize import encode_findings, jsonable


@dataclass(frozen=True)
class ProcedureInput:
    hcg_result: HcgResult
    operator: str
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    contrast_agent: str = ""
    contrast_kind: ContrastKind | None = None
    volume_ml: Decimal | None = None
    fluoroscopy_s: Decimal | None = None
    dap_gy_cm2: Decimal | None = None
    air_kerma_mgy: Decimal | None = None


@dataclass(frozen=True)
class ProcedureView:
    procedure_id: int
    appointment_id: int
    stopped: bool
    hcg_result: str
    dose_findings: tuple[Finding, ...]


@dataclass(frozen=True)
class ReportView:
    report_id: int
    procedure_id: int
    version: int
    status: str
    findings: dict[str, Any]
    ready_on: dt.date
    signed_by: str | None
    signed_at: dt.datetime | None
    history: tuple[dict[str, Any], ...]


def record_procedure(ctx: ServiceContext, actor: Actor, appointment_id: int, data: ProcedureInput) -> ProcedureView:
    """PROC. The urine hCG result comes first: positive → the procedure is stopped (ELIG-PREG), nothing else."""
    if not data.operator.strip():
        raise InvalidInput("operator_required", N_("The operator's name is required."), rule="PROC")
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        appt = s.get(ProcedureAppointment, appointment_id)
        if appt is None:
            raise NotFound("not_found", N_("No such appointment."))
        if appt.status != "booked":
            raise RuleRefused("not_booked", N_("This appointment is not an open booking."), rule="PROC")
        if appt.day != ctx.today():
            raise RuleRefused("wrong_day", N_("This appointment is for {day}.", day=appt.day), rule="PROC")
        payment = s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
        if payment is None or payment.status != "paid":
            raise RuleRefused("unpaid", N_("The procedure must be paid before it starts."), rule="BOOK-PRICE")
        stopped = data.hcg_result is HcgResult.POSITIVE
        dose: list[Finding] = []
        if not stopped:
            missing = [
                n
                for n in ("started_at", "ended_at", "contrast_kind", "volume_ml", "fluoroscopy_s")
                if getattr(data, n) is None
            ]
            if missing or not data.contrast_agent.strip() or (data.dap_gy_cm2 is None and data.air_kerma_mgy is None):
                raise InvalidInput(
                    "procedure_incomplete",
                    N_("Record start and end time, contrast agent and kind, volume, fluoroscopy time and dose."),
                    rule="PROC",
                )
            assert data.started_at is not None and data.ended_at is not None
            # A procedure cannot have started later than now (the page also refuses an end time later than now;
            # a modality's MPPS may report the end a little ahead of the server's clock).
            if _aware(data.started_at) > now + FUTURE_GRACE:
                raise InvalidInput(
                    "time_in_future",
                    N_(
                        "The start time cannot be later than now ({now}): record the procedure once it has started.",
                        now=now.astimezone(ctx.tz).time().replace(second=0, microsecond=0),
                    ),
                    rule="PROC",
                )
            if _aware(data.ended_at) < _aware(data.started_at):
                raise InvalidInput("end_before_start", N_("The end time is before the start time."), rule="PROC")
            assert data.fluoroscopy_s is not None
            dose = dose_findings(float(data.fluoroscopy_s), _median_fluoroscopy(s), ctx.settings.dose_fluoro_limit_s)
        row = ProcedureRecord(
            appointment_id=appt.id,
            hcg_result=data.hcg_result.value,
            stopped=stopped,
            started_at=data.started_at,
            ended_at=data.ended_at,
            operator=data.operator.strip(),
            contrast_agent=data.contrast_agent.strip(),
            contrast_kind=data.contrast_kind.value if data.contrast_kind else None,
            volume_ml=data.volume_ml,
            fluoroscopy_s=data.fluoroscopy_s,
            dap_gy_cm2=data.dap_gy_cm2,
            air_kerma_mgy=data.air_kerma_mgy,
            dose_findings=encode_findings(dose),
            recorded_by=actor.user_id,
            created_at=now,
        )
        s.add(row)
        appt.status, appt.updated_at = ("stopped" if stopped else "done"), now
        s.flush()
        worklist_mpps.note_review(s, actor, row, now)  # the modality's report: confirmed or corrected (issue 9)
        audit.record(
            s,
            actor,
            "procedure.record",
            "procedure_record",
            row.id,
            at=now,
            patient_id=appt.patient_id,
            detail={"stopped": stopped},
        )
        if stopped:
            reminders.case_closed(ctx, s, [reminders.procedure_case(appt.application_form_id)])
        else:
            reminders.procedure_planned(ctx, s, appt, aftercare=_plan_or_none(ctx, s, row, appt))
        uow.commit()
        return ProcedureView(row.id, appt.id, stopped, row.hcg_result, tuple(dose))


FUTURE_GRACE = dt.timedelta(minutes=1)  # clocks of the room and the server may differ a little


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _median_fluoroscopy(s: Session) -> float | None:
    values = [
        float(v or 0)
        for v in s.execute(
            select(ProcedureRecord.fluoroscopy_s)
            .where(ProcedureRecord.fluoroscopy_s.is_not(None))
            .order_by(ProcedureRecord.id.desc())
            .limit(200)
        ).scalars()
    ]
    return statistics.median(values) if len(values) >= 5 else None


def findings_from_json(data: dict[str, Any]) -> ReportFindings:
    """REPORT-FIELDS from the API's JSON; raises :class:`InvalidInput` for unknown values."""
    try:
        c = data["cavity"]

        def tube(side: dict[str, Any]) -> TubeFinding:
            return TubeFinding(
                Patency(side["patency"]),
                ObstructionLevel(side["obstruction_level"]),
                bool(side["hydrosalpinx"]),
                Spill(side["spill"]),
            )

        return ReportFindings(
            cavity=CavityFinding(
                str(c["shape"]), bool(c["anomaly"]), bool(c["filling_defects"]), bool(c["intravasation"])
            ),
            left=tube(data["left"]),
            right=tube(data["right"]),
            impression=str(data.get("impression", "")),
        )
    except (KeyError, ValueError, TypeError):
        raise InvalidInput(
            "invalid_report", N_("The report's findings are incomplete or have unknown values."), rule="REPORT-FIELDS"
        ) from None


def _report_view(s: Session, report: Report) -> ReportView:
    history = tuple(
        {
            "version": r.version,
            "author": r.author,
            "reason": r.reason,
            "at": r.created_at.isoformat(),
            "findings": r.findings,
        }
        for r in s.execute(
            select(ReportRevision).where(ReportRevision.report_id == report.id).order_by(ReportRevision.version)
        ).scalars()
    )
    return ReportView(
        report.id,
        report.procedure_id,
        report.version,
        report.status,
        report.findings,
        report.ready_on,
        report.signed_by,
        report.signed_at,
        history,
    )


def write_report(
    ctx: ServiceContext, actor: Actor, procedure_id: int, findings: ReportFindings, reason: str = ""
) -> ReportView:
    """Write the draft, or correct it (a signed report needs a reason; the signature is then withdrawn and every
    earlier version stays in the history). Inconsistent findings are refused (REPORT-FIELDS)."""
    problems = [f for f in check_report(findings) if f.outcome is Outcome.BLOCK]
    if problems:
        raise InvalidInput(
            "report_inconsistent",
            N_("The report's findings are inconsistent."),
            rule="REPORT-FIELDS",
            findings=tuple(problems),
        )
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        proc = s.get(ProcedureRecord, procedure_id)
        if proc is None:
            raise NotFound("not_found", N_("No such procedure."))
        if proc.stopped:
            raise RuleRefused(
                "procedure_stopped", N_("The procedure was stopped; there is nothing to report."), rule="ELIG-PREG"
            )
        appt = s.get(ProcedureAppointment, proc.appointment_id)
        assert appt is not None
        report = s.execute(select(Report).where(Report.procedure_id == proc.id)).scalar_one_or_none()
        data = jsonable(findings)
        if report is None:
            report = Report(
                procedure_id=proc.id,
                version=1,
                findings=data,
                status="draft",
                signed_by=None,
                signed_at=None,
                ready_on=report_ready_on(appt.day, ctx.calendar_for(appt.day)),
                updated_at=now,
            )
            s.add(report)
            s.flush()
        else:
            if report.status == "signed" and not reason.strip():
                raise InvalidInput(
                    "reason_required", N_("Correcting a signed report needs a reason."), rule="REPORT-FIELDS"
                )
            report.version += 1
            report.findings, report.status, report.signed_by, report.signed_at = data, "draft", None, None
            report.updated_at = now
        s.add(
            ReportRevision(
                report_id=report.id,
                version=report.version,
                findings=data,
                reason=reason.strip(),
                author=actor.shown_name,
                created_at=now,
            )
        )
        audit.record(
            s,
            actor,
            "report.write",
            "report",
            report.id,
            at=now,
            patient_id=appt.patient_id,
            detail={"version": report.version},
        )
        s.flush()
        if appt.status == "done":  # a correction withdraws the signature: so is the "report ready" message
            reminders.procedure_planned(ctx, s, appt, aftercare=_plan_or_none(ctx, s, proc, appt))
        uow.commit()
        return _report_view(s, report)


def sign_report(ctx: ServiceContext, actor: Actor, report_id: int) -> ReportView:
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        report = s.get(Report, report_id)
        if report is None:
            raise NotFound("not_found", N_("No such report."))
        if report.status == "signed":
            raise RuleRefused("already_signed", N_("The report is already signed."), rule="REPORT-FIELDS")
        report.status, report.signed_by, report.signed_at, report.updated_at = "signed", actor.shown_name, now, now
        proc = s.get(ProcedureRecord, report.procedure_id)
        appt = s.get(ProcedureAppointment, proc.appointment_id) if proc else None
        audit.record(s, actor, "report.sign", "report", report.id, at=now, patient_id=appt.patient_id if appt else None)
        hl7_outbound.report_signed(ctx, s, actor, report)
        if proc is not None and appt is not None and appt.status == "done":
            reminders.procedure_planned(ctx, s, appt, aftercare=_plan_or_none(ctx, s, proc, appt))
        uow.commit()
        return _report_view(s, report)


def get_report(ctx: ServiceContext, actor: Actor, procedure_id: int) -> ReportView:
    with ctx.write() as uow:
        s = uow.session
        report = s.execute(select(Report).where(Report.procedure_id == procedure_id)).scalar_one_or_none()
        proc = s.get(ProcedureRecord, procedure_id)
        appt = s.get(ProcedureAppointment, proc.appointment_id) if proc else None
        if report is None or appt is None or (not actor.is_staff and actor.patient_id != appt.patient_id):
            raise NotFound("not_found", N_("No such report."))
        if not actor.is_staff and report.status != "signed":
            raise NotFound("not_found", N_("No such report."))
        audit.record(s, actor, "report.read", "report", report.id, at=ctx.now(), patient_id=appt.patient_id)
        uow.commit()
        return _report_view(s, report)


def produce_aftercare(
    ctx: ServiceContext,
    actor: Actor,
    procedure_id: int,
    *,
    antibiotic_days: int | None = None,
    pid_history: bool = False,
) -> AftercarePlan:
    """CARE-*: the dated plan for this procedure, stored (replacing an earlier one) and returned."""
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        proc = s.get(ProcedureRecord, procedure_id)
        if proc is None:
            raise NotFound("not_found", N_("No such procedure."))
        if proc.stopped:
            raise RuleRefused(
                "procedure_stopped", N_("The procedure was stopped; there is nothing to report."), rule="ELIG-PREG"
            )
        appt = s.get(ProcedureAppointment, proc.appointment_id)
        assert appt is not None
        plan = _plan(ctx, s, proc, appt, antibiotic_days=antibiotic_days, pid_history=pid_history)
        stored = jsonable({k: v for k, v in plan.__dict__.items() if k != "items"})
        stored["items"] = [
            {
                "rule": i.rule,
                "day": i.day.isoformat() if i.day else None,
                "warning": i.warning,
                "message": encode_findings([Finding(i.rule, Outcome.PASS, i.message)])["items"][0]["message"],
            }
            for i in plan.items
        ]
        row = s.execute(
            select(AftercarePlanRecord).where(AftercarePlanRecord.procedure_id == proc.id)
        ).scalar_one_or_none()
        if row is None:
            s.add(AftercarePlanRecord(procedure_id=proc.id, patient_id=appt.patient_id, plan=stored, created_at=now))
        else:
            row.plan, row.created_at = stored, now
        audit.record(s, actor, "aftercare.produce", "procedure_record", proc.id, at=now, patient_id=appt.patient_id)
        if appt.status == "done":
            reminders.procedure_planned(ctx, s, appt, aftercare=plan)
        uow.commit()
        return plan


def _plan(
    ctx: ServiceContext,
    s: Session,
    proc: ProcedureRecord,
    appt: ProcedureAppointment,
    *,
    antibiotic_days: int | None,
    pid_history: bool,
) -> AftercarePlan:
    """CARE-*: the plan for this procedure from its screening's cycle, the contrast and the report (if written)."""
    form = s.get(ApplicationForm, appt.application_form_id)
    screening = s.get(Screening, form.screening_id) if form else None
    cycle = cycle_of(screening.inputs) if screening else None
    report = s.execute(select(Report).where(Report.procedure_id == proc.id)).scalar_one_or_none()
    findings = findings_from_json(report.findings) if report else None
    try:
        return plan_aftercare(
            appt.day,
            ctx.calendar_for(appt.day),
            ctx.settings.rules(),
            antibiotic_days=antibiotic_days,
            contrast=ContrastKind(proc.contrast_kind or "water"),
            period_start=cycle.period_start if cycle else None,
            cycle_length=cycle.shortest_cycle if cycle else None,
            report=findings,
            pid_history=pid_history,
        )
    except AftercareInputError as exc:
        raise InvalidInput("invalid_aftercare", exc.message, rule=exc.rule) from None


def _plan_or_none(
    ctx: ServiceContext, s: Session, proc: ProcedureRecord, appt: ProcedureAppointment
) -> AftercarePlan | None:
    """The plan the reminders follow: as last produced (its antibiotic course), otherwise the defaults; None when
    it cannot be made (the reminders then cover the procedure only)."""
    stored = s.execute(
        select(AftercarePlanRecord).where(AftercarePlanRecord.procedure_id == proc.id)
    ).scalar_one_or_none()
    days = stored.plan.get("antibiotic_days") if stored else None
    pid = bool(stored.plan.get("pid_prophylaxis")) if stored else False
    try:
        return _plan(ctx, s, proc, appt, antibiotic_days=int(days) if days is not None else None, pid_history=pid)
    except InvalidInput:
        return None
