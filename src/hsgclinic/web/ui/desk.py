"""The clinic desk (registrar / nurse, doctor): today's queue with check-in and no-shows."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.messages import N_, Message
from hsgclinic.services import closures, registration
from hsgclinic.services import desk as desk_service
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
DESK_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.ADMIN)


def _day(raw: str | None, today: dt.date) -> tuple[dt.date, Message | None]:
    if not raw:
        return today, None
    try:
        return dt.date.fromisoformat(raw), None
    except ValueError:
        return today, N_("Please enter a date as year-month-day, e.g. 2026-11-18.")


def _queue(request: Request, actor: Actor, day: dt.date, status_code: int = 200, **extra: object) -> Response:
    ui = ui_state(request)
    ctx = ui.clinic.ctx
    numbers = registration.list_day(ctx, actor, day)
    counts = {s: sum(1 for n in numbers if n.status == s) for s in ("taken", "checked_in", "no_show", "cancelled")}
    today = ctx.today()
    stranded = closures.needs_new_date(ctx, actor)  # issue 8: nobody is silently left on a closed day
    next_days = {
        a.record_id: closures.next_offered_day(ctx, actor, a.record_id) for a in stranded if a.kind == "booking"
    }
    return ui.pages.render(
        request,
        "staff/desk.html",
        status_code,
        nav="desk",
        day=day,
        today=today,
        numbers=numbers,
        progress=desk_service.progress_for_day(ctx, actor, day),
        counts=counts,
        prev_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        stranded=stranded,
        next_days=next_days,
        **extra,
    )


@router.get("/staff/desk")
async def desk(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    day, problem = _day(request.query_params.get("day"), ui.clinic.ctx.today())
    return _queue(request, actor, day, 422 if problem else 200, problem=problem, done=request.query_params.get("done"))


@router.post("/staff/desk/check-in/{registration_id}")
async def check_in(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    try:
        view = registration.check_in(ui.clinic.ctx, actor, registration_id)
    except ServiceError as exc:
        return _queue(request, actor, ui.clinic.ctx.today(), 409, refusal=exc)
    return RedirectResponse(f"/staff/desk?day={view.day.isoformat()}&done=checked_in#n{view.queue_number}", 303)


@router.post("/staff/desk/no-shows")
async def no_shows(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    form = await request.form()
    raw = form.get("day")
    day, problem = _day(raw if isinstance(raw, str) else None, ui.clinic.ctx.today())
    if problem is not None:
        return _queue(request, actor, day, 422, problem=problem)
    try:
        count = registration.mark_no_shows(ui.clinic.ctx, actor, day)
    except ServiceError as exc:
        return _queue(request, actor, day, 409, refusal=exc)
    return _queue(request, actor, day, marked=count)
