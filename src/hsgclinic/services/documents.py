"""Her documents from the records: one function per document, each returning the documents' view model.

Each function reads the records of one case in one unit of work, checks who may see them, writes one audit event
and returns the view model the renderers of :mod:`hsgclinic.documents` take. Who may see them:

* the patient herself: a :class:`PatientAccess` (access code + last 4 of the ID, checked and counted as
  :func:`hsgclinic.services.visits.find_visit` does) or a patient :class:`Actor` from her session (her
  registration); her case is the one behind that registration, or a given appointment/procedure of hers;
* staff with the document's role (:data:`STAFF_ROLES`), naming the case by appointment or procedure.

The ID number is always masked (:func:`hsgclinic.domain.identity.mask_id`). A document that does not exist yet
raises :class:`NotFound`; someone else's raises :class:`Forbidden`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.documents.models import (
    ApplicationFormView,
    BeforeProcedureView,
    DoctorView,
    PatientView,
    PaymentMethod,
    PaymentStatus,
    ReceiptView,
    ReportView,
)
from hsgclinic.domain.aftercare import AftercareInputError, AftercareItem, AftercarePlan, TubesOpen, plan_aftercare
from hsgclinic.domain.clinic_calendar import CalendarRangeError
from hsgclinic.domain.identity import age_on
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import ContrastKind, report_ready_on
from hsgclinic.persistence.models import (
    AftercarePlanRecord,
    ApplicationForm,
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
from hsgclinic.services.errors import Forbidden, NotFound
from hsgclinic.services.reports import report_document
from hsgclinic.services.screening import cycle_of
from hsgclinic.services.serialize import decode_findings, decode_message
from hsgclinic.services.visits import check_access, current_appointment, latest_screening


class Document(enum.StrEnum):
    APPLICATION_FORM = "application-form"
    BEFORE = "before"
    RECEIPT = "receipt"
    REPORT = "report"
    AFTERCARE = "aftercare"
    CALENDAR = "calendar"


DESK = frozenset({Role.REGISTRAR, Role.DOCTOR, Role.ADMIN})
ANY_STAFF = frozenset({Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN})
STAFF_ROLES: dict[Document, frozenset[Role]] = {
    Document.APPLICATION_FORM: DESK,
    Document.BEFORE: DESK,
    Document.RECEIPT: DESK,
    Document.REPORT: frozenset({Role.RADIOLOGIST, Role.ADMIN}),
    Document.AFTERCARE: ANY_STAFF,
    Document.CALENDAR: ANY_STAFF,
}


@dataclass(frozen=True)
class PatientAccess:
    """The patient's own access: the access code of her registration + the last 4 characters of her ID."""

    access_code: str
    last4: str


Who = Actor | PatientAccess


@dataclass(frozen=True)
class AftercareSheet:
    """The stored aftercare plan (its dates as the radiologist produced them) and who it is for."""

    plan: AftercarePlan
    patient: PatientView
    form_number: str | None = None


@dataclass(frozen=True)
class CaseCalendar:
    """What her .ics holds: the screening visit, the procedure (timed) and the aftercare milestones."""

    case_id: str  # stable per case, no personal data (the UIDs are derived from it)
    visit_day: dt.date | None
    procedure_at: dt.datetime | None  # aware, clinic time
    plan: AftercarePlan | None  # the stored plan, or the one expected from the booked date
    plan_stored: bool


@dataclass
class _Case:
    """The rows of one case, as far as they exist."""

    actor: Actor
    patient: Patient
    registration: RegistrationNumber | None = None
    screening: Screening | None = None
    form: ApplicationForm | None = None
    appointment: ProcedureAppointment | None = None
    payment: Payment | None = None
    procedure: ProcedureRecord | None = None
    report: Report | None = None
    aftercare: AftercarePlanRecord | None = None


def _not_yet() -> NotFound:
    return NotFound("document_not_ready", N_("This document does not exist yet."))


def _not_yours() -> Forbidden:
    return Forbidden("document_not_yours", N_("This document belongs to another patient."))


def _fill_from_appointment(s: Session, case: _Case) -> None:
    appt = case.appointment
    if appt is None:
        return
    case.form = case.form or s.get(ApplicationForm, appt.application_form_id)
    if case.form is not None and case.screening is None:
        case.screening = s.get(Screening, case.form.screening_id)
    case.payment = s.execute(select(Payment).where(Payment.appointment_id == appt.id)).scalar_one_or_none()
    case.procedure = s.execute(
        select(ProcedureRecord).where(ProcedureRecord.appointment_id == appt.id)
    ).scalar_one_or_none()
    if case.procedure is not None:
        case.report = s.execute(select(Report).where(Report.procedure_id == case.procedure.id)).scalar_one_or_none()
        case.aftercare = s.execute(
            select(AftercarePlanRecord).where(AftercarePlanRecord.procedure_id == case.procedure.id)
        ).scalar_one_or_none()


def _registration_for(s: Session, case: _Case) -> RegistrationNumber | None:
    if case.registration is not None:
        return case.registration
    if case.screening is not None and case.screening.registration_id is not None:
        return s.get(RegistrationNumber, case.screening.registration_id)
    return (
        s.execute(
            select(RegistrationNumber)
            .where(RegistrationNumber.patient_id == case.patient.id)
            .order_by(RegistrationNumber.created_at.desc(), RegistrationNumber.id.desc())
        )
        .scalars()
        .first()
    )


def _appointment_by(s: Session, appointment_id: int | None, procedure_id: int | None) -> ProcedureAppointment | None:
    if procedure_id is not None:
        proc = s.get(ProcedureRecord, procedure_id)
        return s.get(ProcedureAppointment, proc.appointment_id) if proc is not None else None
    if appointment_id is not None:
        return s.get(ProcedureAppointment, appointment_id)
    return None


def _case(
    ctx: ServiceContext,
    uow: UnitOfWork,
    who: Who,
    document: Document,
    appointment_id: int | None,
    procedure_id: int | None,
) -> _Case:
    """Who asks and the rows of the case they may see (raises NotFound / Forbidden / NotAuthenticated)."""
    s = uow.session
    if isinstance(who, PatientAccess):
        reg, patient = check_access(ctx, uow, who.access_code, who.last4)
        actor = Actor(Role.PATIENT, f"patient:{patient.id}", patient_id=patient.id, registration_id=reg.id)
    elif who.role is Role.PATIENT:
        actor = who
        reg_row = s.get(RegistrationNumber, who.registration_id) if who.registration_id is not None else None
        if reg_row is None or reg_row.patient_id != who.patient_id:
            raise _not_yours()
        reg = reg_row
        found = s.get(Patient, reg.patient_id)
        assert found is not None
        patient = found
    else:
        actor = who
        if who.role not in STAFF_ROLES[document]:
            raise Forbidden("document_role", N_("Your role cannot open this document."))
        appt = _appointment_by(s, appointment_id, procedure_id)
        if appt is None:
            raise _not_yet()
        staff_patient = s.get(Patient, appt.patient_id)
        assert staff_patient is not None
        case = _Case(actor, staff_patient, appointment=appt)
        _fill_from_appointment(s, case)
        return case
    # the patient: her own case, or a named appointment/procedure of hers
    case = _Case(actor, patient, registration=reg)
    if appointment_id is not None or procedure_id is not None:
        appt = _appointment_by(s, appointment_id, procedure_id)
        if appt is None:
            raise _not_yet()
        if appt.patient_id != patient.id:
            raise _not_yours()
        case.appointment = appt
        _fill_from_appointment(s, case)
        return case
    case.screening = latest_screening(s, reg)
    if case.screening is not None:
        case.form = s.execute(
            select(ApplicationForm).where(ApplicationForm.screening_id == case.screening.id)
        ).scalar_one_or_none()
        if case.form is not None:
            case.appointment = current_appointment(s, case.form)
            _fill_from_appointment(s, case)
    return case


def _patient_view(case: _Case, day: dt.date | None) -> PatientView:
    p = case.patient
    return PatientView(
        name=p.name,
        masked_id=p.masked_id,
        age=age_on(p.birth_date, day) if p.birth_date and day else None,
    )


def _audit(ctx: ServiceContext, uow: UnitOfWork, case: _Case, document: Document, record_type: str, rid: int) -> None:
    audit.record(
        uow.session,
        case.actor,
        "document.read",
        record_type,
        rid,
        at=ctx.now(),
        patient_id=case.patient.id,
        detail={"document": document.value},
    )
    uow.commit()


def _booked(case: _Case) -> ProcedureAppointment:
    appt = case.appointment
    if appt is None or appt.status == "cancelled":
        raise _not_yet()
    return appt


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


# -- the documents ----------------------------------------------------------------------------------------------
def application_form(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> ApplicationFormView:
    """申请单: the screening results (each rule's outcome and ID), the booked date and time, price, access code."""
    doc = Document.APPLICATION_FORM
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        appt = _booked(case)
        form, screening = case.form, case.screening
        if form is None or screening is None:
            raise _not_yet()
        reg = _registration_for(uow.session, case)
        code = reg.access_code if reg is not None else ""
        price = case.payment.amount_cny if case.payment is not None else ctx.effective().price_cny
        view = ApplicationFormView(
            form_number=form.number,
            patient=_patient_view(case, screening.visit_date),
            screening_date=screening.visit_date,
            findings=decode_findings(screening.findings),
            procedure_date=appt.day,
            procedure_time=appt.slot_time,
            price=price,
            access_code=code,
            issued_at=_aware(form.issued_at).astimezone(ctx.tz),
            doctor=DoctorView(screening.doctor_name or form.issued_by),
            access_url=f"{ctx.settings.base_url.rstrip('/')}/my-visit?code={code}" if code else None,
            provisional=ctx.calendar_for(appt.day).is_provisional(appt.day),
        )
        _audit(ctx, uow, case, doc, "application_form", form.id)
        return view


def before_procedure(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> BeforeProcedureView:
    """The before-the-procedure sheet: her date and time, no intercourse from the end of her period, the report."""
    doc = Document.BEFORE
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        appt = _booked(case)
        calendar = ctx.calendar_for(appt.day)
        period_end = cycle_of(case.screening.inputs).period_end if case.screening is not None else None
        view = BeforeProcedureView(
            procedure_date=appt.day,
            procedure_time=appt.slot_time,
            patient=_patient_view(case, appt.day),
            form_number=case.form.number if case.form is not None else None,
            abstain_from=period_end,
            price=case.payment.amount_cny if case.payment is not None else ctx.effective().price_cny,
            report_ready_on=report_ready_on(appt.day, calendar),
            provisional=calendar.is_provisional(appt.day),
        )
        _audit(ctx, uow, case, doc, "procedure_appointment", appt.id)
        return view


def receipt(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> ReceiptView:
    """BOOK-PRICE: the receipt of the self-pay fee (once paid; a refunded one says so)."""
    doc = Document.RECEIPT
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        pay = case.payment
        if pay is None or pay.receipt_number is None or pay.status == "unpaid":
            raise _not_yet()
        try:
            method: PaymentMethod | None = PaymentMethod(pay.method) if pay.method else None
        except ValueError:
            method = None
        cashier = ""
        if pay.recorded_by is not None:
            from hsgclinic.persistence.models import StaffUser

            user = uow.session.get(StaffUser, pay.recorded_by)
            cashier = user.display_name if user is not None else ""
        appt_day = case.appointment.day if case.appointment is not None else None
        view = ReceiptView(
            receipt_number=pay.receipt_number,
            amount=Decimal(pay.amount_cny).quantize(Decimal("0.01")),
            paid_at=_aware(pay.paid_at).astimezone(ctx.tz) if pay.paid_at else None,
            method=method,
            status=PaymentStatus(pay.status),
            patient=_patient_view(case, appt_day),
            form_number=case.form.number if case.form is not None else None,
            cashier=cashier,
            refunded_at=_aware(pay.refunded_at).astimezone(ctx.tz) if pay.refunded_at else None,
        )
        _audit(ctx, uow, case, doc, "payment", pay.id)
        return view


def report(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> ReportView:
    """The signed radiology report (never a draft; for the patient only from its ready day, REPORT-READY)."""
    doc = Document.REPORT
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        rep, proc = case.report, case.procedure
        if rep is None or proc is None or rep.status != "signed" or rep.signed_at is None:
            raise _not_yet()
        if case.actor.role is Role.PATIENT and ctx.today() < rep.ready_on:
            raise NotFound("not_ready", N_("This report cannot be printed yet."), rule="REPORT-READY")
        reg = _registration_for(uow.session, case)
        view = report_document(ctx, uow.session, rep, proc, case.patient, reg.access_code if reg else "")
        _audit(ctx, uow, case, doc, "report", rep.id)
        return view


def plan_from_record(stored: dict[str, Any]) -> AftercarePlan:
    """The :class:`AftercarePlan` stored by :func:`hsgclinic.services.procedure.produce_aftercare`."""

    def day(key: str) -> dt.date:
        return dt.date.fromisoformat(str(stored[key]))

    def maybe(key: str) -> dt.date | None:
        value = stored.get(key)
        return dt.date.fromisoformat(value) if isinstance(value, str) else None

    items = tuple(
        AftercareItem(
            rule=str(i["rule"]),
            day=dt.date.fromisoformat(i["day"]) if isinstance(i.get("day"), str) else None,
            message=decode_message(i["message"]),
            warning=bool(i.get("warning")),
        )
        for i in stored.get("items", [])
    )
    return AftercarePlan(
        procedure_date=day("procedure_date"),
        report_ready_on=day("report_ready_on"),
        abstain_through=day("abstain_through"),
        resume_from=day("resume_from"),
        antibiotic_days=int(stored["antibiotic_days"]),
        antibiotics_through=day("antibiotics_through"),
        bleeding_stops_by=day("bleeding_stops_by"),
        conceive_from=maybe("conceive_from"),
        conceive_estimated=bool(stored.get("conceive_estimated")),
        pregnancy_test_from=maybe("pregnancy_test_from"),
        contrast=ContrastKind(stored.get("contrast") or "water"),
        doxycycline=bool(stored.get("doxycycline")),
        pid_prophylaxis=bool(stored.get("pid_prophylaxis")),
        provisional=bool(stored.get("provisional")),
        items=items,
        tubes=TubesOpen(stored.get("tubes") or "unknown"),
    )


def aftercare(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> AftercareSheet:
    """The aftercare sheet: the stored aftercare plan's dates (CARE-*) for her."""
    doc = Document.AFTERCARE
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        if case.aftercare is None:
            raise _not_yet()
        plan = plan_from_record(case.aftercare.plan)
        sheet = AftercareSheet(
            plan=plan,
            patient=_patient_view(case, plan.procedure_date),
            form_number=case.form.number if case.form is not None else None,
        )
        _audit(ctx, uow, case, doc, "aftercare_plan", case.aftercare.id)
        return sheet


def calendar(
    ctx: ServiceContext,
    who: Who,
    *,
    appointment_id: int | None = None,
    procedure_id: int | None = None,
) -> CaseCalendar:
    """Her case's calendar: the screening visit, the booked procedure and the aftercare milestones (the stored
    plan after the procedure, before it the plan expected from the booked date)."""
    doc = Document.CALENDAR
    with ctx.write() as uow:
        case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
        appt = case.appointment
        if appt is None or (appt.status == "cancelled" and case.aftercare is None):
            raise _not_yet()
        if case.procedure is not None and case.procedure.stopped:
            raise _not_yet()
        plan: AftercarePlan | None
        if case.aftercare is not None:
            plan, stored = plan_from_record(case.aftercare.plan), True
        else:
            cycle = cycle_of(case.screening.inputs) if case.screening is not None else None
            try:
                plan = plan_aftercare(
                    appt.day,
                    ctx.calendar_for(appt.day),
                    ctx.settings.rules(),
                    period_start=cycle.period_start if cycle else None,
                    cycle_length=cycle.shortest_cycle if cycle else None,
                )
            except (AftercareInputError, CalendarRangeError):  # the procedure alone
                plan = None
            stored = False
        at = dt.datetime.combine(appt.day, appt.slot_time, tzinfo=ctx.tz)
        visit_day = case.screening.visit_date if case.screening is not None else None
        view = CaseCalendar(
            case_id=f"appointment-{appt.application_form_id}",
            visit_day=visit_day,
            procedure_at=at,
            plan=plan,
            plan_stored=stored,
        )
        _audit(ctx, uow, case, doc, "procedure_appointment", appt.id)
        return view


def available(
    ctx: ServiceContext, who: Actor, *, appointment_id: int | None = None, procedure_id: int | None = None
) -> frozenset[Document]:
    """Which documents exist for this case and this reader (for the links; no audit event, nothing rendered)."""
    with ctx.read() as uow:
        docs: set[Document] = set()
        for doc in Document:
            try:
                case = _case(ctx, uow, who, doc, appointment_id, procedure_id)
            except (NotFound, Forbidden):
                continue
            if _exists(ctx, case, doc):
                docs.add(doc)
        return frozenset(docs)


def _exists(ctx: ServiceContext, case: _Case, doc: Document) -> bool:
    appt = case.appointment
    booked = appt is not None and appt.status != "cancelled"
    if doc is Document.APPLICATION_FORM:
        return booked and case.form is not None and case.screening is not None
    if doc is Document.BEFORE:
        return booked
    if doc is Document.RECEIPT:
        pay = case.payment
        return pay is not None and pay.receipt_number is not None and pay.status != "unpaid"
    if doc is Document.REPORT:
        rep = case.report
        if rep is None or rep.status != "signed" or case.procedure is None:
            return False
        return case.actor.role is not Role.PATIENT or ctx.today() >= rep.ready_on
    if doc is Document.AFTERCARE:
        return case.aftercare is not None
    stopped = case.procedure is not None and case.procedure.stopped
    return appt is not None and not stopped and (booked or case.aftercare is not None)


__all__ = [
    "STAFF_ROLES",
    "AftercareSheet",
    "CaseCalendar",
    "Document",
    "PatientAccess",
    "aftercare",
    "application_form",
    "available",
    "before_procedure",
    "calendar",
    "plan_from_record",
    "receipt",
    "report",
]
