"""Administration: calendar overrides, clinic settings, audit trail, idempotency keys, login attempts, number-grab
windows, outbox."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class CalendarOverrideRow(Base):
    """CAL-SOURCE: an administrator's override (extra closure, a notice's holiday, an extra working day)."""

    __tablename__ = "calendar_overrides"

    day: Mapped[dt.date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[dt.datetime]


class ClinicSettingsRow(Base):
    """The single row (id = 1) of admin-edited settings; a NULL column falls back to the environment default."""

    __tablename__ = "clinic_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    daily_numbers: Mapped[int | None]
    procedure_capacity: Mapped[int | None]
    release_time: Mapped[dt.time | None]
    booking_horizon_days: Mapped[int | None]
    price_cny: Mapped[Decimal | None]
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[dt.datetime]


class AuditEvent(Base):
    """Append-only: who (and in which role), did what, to which record, when, from where. Never updated."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(100))  # staff username, "patient:<id>" or "public"
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64), index=True)
    record_type: Mapped[str] = mapped_column(String(32))
    record_id: Mapped[str] = mapped_column(String(64))
    patient_id: Mapped[int | None] = mapped_column(index=True)  # no FK: the trail outlives any record
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict[str, Any]]


class IdempotencyKey(Base):
    """A client's ``Idempotency-Key``: the first answer is stored and a retry gets exactly it back."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    response: Mapped[dict[str, Any]]
    created_at: Mapped[dt.datetime]


class LoginAttempt(Base):
    """Failed logins, kept in the database so that every server process counts the same attempts."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime]


class GrabWindow(Base):
    """Number-grab attempts of one client in one clock minute, counted in the database so that every server
    process and host enforces ONE limit (``grab_rate_per_minute``). One row per (client, minute), bumped by one
    ``INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count`` per attempt; windows older than the
    previous minute are pruned. On PostgreSQL the table is UNLOGGED (see migration 0006): no WAL, so the bump
    commits without a disk flush; a crash empties it, which only forgets the last minute's counts."""

    __tablename__ = "grab_windows"

    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_minute: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)  # Unix time // 60
    count: Mapped[int]


class OutboxMessage(Base):
    """A message to send after commit (written in the same transaction as the change that causes it)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    case_ref: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(16))  # sms, email
    template: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    due_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime]
