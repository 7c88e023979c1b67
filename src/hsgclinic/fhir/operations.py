"""Appointment/$find and Appointment/$book (Argonaut Scheduling style) over the booking service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from hsgclinic.domain.messages import N_, Message
from hsgclinic.fhir import scheduling
from hsgclinic.fhir.outcome import FhirError, outcome
from hsgclinic.fhir.resources import Request
from hsgclinic.services import booking, clinical_records


def _bad(message: Message) -> FhirError:
    return FhirError(400, "invalid", "invalid_parameters", message)


def parameters(body: Any) -> dict[str, list[dict[str, Any]]]:
    """A ``Parameters`` resource → name → its parameter entries."""
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise _bad(N_("Send the operation's input as a Parameters resource."))
    out: dict[str, list[dict[str, Any]]] = {}
    for p in body.get("parameter") or []:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            out.setdefault(p["name"], []).append(p)
    return out


def _ref_id(raw: object, kind: str, name: str) -> int:
    text = str(raw or "")
    head, _, tail = text.rpartition("/")
    if head and not head.endswith(kind):
        raise _bad(N_("The parameter {name} must refer to a {kind}.", name=name, kind=kind))
    try:
        value = int(tail)
    except ValueError:
        raise _bad(N_("The parameter {name} must refer to a {kind}.", name=name, kind=kind)) from None
    if not 1 <= value <= 2**31 - 1:
        raise _bad(N_("The parameter {name} must refer to a {kind}.", name=name, kind=kind))
    return value


def form_for(r: Request, service_request: object | None, patient: object | None) -> int:
    """The application form: the one named, else the patient's latest."""
    if service_request is not None:
        return _ref_id(service_request, "ServiceRequest", "service-request")
    if patient is None:
        raise _bad(N_("Give the parameter {name}.", name="service-request"))
    forms = clinical_records.application_forms(
        r.ctx, r.actor, patient_id=_ref_id(patient, "Patient", "patient"), count=clinical_records.MAX_COUNT
    ).items
    if not forms:
        raise FhirError(404, "not-found", "not_found", N_("This patient has no application form."))
    return max(f.id for f in forms)


def find(r: Request, base: str, form_id: int) -> dict[str, Any]:
    """A searchset of proposed appointments, best first; empty with an OperationOutcome saying why (BOOK-NEXT)."""
    options = booking.options(r.ctx, r.actor, form_id)
    form = clinical_records.application_forms(r.ctx, r.actor, form_id=form_id).items[0]
    days = options.dates
    places = {d.day: d for d in clinical_records.procedure_places(r.ctx, min(days), max(days))} if days else {}
    entries: list[dict[str, Any]] = []
    for offer in options.offers:
        place = places[offer.day]
        free = next((n for n in range(1, place.capacity + 1) if n not in place.taken), None)
        if free is None:
            continue
        notes = [f"{f.rule}: {r.t.render(f.message)}" for f in offer.verdict.findings if f.outcome.value != "PASS"]
        note = " ".join(notes) or f"{offer.places_left} places left"
        appt = scheduling.proposed(r.ctx.settings, form_id, form.patient_id, offer.day, free, note)
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": appt, "search": {"mode": "match"}})
    if not entries:
        refused = [
            f"{v.day.isoformat()} {f.rule}: {r.t.render(f.message)}" for v in options.refused for f in v.findings
        ]
        msg = N_("No date can be booked for this application form.")
        if options.next_cycle_start is not None:
            msg = N_(
                "No date can be booked for this application form; the next cycle is expected from {day}.",
                day=options.next_cycle_start,
            )
        oo = outcome(r.t, "not-found", "no_dates", msg, rules=["BOOK-NEXT"], extra=refused)
        oo["issue"][0]["severity"] = "information"
        oo["issue"][0]["code"] = "informational"
        entries.append({"fullUrl": f"urn:uuid:{uuid.uuid4()}", "resource": oo, "search": {"mode": "outcome"}})
    total = sum(1 for e in entries if e["search"]["mode"] == "match")
    return {"resourceType": "Bundle", "type": "searchset", "total": total, "entry": entries}


def book(r: Request, base: str, body: Any) -> dict[str, Any]:
    """Book through :func:`hsgclinic.services.booking.book` (the desk's service, the same capacity guarantee)."""
    confirmed: str | None = None
    if isinstance(body, dict) and body.get("resourceType") == "Appointment":
        appt = body
    else:
        params = parameters(body)
        got = params.get("appt-resource") or []
        if len(got) != 1 or not isinstance(got[0].get("resource"), dict):
            raise _bad(N_("Give the parameter {name}.", name="appt-resource"))
        appt = got[0]["resource"]
        who = params.get("review-confirmed-by") or []
        confirmed = str(who[0].get("valueString") or "").strip() or None if who else None
    if appt.get("resourceType") != "Appointment":
        raise _bad(N_("The parameter {name} must be an Appointment.", name="appt-resource"))
    based = [b.get("reference") for b in appt.get("basedOn") or [] if isinstance(b, dict)]
    if len(based) != 1:
        raise _bad(N_("The appointment must be based on one {kind}.", kind="ServiceRequest"))
    form_id = _ref_id(based[0], "ServiceRequest", "basedOn")
    start = str(appt.get("start") or "")
    try:
        moment = dt.datetime.fromisoformat(start)
    except ValueError:
        raise _bad(N_("The appointment needs a start with its time zone.")) from None
    if moment.tzinfo is None:
        raise _bad(N_("The appointment needs a start with its time zone."))
    day = moment.astimezone(r.tz).date()
    view = booking.book(r.ctx, r.actor, form_id, day, confirmed)
    booked = clinical_records.appointments(r.ctx, r.actor, appointment_id=view.appointment_id).items[0]
    resource = scheduling.appointment(r.ctx.settings, booked)
    entry = {"fullUrl": f"{base}/Appointment/{resource['id']}", "resource": resource, "search": {"mode": "match"}}
    return {"resourceType": "Bundle", "type": "searchset", "total": 1, "entry": [entry]}
