"""The report kiosk (REPORT-READY): an access code → "ready from <date>" or the signed report to print.

The kiosk in outpatient radiology prints with the access code alone (as the hospital's printers do with the
number on the slip). Only a **signed** report is ever printed, and only from its ready date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.documents.models import CorrectionView, DoseUnit, PatientView
from hsgclinic.documents.models import ReportView as PrintableReport
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.identity import age_on, mask_id
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


@dataclass(frozen=True)
class KioskResult:
    """``ready`` → print ``pdf_url``; otherwise ``ready_on`` is when (None: no report is on its way yet)."""

    ready: bool
    ready_on: dt.date | None
    pdf_url: str | None = None
    signed: bool = False


def _normal(code: str) -> str:
    return code.strip().upper().replace(" ", "")


def _lookup(s: Session, code: str) -> tuple[RegistrationNumber, Report | None, ProcedureRecord | None]:
    reg = s.execute(select(RegistrationNumber).where(RegistrationNumber.access_code == code)).scalar_one_or_none()
    if reg is None:
        raise NotFound("bad_access_code", N_("No visit has this access code. Check the code on your slip."))
    row = s.execute(
        select(Report, ProcedureRecord)
        .join(ProcedureRecord, ProcedureRecord.id == Report.procedure_id)
        .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
        .where(ProcedureAppointment.patient_id == reg.patient_id, ProcedureAppointment.created_at >= reg.created_at)
        .order_by(ProcedureRecord.created_at.desc())
    ).first()
    if row is None:
        return reg, None, None
    return reg, row[0], row[1]


def kiosk_lookup(ctx: ServiceContext, access_code: str) -> KioskResult:
    """REPORT-READY: ready (signed and from its ready date) or the date it will be ready."""
    code = _normal(access_code)
    with ctx.read() as uow:
        _reg, report, _proc = _lookup(uow.session, code)
    if report is None:
        return KioskResult(ready=False, ready_on=None)
    signed = report.status == "signed"
    ready = signed and ctx.today() >= report.ready_on
    return KioskResult(
        ready=ready, ready_on=report.ready_on, pdf_url=f"/kiosk/report/{code}.pdf" if ready else None, signed=signed
    )


def printable_report(ctx: ServiceContext, access_code: str, address: str = "") -> PrintableReport:
    """The signed report's document view model for the kiosk's PDF (raises :class:`NotFound` when not ready)."""
    code = _normal(access_code)
    with ctx.write() as uow:
        s = uow.session
        reg, report, proc = _lookup(s, code)
        if report is None or proc is None or report.status != "signed" or ctx.today() < report.ready_on:
            raise NotFound("not_ready", N_("This report cannot be printed yet."), rule="REPORT-READY")
        patient = s.get(Patient, reg.patient_id)
        assert patient is not None
        view = report_document(ctx, s, report, proc, patient, code)
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
            masked_id=mask_id(patient.id_number) if len(patient.id_number) > 4 else patient.id_last4,
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
