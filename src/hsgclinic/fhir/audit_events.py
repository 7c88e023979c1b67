"""AuditEvent from the clinic's audit trail (read-only, administrators only)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from hsgclinic.fhir import codes
from hsgclinic.fhir.wire import instant, tidy
from hsgclinic.services.admin import AuditView

READS = (".read", ".list", ".search", ".options", ".login", ".lookup", ".download", ".print")
CREATES = (".create", ".record", ".issue", ".book", ".take", ".produce")
DELETES = (".delete", ".erase", ".remove")


def action_code(action: str) -> str:
    """The FHIR audit-event-action (C, R, U, D, E) for one of the trail's action names."""
    if action.endswith(READS):
        return "R"
    if action.endswith(CREATES):
        return "C"
    if action.endswith(DELETES):
        return "D"
    if "." in action:
        return "U"
    return "E"


def _who(actor: str) -> dict[str, Any]:
    """A patient's own access names her; staff by username; anyone else only by the trail's label."""
    kind, _, number = actor.partition(":")
    if kind == "patient" and number.isdigit():
        return {"reference": f"Patient/{number}", "display": actor}
    if actor == "public":
        return {"display": "public"}
    return {"identifier": {"system": codes.STAFF_USERNAME, "value": actor}, "display": actor}


def audit_event(e: AuditView, tz: ZoneInfo) -> dict[str, Any]:
    entities: list[dict[str, Any]] = [
        {
            "what": {"identifier": {"system": f"urn:hsgclinic:record:{e.record_type}", "value": e.record_id}},
            "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2"},
            "description": e.record_type,
        }
    ]
    if e.patient_id is not None:
        entities.append(
            {
                "what": {"reference": f"Patient/{e.patient_id}"},
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1"},
            }
        )
    return tidy(
        {
            "resourceType": "AuditEvent",
            "id": str(e.id),
            "type": {"system": codes.AUDIT_TYPE, "code": "rest", "display": "RESTful Operation"},
            "subtype": [{"system": "urn:hsgclinic:audit-action", "code": e.action}],
            "action": action_code(e.action),
            "recorded": instant(e.at, tz),
            "outcome": "0",
            "agent": [
                {
                    "who": _who(e.actor),
                    "role": [{"text": e.role}],
                    "requestor": True,
                    "network": {"address": e.address, "type": "2"} if e.address else None,
                }
            ],
            "source": {
                "observer": {"display": "hsgclinic"},
                "type": [{"system": codes.AUDIT_SOURCE_TYPE, "code": "4", "display": "Application Server"}],
            },
            "entity": entities,
        }
    )
