"""Patients (REG-REALNAME), staff users and login sessions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


def masked_from_last4(id_kind: str, last4: str) -> str:
    """REG-REALNAME's masked ID from what is kept in the clear: a resident ID is 18 characters, 14 of them hidden;
    a passport's length is not kept, so 4 stars stand for the hidden part. Empty once erased."""
    if not last4:
        return ""
    return ("*" * 14 if id_kind == "resident" else "****") + last4


class Patient(Base):
    """A person in her real name. ``id_hash`` (HMAC of the ID with the secret key) is what lookups and the
    uniqueness constraint use; the number itself is kept sealed (``id_number_sealed``) and never put in a list or a
    log: ``repr`` and :attr:`masked_id` show only the last 4 characters."""

    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_kind: Mapped[str] = mapped_column(String(16))
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The clinic's hospital record number ("HSG00000123"): the PatientID of the DICOM worklist and of the FHIR
    # Patient. Assigned in the transaction that creates her, never changed, never derived from the ID number.
    record_number: Mapped[str | None] = mapped_column(String(16), unique=True)
    # The ID number sealed at rest (AES-256-GCM, persistence/sealing.py, bound to id_hash); NULL once erased.
    # Opened only by services/patient_data.reveal_id_number, for a role that must see it.
    id_number_sealed: Mapped[str | None] = mapped_column(String(200))
    id_last4: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))  # optional: reminders by email (issue 5)
    preferred_lang: Mapped[str] = mapped_column(String(8), default="zh_CN", server_default="zh_CN")  # zh_CN / en
    birth_date: Mapped[dt.date | None]
    sex: Mapped[str | None] = mapped_column(String(1))
    created_at: Mapped[dt.datetime]
    # DATA-ERASE: when her personal data was erased; the row stays as the pseudonym the audit trail refers to.
    erased_at: Mapped[dt.datetime | None]

    @property
    def masked_id(self) -> str:
        return masked_from_last4(self.id_kind, self.id_last4)

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
