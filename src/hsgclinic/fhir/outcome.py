"""Errors at /fhir as OperationOutcome (issue code from the FHIR issue-type value set, the clinic's error code and
rule IDs as codings, the sentence in the ``Accept-Language`` language — zh-CN by default)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from hsgclinic.domain.messages import N_, Message
from hsgclinic.fhir.codes import ERROR_CODE, RULE
from hsgclinic.fhir.wire import FhirResponse
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

log = logging.getLogger("hsgclinic.fhir")

# service refusal → (HTTP status, FHIR issue type)
ISSUE = {
    RuleRefused: (409, "business-rule"),
    InvalidInput: (422, "invalid"),
    NotFound: (404, "not-found"),
    NotAuthenticated: (401, "login"),
    Forbidden: (403, "forbidden"),
    TooManyRequests: (429, "throttled"),
}
_HTTP: dict[int, tuple[str, str, Message]] = {
    400: ("invalid", "bad_request", N_("The request could not be understood.")),
    401: ("login", "not_authenticated", N_("Please log in.")),
    403: ("forbidden", "forbidden", N_("Your role may not do this.")),
    404: ("not-found", "not_found", N_("There is nothing at this address.")),
    405: ("not-supported", "method_not_allowed", N_("This address does not accept that method.")),
    406: ("not-supported", "not_acceptable", N_("This server answers in FHIR JSON only.")),
    413: ("too-costly", "too_large", N_("The request is too large.")),
    415: ("not-supported", "unsupported_media_type", N_("Send the request as FHIR JSON.")),
}


class FhirError(Exception):
    """A refusal of the FHIR adapter itself (an unsupported parameter, a malformed reference …)."""

    def __init__(self, status: int, issue: str, code: str, message: Message) -> None:
        super().__init__(f"{code}: {message.english()}")
        self.status, self.issue, self.code, self.message = status, issue, code, message


def translator(request: Request) -> Translator:
    return Translator(negotiate(request.headers.get("accept-language")))


def outcome(
    t: Translator, issue: str, code: str, message: Message, *, rules: list[str] | None = None, extra: Sequence[str] = ()
) -> dict[str, Any]:
    coding = [{"system": ERROR_CODE, "code": code}]
    coding += [{"system": RULE, "code": r} for r in rules or []]
    issues: list[dict[str, Any]] = [
        {"severity": "error", "code": issue, "details": {"coding": coding, "text": t.render(message)}}
    ]
    issues += [{"severity": "information", "code": "informational", "diagnostics": x} for x in extra]
    return {"resourceType": "OperationOutcome", "issue": issues}


def service_error(request: Request, exc: ServiceError) -> FhirResponse:
    t = translator(request)
    status, issue = next((v for cls, v in ISSUE.items() if isinstance(exc, cls)), (409, "business-rule"))
    extra = [f"{f.rule} {f.outcome.value}: {t.render(f.message)}" for f in exc.findings]
    body = outcome(t, issue, exc.code, exc.message, rules=exc.rules, extra=extra)
    headers = {"Retry-After": str(exc.details.get("retry_after", 60))} if status == 429 else None
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="hsgclinic"'}
    return FhirResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> FhirResponse:
        return service_error(request, exc)

    @app.exception_handler(FhirError)
    async def _fhir(request: Request, exc: FhirError) -> FhirResponse:
        return FhirResponse(outcome(translator(request), exc.issue, exc.code, exc.message), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> FhirResponse:
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in exc.errors()})
        msg = N_("Please check these fields: {fields}.", fields=tuple(fields))
        return FhirResponse(outcome(translator(request), "invalid", "invalid_input", msg), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> FhirResponse:
        issue, code, msg = _HTTP.get(exc.status_code, ("processing", "error", N_("The request could not be handled.")))
        return FhirResponse(outcome(translator(request), issue, code, msg), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> FhirResponse:
        log.error("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        msg = N_("Something went wrong on our side; please try again.")
        return FhirResponse(outcome(translator(request), "exception", "internal_error", msg), status_code=500)
