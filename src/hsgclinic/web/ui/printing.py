"""Patient search, and printable day lists (issue 8): the desk's queue and the radiology room's schedule, one A4
table each, in the reader's language, names with masked IDs only. The browser prints them (``/static/print.css``)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.domain.messages import N_
from hsgclinic.services import desk, registration
from hsgclinic.services.context import Role
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
DESK_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.ADMIN)
ALL_STAFF = (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)
NUMBER_STATUS = {
    "taken": N_("Waiting"),
    "checked_in": N_("Checked in"),
    "no_show": N_("Missed"),
    "cancelled": N_("Cancelled"),
}
APPT_STATUS = {"booked": N_("Booked"), "done": N_("Done"), "stopped": N_("Stopped"), "cancelled": N_("Cancelled")}


def _day(request: Request, today: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(request.query_params.get("day") or "")
    except ValueError:
        return today


def _printed(request: Request) -> str:
    ctx = ui_state(request).clinic.ctx
    return str(ctx.now_local().strftime("%Y-%m-%d %H:%M"))


@router.get("/staff/print/queue")
async def print_queue(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    ctx = ui.clinic.ctx
    day = _day(request, ctx.today())
    t = translator_for(request)
    rows = [
        (str(n.queue_number), n.name, n.masked_id, t.render(NUMBER_STATUS.get(n.status, N_("Waiting"))), "")
        for n in registration.list_day(ctx, actor, day)
    ]
    return ui.pages.render(
        request,
        "staff/print_list.html",
        kind="queue",
        title=N_("Queue"),
        day=day,
        heads=(N_("Number"), N_("Name"), N_("ID number"), N_("Status"), N_("Notes")),
        rows=rows,
        back=f"/staff/desk?day={day.isoformat()}",
        printed_at=_printed(request),
    )


@router.get("/staff/print/room")
async def print_room(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *ALL_STAFF)
    ctx = ui.clinic.ctx
    day = _day(request, ctx.today())
    t = translator_for(request)
    rows = [
        (
            r.slot_time.strftime("%H:%M"),
            r.name,
            r.masked_id,
            r.form_number,
            t.render(APPT_STATUS.get(r.status, N_("Booked"))),
            t.render(N_("Paid")) if r.payment_status == "paid" else t.render(N_("Unpaid")),
        )
        for r in desk.schedule(ctx, actor, day)
        if r.status != "cancelled"
    ]
    return ui.pages.render(
        request,
        "staff/print_list.html",
        kind="room",
        title=N_("Procedure room schedule"),
        day=day,
        heads=(N_("Time"), N_("Name"), N_("ID number"), N_("Form number"), N_("Status"), N_("Payment")),
        rows=rows,
        back=f"/staff/radiology?day={day.isoformat()}",
        printed_at=_printed(request),
    )


@router.get("/staff/search")
async def search_page(request: Request) -> Response:
    return _search(request, "")


@router.post("/staff/search")
async def search_post(request: Request) -> Response:
    """The query is POSTed (never in a URL, a log line or the language switch's link) and not written back."""
    raw = (await request.form()).get("q")
    return _search(request, raw if isinstance(raw, str) else "")


def _search(request: Request, q: str) -> Response:
    from hsgclinic.services import search
    from hsgclinic.services.errors import ServiceError
    from hsgclinic.web.ui.forms import FormState

    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *ALL_STAFF)
    hits = None
    refusal = None
    if q.strip():
        try:
            hits = search.search(ui.clinic.ctx, actor, q)
        except ServiceError as exc:
            refusal = exc
    return ui.pages.render(
        request,
        "staff/search.html",
        422 if refusal else 200,
        nav="search",
        form=FormState.of({"q": ""}),
        hits=hits,
        refusal=refusal,
    )
