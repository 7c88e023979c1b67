"""The DICOM service's records (issue 9): Modality Performed Procedure Steps and the association log."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class PerformedStep(Base):
    """One MPPS SOP instance, as the modality reported it (N-CREATE IN PROGRESS, then N-SET COMPLETED or
    DISCONTINUED). The radiologist's procedure record is filled from it and says whether she confirmed or
    corrected it (``review``)."""

    __tablename__ = "performed_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    sop_instance_uid: Mapped[str] = mapped_column(String(64), unique=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("procedure_appointments.id"), index=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # IN PROGRESS, COMPLETED, DISCONTINUED
    station_ae_title: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    fluoroscopy_s: Mapped[Decimal | None] = mapped_column(Numeric(7, 1))
    exposures: Mapped[int | None]
    dap_gy_cm2: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    entrance_dose_mgy: Mapped[Decimal | None] = mapped_column(Numeric(10, 3))
    discontinuation_reason: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[dict[str, Any]]  # what the unit sent that we keep (keywords → values), for the record
    review: Mapped[dict[str, Any]]  # {"by", "at", "corrected": [field, …]} once the procedure record is saved
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class DicomExchange(Base):
    """One request the DICOM service answered (or one association it refused): the administrator's log."""

    __tablename__ = "dicom_exchanges"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    calling_ae_title: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    service: Mapped[str] = mapped_column(String(16))  # association, C-FIND, N-CREATE, N-SET, C-ECHO
    request: Mapped[dict[str, Any]]  # the keys asked for with their values (no patient data beyond the query)
    answers: Mapped[int]
    status: Mapped[str] = mapped_column(String(16))  # the DICOM status as hex, or "rejected"
