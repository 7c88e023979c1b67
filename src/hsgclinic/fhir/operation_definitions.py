"""The OperationDefinitions of ``Appointment/$find`` and ``$book`` as this server implements them (modelled on the
Argonaut Scheduling operations, with the application form as the ``service-request`` input)."""

from __future__ import annotations

from typing import Any

FIND, BOOK = "appointment-find", "appointment-book"


def _param(name: str, use: str, low: int, high: str, kind: str | None, doc: str, **extra: Any) -> dict[str, Any]:
    p = {"name": name, "use": use, "min": low, "max": high, "documentation": doc, **extra}
    if kind:
        p["type"] = kind
    return p


def definitions(base: str) -> dict[str, dict[str, Any]]:
    common = {
        "resourceType": "OperationDefinition",
        "status": "active",
        "kind": "operation",
        "affectsState": False,
        "resource": ["Appointment"],
        "system": False,
        "type": True,
        "instance": False,
    }
    return {
        FIND: {
            **common,
            "id": FIND,
            "url": f"{base}/OperationDefinition/{FIND}",
            "name": "AppointmentFind",
            "title": "Proposed HSG appointments for an application form",
            "description": "Dates that pass every BOOK rule (BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN and the places left) "
            "for the patient's application form, best first, each at the first free place of its day; "
            "nothing is stored. Modelled on Argonaut Scheduling's appointment-find.",
            "code": "find",
            "parameter": [
                _param(
                    "service-request",
                    "in",
                    0,
                    "1",
                    "Reference",
                    "The application form (ServiceRequest). Either this or patient.",
                    targetProfile=["http://hl7.org/fhir/StructureDefinition/ServiceRequest"],
                ),
                _param(
                    "patient",
                    "in",
                    0,
                    "1",
                    "Reference",
                    "The patient: her latest application form is used.",
                    targetProfile=["http://hl7.org/fhir/StructureDefinition/Patient"],
                ),
                _param(
                    "return",
                    "out",
                    1,
                    "1",
                    "Bundle",
                    "searchset of proposed Appointments; empty with an OperationOutcome (BOOK-NEXT) when none.",
                ),
            ],
        },
        BOOK: {
            **common,
            "id": BOOK,
            "url": f"{base}/OperationDefinition/{BOOK}",
            "name": "AppointmentBook",
            "title": "Book a proposed HSG appointment",
            "description": "Books the proposed appointment's day for the application form in basedOn through the "
            "desk's booking service (the lowest free place at commit, the same capacity guarantee). Modelled on "
            "Argonaut Scheduling's appointment-book. The Appointment may also be sent as the request body.",
            "affectsState": True,
            "code": "book",
            "parameter": [
                _param("appt-resource", "in", 1, "1", "Appointment", "A proposed Appointment from $find."),
                _param(
                    "review-confirmed-by",
                    "in",
                    0,
                    "1",
                    "string",
                    "The confirming doctor's name, required for a date needing review.",
                ),
                _param("return", "out", 1, "1", "Bundle", "searchset with the booked Appointment."),
            ],
        },
    }
