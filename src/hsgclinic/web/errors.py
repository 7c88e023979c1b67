"""Error answers: ``{"error": {"code", "message", …}}`` in the language of ``Accept-Language`` (zh-CN default).

Service refusals carry their rule ID(s); bad input is a 422 naming the fields; anything unexpected is a 500
with a code and a sentence, never a trace.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hsgclinic.domain.messages import N_, Message
from hsgclinic.i18n import Translator, negotiate
from hsgclinic.services.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RuleRefused,
    ServiceError,
    TooManyRequests,
)

log = logging.getLogger("hsgclinic.web")

STATUS = {
    RuleRefused: 409,
    InvalidInput: 422,
    NotFound: 404,
    NotAuthenticated: 401,
    Forbidden: 403,
    TooManyRequests: 429,
}
_HTTP_MESSAGES: dict[int, tuple[str, Message]] = {
    400: ("bad_request", N_("The request could not be understood.")),
    401: ("not_authenticated", N_("Please log in.")),
    403: ("forbidden", N_("Your role may not do this.")),
    404: ("not_found", N_("There is nothing at this address.")),
    405: ("method_not_allowed", N_("This address does not accept that method.")),
    413: ("too_large", N_("The request is too large.")),
    415: ("unsupported_media_type", N_("Send the request as JSON.")),
    429: ("rate_limited", N_("Too many requests; please wait a moment.")),
}


def translator_for(request: Request) -> Translator:
    return Translator(negotiate(request.headers.get("accept-language")))


def error_body(t: Translator, code: str, message: Message, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": t.render(message)}
    body.update({k: v for k, v in extra.items() if v not in (None, [], {})})
    return {"error": body}


def service_error_body(t: Translator, exc: ServiceError) -> dict[str, Any]:
    """The JSON body of a refusal: ``{"error": {code, message, rule, rules, findings, details}}`` (empty parts left
    out). The sold-out gate (web/api/sold_out_gate.py) sends the same body from memory."""
    findings = [{"rule": f.rule, "outcome": f.outcome.value, "message": t.render(f.message)} for f in exc.findings]
    return error_body(
        t,
        exc.code,
        exc.message,
        rule=exc.rule or (exc.rules[0] if exc.rules else None),
        rules=exc.rules,
        findings=findings,
        details=dict(exc.details),
    )


def service_error_response(request: Request, exc: ServiceError) -> JSONResponse:
    t = translator_for(request)
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 409)
    body = service_error_body(t, exc)
    headers = {"Retry-After": str(exc.details.get("retry_after", 60))} if status == 429 else None
    return JSONResponse(body, status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> JSONResponse:
        return service_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        t = translator_for(request)
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()})
        msg = N_("Please check these fields: {fields}.", fields=tuple(fields))
        return JSONResponse(error_body(t, "invalid_input", msg, fields=fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        t = translator_for(request)
        code, msg = _HTTP_MESSAGES.get(exc.status_code, ("error", N_("The request could not be handled.")))
        return JSONResponse(
            error_body(t, code, msg), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    app.add_exception_handler(Exception, unexpected_error)


async def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """A 500 in the API's envelope: a code and a sentence in the reader's language, the trace only in the log."""
    log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    t = translator_for(request)
    return JSONResponse(
        error_body(t, "internal_error", N_("Something went wrong on our side; please try again.")),
        status_code=500,
    )


def keep_api_errors_json(app: FastAPI) -> None:
    """After the UI has installed its HTML error pages: paths under /api/ keep the JSON envelope."""
    page_handler = app.exception_handlers.get(Exception)

    async def server_error(request: Request, exc: Exception) -> Any:
        if page_handler is None or request.url.path.startswith("/api/"):
            return await unexpected_error(request, exc)
        answer = page_handler(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(Exception, server_error)
