"""What /fhir serves: per resource type its search parameters and how a read or a search calls the services.

The router and the CapabilityStatement are both built from :data:`RESOURCES`, so the statement lists exactly what
is answered (an undeclared search parameter is refused with an OperationOutcome, never ignored).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from hsgclinic.domain.identity import IdentityError, IdKind, parse_identity
from hsgclinic.domain.messages import N_
from hsgclinic.fhir import audit_events, clinical, codes, operation_definitions, people, scheduling
from hsgclinic.fhir.search import Args, invalid
from hsgclinic.i18n import Translator
from hsgclinic.services import audit_log, clinical_records, patients
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import NotFound

Found = tuple[list[dict[str, Any]], int]
R = TypeVar("R")


@dataclass(frozen=True)
class Request:
    ctx: ServiceContext
    actor: Actor
    t: Translator
    base: str = ""

    @property
    def tz(self) -> ZoneInfo:
        return self.ctx.tz


@dataclass(frozen=True)
class ResourceSpec:
    search_params: dict[str, tuple[str, str]]  # name → (FHIR search type, documentation)
    read: Callable[[Request, str], dict[str, Any]]
    search: Callable[[Request, Args], Found]
    documentation: str = ""
    operations: tuple[str, ...] = field(default=())


def _id(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise NotFound("not_found", N_("No such record.")) from None
    if not 1 <= value <= 2**31 - 1:
        raise NotFound("not_found", N_("No such record."))
    return value


def _one(items: list[R]) -> R:
    if not items:
        raise NotFound("not_found", N_("No such record."))
    return items[0]


# -- Patient ----------------------------------------------------------------------------------------------------------
def _patient_search(r: Request, a: Args) -> Found:
    record_number = id_hash = None
    token = a.token("identifier")
    if token is not None:
        system, value = token
        if system in (None, codes.RECORD_NUMBER) and value.upper().startswith("HSG"):
            record_number = value.upper()
        elif system == codes.RESIDENT_ID_HASH:
            id_hash = value.lower()
        elif system == codes.RESIDENT_ID:
            id_hash = resident_id_hash(r.ctx.settings.secret_key, value)
        else:
            return [], 0
    page = clinical_records.patients(
        r.ctx,
        r.actor,
        patient_id=a.reference("_id", "Patient"),
        record_number=record_number,
        id_hash=id_hash,
        name=a.one("name"),
        offset=a.offset,
        count=a.count,
    )
    return [people.patient(p) for p in page.items], page.total


def resident_id_hash(secret_key: str, number: str) -> str:
    """The keyed hash the clinic stores for a resident ID (an invalid number gets a hash that matches nobody)."""
    try:
        return patients.id_hash(secret_key, parse_identity(number, IdKind.RESIDENT))
    except IdentityError:
        return hashlib.sha256(b"no-such-id").hexdigest()


def link_args(kind: str, a: Args, secret_key: str) -> Args:
    """The query as the Bundle's links repeat it: a full resident ID is replaced by its hash (never echoed)."""
    if kind != "Patient":
        return a
    values = {k: list(v) for k, v in a.values.items()}
    values["identifier"] = [
        f"{codes.RESIDENT_ID_HASH}|{resident_id_hash(secret_key, v.partition('|')[2])}"
        if v.startswith(codes.RESIDENT_ID + "|")
        else v
        for v in values.get("identifier", [])
    ]
    if not values["identifier"]:
        del values["identifier"]
    return Args(values, a.count, a.offset)


def _patient_read(r: Request, rid: str) -> dict[str, Any]:
    page = clinical_records.patients(r.ctx, r.actor, patient_id=_id(rid))
    return people.patient(_one(page.items))


# -- staff ------------------------------------------------------------------------------------------------------------
def _staff(make: Callable[[clinical_records.StaffRecord], dict[str, Any]]) -> tuple[Any, Any]:
    def search(r: Request, a: Args) -> Found:
        page = clinical_records.staff_members(
            r.ctx, r.actor, user_id=a.reference("_id", ""), offset=a.offset, count=a.count
        )
        return [make(u) for u in page.items], page.total

    def read(r: Request, rid: str) -> dict[str, Any]:
        return make(_one(clinical_records.staff_members(r.ctx, r.actor, user_id=_id(rid)).items))

    return read, search


# -- HealthcareService, Schedule, Slot -------------------------------------------------------------------------
def _service(r: Request) -> dict[str, Any]:
    today = r.ctx.today()
    last = dt.date(today.year + 1, 12, 31)
    first = dt.date(today.year, 1, 1)
    statutory = clinical_records.closures(r.ctx, first, last)
    return scheduling.healthcare_service(
        r.ctx.settings, r.ctx.effective().procedure_capacity, statutory, english=not r.t.is_zh
    )


def _service_read(r: Request, rid: str) -> dict[str, Any]:
    if rid != scheduling.SERVICE_ID:
        raise NotFound("not_found", N_("No such record."))
    return _service(r)


def _service_search(r: Request, a: Args) -> Found:
    wanted = a.one("_id")
    if wanted is not None and wanted != scheduling.SERVICE_ID:
        return [], 0
    return ([_service(r)] if a.count else []), 1


def _horizon(r: Request) -> tuple[dt.date, dt.date]:
    today = r.ctx.today()
    return today, today + dt.timedelta(days=max(r.ctx.settings.rules().lead_max_days, 7) + 30)


def _schedule_read(r: Request, rid: str) -> dict[str, Any]:
    if rid != scheduling.SCHEDULE_ID:
        raise NotFound("not_found", N_("No such record."))
    return scheduling.schedule(*_horizon(r))


def _schedule_search(r: Request, a: Args) -> Found:
    wanted = a.one("_id")
    if wanted is not None and wanted != scheduling.SCHEDULE_ID:
        return [], 0
    return ([scheduling.schedule(*_horizon(r))] if a.count else []), 1


def _slot_search(r: Request, a: Args) -> Found:
    schedule = a.one("schedule")
    if schedule is not None and schedule.rsplit("/", 1)[-1] != scheduling.SCHEDULE_ID:
        return [], 0
    first, last = a.days("start")
    today = r.ctx.today()
    first = first or today
    last = last or first + dt.timedelta(days=6)
    if (last - first).days > 92:
        raise invalid(N_("Search at most 93 days of {name} at a time.", name="start"))
    status = a.one("status")
    if status not in (None, "free", "busy"):
        return [], 0
    out = [
        s
        for day in clinical_records.procedure_places(r.ctx, first, last)
        for s in scheduling.slots(r.ctx.settings, day)
        if status is None or s["status"] == status
    ]
    return out[a.offset : a.offset + a.count], len(out)


def _slot_read(r: Request, rid: str) -> dict[str, Any]:
    parsed = scheduling.parse_slot_id(rid)
    if parsed is None:
        raise NotFound("not_found", N_("No such record."))
    day, _number = parsed
    found = [s for d in clinical_records.procedure_places(r.ctx, day, day) for s in scheduling.slots(r.ctx.settings, d)]
    return _one([s for s in found if s["id"] == rid])


# -- Appointment, ServiceRequest ---------------------------------------------------------------------------------------
APPOINTMENT_STATUS = {v: [k for k, x in scheduling.STATUS.items() if x == v] for v in scheduling.STATUS.values()}


def _appointment_search(r: Request, a: Args) -> Found:
    first, last = a.days("date")
    statuses: list[str] = []
    for raw in a.all("status"):
        for s in raw.split(","):
            statuses += APPOINTMENT_STATUS.get(s.strip(), ["-"])
    page = clinical_records.appointments(
        r.ctx,
        r.actor,
        appointment_id=a.reference("_id", "Appointment"),
        patient_id=a.reference("patient", "Patient") or a.reference("actor", "Patient"),
        first=first,
        last=last,
        statuses=statuses,
        offset=a.offset,
        count=a.count,
    )
    return [scheduling.appointment(r.ctx.settings, x) for x in page.items], page.total


def _appointment_read(r: Request, rid: str) -> dict[str, Any]:
    page = clinical_records.appointments(r.ctx, r.actor, appointment_id=_id(rid))
    return scheduling.appointment(r.ctx.settings, _one(page.items))


def _form_search(r: Request, a: Args) -> Found:
    page = clinical_records.application_forms(
        r.ctx,
        r.actor,
        form_id=a.reference("_id", "ServiceRequest"),
        patient_id=a.reference("patient", "Patient") or a.reference("subject", "Patient"),
        offset=a.offset,
        count=a.count,
    )
    return [clinical.service_request(f, r.tz) for f in page.items], page.total


def _form_read(r: Request, rid: str) -> dict[str, Any]:
    page = clinical_records.application_forms(r.ctx, r.actor, form_id=_id(rid))
    return clinical.service_request(_one(page.items), r.tz)


# -- Observation ------------------------------------------------------------------------------------------------------
def _observation_search(r: Request, a: Args) -> Found:
    patient = a.reference("patient", "Patient") or a.reference("subject", "Patient")
    if patient is None:
        raise invalid(N_("Search observations by {name}.", name="patient"))
    src = clinical_records.observation_sources(r.ctx, r.actor, patient)
    out = [o for s in src.screenings for o in clinical.screening_observations(s)]
    out += [o for p in src.procedures for o in clinical.procedure_observations(p, r.tz)]
    out += [o for rep in src.reports for o in clinical.report_observations(rep, r.tz)]
    category = a.one("category")
    if category is not None:
        out = [o for o in out if any(c["code"] == category.split("|")[-1] for c in o["category"][0]["coding"])]
    code = a.token("code")
    if code is not None:
        out = [o for o in out if any(c.get("code") == code[1] for c in o["code"].get("coding", []))]
    return out[a.offset : a.offset + a.count], len(out)


def _observation_read(r: Request, rid: str) -> dict[str, Any]:
    head, _, part = rid.partition("-")
    kind, number = head[: len(head.rstrip("0123456789"))], head[len(head.rstrip("0123456789")) :]
    if not number or not part:
        raise NotFound("not_found", N_("No such record."))
    if kind == "scr":
        found = clinical.screening_observations(
            _one_of(clinical_records.screenings(r.ctx, r.actor, screening_id=_id(number)).items)
        )
    elif kind == "proc":
        found = clinical.procedure_observations(
            _one_of(clinical_records.procedures(r.ctx, r.actor, procedure_id=_id(number)).items), r.tz
        )
    elif kind == "rep":
        found = clinical.report_observations(
            _one_of(clinical_records.signed_reports(r.ctx, r.actor, report_id=_id(number)).items), r.tz
        )
    else:
        raise NotFound("not_found", N_("No such record."))
    return _one([o for o in found if o["id"] == rid])


def _one_of(items: list[Any]) -> Any:
    if not items:
        raise NotFound("not_found", N_("No such record."))
    return items[0]


# -- Procedure, DiagnosticReport, CarePlan ---------------------------------------------------------------------
def _patient_param(a: Args) -> int | None:
    return a.reference("patient", "Patient") or a.reference("subject", "Patient")


def _procedure_search(r: Request, a: Args) -> Found:
    page = clinical_records.procedures(
        r.ctx,
        r.actor,
        procedure_id=a.reference("_id", "Procedure"),
        patient_id=_patient_param(a),
        offset=a.offset,
        count=a.count,
    )
    return [clinical.procedure(p, r.tz) for p in page.items], page.total


def _procedure_read(r: Request, rid: str) -> dict[str, Any]:
    return clinical.procedure(_one_of(clinical_records.procedures(r.ctx, r.actor, procedure_id=_id(rid)).items), r.tz)


def _report_search(r: Request, a: Args) -> Found:
    page = clinical_records.signed_reports(
        r.ctx,
        r.actor,
        report_id=a.reference("_id", "DiagnosticReport"),
        patient_id=_patient_param(a),
        offset=a.offset,
        count=a.count,
    )
    return [clinical.diagnostic_report(x, r.tz) for x in page.items], page.total


def _report_read(r: Request, rid: str) -> dict[str, Any]:
    found = clinical_records.signed_reports(r.ctx, r.actor, report_id=_id(rid)).items
    return clinical.diagnostic_report(_one_of(found), r.tz)


def _plan_search(r: Request, a: Args) -> Found:
    page = clinical_records.aftercare_plans(
        r.ctx,
        r.actor,
        plan_id=a.reference("_id", "CarePlan"),
        patient_id=_patient_param(a),
        offset=a.offset,
        count=a.count,
    )
    return [clinical.care_plan(p, r.t, r.tz) for p in page.items], page.total


def _plan_read(r: Request, rid: str) -> dict[str, Any]:
    found = clinical_records.aftercare_plans(r.ctx, r.actor, plan_id=_id(rid)).items
    return clinical.care_plan(_one_of(found), r.t, r.tz)


# -- AuditEvent ------------------------------------------------------------------------------------------------
def _audit_search(r: Request, a: Args) -> Found:
    first, last = a.days("date")
    per_page = max(a.count, 1)
    if a.offset % per_page:
        raise invalid(N_("For {name}, _offset must be a multiple of _count.", name="AuditEvent"))
    f = audit_log.AuditFilter(first=first, last=last, actor=a.one("agent"), action=a.one("subtype"))
    page = audit_log.search(r.ctx, r.actor, f, page=a.offset // per_page + 1, per_page=per_page)
    return ([audit_events.audit_event(e, r.tz) for e in page.items] if a.count else []), page.total


def _audit_read(r: Request, rid: str) -> dict[str, Any]:
    return audit_events.audit_event(clinical_records.audit_event(r.ctx, r.actor, _id(rid)), r.tz)


# -- OperationDefinition ------------------------------------------------------------------------------------------
def _definition_read(r: Request, rid: str) -> dict[str, Any]:
    found = operation_definitions.definitions(r.base).get(rid)
    if found is None:
        raise NotFound("not_found", N_("No such record."))
    return found


def _definition_search(r: Request, a: Args) -> Found:
    wanted = a.one("_id")
    found = [d for k, d in operation_definitions.definitions(r.base).items() if wanted in (None, k)]
    return found[a.offset : a.offset + a.count], len(found)


PRACTITIONER_READ, PRACTITIONER_SEARCH = _staff(people.practitioner)
ROLE_READ, ROLE_SEARCH = _staff(people.practitioner_role)
ID = {"_id": ("token", "the resource id")}
PATIENT = {"patient": ("reference", "Patient/<id>"), "subject": ("reference", "Patient/<id>")}

RESOURCES: dict[str, ResourceSpec] = {
    "Patient": ResourceSpec(
        {
            **ID,
            "identifier": ("token", "record number, or resident ID (hashed at once; never stored in a log)"),
            "name": ("string", "part of the name"),
        },
        _patient_read,
        _patient_search,
        "The clinic's patients: record number and a keyed hash of the ID.",
    ),
    "Practitioner": ResourceSpec(ID, PRACTITIONER_READ, PRACTITIONER_SEARCH, "Staff users (display names)."),
    "PractitionerRole": ResourceSpec(ID, ROLE_READ, ROLE_SEARCH, "Each staff user's role at the HSG clinic."),
    "HealthcareService": ResourceSpec(
        ID, _service_read, _service_search, "The HSG clinic; notAvailable lists the closures (CAL-OPEN)."
    ),
    "Schedule": ResourceSpec(ID, _schedule_read, _schedule_search, "The procedure places of each open day."),
    "Slot": ResourceSpec(
        {
            "schedule": ("reference", "Schedule/hsg-procedures"),
            "start": ("date", "days, clinic time (eq/ge/gt/le/lt)"),
            "status": ("token", "free | busy"),
        },
        _slot_read,
        _slot_search,
        "One Slot per procedure place of an open day (BOOK-OPEN).",
    ),
    "Appointment": ResourceSpec(
        {
            **ID,
            **PATIENT,
            "actor": ("reference", "Patient/<id>"),
            "date": ("date", "the procedure day"),
            "status": ("token", "booked | fulfilled | cancelled"),
        },
        _appointment_read,
        _appointment_search,
        "Procedure appointments.",
        ("find", "book"),
    ),
    "ServiceRequest": ResourceSpec({**ID, **PATIENT}, _form_read, _form_search, "The HSG order (application form)."),
    "Observation": ResourceSpec(
        {
            **PATIENT,
            "category": ("token", "vital-signs | laboratory | survey | procedure | imaging"),
            "code": ("token", "e.g. http://loinc.org|8310-5"),
        },
        _observation_read,
        _observation_search,
        "Screening (temperature, leukorrhea, LMP), procedure dose and report findings; search needs patient.",
    ),
    "Procedure": ResourceSpec({**ID, **PATIENT}, _procedure_read, _procedure_search, "The HSG as done (PROC)."),
    "DiagnosticReport": ResourceSpec(
        {**ID, **PATIENT}, _report_read, _report_search, "Signed HSG reports only; amended after a correction."
    ),
    "CarePlan": ResourceSpec({**ID, **PATIENT}, _plan_read, _plan_search, "The dated aftercare plan (CARE-*)."),
    "OperationDefinition": ResourceSpec(
        ID, _definition_read, _definition_search, "The operations $find and $book as implemented here."
    ),
    "AuditEvent": ResourceSpec(
        {"date": ("date", "days, clinic time"), "agent": ("token", "username"), "subtype": ("token", "action")},
        _audit_read,
        _audit_search,
        "The audit trail (administrators).",
    ),
}
