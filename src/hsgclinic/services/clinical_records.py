"""The clinic's records as other systems read them (the FHIR adapter): patients, staff, appointments, application
forms, screenings, procedures, signed reports, aftercare plans and the procedure places of each day.

Each function is one read transaction that applies the same access rule as the JSON API (staff see every record,
a patient only her own) and leaves one audit event (``records.read`` for one record, ``records.search`` for a
page of them, with the ids returned and the patient when the page is about one patient). Nothing here decides
anything about the pathway: the views are the stored facts, ``offset``/``count`` page them in a stable order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from hsgclinic.domain.clinic_calendar import Closure
from hsgclinic.domain.findings import Finding
from hsgclinic.domain.messages import N_
from hsgclinic.persistence import locking
from hsgclinic.persistence.models import (
    AftercarePlanRecord,
    ApplicationForm,
    AuditEvent,
    DayCounter,
    Patient,
    ProcedureAppointment,
    ProcedureRecord,
    Report,
    ReportRevision,
    Screening,
    StaffUser,
)
from hsgclinic.services import audit
from hsgclinic.services.admin import AuditView
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import Forbidden, InvalidInput, NotFound
from hsgclinic.services.serialize import decode_findings

T = TypeVar("T")
AnySelect = Select[*tuple[Any, ...]]
MAX_COUNT = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int


@dataclass(frozen=True)
class PatientRecord:
    id: int
    record_number: str | None
    name: str
    phone: str
    email: str | None
    birth_date: dt.date | None
    sex: str | None
    id_kind: str
    id_hash: str  # HMAC-SHA256 of the ID with the clinic's secret key: never the number itself
    id_last4: str
    preferred_lang: str


@dataclass(frozen=True)
class StaffRecord:
    id: int
    username: str
    display_name: str
    role: str
    active: bool


@dataclass(frozen=True)
class AppointmentRecord:
    id: int
    application_form_id: int
    form_number: str
    patient_id: int
    day: dt.date
    slot_number: int
    slot_time: dt.time
    status: str  # booked, cancelled, done, stopped
    rescheduled_to: dt.date | None  # a cancelled row whose form was booked again later
    accession_number: str | None  # the imaging order's DICOM accession number (kept across a reschedule)
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class FormRecord:
    id: int
    number: str
    patient_id: int
    screening_id: int
    test_date: dt.date
    issued_by: str
    issued_at: dt.datetime
    appointment_status: str | None  # of the form's latest appointment
    appointment_id: int | None
    accession_number: str | None


@dataclass(frozen=True)
class ScreeningRecord:
    id: int
    patient_id: int
    visit_date: dt.date
    inputs: dict[str, Any]
    findings: tuple[Finding, ...]
    outcome: str
    doctor_name: str
    created_at: dt.datetime


@dataclass(frozen=True)
class ProcedureRecordView:
    id: int
    appointment_id: int
    application_form_id: int
    patient_id: int
    day: dt.date
    hcg_result: str
    stopped: bool
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    operator: str
    contrast_agent: str
    contrast_kind: str | None
    volume_ml: Decimal | None
    fluoroscopy_s: Decimal | None
    dap_gy_cm2: Decimal | None
    air_kerma_mgy: Decimal | None
    recorded_by: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class SignedReportRecord:
    id: int
    procedure_id: int
    appointment_id: int
    application_form_id: int
    patient_id: int
    day: dt.date
    version: int
    findings: dict[str, Any]
    signed_by: str
    signer_id: int | None
    signer_name: str
    signed_at: dt.datetime
    corrected: bool  # a signed version was corrected (with a reason) and signed again
    procedure_started_at: dt.datetime | None


@dataclass(frozen=True)
class AftercareRecord:
    id: int
    procedure_id: int
    patient_id: int
    plan: dict[str, Any]
    created_at: dt.datetime


@dataclass(frozen=True)
class ObservationSources:
    """Everything a patient's observations come from, read in one transaction."""

    screenings: list[ScreeningRecord]
    procedures: list[ProcedureRecordView]
    reports: list[SignedReportRecord]


@dataclass(frozen=True)
class DayPlaces:
    """BOOK-OPEN facts of one day: open or closed, the capacity and which place numbers are taken."""

    day: dt.date
    open: bool
    provisional: bool
    closure: Closure | None
    capacity: int
    taken: tuple[int, ...]


def _count(count: int) -> int:
    return max(0, min(count, MAX_COUNT))


def _page(s: Session, q: AnySelect, order: Sequence[Any], offset: int, count: int) -> tuple[list[Any], int]:
    total = s.execute(select(func.count()).select_from(q.order_by(None).subquery())).scalar_one()
    rows = list(s.execute(q.order_by(*order).offset(max(0, offset)).limit(_count(count))).all())
    return rows, int(total)


def _own(actor: Actor, patient_id: int | None) -> int | None:
    """Staff may ask about anyone; a patient only about herself (any other patient is refused by filtering)."""
    if actor.is_staff:
        return patient_id
    if actor.role is Role.PATIENT and actor.patient_id is not None:
        if patient_id is not None and patient_id != actor.patient_id:
            return -1  # matches nothing
        return actor.patient_id
    raise Forbidden("forbidden", N_("Your role may not do this."))


def _log(
    s: Session, ctx: ServiceContext, actor: Actor, record_type: str, ids: list[int], patients: set[int], one: bool
) -> None:
    patient = next(iter(patients)) if len(patients) == 1 else None
    if one:
        audit.record(s, actor, "records.read", record_type, ids[0], at=ctx.now(), patient_id=patient)
    else:
        audit.record(
            s,
            actor,
            "records.search",
            record_type,
            "-",
            at=ctx.now(),
            patient_id=patient,
            detail={"ids": ids[:MAX_COUNT], "count": len(ids)},
        )


def _not_found() -> NotFound:
    return NotFound("not_found", N_("No such record."))


# -- people ---------------------------------------------------------------------------------------------------------
def _patient(p: Patient) -> PatientRecord:
    return PatientRecord(
        p.id,
        p.record_number,
        p.name,
        p.phone,
        p.email,
        p.birth_date,
        p.sex,
        p.id_kind,
        p.id_hash,
        p.id_last4,
        p.preferred_lang,
    )


def patients(
    ctx: ServiceContext,
    actor: Actor,
    *,
    patient_id: int | None = None,
    record_number: str | None = None,
    id_hash: str | None = None,
    name: str | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[PatientRecord]:
    """Patients by id, record number, ID hash or name (contains), in id order."""
    with ctx.write() as uow:
        s = uow.session
        q = select(Patient)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(Patient.id == own)
        if record_number is not None:
            q = q.where(Patient.record_number == record_number)
        if id_hash is not None:
            q = q.where(Patient.id_hash == id_hash)
        if name:
            q = q.where(Patient.name.contains(name, autoescape=True))
        rows, total = _page(s, q, [Patient.id], offset, count)
        items = [_patient(r[0]) for r in rows]
        if patient_id is not None and not items:
            raise _not_found()
        _log(s, ctx, actor, "patient", [p.id for p in items], {p.id for p in items}, patient_id is not None)
        uow.commit()
    return Page(items, total)


def staff_members(
    ctx: ServiceContext, actor: Actor, *, user_id: int | None = None, offset: int = 0, count: int = 20
) -> Page[StaffRecord]:
    """Staff users (staff only), in id order."""
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    with ctx.write() as uow:
        q = select(StaffUser)
        if user_id is not None:
            q = q.where(StaffUser.id == user_id)
        rows, total = _page(uow.session, q, [StaffUser.id], offset, count)
        items = [StaffRecord(u.id, u.username, u.display_name, u.role, u.active) for (u,) in rows]
        if user_id is not None and not items:
            raise _not_found()
        _log(uow.session, ctx, actor, "staff_user", [u.id for u in items], set(), user_id is not None)
        uow.commit()
    return Page(items, total)


# -- appointments and forms -----------------------------------------------------------------------------------------
def appointments(
    ctx: ServiceContext,
    actor: Actor,
    *,
    appointment_id: int | None = None,
    patient_id: int | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    statuses: Sequence[str] = (),
    offset: int = 0,
    count: int = 20,
) -> Page[AppointmentRecord]:
    """Procedure appointments by id, patient, day range (inclusive) and stored status; by day and slot."""
    with ctx.write() as uow:
        s = uow.session
        q: AnySelect = select(ProcedureAppointment, ApplicationForm.number).join(
            ApplicationForm, ApplicationForm.id == ProcedureAppointment.application_form_id
        )
        if appointment_id is not None:
            q = q.where(ProcedureAppointment.id == appointment_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(ProcedureAppointment.patient_id == own)
        if first is not None:
            q = q.where(ProcedureAppointment.day >= first)
        if last is not None:
            q = q.where(ProcedureAppointment.day <= last)
        if statuses:
            q = q.where(ProcedureAppointment.status.in_(list(statuses)))
        order = [ProcedureAppointment.day, ProcedureAppointment.slot_number, ProcedureAppointment.id]
        rows, total = _page(s, q, order, offset, count)
        forms = {a.application_form_id for a, _ in rows if a.status == "cancelled"}
        later: dict[int, list[tuple[int, dt.date]]] = {}
        if forms:
            for form_id, appt_id, day in s.execute(
                select(
                    ProcedureAppointment.application_form_id, ProcedureAppointment.id, ProcedureAppointment.day
                ).where(ProcedureAppointment.application_form_id.in_(forms))
            ).all():
                later.setdefault(form_id, []).append((appt_id, day))
        items = []
        for a, number in rows:
            moved = None
            if a.status == "cancelled":
                after = sorted(x for x in later.get(a.application_form_id, []) if x[0] > a.id)
                moved = after[0][1] if after else None
            items.append(
                AppointmentRecord(
                    a.id,
                    a.application_form_id,
                    str(number),
                    a.patient_id,
                    a.day,
                    a.slot_number,
                    a.slot_time,
                    a.status,
                    moved,
                    a.accession_number,
                    a.created_at,
                    a.updated_at,
                )
            )
        if appointment_id is not None and not items:
            raise _not_found()
        ids = [a.id for a in items]
        _log(s, ctx, actor, "procedure_appointment", ids, {a.patient_id for a in items}, appointment_id is not None)
        uow.commit()
    return Page(items, total)


def application_forms(
    ctx: ServiceContext,
    actor: Actor,
    *,
    form_id: int | None = None,
    patient_id: int | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[FormRecord]:
    """Application forms (the HSG order) by id or patient, with their latest appointment's status."""
    with ctx.write() as uow:
        s = uow.session
        q = select(ApplicationForm)
        if form_id is not None:
            q = q.where(ApplicationForm.id == form_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(ApplicationForm.patient_id == own)
        rows, total = _page(s, q, [ApplicationForm.id], offset, count)
        latest: dict[int, tuple[int, str, str | None]] = {}
        ids = [f.id for (f,) in rows]
        if ids:
            for appt_id, fid, status, accession in s.execute(
                select(
                    ProcedureAppointment.id,
                    ProcedureAppointment.application_form_id,
                    ProcedureAppointment.status,
                    ProcedureAppointment.accession_number,
                )
                .where(ProcedureAppointment.application_form_id.in_(ids))
                .order_by(ProcedureAppointment.id)
            ).all():
                latest[fid] = (appt_id, status, accession)
        items = [
            FormRecord(
                f.id,
                f.number,
                f.patient_id,
                f.screening_id,
                f.test_date,
                f.issued_by,
                f.issued_at,
                latest[f.id][1] if f.id in latest else None,
                latest[f.id][0] if f.id in latest else None,
                latest[f.id][2] if f.id in latest else None,
            )
            for (f,) in rows
        ]
        if form_id is not None and not items:
            raise _not_found()
        _log(s, ctx, actor, "application_form", ids, {f.patient_id for f in items}, form_id is not None)
        uow.commit()
    return Page(items, total)


# -- clinical records -----------------------------------------------------------------------------------------------
def _screening(r: Screening) -> ScreeningRecord:
    return ScreeningRecord(
        r.id,
        r.patient_id,
        r.visit_date,
        dict(r.inputs),
        decode_findings(r.findings),
        r.outcome,
        r.doctor_name,
        r.created_at,
    )


def _procedure(p: ProcedureRecord, a: ProcedureAppointment) -> ProcedureRecordView:
    return ProcedureRecordView(
        p.id,
        a.id,
        a.application_form_id,
        a.patient_id,
        a.day,
        p.hcg_result,
        p.stopped,
        p.started_at,
        p.ended_at,
        p.operator,
        p.contrast_agent,
        p.contrast_kind,
        p.volume_ml,
        p.fluoroscopy_s,
        p.dap_gy_cm2,
        p.air_kerma_mgy,
        p.recorded_by,
        p.created_at,
    )


def _signed(s: Session, rows: Sequence[Any]) -> list[SignedReportRecord]:
    ids = [r[0].id for r in rows]
    corrected: set[int] = set()
    users: dict[str, tuple[int, str]] = {}
    if ids:
        corrected = set(
            s.execute(
                select(ReportRevision.report_id).where(ReportRevision.report_id.in_(ids), ReportRevision.reason != "")
            ).scalars()
        )
        names = {str(r[0].signed_by) for r in rows}
        for uid, username, display in s.execute(
            select(StaffUser.id, StaffUser.username, StaffUser.display_name).where(StaffUser.username.in_(names))
        ).all():
            users[username] = (uid, display or username)
    out = []
    for report, proc, appt in rows:
        signer = users.get(str(report.signed_by))
        out.append(
            SignedReportRecord(
                report.id,
                proc.id,
                appt.id,
                appt.application_form_id,
                appt.patient_id,
                appt.day,
                report.version,
                dict(report.findings),
                str(report.signed_by),
                signer[0] if signer else None,
                signer[1] if signer else str(report.signed_by),
                report.signed_at,
                report.id in corrected,
                proc.started_at,
            )
        )
    return out


def _signed_query() -> AnySelect:
    q: AnySelect = (
        select(Report, ProcedureRecord, ProcedureAppointment)
        .join(ProcedureRecord, ProcedureRecord.id == Report.procedure_id)
        .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
        .where(Report.status == "signed")
    )
    return q


def screenings(
    ctx: ServiceContext,
    actor: Actor,
    *,
    screening_id: int | None = None,
    patient_id: int | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[ScreeningRecord]:
    with ctx.write() as uow:
        s = uow.session
        q = select(Screening)
        if screening_id is not None:
            q = q.where(Screening.id == screening_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(Screening.patient_id == own)
        rows, total = _page(s, q, [Screening.id], offset, count)
        items = [_screening(r) for (r,) in rows]
        if screening_id is not None and not items:
            raise _not_found()
        _log(s, ctx, actor, "screening", [i.id for i in items], {i.patient_id for i in items}, screening_id is not None)
        uow.commit()
    return Page(items, total)


def procedures(
    ctx: ServiceContext,
    actor: Actor,
    *,
    procedure_id: int | None = None,
    patient_id: int | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[ProcedureRecordView]:
    with ctx.write() as uow:
        s = uow.session
        q: AnySelect = select(ProcedureRecord, ProcedureAppointment).join(
            ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id
        )
        if procedure_id is not None:
            q = q.where(ProcedureRecord.id == procedure_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(ProcedureAppointment.patient_id == own)
        rows, total = _page(s, q, [ProcedureRecord.id], offset, count)
        items = [_procedure(p, a) for p, a in rows]
        if procedure_id is not None and not items:
            raise _not_found()
        ids = [i.id for i in items]
        _log(s, ctx, actor, "procedure_record", ids, {i.patient_id for i in items}, procedure_id is not None)
        uow.commit()
    return Page(items, total)


def signed_reports(
    ctx: ServiceContext,
    actor: Actor,
    *,
    report_id: int | None = None,
    patient_id: int | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[SignedReportRecord]:
    """Signed reports only (a draft, or a correction not yet signed again, is not there)."""
    with ctx.write() as uow:
        s = uow.session
        q = _signed_query()
        if report_id is not None:
            q = q.where(Report.id == report_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(ProcedureAppointment.patient_id == own)
        rows, total = _page(s, q, [Report.id], offset, count)
        items = _signed(s, rows)
        if report_id is not None and not items:
            raise _not_found()
        _log(s, ctx, actor, "report", [i.id for i in items], {i.patient_id for i in items}, report_id is not None)
        uow.commit()
    return Page(items, total)


def aftercare_plans(
    ctx: ServiceContext,
    actor: Actor,
    *,
    plan_id: int | None = None,
    patient_id: int | None = None,
    offset: int = 0,
    count: int = 20,
) -> Page[AftercareRecord]:
    with ctx.write() as uow:
        s = uow.session
        q = select(AftercarePlanRecord)
        if plan_id is not None:
            q = q.where(AftercarePlanRecord.id == plan_id)
        own = _own(actor, patient_id)
        if own is not None:
            q = q.where(AftercarePlanRecord.patient_id == own)
        rows, total = _page(s, q, [AftercarePlanRecord.id], offset, count)
        items = [AftercareRecord(r.id, r.procedure_id, r.patient_id, dict(r.plan), r.created_at) for (r,) in rows]
        if plan_id is not None and not items:
            raise _not_found()
        _log(s, ctx, actor, "aftercare_plan", [i.id for i in items], {i.patient_id for i in items}, plan_id is not None)
        uow.commit()
    return Page(items, total)


def observation_sources(ctx: ServiceContext, actor: Actor, patient_id: int) -> ObservationSources:
    """One patient's screenings, procedures and signed reports (what her observations are made of)."""
    with ctx.write() as uow:
        s = uow.session
        own = _own(actor, patient_id)
        scr = [_screening(r) for r in s.execute(select(Screening).where(Screening.patient_id == own)).scalars()]
        procs = [
            _procedure(p, a)
            for p, a in s.execute(
                select(ProcedureRecord, ProcedureAppointment)
                .join(ProcedureAppointment, ProcedureAppointment.id == ProcedureRecord.appointment_id)
                .where(ProcedureAppointment.patient_id == own)
                .order_by(ProcedureRecord.id)
            ).all()
        ]
        reports = _signed(
            s, s.execute(_signed_query().where(ProcedureAppointment.patient_id == own).order_by(Report.id)).all()
        )
        audit.record(
            s,
            actor,
            "records.search",
            "observation",
            "-",
            at=ctx.now(),
            patient_id=own if own and own > 0 else None,
            detail={"screenings": len(scr), "procedures": len(procs), "reports": len(reports)},
        )
        uow.commit()
    return ObservationSources(scr, procs, reports)


# -- places -----------------------------------------------------------------------------------------------------------
def procedure_places(ctx: ServiceContext, first: dt.date, last: dt.date) -> list[DayPlaces]:
    """Each day of ``first``…``last`` (at most 93 days): open or closed (CAL-OPEN), its procedure capacity and the
    place numbers taken. A day nobody has booked yet has the clinic's capacity and nothing taken."""
    if last < first or (last - first).days > 92:
        raise InvalidInput("invalid_range", N_("Search at most 93 days of {name} at a time.", name="start"))
    capacity = ctx.effective().procedure_capacity
    with ctx.read() as uow:
        counters = {
            c.day: c
            for c in uow.session.execute(
                select(DayCounter).where(
                    DayCounter.resource == locking.PROCEDURE, DayCounter.day >= first, DayCounter.day <= last
                )
            ).scalars()
        }
    out = []
    day = first
    while day <= last:
        cal = ctx.calendar_for(day)
        closure = cal.closure(day)
        c = counters.get(day)
        taken = tuple(i + 1 for i, flag in enumerate(c.taken) if flag == "1") if c else ()
        out.append(DayPlaces(day, closure is None, cal.is_provisional(day), closure, c.quota if c else capacity, taken))
        day += dt.timedelta(days=1)
    return out


def closures(ctx: ServiceContext, first: dt.date, last: dt.date) -> list[tuple[dt.date, Closure]]:
    """Every closed day of ``first``…``last`` with its reason (CAL-OPEN / CAL-SOURCE)."""
    out = []
    day = first
    while day <= last:
        closure = ctx.calendar_for(day).closure(day)
        if closure is not None:
            out.append((day, closure))
        day += dt.timedelta(days=1)
    return out


def audit_event(ctx: ServiceContext, actor: Actor, event_id: int) -> AuditView:
    """One event of the audit trail (administrators); reading it is recorded too."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    with ctx.write() as uow:
        s = uow.session
        r = s.get(AuditEvent, event_id)
        if r is None:
            raise _not_found()
        view = AuditView(
            r.id, r.at, r.actor, r.role, r.action, r.record_type, r.record_id, r.patient_id, r.address, dict(r.detail)
        )
        audit.record(s, actor, "records.read", "audit_event", r.id, at=ctx.now())
        uow.commit()
    return view
