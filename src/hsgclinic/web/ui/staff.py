"""Staff sign-in and sign-out on the staff account service (``services.staff``): the session cookie the JSON API
also reads, then each role's own page (desk, radiology)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.messages import N_
from hsgclinic.services import staff as staff_service
from hsgclinic.services.errors import ServiceError, TooManyRequests
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import safe_next
from hsgclinic.web.ui.staff_session import SESSION_COOKIE, address_of, current_actor, home_of
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)


@router.get("/staff/login")
async def login_page(request: Request) -> Response:
    ui = ui_state(request)
    next_path = safe_next(request.query_params.get("next"), "")
    actor = current_actor(request, ui.clinic)
    if actor is not None:
        return RedirectResponse(next_path or home_of(actor), status_code=303)
    form = FormState.of({"next": next_path})
    return ui.pages.render(request, "staff/login.html", nav="staff", form=form, unavailable=False)


@router.post("/staff/login")
async def login(request: Request) -> Response:
    ui = ui_state(request)
    raw = await request.form()
    data = {k: v for k, v in raw.items() if isinstance(v, str) and k in ("username", "next")}
    password = raw.get("password")
    form = FormState.of(data)
    username = form.text("username", required=True, max_len=64)
    if not isinstance(password, str) or not password:
        form.error("password", N_("Please fill this in."))
    if not form.ok or username is None or not isinstance(password, str):
        return ui.pages.render(request, "staff/login.html", 422, nav="staff", form=form, unavailable=False)
    try:
        signed_in = staff_service.login(
            ui.clinic.ctx, username=username, password=password, address=address_of(request)
        )
    except ServiceError as exc:
        form.error("password", exc.message)
        status = 429 if isinstance(exc, TooManyRequests) else 401
        return ui.pages.render(request, "staff/login.html", status, nav="staff", form=form, unavailable=False)
    target = safe_next(form.get("next"), "") or home_of(signed_in.actor)
    response = RedirectResponse(target, status_code=303)
    max_age = max(60, int((signed_in.expires_at - ui.clinic.ctx.now()).total_seconds()))
    response.set_cookie(SESSION_COOKIE, signed_in.token, max_age=max_age, httponly=True, samesite="strict", path="/")
    return response


@router.post("/staff/logout")
async def logout(request: Request) -> Response:
    ui = ui_state(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        staff_service.logout(ui.clinic.ctx, token)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
