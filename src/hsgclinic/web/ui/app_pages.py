"""Wiring: the Jinja2 environment, ``/static``, the page routers and the HTML error pages."""

from __future__ import annotations

import inspect
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler, request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hsgclinic.web.ui import patient
from hsgclinic.web.ui.clinic_access import now_local, settings_of, site_of
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.rendering import STATIC_DIR, Pages, make_environment
from hsgclinic.web.ui.state import UiState

log = logging.getLogger(__name__)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api", "/fhir", "/static")):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept or "*/*" in accept or not accept


async def _delegate(handler: Any, request: Request, exc: Exception) -> Response:
    result = handler(request, exc)
    if inspect.isawaitable(result):
        result = await result
    assert isinstance(result, Response)
    return result


def install(app: FastAPI, clinic: Any) -> None:
    env = make_environment()

    def common(request: Request) -> dict[str, Any]:
        t = translator_for(request)
        site = site_of(clinic)
        staff = getattr(request.state, "staff", None)
        return {
            "request": request,
            "t": t,
            "lang": t.lang_tag,
            "is_zh": t.is_zh,
            "site": site,
            "site_name": site.name_zh if t.is_zh else site.name_en,
            "site_room": site.room_zh if t.is_zh else site.room_en,
            "site_address": site.address_zh if t.is_zh else site.address_en,
            "site_printer": site.printer_zh if t.is_zh else site.printer_en,
            "colon": "：" if t.is_zh else ": ",  # headings "Payment: 林晓雯" / "缴费：林晓雯"
            "settings": settings_of(clinic),
            "now": now_local(clinic),
            "path": request.url.path,
            "full_path": request.url.path + (("?" + request.url.query) if request.url.query else ""),
            "staff": staff,
        }

    pages = Pages(env, common)
    app.state.hsg_ui = UiState(clinic, pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(patient.router)
    for module_name in ("registration_pages", "staff"):
        module = __import__(f"hsgclinic.web.ui.{module_name}", fromlist=["router"])
        app.include_router(module.router)

    previous_http = app.exception_handlers.get(StarletteHTTPException, http_exception_handler)
    previous_validation = app.exception_handlers.get(RequestValidationError, request_validation_exception_handler)

    async def html_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _wants_html(request):
            return await _delegate(previous_http, request, exc)
        if exc.status_code in (401, 303) and exc.headers and "Location" in exc.headers:
            return Response(status_code=303, headers={"Location": exc.headers["Location"]})
        return pages.render(
            request,
            "errors/error.html",
            status_code=exc.status_code,
            code=exc.status_code,
            detail=exc.detail if exc.status_code != 404 else None,
        )

    async def html_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not _wants_html(request):
            return await _delegate(previous_validation, request, exc)
        return pages.render(request, "errors/error.html", status_code=422, code=422, detail=None)

    async def html_server_error(request: Request, exc: Exception) -> Response:
        log.exception("page failed: %s", request.url.path, exc_info=exc)
        if not _wants_html(request):
            from fastapi.responses import JSONResponse

            return JSONResponse({"detail": "internal error"}, status_code=500)
        return pages.render(request, "errors/error.html", status_code=500, code=500, detail=None)

    app.add_exception_handler(StarletteHTTPException, html_http_error)
    app.add_exception_handler(RequestValidationError, html_validation_error)
    app.add_exception_handler(Exception, html_server_error)
