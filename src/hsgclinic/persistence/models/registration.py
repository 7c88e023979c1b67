"""Registration numbers (REG-*) and the per-day counters that make the 07:00 rush safe.

See ``docs/decisions/0001-scarce-places.md``: a number or a procedure place is taken by one conditional
``UPDATE day_counters … WHERE remaining > 0`` (the lock on the day's row) plus the INSERT, in one transaction;
unique (day, patient) and unique (day, queue number) among the *active* rows are the backstop. ``active`` is
TRUE for a live row and NULL once cancelled, so a cancelled row drops out of both constraints (NULLs never
collide) on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class DayCounter(Base):
    """One row per (resource, day): ``remaining`` places and ``taken``, a '0'/'1' string (position n = number n).

    ``last_taken`` is the number the latest grant took (``RETURNING`` hands it back in the same statement).
    There is deliberately no foreign key *to* this row: a referencing insert would lock it again."""

    __tablename__ = "day_counters"

    resource: Mapped[str] = mapped_column(String(16), primary_key=True)  # "registration" | "procedure"
    day: Mapped[dt.date] = mapped_column(primary_key=True)
    quota: Mapped[int]
    remaining: Mapped[int]
    taken: Mapped[str] = mapped_column(String(1000))
    last_taken: Mapped[int] = mapped_column(default=0)


class RegistrationNumber(Base):
    __tablename__ = "registration_numbers"
    __table_args__ = (
        UniqueConstraint("day", "patient_id", "active"),  # one live number per person per day (REG-REALNAME)
        UniqueConstraint("day", "queue_number", "active"),  # one live holder per number (REG-SEQ)
        Index("ix_registration_numbers_day_status", "day", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date]
    queue_number: Mapped[int]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # taken, checked_in, cancelled, no_show
    active: Mapped[bool | None] = mapped_column(Boolean)
    access_code: Mapped[str] = mapped_column(String(16), unique=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))  # patient, cycle_changed, screening_failed, staff
    counts_as_noshow: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
    client_address: Mapped[str] = mapped_column(String(64), default="")


class WaitingLineEntry(Base):
    """A person waiting for a number of a sold-out day (REG-LINE, docs/decisions/0004-rush-tail.md).

    ``id`` is the arrival stamp: a number that comes back goes to the lowest waiting ``id`` of its day, in the
    returning transaction, so no retrying client can take it first. ``active`` is TRUE while waiting and NULL
    afterwards (one waiting place per person per day). ``access_code`` becomes her number's access code when she
    is served, so the code she was given on joining opens My visit."""

    __tablename__ = "number_waiting_line"
    __table_args__ = (
        UniqueConstraint("day", "patient_id", "active"),
        Index("ix_number_waiting_line_day_active", "day", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[dt.date]
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # waiting, served, withdrawn, superseded
    active: Mapped[bool | None] = mapped_column(Boolean)
    access_code: Mapped[str] = mapped_column(String(16), unique=True)
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registration_numbers.id"))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]
