"""Patients (REG-REALNAME), staff users and login sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.domain.identity import mask_id
from hsgclinic.persistence.base import Base


class Patient(Base):
    """A person in her real name. ``id_hash`` (HMAC of the ID with the secret key) is what lookups and the
    uniqueness constraint use; the number itself is kept for the record but never put in a list or a log:
    ``repr`` and :attr:`masked_id` show only the last 4 characters."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_kind: Mapped[str] = mapped_column(String(16))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The clinic's hospital record number ("HSG00000123"): the PatientID of the DICOM worklist and of the FHIR
    # Patient. Assigned in the transaction that creates her, never changed, never derived from the ID number.
    record_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    id_number: Mapped[str] = mapped_column(String(32))
    id_last4: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))  # optional: reminders by email (issue 5)
    preferred_lang: Mapped[str] = mapped_column(String(8), default="zh_CN", server_default="zh_CN")  # zh_CN / en
    birth_date: Mapped[dt.date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[dt.datetime]

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    def __repr__(self) -> str:
        return f"Patient(id={self.id!r}, id={self.masked_id})"


class StaffUser(Base):
    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(16))  # registrar, doctor, radiologist, admin
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]


class AuthSession(Base):
    """A login: a staff user's, or a patient's (access code + last 4 of the ID). Only the token's hash is kept."""

    __tablename__ = "auth_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration_numbers.id"))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime] = mapped_column(index=True)
    address: Mapped[str] = mapped_column(String(64), default="")
