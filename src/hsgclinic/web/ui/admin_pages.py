"""The administrator's pages: the dashboard (SVG plots), clinic settings, calendar overrides and the year's holiday
notice, staff accounts and roles, and the audit log.

Only the admin role reaches them (:func:`require_staff` gives everyone else the 403 page in their language). Every
change goes through a service that records it in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from hsgclinic.calendar_source import OverrideKind
from hsgclinic.domain.messages import N_, Localized
from hsgclinic.i18n import Translator
from hsgclinic.services import admin as admin_service
from hsgclinic.services import audit_log, calendar_notice, dashboard, staff_accounts
from hsgclinic.services import staff as staff_service
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.services.staff import STAFF_ROLES
from hsgclinic.web.ui import capacity_pages
from hsgclinic.web.ui.audit_labels import ACTION_NAMES
from hsgclinic.web.ui.charts import DayChart, Series, day_chart
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
router.include_router(capacity_pages.router)  # the capacity planner page (/staff/admin/capacity)
ONE_DAY = dt.timedelta(days=1)
PER_PAGE = 50
ROLE_NAMES = {
    Role.REGISTRAR: N_("Registrar / nurse"),
    Role.DOCTOR: N_("Doctor"),
    Role.RADIOLOGIST: N_("Radiologist"),
    Role.ADMIN: N_("Administrator"),
}
KIND_NAMES = {
    OverrideKind.CLINIC_CLOSED: N_("Clinic closed (still a working day)"),
    OverrideKind.HOLIDAY: N_("Official holiday (closed, not a working day)"),
    OverrideKind.WORKDAY: N_("Open / make-up working day"),
}


def _admin(request: Request) -> Actor:
    return require_staff(request, ui_state(request).clinic, Role.ADMIN)


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    ui = ui_state(request)
    return ui.pages.render(request, name, status_code, nav="admin", role_labels=ROLE_NAMES, **context)


async def _form(request: Request, *names: str) -> FormState:
    raw = await request.form()
    return FormState.of({k: v for k, v in raw.items() if isinstance(v, str) and (not names or k in names)})


# -- dashboard -------------------------------------------------------------------------------------------------------


def _day_month(day: dt.date, t: Translator) -> str:
    return f"{day.month}月{day.day}日" if t.is_zh else f"{day.day} {day.strftime('%b')}"


def _charts(board: dashboard.Dashboard, t: Translator) -> list[dict[str, Any]]:
    days = board.days
    labels = [str(d.day.day) for d in days]
    closed = [not d.open for d in days]
    today = next((i for i, d in enumerate(days) if d.day == board.today), None)
    past = [d.day < board.today for d in days]
    x_title = t.gettext("Clinic day, %(first)s – %(last)s") % {
        "first": _day_month(board.first, t),
        "last": _day_month(board.last, t),
    }
    common: dict[str, Any] = {
        "labels": labels,
        "closed": closed,
        "closed_label": t.gettext("Closed"),
        "today_index": today,
        "today_label": t.gettext("Today"),
        "x_title": x_title,
    }
    specs = [
        (
            "chart-numbers",
            DayChart(
                title=t.gettext("Numbers taken vs quota"),
                y_title=t.gettext("Numbers"),
                series=[
                    Series(t.gettext("Numbers taken"), [d.taken for d in days], "bar", "brand"),
                    Series(t.gettext("Quota"), [d.quota if d.open else None for d in days], "line", "amber"),
                ],
                description=t.gettext("Numbers taken each day against the day's quota (REG-QUOTA)."),
                **common,
            ),
        ),
        (
            "chart-procedures",
            DayChart(
                title=t.gettext("Procedures per day"),
                y_title=t.gettext("Procedures"),
                series=[
                    Series(t.gettext("Booked"), [d.booked for d in days], "bar", "light"),
                    Series(t.gettext("Done"), [d.done for d in days], "bar", "brand"),
                    Series(t.gettext("Capacity"), [d.capacity if d.open else None for d in days], "line", "amber"),
                ],
                description=t.gettext("Procedures booked and done each day against the day's capacity (BOOK-OPEN)."),
                **common,
            ),
        ),
        (
            "chart-noshows",
            DayChart(
                title=t.gettext("No-shows per day"),
                y_title=t.gettext("No-shows"),
                series=[
                    Series(
                        t.gettext("No-shows"),
                        [d.no_shows if p else None for d, p in zip(days, past, strict=True)],
                        "bar",
                        "red",
                    )
                ],
                description=t.gettext("Numbers not checked in, per past day (REG-NOSHOW)."),
                **common,
            ),
        ),
        (
            "chart-report",
            DayChart(
                title=t.gettext("Days to report"),
                y_title=t.gettext("Days"),
                series=[Series(t.gettext("Mean days to report"), [d.days_to_report for d in days], "dots", "brand")],
                description=t.gettext(
                    "Mean days from the procedure to the day its signed report could be printed (REPORT-READY)."
                ),
                decimals=1,
                **common,
            ),
        ),
    ]
    return [{"id": cid, "svg": day_chart(c, cid), "title": c.title} for cid, c in specs]


@router.get("/staff/admin")
async def dashboard_page(request: Request) -> Response:
    _admin(request)
    ui = ui_state(request)
    ctx = ui.clinic.ctx
    today = ctx.today()
    form = FormState.of({k: v for k, v in request.query_params.items() if k in ("from", "to")})
    first = form.date("from") or today - dt.timedelta(days=14)
    last = form.date("to") or today + dt.timedelta(days=6)
    if form.ok and last < first:
        form.error("to", N_("The end date must not be before the start date."))
    if form.ok and (last - first).days >= dashboard.MAX_DAYS:
        form.error("to", N_("Show at most {n} days at a time.", n=dashboard.MAX_DAYS))
    if not form.ok:
        first, last = today - dt.timedelta(days=14), today + dt.timedelta(days=6)
    form.values.setdefault("from", first.isoformat())
    form.values.setdefault("to", last.isoformat())
    board = dashboard.dashboard(ctx, first, last)
    return _render(
        request,
        "admin/dashboard.html",
        200 if form.ok else 422,
        section="dashboard",
        form=form,
        board=board,
        charts=_charts(board, translator_for(request)),
        eff=ctx.effective(),
        dose_flagged=__import__("hsgclinic.services.radiology_lists", fromlist=["x"]).flagged_count(ctx, first),
    )


# -- settings --------------------------------------------------------------------------------------------------------

SETTING_FIELDS = ("daily_numbers", "procedure_capacity", "release_time", "booking_horizon_days", "price_cny")


def _settings_form(eff: Any) -> FormState:
    return FormState.of(
        {
            "daily_numbers": eff.daily_numbers,
            "procedure_capacity": eff.procedure_capacity,
            "release_time": eff.release_time.strftime("%H:%M"),
            "booking_horizon_days": eff.booking_horizon_days,
            "price_cny": f"{Decimal(eff.price_cny):.2f}",
        }
    )


def _settings_page(request: Request, form: FormState, status_code: int = 200, **extra: Any) -> Response:
    return _render(request, "admin/settings.html", status_code, section="settings", form=form, **extra)


@router.get("/staff/admin/settings")
async def settings_page(request: Request) -> Response:
    _admin(request)
    ctx = ui_state(request).clinic.ctx
    return _settings_page(request, _settings_form(ctx.effective()), saved=request.query_params.get("saved") == "1")


def _release_time(form: FormState) -> dt.time | None:
    raw = form.get("release_time").strip()
    if not raw:
        form.error("release_time", N_("Please enter a time as hours:minutes, e.g. 07:00."))
        return None
    try:
        hours, minutes = raw.replace("：", ":").split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        form.error("release_time", N_("Please enter a time as hours:minutes, e.g. 07:00."))
        return None


def _price(form: FormState) -> Decimal | None:
    value = form.decimal("price_cny", low=Decimal("0"), high=Decimal("100000"), required=True)
    if value is not None and value != value.quantize(Decimal("0.01")):
        form.error("price_cny", N_("Give the price in yuan with at most 2 decimals, e.g. 1000.00."))
        return None
    return value


@router.post("/staff/admin/settings")
async def save_settings(request: Request) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    form = await _form(request, *SETTING_FIELDS)
    daily = form.integer("daily_numbers", low=1, high=1000, required=True)
    capacity = form.integer("procedure_capacity", low=1, high=500, required=True)
    release = _release_time(form)
    horizon = form.integer("booking_horizon_days", low=0, high=60, required=True)
    price = _price(form)
    if not form.ok:
        return _settings_page(request, form, 422)
    try:
        admin_service.update_settings(
            ctx,
            actor,
            daily_numbers=daily,
            procedure_capacity=capacity,
            release_time=release,
            booking_horizon_days=horizon,
            price_cny=price,
        )
    except ServiceError as exc:
        return _settings_page(request, form, 422, refusal=exc)
    return RedirectResponse("/staff/admin/settings?saved=1", status_code=303)


# -- calendar --------------------------------------------------------------------------------------------------------


def _upcoming_closures(
    ctx: Any, today: dt.date, days: int = 120
) -> list[tuple[dt.date, dt.date, Localized, str, bool]]:
    """Closed days from today on, consecutive days with the same reason joined:
    (first, last, reason, kind, provisional — a year without official data, CAL-SOURCE)."""
    out: list[tuple[dt.date, dt.date, Localized, str, bool]] = []
    d = today
    while d <= today + dt.timedelta(days=days):
        cal = ctx.calendar_for(d)
        closure = cal.closure(d) if cal.covers(d) else None
        if closure is not None:
            last = out[-1] if out else None
            if last and last[1] == d - ONE_DAY and last[2] == closure.name and last[3] == closure.kind.value:
                out[-1] = (last[0], d, last[2], last[3], last[4])
            else:
                out.append((d, d, closure.name, closure.kind.value, cal.is_provisional(d)))
        d += ONE_DAY
    return out


def _calendar_page(
    request: Request,
    status_code: int = 200,
    *,
    form: FormState | None = None,
    upload: FormState | None = None,
    **extra: Any,
) -> Response:
    ctx = ui_state(request).clinic.ctx
    today = ctx.today()
    return _render(
        request,
        "admin/calendar.html",
        status_code,
        section="calendar",
        overrides=admin_service.list_overrides(ctx),
        kinds=[(k.value, KIND_NAMES[k]) for k in OverrideKind],
        kind_names={k.value: v for k, v in KIND_NAMES.items()},
        closures=_upcoming_closures(ctx, today),
        sources=calendar_notice.sources(ctx),
        form=form or FormState.of({"kind": OverrideKind.CLINIC_CLOSED.value}),
        upload=upload or FormState(),
        today=today,
        **extra,
    )


@router.get("/staff/admin/calendar")
async def calendar_page(request: Request) -> Response:
    _admin(request)
    q = request.query_params
    try:
        done_date: dt.date | None = dt.date.fromisoformat(q.get("day", ""))
    except ValueError:
        done_date = None
    return _calendar_page(request, done=q.get("done"), count=q.get("n"), done_day=q.get("day"), done_date=done_date)


@router.post("/staff/admin/calendar/override")
async def add_override(request: Request) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    form = await _form(request, "day", "kind", "name_zh", "name_en", "confirm")
    day = form.date("day", required=True)
    kind = form.choice("kind", {k.value for k in OverrideKind}, required=True)
    name_zh = form.text("name_zh", max_len=100) or ""
    name_en = form.text("name_en", max_len=100) or ""
    if not form.ok or day is None or kind is None:
        return _calendar_page(request, 422, form=form)
    affected: list[Any] = []
    if kind != OverrideKind.WORKDAY.value:  # issue 8: who is on that day, shown before the closure is saved
        from hsgclinic.services import closures

        cal = ctx.calendar_for(day)
        if not cal.covers(day) or cal.is_open(day):
            affected = closures.affected_on(ctx, actor, [day])
    if affected and form.get("confirm") != "1":
        return _calendar_page(request, form=form, closing=(day, affected))
    try:
        admin_service.set_override(ctx, actor, day, kind, name_zh, name_en)
    except ServiceError as exc:
        return _calendar_page(request, 422, form=form, refusal=exc)
    told = f"&n={len(affected)}" if affected else ""
    return RedirectResponse(f"/staff/admin/calendar?done=override&day={day.isoformat()}{told}", status_code=303)


@router.post("/staff/admin/calendar/override/{day}/delete")
async def remove_override(request: Request, day: dt.date) -> Response:
    actor = _admin(request)
    try:
        admin_service.delete_override(ui_state(request).clinic.ctx, actor, day)
    except ServiceError as exc:
        return _calendar_page(request, 404, refusal=exc)
    return RedirectResponse(f"/staff/admin/calendar?done=deleted&day={day.isoformat()}", status_code=303)


@router.post("/staff/admin/calendar/notice")
async def preview_notice(request: Request) -> Response:
    """Read the uploaded file and show what loading it will do (nothing is written yet)."""
    _admin(request)
    ctx = ui_state(request).clinic.ctx
    raw = await request.form()
    upload = FormState()
    file = raw.get("notice")
    data = b""
    if isinstance(file, UploadFile):
        data = await file.read(calendar_notice.MAX_NOTICE_BYTES + 1)
    if not data:
        upload.error("notice", N_("Choose the year's notice file (.json) first."))
        return _calendar_page(request, 422, upload=upload)
    try:
        notice = calendar_notice.read_notice(data)
    except ServiceError as exc:
        upload.error("notice", exc.message)
        return _calendar_page(request, 422, upload=upload)
    canonical = json.dumps(calendar_notice.notice_document(notice), ensure_ascii=False)
    from hsgclinic.services import closures

    closing = closures.affected_on(ctx, _admin(request), calendar_notice.closed_by(ctx, notice))
    return _calendar_page(
        request, preview=calendar_notice.preview(ctx, notice), notice_json=canonical, notice_closing=closing
    )


@router.post("/staff/admin/calendar/notice/load")
async def load_notice(request: Request) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    form = await _form(request, "notice_json")
    upload = FormState()
    try:
        notice = calendar_notice.read_notice(form.get("notice_json").encode("utf-8"))
        written = calendar_notice.load(ctx, actor, notice)
    except ServiceError as exc:
        upload.error("notice", exc.message)
        return _calendar_page(request, 422, upload=upload)
    return RedirectResponse(f"/staff/admin/calendar?done=notice&n={written}&day={notice.year}", status_code=303)


@router.post("/staff/admin/calendar/notice/{year}/delete")
async def remove_notice(request: Request, year: int) -> Response:
    actor = _admin(request)
    try:
        calendar_notice.remove(ui_state(request).clinic.ctx, actor, year)
    except ServiceError as exc:
        return _calendar_page(request, 404, refusal=exc)
    return RedirectResponse(f"/staff/admin/calendar?done=notice_removed&day={year}", status_code=303)


# -- staff accounts --------------------------------------------------------------------------------------------------


def _staff_page(request: Request, status_code: int = 200, *, form: FormState | None = None, **extra: Any) -> Response:
    ctx = ui_state(request).clinic.ctx
    return _render(
        request,
        "admin/staff.html",
        status_code,
        section="staff",
        accounts=staff_accounts.list_accounts(ctx),
        roles=[(r.value, ROLE_NAMES[r]) for r in STAFF_ROLES],
        form=form or FormState.of({"role": Role.REGISTRAR.value}),
        **extra,
    )


@router.get("/staff/admin/staff")
async def staff_page(request: Request) -> Response:
    _admin(request)
    q = request.query_params
    return _staff_page(request, done=q.get("done"), done_user=q.get("user"))


@router.post("/staff/admin/staff")
async def create_account(request: Request) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    raw = await request.form()
    form = FormState.of(
        {k: v for k, v in raw.items() if isinstance(v, str) and k in ("username", "display_name", "role")}
    )
    password = raw.get("password")
    username = form.text("username", required=True, max_len=64)
    display = form.text("display_name", required=True, max_len=100)
    role = form.choice("role", {r.value for r in STAFF_ROLES}, required=True)
    if not isinstance(password, str) or not password:
        form.error("password", N_("Please fill this in."))
    elif len(password) < 10:
        form.error("password", N_("A password needs at least 10 characters."))
    if not form.ok or username is None or display is None or role is None or not isinstance(password, str):
        return _staff_page(request, 422, form=form)
    try:
        view = staff_service.create_user(
            ctx, actor, username=username, display_name=display, role=role, password=password
        )
    except ServiceError as exc:
        form.error("username" if exc.code in ("invalid_username", "username_taken") else "password", exc.message)
        return _staff_page(request, 422, form=form)
    return RedirectResponse(f"/staff/admin/staff?done=created&user={view.username}", status_code=303)


async def _account_change(request: Request, user_id: int, change: str) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    raw = await request.form()
    value = raw.get("value")
    value = value if isinstance(value, str) else ""
    try:
        if change == "role":
            view = staff_accounts.change_role(ctx, actor, user_id, value)
        elif change == "active":
            view = staff_accounts.set_active(ctx, actor, user_id, value == "1")
        else:
            view = staff_accounts.reset_password(ctx, actor, user_id, value)
    except ServiceError as exc:
        return _staff_page(request, 422, row_error=(user_id, change, exc))
    return RedirectResponse(f"/staff/admin/staff?done={change}&user={view.username}#u{user_id}", status_code=303)


@router.post("/staff/admin/staff/{user_id}/role")
async def account_role(request: Request, user_id: int) -> Response:
    return await _account_change(request, user_id, "role")


@router.post("/staff/admin/staff/{user_id}/active")
async def account_active(request: Request, user_id: int) -> Response:
    return await _account_change(request, user_id, "active")


@router.post("/staff/admin/staff/{user_id}/password")
async def account_password(request: Request, user_id: int) -> Response:
    return await _account_change(request, user_id, "password")


# -- audit log -------------------------------------------------------------------------------------------------------

AUDIT_FIELDS = ("from", "to", "actor", "action", "record", "page")


def _local(ctx: Any, at: dt.datetime) -> dt.datetime:
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(ctx.tz).replace(tzinfo=None)


@router.get("/staff/admin/audit")
async def audit_page(request: Request) -> Response:
    actor = _admin(request)
    ctx = ui_state(request).clinic.ctx
    form = FormState.of({k: v for k, v in request.query_params.items() if k in AUDIT_FIELDS})
    first = form.date("from")
    last = form.date("to")
    if first and last and last < first:
        form.error("to", N_("The end date must not be before the start date."))
    page = form.integer("page", low=1, high=100000) or 1
    who = form.text("actor", max_len=100)
    action = form.text("action", max_len=64)
    record = form.text("record", max_len=100)
    if not form.ok:
        return _render(
            request,
            "admin/audit.html",
            422,
            section="audit",
            form=form,
            result=None,
            rows=[],
            links={},
            action_names=ACTION_NAMES,
        )
    result = audit_log.search(
        ctx,
        actor,
        audit_log.AuditFilter(first, last, who, action, record),
        page=page,
        per_page=PER_PAGE,
    )
    kept = {k: form.get(k) for k in ("from", "to", "actor", "action", "record") if form.get(k)}
    links = {
        "prev": "?" + urlencode({**kept, "page": page - 1}) if page > 1 else None,
        "next": "?" + urlencode({**kept, "page": page + 1}) if page < result.pages else None,
    }
    rows = [
        {
            "view": v,
            "local": _local(ctx, v.at),
            "detail": json.dumps(v.detail, ensure_ascii=False, sort_keys=True) if v.detail else "",
            "record_filter": "?" + urlencode({**kept, "record": f"{v.record_type}:{v.record_id}"}),
        }
        for v in result.items
    ]
    return _render(
        request,
        "admin/audit.html",
        section="audit",
        form=form,
        result=result,
        rows=rows,
        links=links,
        action_names=ACTION_NAMES,
    )
