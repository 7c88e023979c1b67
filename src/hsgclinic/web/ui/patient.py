"""Patient pages that need only the domain: home, 'Plan my visit' (+ .ics), 'About the procedure', language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.web.ui.clinic_access import now_utc, settings_of, site_of
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import LANG_COOKIE, safe_next, translator_for
from hsgclinic.web.ui.plan import PLAN_FIELDS, make_plan, plan_query
from hsgclinic.web.ui.plan_ics import plan_to_ics
from hsgclinic.web.ui.state import UiState, ui_state

router = APIRouter(include_in_schema=False)


def _ui(request: Request) -> UiState:
    return ui_state(request)


@router.get("/")
async def home(request: Request) -> Response:
    return _ui(request).pages.render(request, "patient/home.html", nav="home")


@router.get("/lang/{code}")
async def switch_language(request: Request, code: str, next: str | None = None) -> Response:
    lang = "en" if code.lower().startswith("en") else "zh_CN"
    target = safe_next(next or request.headers.get("referer", "").split(str(request.base_url).rstrip("/"), 1)[-1])
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=False)
    return response


@router.get("/about")
async def about(request: Request) -> Response:
    return _ui(request).pages.render(request, "patient/about.html", nav="about")


@router.get("/plan")
async def plan_page(request: Request) -> Response:
    ui = _ui(request)
    params = {k: v for k, v in request.query_params.items() if k in PLAN_FIELDS}
    form = FormState.of(params)
    if not params:
        return ui.pages.render(request, "patient/plan.html", nav="plan", form=form, result=None)
    result = make_plan(ui.clinic, form)
    status = 200 if result is not None else 422
    return ui.pages.render(
        request,
        "patient/plan.html",
        status_code=status,
        nav="plan",
        form=form,
        result=result,
        query=plan_query(form),
    )


@router.get("/plan/my-hsg-dates.ics")
async def plan_ics(request: Request) -> Response:
    ui = _ui(request)
    form = FormState.of({k: v for k, v in request.query_params.items() if k in PLAN_FIELDS})
    result = make_plan(ui.clinic, form)
    if result is None:
        return RedirectResponse("/plan?" + plan_query(form), status_code=303)
    settings = settings_of(ui.clinic)
    body = plan_to_ics(
        result.plan, translator_for(request), site_of(ui.clinic), settings.release_time, now_utc(ui.clinic)
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="my-hsg-dates.ics"'},
    )
