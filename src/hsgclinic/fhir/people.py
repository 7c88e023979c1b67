"""Patient, Practitioner and PractitionerRole from the clinic's records (translation only)."""

from __future__ import annotations

from typing import Any

from hsgclinic.fhir import codes
from hsgclinic.fhir.wire import tidy
from hsgclinic.services.clinical_records import PatientRecord, StaffRecord

GENDER = {"F": "female", "M": "male"}
# staff role → (practitioner-role code, display) of http://terminology.hl7.org/CodeSystem/practitioner-role
ROLE_CODE = {
    "registrar": ("nurse", "Nurse"),
    "doctor": ("doctor", "Doctor"),
    "radiologist": ("doctor", "Doctor"),
    "admin": ("ict", "ICT professional"),
}
ROLE_TEXT = {
    "registrar": "Registrar / nurse (desk)",
    "doctor": "Screening doctor",
    "radiologist": "Radiologist",
    "admin": "Administrator",
}


def patient(p: PatientRecord) -> dict[str, Any]:
    ids: list[dict[str, Any]] = []
    if p.record_number:
        ids.append(
            {
                "use": "usual",
                "type": {"coding": [{"system": codes.V2_0203, "code": "MR", "display": "Medical record number"}]},
                "system": codes.RECORD_NUMBER,
                "value": p.record_number,
            }
        )
    kind = "Resident ID" if p.id_kind == "resident" else "Passport"
    ids.append(
        {
            "use": "secondary",
            "type": {
                "coding": [{"system": codes.V2_0203, "code": "NI" if p.id_kind == "resident" else "PPN"}],
                "text": f"{kind} (keyed hash; number ends in {p.id_last4})",
            },
            "system": codes.RESIDENT_ID_HASH,
            "value": p.id_hash,
        }
    )
    return tidy(
        {
            "resourceType": "Patient",
            "id": str(p.id),
            "identifier": ids,
            "active": True,
            "name": [{"use": "official", "text": p.name}],
            "telecom": [
                {"system": "phone", "value": p.phone, "use": "mobile"},
                {"system": "email", "value": p.email} if p.email else None,
            ],
            "gender": GENDER.get(p.sex or "", "unknown"),
            "birthDate": p.birth_date.isoformat() if p.birth_date else None,
            "communication": [
                {
                    "language": {
                        "coding": [
                            {
                                "system": "urn:ietf:bcp:47",
                                "code": "zh-CN" if p.preferred_lang == "zh_CN" else "en",
                            }
                        ]
                    },
                    "preferred": True,
                }
            ],
        }
    )


def shown_name(u: StaffRecord) -> str:
    return u.display_name.strip() or u.username


def practitioner(u: StaffRecord) -> dict[str, Any]:
    return tidy(
        {
            "resourceType": "Practitioner",
            "id": str(u.id),
            "identifier": [{"system": codes.STAFF_USERNAME, "value": u.username}],
            "active": u.active,
            "name": [{"text": shown_name(u)}],
        }
    )


def practitioner_role(u: StaffRecord) -> dict[str, Any]:
    code, display = ROLE_CODE.get(u.role, ("ict", "ICT professional"))
    return tidy(
        {
            "resourceType": "PractitionerRole",
            "id": str(u.id),
            "active": u.active,
            "practitioner": {"reference": f"Practitioner/{u.id}", "display": shown_name(u)},
            "code": [
                {
                    "coding": [
                        {"system": codes.PRACTITIONER_ROLE, "code": code, "display": display},
                        {"system": codes.STAFF_ROLE, "code": u.role},
                    ],
                    "text": ROLE_TEXT.get(u.role, u.role),
                }
            ],
            "specialty": ([{"text": "Radiology (interventional imaging)"}] if u.role == "radiologist" else None),
            "healthcareService": [{"reference": "HealthcareService/hsg"}],
        }
    )
