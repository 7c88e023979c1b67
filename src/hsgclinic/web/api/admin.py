"""Admin: clinic settings, calendar overrides, the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from hsgclinic.calendar_source import OverrideKind
from hsgclinic.services import admin
from hsgclinic.web.api.deps import AdminActor, Ctx
from hsgclinic.web.api.types import ApiDate, ApiDateTime, ApiTime, Text

router = APIRouter(tags=["admin"])


class SettingsIn(BaseModel):
    daily_numbers: int | None = Field(default=None, ge=1, le=1000, strict=True)
    procedure_capacity: int | None = Field(default=None, ge=1, le=500, strict=True)
    release_time: ApiTime | None = None
    booking_horizon_days: int | None = Field(default=None, ge=0, le=60, strict=True)
    price_cny: Decimal | None = Field(default=None, ge=0, le=99_999_999, decimal_places=2)


class SettingsOut(BaseModel):
    daily_numbers: int
    procedure_capacity: int
    release_time: ApiTime
    booking_horizon_days: int
    price_cny: Decimal


class OverrideIn(BaseModel):
    kind: OverrideKind
    name_zh: Text = Field(default="", max_length=100)
    name_en: Text = Field(default="", max_length=100)


class OverrideOut(BaseModel):
    date: dt.date
    kind: str
    name_zh: str
    name_en: str


def _settings_out(e: Any) -> SettingsOut:
    return SettingsOut(
        daily_numbers=e.daily_numbers,
        procedure_capacity=e.procedure_capacity,
        release_time=e.release_time,
        booking_horizon_days=e.booking_horizon_days,
        price_cny=e.price_cny,
    )


@router.get("/admin/settings", response_model=SettingsOut)
def get_settings(ctx: Ctx, actor: AdminActor) -> SettingsOut:
    return _settings_out(ctx.effective())


@router.patch("/admin/settings", response_model=SettingsOut)
def patch_settings(body: SettingsIn, ctx: Ctx, actor: AdminActor) -> SettingsOut:
    return _settings_out(admin.update_settings(ctx, actor, **body.model_dump()))


@router.get("/admin/calendar/overrides", response_model=list[OverrideOut])
def overrides(ctx: Ctx, actor: AdminActor) -> list[OverrideOut]:
    return [
        OverrideOut(date=o.day, kind=o.kind, name_zh=o.name_zh, name_en=o.name_en) for o in admin.list_overrides(ctx)
    ]


@router.put("/admin/calendar/overrides/{day}", response_model=OverrideOut)
def put_override(day: ApiDate, body: OverrideIn, ctx: Ctx, actor: AdminActor) -> OverrideOut:
    o = admin.set_override(ctx, actor, day, body.kind.value, body.name_zh, body.name_en)
    return OverrideOut(date=o.day, kind=o.kind, name_zh=o.name_zh, name_en=o.name_en)


@router.delete("/admin/calendar/overrides/{day}", status_code=204)
def delete_override(day: ApiDate, ctx: Ctx, actor: AdminActor) -> Response:
    admin.delete_override(ctx, actor, day)
    return Response(status_code=204)


@router.get("/admin/audit")
def audit_events(
    ctx: Ctx,
    actor: AdminActor,
    patient_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    action: Annotated[Text | None, Query(max_length=100)] = None,
    actor_name: Annotated[Text | None, Query(max_length=100)] = None,
    since: ApiDateTime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    rows = admin.list_audit(
        ctx, actor, patient_id=patient_id, action=action, actor_name=actor_name, since=since, limit=limit
    )
    return [
        {
            "id": r.id,
            "at": r.at.isoformat(),
            "actor": r.actor,
            "role": r.role,
            "action": r.action,
            "record_type": r.record_type,
            "record_id": r.record_id,
            "patient_id": r.patient_id,
            "address": r.address,
            "detail": r.detail,
        }
        for r in rows
    ]
