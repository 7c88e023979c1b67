"""Administration: clinic settings (DB values override the environment), calendar overrides, the audit trail."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from hsgclinic.calendar_source import OverrideKind
from hsgclinic.domain.messages import N_
from hsgclinic.persistence import locking
from hsgclinic.persistence.models import AuditEvent, CalendarOverrideRow, ClinicSettingsRow
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Effective, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound


def update_settings(
    ctx: ServiceContext,
    actor: Actor,
    *,
    daily_numbers: int | None = None,
    procedure_capacity: int | None = None,
    release_time: dt.time | None = None,
    booking_horizon_days: int | None = None,
    price_cny: Decimal | None = None,
) -> Effective:
    """Change the admin-editable settings (None leaves a value as it is). A new quota or capacity also applies
    to today and later days already opened, never below a number already taken."""
    if daily_numbers is not None and not 1 <= daily_numbers <= 1000:
        raise InvalidInput("invalid_setting", N_("Daily numbers must be 1–1000."), rule="REG-QUOTA")
    if procedure_capacity is not None and not 1 <= procedure_capacity <= 500:
        raise InvalidInput("invalid_setting", N_("Procedure capacity must be 1–500."), rule="BOOK-OPEN")
    if booking_horizon_days is not None and not 0 <= booking_horizon_days <= 60:
        raise InvalidInput("invalid_setting", N_("The booking horizon must be 0–60 days."), rule="REG-RELEASE")
    if price_cny is not None and (price_cny < 0 or price_cny != price_cny.quantize(Decimal("0.01"))):
        raise InvalidInput(
            "invalid_setting", N_("The price is a non-negative amount with 2 decimals."), rule="BOOK-PRICE"
        )
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        row = s.get(ClinicSettingsRow, 1)
        if row is None:
            row = ClinicSettingsRow(id=1, updated_at=now)
            s.add(row)
        changes: dict[str, Any] = {}
        for name, value in (
            ("daily_numbers", daily_numbers),
            ("procedure_capacity", procedure_capacity),
            ("release_time", release_time),
            ("booking_horizon_days", booking_horizon_days),
            ("price_cny", price_cny),
        ):
            if value is not None:
                setattr(row, name, value)
                changes[name] = str(value)
        row.updated_by, row.updated_at = actor.name, now
        if daily_numbers is not None:
            locking.resize_from(s, locking.REGISTRATION, ctx.today(), daily_numbers)
            from hsgclinic.services import waiting_line  # the new numbers go to the waiting line first (REG-LINE)

            for resource, day in sorted(s.info.get(locking.RETURNED_KEY, set())):
                if resource == locking.REGISTRATION:
                    waiting_line.hand_on(ctx, s, actor, day)
        if procedure_capacity is not None:
            locking.resize_from(s, locking.PROCEDURE, ctx.today(), procedure_capacity)
        audit.record(s, actor, "settings.update", "clinic_settings", 1, at=now, detail=changes)
        uow.commit()
    ctx.on_settings_change()
    return ctx.effective()


@dataclass(frozen=True)
class OverrideView:
    day: dt.date
    kind: str
    name_zh: str
    name_en: str


def list_overrides(ctx: ServiceContext) -> list[OverrideView]:
    with ctx.read() as uow:
        rows = uow.session.execute(select(CalendarOverrideRow).order_by(CalendarOverrideRow.day)).scalars().all()
        return [OverrideView(r.day, r.kind, r.name_zh, r.name_en) for r in rows]


def set_override(
    ctx: ServiceContext, actor: Actor, day: dt.date, kind: str, name_zh: str = "", name_en: str = ""
) -> OverrideView:
    """CAL-SOURCE: add or replace the override of ``day``."""
    try:
        k = OverrideKind(kind)
    except ValueError:
        raise InvalidInput("invalid_override", N_("Unknown kind of calendar override."), rule="CAL-SOURCE") from None
    now = ctx.now()
    cal = ctx.calendar_for(day)
    closes = k is not OverrideKind.WORKDAY and (not cal.covers(day) or cal.is_open(day))
    with ctx.write() as uow:
        s = uow.session
        row = s.get(CalendarOverrideRow, day)
        if row is None:
            row = CalendarOverrideRow(day=day, created_at=now)
            s.add(row)
        row.kind, row.name_zh, row.name_en, row.created_by, row.created_at = k.value, name_zh, name_en, actor.name, now
        if closes:  # issue 8: everyone with a number or booking that day is told at once, in this transaction
            from hsgclinic.services import closures

            closures.notify_closed(ctx, s, [day])
        audit.record(
            s, actor, "calendar.override", "calendar_override", day.isoformat(), at=now, detail={"kind": k.value}
        )
        uow.commit()
    ctx.on_calendar_change()
    return OverrideView(day, k.value, name_zh, name_en)


def delete_override(ctx: ServiceContext, actor: Actor, day: dt.date) -> None:
    now = ctx.now()
    with ctx.write() as uow:
        row = uow.session.get(CalendarOverrideRow, day)
        if row is None:
            raise NotFound("not_found", N_("No override on {day}.", day=day))
        uow.session.delete(row)
        audit.record(uow.session, actor, "calendar.override_delete", "calendar_override", day.isoformat(), at=now)
        uow.commit()
    ctx.on_calendar_change()


@dataclass(frozen=True)
class AuditView:
    id: int
    at: dt.datetime
    actor: str
    role: str
    action: str
    record_type: str
    record_id: str
    patient_id: int | None
    address: str
    detail: dict[str, Any]


def list_audit(
    ctx: ServiceContext,
    actor: Actor,
    *,
    patient_id: int | None = None,
    action: str | None = None,
    actor_name: str | None = None,
    since: dt.datetime | None = None,
    limit: int = 200,
) -> list[AuditView]:
    """Admin: the trail, newest first, filtered. Reading it is itself recorded."""
    with ctx.write() as uow:
        q = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(max(1, min(limit, 1000)))
        if patient_id is not None:
            q = q.where(AuditEvent.patient_id == patient_id)
        if action:
            q = q.where(AuditEvent.action == action)
        if actor_name:
            q = q.where(AuditEvent.actor == actor_name)
        if since is not None:
            q = q.where(AuditEvent.at >= since)
        rows = uow.session.execute(q).scalars().all()
        views = [
            AuditView(
                r.id,
                r.at,
                r.actor,
                r.role,
                r.action,
                r.record_type,
                r.record_id,
                r.patient_id,
                r.address,
                dict(r.detail),
            )
            for r in rows
        ]
        audit.record(uow.session, actor, "audit.list", "audit_events", "-", at=ctx.now(), patient_id=patient_id)
        uow.commit()
        return views
