"""The waiting line on the patient's pages (REG-LINE, services/waiting_line.py): join from the sold-out 'Take a
number' page, see her place with the code she was given, leave the line."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from hsgclinic.services import grab_limit, waiting_line
from hsgclinic.services.errors import InvalidInput, NotFound, ServiceError, TooManyRequests
from hsgclinic.web.clients import client_address
from hsgclinic.web.ui.registration_pages import _actor, _number_page, read_number_form, service_context
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)


def _place_page(request: Request, status_code: int = 200, **extra: Any) -> Response:
    return ui_state(request).pages.render(request, "patient/line_place.html", status_code, nav="number", **extra)


@router.post("/number/line")
async def join_line(request: Request) -> Response:
    ui = ui_state(request)
    form, person = read_number_form(request, await request.form())
    ctx = service_context(ui.clinic)
    if not form.ok or person["day"] is None or ctx is None:
        return _number_page(request, form, status_code=422 if not form.ok else 503)
    address = client_address(request)

    def join() -> waiting_line.Joined:
        grab_limit.count_grab(ctx, address)
        return waiting_line.join(ctx, _actor(request), **person)

    try:
        joined = await run_in_threadpool(join)
    except InvalidInput as exc:
        form.error("id_number" if "ID" in exc.message.msgid or "passport" in exc.message.msgid else "name", exc.message)
        return _number_page(request, form, status_code=422)
    except TooManyRequests as exc:
        answer = _number_page(request, form, status_code=429, refusal=exc)
        answer.headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        return answer
    except ServiceError as exc:
        return _number_page(request, form, status_code=409, refusal=exc)
    if joined.number is not None:
        return ui.pages.render(request, "patient/number_taken.html", nav="number", number=joined.number)
    return _place_page(request, place=joined.place, joined=True)


@router.get("/number/line/{code}")
async def line_place(request: Request, code: str) -> Response:
    ctx = service_context(ui_state(request).clinic)
    try:
        place = await run_in_threadpool(waiting_line.place, ctx, code)
    except NotFound as exc:
        return _place_page(request, 404, place=None, refusal=exc)
    return _place_page(request, place=place)


@router.post("/number/line/{code}/leave")
async def leave_line(request: Request, code: str) -> Response:
    ctx = service_context(ui_state(request).clinic)
    try:
        place = await run_in_threadpool(waiting_line.withdraw, ctx, _actor(request), code)
    except NotFound as exc:
        return _place_page(request, 404, place=None, refusal=exc)
    except ServiceError as exc:
        current = await run_in_threadpool(waiting_line.place, ctx, code)
        return _place_page(request, 409, place=current, refusal=exc)
    return _place_page(request, place=place, left=True)
