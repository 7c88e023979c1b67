"""The report kiosk (REPORT-READY): access code + last 4 of the ID → where her report is, or the signed report.

The kiosk in outpatient radiology asks for the access code **and** the last 4 characters of her ID (as *My visit*
does): a wrong code and a wrong last 4 get the same answer, and failed tries are counted in the database under the
same ``code:<access code>`` key and limit as the patient login (:func:`hsgclinic.services.visits.check_access`).
A report is *ready* only once it is **signed** and its ready date has come; the print link then carries a signed,
short-lived token (never the code or ID digits). A draft says "being written" with no date; a stopped procedure
shows no report date at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.documents.models import CorrectionView, DoseUnit, PatientView
from hsgclinic.documents.models import ReportView as PrintableReport
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.identity import age_on
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import ContrastKind
from hsgclinic.persistence.models import (
    ApplicationForm,
    Patient,
    ProcedureAppointment,
    ProcedureRecord,
    RegistrationNumber,
    Report,
    ReportRevision,
)
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import NotFound
from hsgclinic.services.procedure import findings_from_json
from hsgclinic.services.visits import ReportStage, check_access, report_stage

_PRINT_SALT = "hsgclinic.kiosk-print.v1"
PRINT_LINK_MINUTES = 10


KioskStage = ReportStage


@dataclass(frozen=True)
class KioskResult:
    """``stage`` says where her report is; ``ready_on`` is only given for a signed report."""

    stage: KioskStage
    ready_on: dt.date | None = None
    pdf_url: str | None = None

    @property
    def ready(self) -> bool:
        return self.stage is KioskStage.READY

    @property
    def signed(self) -> bool:
        return self.stage in (KioskStage.READY, KioskStage.WAITING)


def _normal(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def _latest(s: Session, reg: RegistrationNumber) -> tuple[ProcedureRecord | None, Report | None]:
    """The latest procedure of this visit (since the number was taken) and its report."""
    proc = (
        s.execute(
            select(ProcedureRecord)
            .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
            .where(ProcedureAppointment.patient_id == reg.patient_id, ProcedureAppointment.created_at >= reg.created_at)
            .order_by(ProcedureRecord.created_at.desc(), ProcedureRecord.id.desc())
        )
        .scalars()
        .first()
    )
    if proc is None:
        return None, None
    report = s.execute(select(Report).where(Report.procedure_id == proc.id)).scalar_one_or_none()
    return proc, report


def _print_token(ctx: ServiceContext, reg: RegistrationNumber, report: Report) -> str:
    expires = ctx.now() + dt.timedelta(minutes=PRINT_LINK_MINUTES)
    data = {"r": reg.id, "p": report.id, "e": expires.isoformat()}
    return str(URLSafeSerializer(ctx.settings.secret_key, salt=_PRINT_SALT).dumps(data))


def kiosk_lookup(ctx: ServiceContext, access_code: str, id_last4: str) -> KioskResult:
    """REPORT-READY at the kiosk (raises :class:`NotAuthenticated` — one answer — when the code or the last 4 is
    wrong, :class:`TooManyRequests` after too many failed tries)."""
    with ctx.write() as uow:
        s = uow.session
        reg, patient = check_access(ctx, uow, _normal(access_code), id_last4)
        proc, report = _latest(s, reg)
        stage = report_stage(report, proc, ctx.today())
        actor = Actor(Role.PATIENT, f"patient:{patient.id}", patient_id=patient.id, registration_id=reg.id)
        audit.record(s, actor, "kiosk.lookup", "registration_number", reg.id, at=ctx.now(), patient_id=patient.id)
        uow.commit()
        if stage is KioskStage.READY and report is not None:
            return KioskResult(stage, report.ready_on, f"/kiosk/print/{_print_token(ctx, reg, report)}.pdf")
        return KioskResult(stage, report.ready_on if stage is KioskStage.WAITING and report else None)


def printable_report(ctx: ServiceContext, token: str, address: str = "") -> PrintableReport:
    """The signed report behind a kiosk print link (its access code is the verification code). Raises
    :class:`NotFound` for an altered or expired link, or a report no longer signed / not yet printable."""
    refused = NotFound("not_ready", N_("This report cannot be printed yet."), rule="REPORT-READY")
    try:
        data = URLSafeSerializer(ctx.settings.secret_key, salt=_PRINT_SALT).loads(token)
        reg_id, report_id = int(data["r"]), int(data["p"])
        expires = dt.datetime.fromisoformat(str(data["e"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise refused from None
    if ctx.now() >= expires:
        raise NotFound("print_link_expired", N_("This print link has expired; look up your report again."))
    with ctx.write() as uow:
        s = uow.session
        reg = s.get(RegistrationNumber, reg_id)
        if reg is None:
            raise refused
        proc, report = _latest(s, reg)
        if report is None or proc is None or report.id != report_id:
            raise refused
        if report_stage(report, proc, ctx.today()) is not KioskStage.READY:
            raise refused
        patient = s.get(Patient, reg.patient_id)
        assert patient is not None
        view = report_document(ctx, s, report, proc, patient, reg.access_code)
        actor = Actor(Role.PATIENT, f"patient:{patient.id}", address, patient_id=patient.id, registration_id=reg.id)
        audit.record(s, actor, "report.print", "report", report.id, at=ctx.now(), patient_id=patient.id)
        uow.commit()
        return view


def report_document(
    ctx: ServiceContext, s: Session, report: Report, proc: ProcedureRecord, patient: Patient, code: str
) -> PrintableReport:
    """The document view model of a signed report (``code``: the verification code printed with its QR code)."""
    appt = s.get(ProcedureAppointment, proc.appointment_id)
    assert appt is not None and report.signed_at is not None
    form = s.get(ApplicationForm, appt.application_form_id)
    revisions = list(
        s.execute(
            select(ReportRevision).where(ReportRevision.report_id == report.id).order_by(ReportRevision.version)
        ).scalars()
    )
    tz = ctx.tz
    dose, unit = (
        (proc.dap_gy_cm2, DoseUnit.DAP_GY_CM2)
        if proc.dap_gy_cm2 is not None
        else (proc.air_kerma_mgy or Decimal(0), DoseUnit.AIR_KERMA_MGY)
    )
    return PrintableReport(
        report_number=f"HSG-{report.id:06d}",
        patient=PatientView(
            name=patient.name,
            masked_id=patient.masked_id,
            age=age_on(patient.birth_date, appt.day) if patient.birth_date else None,
        ),
        procedure_date=appt.day,
        findings=findings_from_json(report.findings),
        contrast_agent=proc.contrast_agent,
        contrast_kind=ContrastKind(proc.contrast_kind or "water"),
        contrast_volume_ml=proc.volume_ml or Decimal(0),
        fluoroscopy_seconds=proc.fluoroscopy_s or Decimal(0),
        dose=dose,
        dose_unit=unit,
        hcg=HcgResult(proc.hcg_result),
        operator=proc.operator,
        radiologist=report.signed_by or "",
        signed_at=_aware(report.signed_at).astimezone(tz),
        form_number=form.number if form else None,
        procedure_start=_aware(proc.started_at).astimezone(tz).time() if proc.started_at else None,
        procedure_end=_aware(proc.ended_at).astimezone(tz).time() if proc.ended_at else None,
        corrections=tuple(
            CorrectionView(_aware(r.created_at).astimezone(tz), r.author, r.reason)
            for r in revisions
            if r.version > 1 and r.reason
        ),
        verification_code=code,
        dose_flagged=bool(proc.dose_findings.get("items")),
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
