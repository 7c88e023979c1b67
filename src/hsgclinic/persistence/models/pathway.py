"""The pathway after the number: screening, application form, appointment, payment, procedure, report, aftercare."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class Screening(Base):
    """ELIG-*: every input and every rule outcome as JSON; REVIEW findings confirmed with a reason and a doctor."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration_numbers.id"))
    visit_date: Mapped[dt.date]
    inputs: Mapped[dict[str, Any]]
    findings: Mapped[dict[str, Any]]  # {"items": [{"rule", "outcome", "msgid", "params"}]}
    outcome: Mapped[str] = mapped_column(String(8))  # PASS / REVIEW / BLOCK
    overrides: Mapped[dict[str, Any]]  # {"items": [{"rule", "reason", "doctor"}]}
    doctor_name: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[dt.datetime]


class ApplicationForm(Base):
    """申请单: issued only when nothing in the screening is BLOCK; only then can a procedure be booked."""

    __tablename__ = "application_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    screening_id: Mapped[int] = mapped_column(ForeignKey("screenings.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    test_date: Mapped[dt.date]  # the leukorrhea test date T (BOOK-LEAD)
    issued_by: Mapped[str] = mapped_column(String(100))
    issued_at: Mapped[dt.datetime]


class ProcedureAppointment(Base):
    __tablename__ = "procedure_appointments"
    __table_args__ = (
        UniqueConstraint("day", "slot_number", "active"),
        UniqueConstraint("application_form_id", "active"),
        # A rescheduled booking is a new row that keeps the request's accession and study UID (the cancelled row
        # keeps them for the record, with active NULL): unique among live rows, like the form.
        UniqueConstraint("accession_number", "active"),
        UniqueConstraint("study_instance_uid", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_form_id: Mapped[int] = mapped_column(ForeignKey("application_forms.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    slot_number: Mapped[int]
    slot_time: Mapped[dt.time]
    status: Mapped[str] = mapped_column(String(16))  # booked, cancelled, done, stopped
    active: Mapped[bool | None] = mapped_column(Boolean)
    review_confirmed_by: Mapped[str | None] = mapped_column(String(100))
    findings: Mapped[dict[str, Any]]
    # The imaging order's identifiers, fixed when it is first booked (services/identifiers.py): the DICOM
    # AccessionNumber (SH, ≤ 16) and the pre-assigned StudyInstanceUID (UI, ≤ 64) the modality stores its images under.
    accession_number: Mapped[str | None] = mapped_column(String(16))
    study_instance_uid: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Payment(Base):
    """BOOK-PRICE: self-pay, Decimal CNY, unpaid → paid → refunded, with a receipt number."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("procedure_appointments.id"), unique=True)
    amount_cny: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(16))
    receipt_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    method: Mapped[str] = mapped_column(String(16), default="")
    paid_at: Mapped[dt.datetime | None]
    refunded_at: Mapped[dt.datetime | None]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))


class ProcedureRecord(Base):
    """PROC: what was done, with the day's urine hCG result (positive → stopped, nothing injected)."""

    __tablename__ = "procedure_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("procedure_appointments.id"), unique=True)
    hcg_result: Mapped[str] = mapped_column(String(16))
    stopped: Mapped[bool] = mapped_column(Boolean)
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    operator: Mapped[str] = mapped_column(String(100))
    contrast_agent: Mapped[str] = mapped_column(String(100), default="")
    contrast_kind: Mapped[str | None] = mapped_column(String(8))
    volume_ml: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    fluoroscopy_s: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    dap_gy_cm2: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    air_kerma_mgy: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    dose_findings: Mapped[dict[str, Any]]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[dt.datetime]


class Report(Base):
    """REPORT-FIELDS: the current findings; every earlier version lives in :class:`ReportRevision`."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure_records.id"), unique=True)
    version: Mapped[int]
    findings: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))  # draft, signed
    signed_by: Mapped[str | None] = mapped_column(String(100))
    signed_at: Mapped[dt.datetime | None]
    ready_on: Mapped[dt.date]
    updated_at: Mapped[dt.datetime]


class ReportRevision(Base):
    __tablename__ = "report_revisions"
    __table_args__ = (UniqueConstraint("report_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"), index=True)
    version: Mapped[int]
    findings: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]


class AftercarePlanRecord(Base):
    __tablename__ = "aftercare_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure_records.id"), unique=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    plan: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]
