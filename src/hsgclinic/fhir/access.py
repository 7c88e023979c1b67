"""Who may do what at /fhir: the JSON API's bearer tokens and roles, described as SMART-on-FHIR style scopes.

A token is the one ``POST /api/v1/auth/login`` (staff) or ``POST /api/v1/patient/login`` (a patient's access
code) returns, sent as ``Authorization: Bearer …``. There is no OAuth server: each role simply *has* the scopes
below (``user/`` for staff, ``patient/`` for a patient, who sees only her own records — the services filter).
Scopes use the SMART v2 syntax: ``<context>/<Resource>.<permissions>`` with ``r`` read, ``s`` search and ``c``
create (``$book``). The CapabilityStatement and docs/fhir.md list the same table.
"""

from __future__ import annotations

from hsgclinic.domain.messages import N_
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import Forbidden, NotAuthenticated

DIRECTORY = ("Practitioner", "PractitionerRole", "HealthcareService", "Schedule", "Slot", "OperationDefinition")
ROLE_SCOPES: dict[Role, tuple[str, ...]] = {
    Role.REGISTRAR: (
        *(f"user/{r}.rs" for r in DIRECTORY),
        "user/Patient.rs",
        "user/Appointment.crs",  # $find, $book (the desk books)
        "user/ServiceRequest.rs",
    ),
    Role.DOCTOR: (
        *(f"user/{r}.rs" for r in DIRECTORY),
        "user/Patient.rs",
        "user/Appointment.rs",  # $find (the doctor may look at dates, as with GET …/dates)
        "user/ServiceRequest.rs",
        "user/Observation.rs",
    ),
    Role.RADIOLOGIST: (
        *(f"user/{r}.rs" for r in DIRECTORY),
        "user/Patient.rs",
        "user/Appointment.rs",
        "user/ServiceRequest.rs",
        "user/Observation.rs",
        "user/Procedure.rs",
        "user/DiagnosticReport.rs",
        "user/CarePlan.rs",
    ),
    Role.ADMIN: (
        *(f"user/{r}.rs" for r in DIRECTORY),
        "user/AuditEvent.rs",
    ),
    Role.PATIENT: (
        "patient/Patient.rs",
        "patient/Appointment.rs",
        "patient/ServiceRequest.rs",
        "patient/Observation.rs",
        "patient/Procedure.rs",
        "patient/DiagnosticReport.rs",
        "patient/CarePlan.rs",
        "patient/HealthcareService.rs",
    ),
    Role.PUBLIC: (),
}


def scopes(role: Role) -> tuple[str, ...]:
    return ROLE_SCOPES.get(role, ())


def allows(role: Role, resource: str, permission: str) -> bool:
    """``permission`` is one of ``r``, ``s``, ``c``."""
    for scope in scopes(role):
        _, _, rest = scope.partition("/")
        name, _, perms = rest.partition(".")
        if name == resource and permission in perms:
            return True
    return False


def require(actor: Actor, resource: str, permission: str) -> None:
    """401 without a token, 403 when the role's scopes do not cover ``resource``/``permission``."""
    if actor.role is Role.PUBLIC:
        raise NotAuthenticated("not_authenticated", N_("Please log in."))
    if not allows(actor.role, resource, permission):
        raise Forbidden("forbidden", N_("Your role may not do this."))
