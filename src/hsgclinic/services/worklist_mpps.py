"""Modality Performed Procedure Step (issue 9): what the fluoroscopy unit reports it did.

N-CREATE (IN PROGRESS) records that the scheduled step has started; N-SET COMPLETED or DISCONTINUED records the
end, a discontinuation's reason and the dose the unit measured (fluoroscopy time, exposures, DAP, entrance dose).
The radiologist's procedure form is filled from it (REPORT-DOSE applies to the reported fluoroscopy time) and,
when she saves it, the step notes whether she confirmed the modality's values or corrected which ones.

Every call is one transaction: an MPPS for an unknown step, a second N-CREATE of one SOP instance, an N-SET after
COMPLETED or DISCONTINUED, or a request missing what the standard requires is refused with a code the DICOM
adapter turns into the standard's failure status, and nothing is written but the exchange log.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.findings import Finding
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import dose_findings
from hsgclinic.persistence.models import Payment, PerformedStep, ProcedureAppointment, ProcedureRecord
from hsgclinic.services import audit, identifiers
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import NotFound, ServiceError
from hsgclinic.services.worklist import log_exchange, modality_actor

IN_PROGRESS, COMPLETED, DISCONTINUED = "IN PROGRESS", "COMPLETED", "DISCONTINUED"
FINAL = (COMPLETED, DISCONTINUED)


class StepRefused(ServiceError):
    """An MPPS request the standard says to refuse. ``code``: duplicate_instance, no_such_instance, unknown_step,
    not_updatable, missing_attribute, invalid_value. ``details["attribute"]`` names the attribute when there is one."""

    @property
    def status(self) -> int:
        return DICOM_STATUS[self.code]


# The failure statuses of PS3.4 F.7.2 / PS3.7 C.4 (N-CREATE, N-SET) for each refusal.
DICOM_STATUS = {
    "duplicate_instance": 0x0111,  # Duplicate SOP Instance
    "no_such_instance": 0x0112,  # No Such SOP Instance
    "unknown_step": 0x0110,  # Processing failure: no such scheduled step
    "not_updatable": 0x0110,  # Processing failure: Performed Procedure Step Object may no longer be updated (A710)
    "missing_attribute": 0x0120,  # Missing Attribute
    "invalid_value": 0x0106,  # Invalid Attribute Value
}


@dataclass(frozen=True)
class Dose:
    fluoroscopy_s: Decimal | None = None  # Total Time of Fluoroscopy (0040,0300)
    exposures: int | None = None  # Total Number of Exposures (0040,0301)
    dap_gy_cm2: Decimal | None = None  # Image and Fluoroscopy Area Dose Product (0018,115E), dGy·cm² → Gy·cm²
    entrance_dose_mgy: Decimal | None = None  # Entrance Dose in mGy (0040,8302)

    def present(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class StepStart:
    sop_instance_uid: str
    status: str
    started_at: dt.datetime | None
    study_instance_uid: str | None = None
    accession_number: str | None = None
    patient_id: str | None = None
    station_ae_title: str = ""
    dose: Dose = field(default_factory=Dose)
    attributes: dict[str, Any] = field(default_factory=dict)
    missing: tuple[str, ...] = ()  # required attributes the request lacked (the adapter knows which)
    invalid: tuple[str, ...] = ()  # attributes whose values could not be read


@dataclass(frozen=True)
class StepUpdate:
    sop_instance_uid: str
    status: str | None = None
    ended_at: dt.datetime | None = None
    dose: Dose = field(default_factory=Dose)
    discontinuation_reason: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    invalid: tuple[str, ...] = ()  # attributes whose values could not be read


@dataclass(frozen=True)
class StepView:
    sop_instance_uid: str
    appointment_id: int
    status: str
    station_ae_title: str
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    fluoroscopy_s: Decimal | None
    exposures: int | None
    dap_gy_cm2: Decimal | None
    entrance_dose_mgy: Decimal | None
    discontinuation_reason: str
    review: dict[str, Any]
    dose_findings: tuple[Finding, ...] = ()
    updated_at: dt.datetime | None = None


def _refuse(code: str, attribute: str | None = None) -> StepRefused:
    messages = {
        "duplicate_instance": N_("This performed procedure step already exists."),
        "no_such_instance": N_("No such performed procedure step."),
        "unknown_step": N_("No scheduled procedure step matches this performed step."),
        "not_updatable": N_("This performed procedure step is final and can no longer be changed."),
        "missing_attribute": N_("A required attribute is missing: {attribute}.", attribute=attribute or ""),
        "invalid_value": N_("An attribute has a value that is not allowed: {attribute}.", attribute=attribute or ""),
    }
    return StepRefused(code, messages[code], rule="PROC", details={"attribute": attribute} if attribute else None)


def _view(row: PerformedStep, findings: tuple[Finding, ...] = ()) -> StepView:
    return StepView(
        sop_instance_uid=row.sop_instance_uid,
        appointment_id=row.appointment_id,
        status=row.status,
        station_ae_title=row.station_ae_title,
        started_at=row.started_at,
        ended_at=row.ended_at,
        fluoroscopy_s=row.fluoroscopy_s,
        exposures=row.exposures,
        dap_gy_cm2=row.dap_gy_cm2,
        entrance_dose_mgy=row.entrance_dose_mgy,
        discontinuation_reason=row.discontinuation_reason,
        review=dict(row.review or {}),
        dose_findings=findings,
        updated_at=row.updated_at,
    )


def _scheduled(s: Session, data: StepStart) -> ProcedureAppointment | None:
    """The booked, paid appointment the step refers to: by its study UID, else its accession number."""
    appt: ProcedureAppointment | None = None
    if data.study_instance_uid:
        appt = s.execute(
            select(ProcedureAppointment)
            .where(ProcedureAppointment.study_instance_uid == data.study_instance_uid)
            .order_by(ProcedureAppointment.active.is_(True).desc(), ProcedureAppointment.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    if appt is None and data.accession_number:
        appt = identifiers.live_by_accession(s, data.accession_number)
    if appt is None or appt.status != "booked" or appt.active is not True:
        return None
    if data.patient_id:
        ids = identifiers.for_appointment(s, appt.id)
        if ids is None or ids.record_number != data.patient_id:
            return None
    paid = s.execute(select(Payment.status).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
    return appt if paid == "paid" else None


def _check_dose(dose: Dose) -> None:
    for name, value in dose.present().items():
        if value < 0:
            raise _refuse("invalid_value", name)


def _apply_dose(row: PerformedStep, dose: Dose) -> None:
    for name, value in dose.present().items():
        setattr(row, name, value)


def start(ctx: ServiceContext, calling_ae_title: str, address: str, data: StepStart) -> StepView:
    """N-CREATE: the modality starts a scheduled step (status must be IN PROGRESS)."""
    caller = modality_actor(calling_ae_title, address)
    now = ctx.now()
    request = {"sop_instance_uid": data.sop_instance_uid, "accession_number": data.accession_number or ""}
    try:
        with ctx.write() as uow:
            s = uow.session
            if s.execute(
                select(PerformedStep.id).where(PerformedStep.sop_instance_uid == data.sop_instance_uid)
            ).first():
                raise _refuse("duplicate_instance")
            if data.missing:
                raise _refuse("missing_attribute", data.missing[0])
            if data.invalid:
                raise _refuse("invalid_value", data.invalid[0])
            if data.status != IN_PROGRESS:
                raise _refuse("invalid_value" if data.status else "missing_attribute", "PerformedProcedureStepStatus")
            if data.started_at is None:
                raise _refuse("missing_attribute", "PerformedProcedureStepStartDate")
            _check_dose(data.dose)
            appt = _scheduled(s, data)
            if appt is None:
                raise _refuse("unknown_step")
            row = PerformedStep(
                sop_instance_uid=data.sop_instance_uid,
                appointment_id=appt.id,
                patient_id=appt.patient_id,
                status=IN_PROGRESS,
                station_ae_title=(data.station_ae_title or calling_ae_title)[:16],
                started_at=data.started_at,
                ended_at=None,
                discontinuation_reason="",
                attributes=data.attributes,
                review={},
                created_at=now,
                updated_at=now,
            )
            _apply_dose(row, data.dose)
            s.add(row)
            s.flush()
            audit.record(
                s,
                caller,
                "mpps.create",
                "performed_step",
                row.id,
                at=now,
                patient_id=appt.patient_id,
                detail={"appointment_id": appt.id, "status": IN_PROGRESS},
            )
            log_exchange(s, caller, calling_ae_title, "N-CREATE", request, 1, "0000", now)
            uow.commit()
            return _view(row)
    except StepRefused as refused:
        _log_refusal(ctx, caller, calling_ae_title, "N-CREATE", request, refused, now)
        raise


def update(ctx: ServiceContext, calling_ae_title: str, address: str, data: StepUpdate) -> StepView:
    """N-SET: more of the step (dose), or its end: COMPLETED (end time required) or DISCONTINUED (with a reason)."""
    caller = modality_actor(calling_ae_title, address)
    now = ctx.now()
    request = {"sop_instance_uid": data.sop_instance_uid, "status": data.status or ""}
    try:
        with ctx.write() as uow:
            s = uow.session
            row = s.execute(
                select(PerformedStep).where(PerformedStep.sop_instance_uid == data.sop_instance_uid)
            ).scalar_one_or_none()
            if row is None:
                raise _refuse("no_such_instance")
            if row.status in FINAL:
                raise _refuse("not_updatable")
            if data.invalid:
                raise _refuse("invalid_value", data.invalid[0])
            if data.status is not None and data.status not in (IN_PROGRESS, *FINAL):
                raise _refuse("invalid_value", "PerformedProcedureStepStatus")
            _check_dose(data.dose)
            ended = data.ended_at or row.ended_at
            if data.status in FINAL and ended is None:
                raise _refuse("missing_attribute", "PerformedProcedureStepEndDate")
            if ended is not None and row.started_at is not None and ended < row.started_at:
                raise _refuse("invalid_value", "PerformedProcedureStepEndTime")
            if data.status is not None:
                row.status = data.status
            row.ended_at = ended
            _apply_dose(row, data.dose)
            if data.discontinuation_reason is not None:
                row.discontinuation_reason = data.discontinuation_reason[:500]
            row.attributes = {**dict(row.attributes or {}), **data.attributes}
            row.updated_at = now
            findings = _dose_findings(ctx, s, row)
            audit.record(
                s,
                caller,
                "mpps.set",
                "performed_step",
                row.id,
                at=now,
                patient_id=row.patient_id,
                detail={"appointment_id": row.appointment_id, "status": row.status, **_jsonable(data.dose.present())},
            )
            log_exchange(s, caller, calling_ae_title, "N-SET", request, 1, "0000", now)
            uow.commit()
            return _view(row, findings)
    except StepRefused as refused:
        _log_refusal(ctx, caller, calling_ae_title, "N-SET", request, refused, now)
        raise


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def _log_refusal(
    ctx: ServiceContext,
    caller: Actor,
    calling_ae_title: str,
    service: str,
    request: dict[str, Any],
    refused: StepRefused,
    now: dt.datetime,
) -> None:
    with ctx.write() as uow:
        log_exchange(
            uow.session,
            caller,
            calling_ae_title,
            service,
            {**request, "refused": refused.code},
            0,
            f"{refused.status:04X}",
            now,
        )
        uow.commit()


def _dose_findings(ctx: ServiceContext, s: Session, row: PerformedStep) -> tuple[Finding, ...]:
    if row.fluoroscopy_s is None:
        return ()
    values = [
        float(v)
        for v in s.execute(
            select(ProcedureRecord.fluoroscopy_s)
            .where(ProcedureRecord.fluoroscopy_s.is_not(None))
            .order_by(ProcedureRecord.id.desc())
            .limit(200)
        ).scalars()
        if v is not None
    ]
    median = statistics.median(values) if len(values) >= 5 else None
    return tuple(dose_findings(float(row.fluoroscopy_s), median, ctx.settings.dose_fluoro_limit_s))


def latest_in(s: Session, appointment_id: int) -> PerformedStep | None:
    """The latest performed step of an appointment, inside the caller's transaction."""
    return s.execute(
        select(PerformedStep)
        .where(PerformedStep.appointment_id == appointment_id)
        .order_by(PerformedStep.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def for_appointment(ctx: ServiceContext, actor: Actor, appointment_id: int) -> StepView | None:
    """What the modality reported for this appointment (the radiologist's form shows it); audited."""
    if not actor.is_staff:
        raise NotFound("not_found", N_("No such appointment."))
    with ctx.write() as uow:
        s = uow.session
        row = latest_in(s, appointment_id)
        if row is None:
            return None
        findings = _dose_findings(ctx, s, row)
        audit.record(s, actor, "mpps.read", "performed_step", row.id, at=ctx.now(), patient_id=row.patient_id)
        uow.commit()
        return _view(row, findings)


REVIEWED_FIELDS = ("started_at", "ended_at", "fluoroscopy_s", "dap_gy_cm2")


def note_review(s: Session, actor: Actor, record: ProcedureRecord, now: dt.datetime) -> None:
    """Called by the procedure record's use case, in its transaction: the step notes whether the radiologist kept
    the modality's values (confirmed) or changed which of them (corrected)."""
    row = latest_in(s, record.appointment_id)
    if row is None or row.status not in FINAL:
        return
    corrected = []
    for name in REVIEWED_FIELDS:
        reported, recorded = getattr(row, name), getattr(record, name)
        if reported is None:
            continue
        if isinstance(reported, dt.datetime) and isinstance(recorded, dt.datetime):
            same = abs((reported - recorded).total_seconds()) < 60  # the form records minutes
        elif isinstance(reported, Decimal) and recorded is not None:
            same = Decimal(reported) == Decimal(recorded)
        else:
            same = reported == recorded
        if not same:
            corrected.append(name)
    entrance = row.entrance_dose_mgy
    if entrance is not None and record.air_kerma_mgy is not None and Decimal(entrance) != Decimal(record.air_kerma_mgy):
        corrected.append("air_kerma_mgy")
    row.review = {
        "by": actor.shown_name,
        "at": now.isoformat(),
        "outcome": "corrected" if corrected else "confirmed",
        "corrected": corrected,
        "procedure_id": record.id,
    }
    row.updated_at = now


def states(ctx: ServiceContext, actor: Actor, appointment_ids: list[int]) -> dict[int, str]:
    """The latest performed-step status per appointment (IN PROGRESS / COMPLETED / DISCONTINUED), for a day's
    list (e.g. the radiology worklist's "in progress at the modality" mark); audited as one read of the list."""
    if not actor.is_staff:
        raise NotFound("not_found", N_("No such appointment."))
    if not appointment_ids:
        return {}
    with ctx.write() as uow:
        s = uow.session
        found: dict[int, str] = {}
        for appt_id, status in s.execute(
            select(PerformedStep.appointment_id, PerformedStep.status)
            .where(PerformedStep.appointment_id.in_(appointment_ids))
            .order_by(PerformedStep.id)
        ):
            found[int(appt_id)] = str(status)
        audit.record(
            s, actor, "mpps.states", "procedure_appointment", "list", at=ctx.now(), detail={"count": len(found)}
        )
        uow.commit()
    return found
