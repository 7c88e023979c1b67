"""Delivery records beside the outbox (docs/decisions/0002-outbox-delivery.md) and the check-in flags (CARE-BLEED).

The outbox row itself is :class:`~hsgclinic.persistence.models.OutboxMessage`; these tables add what delivery needs
without changing it:

* :class:`OutboxKey` — one row per enqueued message with its idempotency key ("case|channel|reminder key"): the
  same reminder enqueued twice (a retried request, a re-plan) finds the existing message. A withdrawn message
  gives its key up so that a later plan may enqueue it again.
* :class:`OutboxAttempt` — every delivery attempt: who tried, when, and how it ended (``sending`` while in flight;
  ``sent``, ``failed``, or ``abandoned`` when a worker died between sending and recording).
* :class:`CheckinReport` / :class:`CareFlag` — what a patient reported through her check-in link, and the flag it
  raised on the desk's list with the CARE rule that triggered it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class OutboxKey(Base):
    __tablename__ = "outbox_keys"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"), unique=True)


class OutboxAttempt(Base):
    __tablename__ = "outbox_attempts"
    __table_args__ = (Index("ix_outbox_attempts_outbox_id_number", "outbox_id", "number", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id", ondelete="CASCADE"))
    number: Mapped[int]  # 1, 2, … (equals outbox_messages.attempts after the claim that started it)
    worker: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime]
    finished_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))  # sending, sent, failed, abandoned
    error: Mapped[str] = mapped_column(Text, default="")
    message_ref: Mapped[str] = mapped_column(String(255), default="")  # e.g. the SMTP Message-ID


class CheckinReport(Base):
    """What the patient answered on her post-procedure check-in page."""

    __tablename__ = "checkin_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    case_ref: Mapped[str] = mapped_column(String(64), index=True)
    procedure_date: Mapped[dt.date]
    reported_at: Mapped[dt.datetime]
    answers: Mapped[dict[str, Any]]  # {"bleeding", "heavier_than_period", "temperature_c", "pain", "note"}


class CareFlag(Base):
    """A flag on the desk's list: ``rule`` (e.g. CARE-BLEED) and ``reason``; open until a member of staff closes it."""

    __tablename__ = "care_flags"
    __table_args__ = (Index("ix_care_flags_status_raised_at", "status", "raised_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkin_reports.id"), index=True)
    patient_id: Mapped[int | None] = mapped_column(ForeignKey("patients.id"), index=True)
    case_ref: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(32))  # bleeding_past_d7, bleeding_heavy, fever, pain
    status: Mapped[str] = mapped_column(String(16), default="open")  # open, closed
    raised_at: Mapped[dt.datetime]
    closed_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[dt.datetime | None]
