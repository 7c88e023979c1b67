"""Every table of the clinic (import this package to register them all on ``Base.metadata``)."""

from hsgclinic.persistence.models.admin import (
    AuditEvent,
    CalendarOverrideRow,
    ClinicSettingsRow,
    GrabWindow,
    IdempotencyKey,
    LoginAttempt,
    OutboxMessage,
)
from hsgclinic.persistence.models.dicom import DicomExchange, PerformedStep
from hsgclinic.persistence.models.pathway import (
    AftercarePlanRecord,
    ApplicationForm,
    Payment,
    ProcedureAppointment,
    ProcedureRecord,
    Report,
    ReportRevision,
    Screening,
)
from hsgclinic.persistence.models.people import AuthSession, Patient, StaffUser
from hsgclinic.persistence.models.registration import DayCounter, RegistrationNumber, WaitingLineEntry

__all__ = [
    "AftercarePlanRecord",
    "ApplicationForm",
    "AuditEvent",
    "AuthSession",
    "CalendarOverrideRow",
    "ClinicSettingsRow",
    "DayCounter",
    "DicomExchange",
    "GrabWindow",
    "IdempotencyKey",
    "LoginAttempt",
    "OutboxMessage",
    "Patient",
    "Payment",
    "PerformedStep",
    "ProcedureAppointment",
    "ProcedureRecord",
    "RegistrationNumber",
    "Report",
    "ReportRevision",
    "Screening",
    "StaffUser",
    "WaitingLineEntry",
]
