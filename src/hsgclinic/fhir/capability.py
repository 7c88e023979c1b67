"""The CapabilityStatement, built from the same table the router serves (:data:`resources.RESOURCES`)."""

from __future__ import annotations

from typing import Any

from hsgclinic import __version__
from hsgclinic.fhir import operation_definitions
from hsgclinic.fhir.access import ROLE_SCOPES
from hsgclinic.fhir.resources import RESOURCES
from hsgclinic.fhir.search import DEFAULT_COUNT, MAX_COUNT

OPERATIONS = {"find": operation_definitions.FIND, "book": operation_definitions.BOOK}
OPERATION_DOCS = {
    "find": "Proposed appointments on the dates that pass every BOOK rule for the patient's application form "
    "(parameter service-request, or patient for her latest form). Desk and doctor.",
    "book": "Books a proposed appointment through the desk's booking service (same capacity guarantee); "
    "parameter appt-resource (or the Appointment as the body), review-confirmed-by for a REVIEW date. Desk only.",
}


def capability_statement(base: str, date: str) -> dict[str, Any]:
    scopes = "; ".join(f"{role.value}: {' '.join(s)}" for role, s in ROLE_SCOPES.items() if s)
    resources = []
    for name, spec in RESOURCES.items():
        entry: dict[str, Any] = {
            "type": name,
            "documentation": spec.documentation,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "readHistory": False,
            "updateCreate": False,
            "searchParam": [
                {"name": p, "type": kind, "documentation": doc} for p, (kind, doc) in spec.search_params.items()
            ],
        }
        if spec.operations:
            entry["operation"] = [
                {
                    "name": op,
                    "definition": f"{base}/OperationDefinition/{OPERATIONS[op]}",
                    "documentation": OPERATION_DOCS[op],
                }
                for op in spec.operations
            ]
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "id": "hsgclinic",
        "url": f"{base}/metadata",
        "name": "HsgclinicFhirServer",
        "title": "hsgclinic FHIR R4 API",
        "status": "active",
        "experimental": False,
        "date": date,
        "publisher": "hsgclinic",
        "description": "Read and search of the painless-HSG pathway's records, and booking through $find/$book.",
        "kind": "instance",
        "software": {"name": "hsgclinic", "version": __version__},
        "implementation": {"description": "hsgclinic FHIR R4 endpoint", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": f"Searches page with _count (default {DEFAULT_COUNT}, at most {MAX_COUNT}) and "
                "_offset; an unsupported search parameter is refused (OperationOutcome, not ignored). Errors are "
                "OperationOutcome in the Accept-Language language (zh-CN default).",
                "security": {
                    "cors": False,
                    "description": "Bearer tokens of the JSON API (POST /api/v1/auth/login for staff, "
                    "/api/v1/patient/login for a patient); no OAuth server. Each role has these SMART-style "
                    f"scopes: {scopes}. Every read and write is recorded in the audit trail.",
                },
                "resource": resources,
            }
        ],
    }
