"""Every answer of the JSON API declared in its OpenAPI, errors included (docs/api.md, docs/security.md).

Errors share one envelope, ``{"error": {"code", "message", "rule"?, "rules"?, "findings"?, "details"?,
"fields"?}}`` (hsgclinic.web.errors). FastAPI declares only the success answer and a 422 with its own
(different) body; :func:`install_contract` post-processes the generated schema so that each operation also
declares, with this envelope, what it can answer:

- every operation: 500 (an unexpected error; the sentence only, the trace stays in the log);
- with parameters or a body: 422 (``invalid_input`` names the fields; a rule's ``InvalidInput`` names the rule);
- with a body: 400 (not JSON at all);
- signed-in callers (the bearer scheme on the operation): 401 (no or expired session) and 403 (the role may not);
- unsafe methods: 403 (a cross-site request, SEC-ORIGIN / SEC-CSRF) and 409 (a rule refused it: ``rule``);
- path parameters: 404 (no such record, or not hers);
- the few operations with their own answers: :data:`EXTRA`.

The schemathesis run in the test suite (tests/e2e/api/test_api_contract.py) fails on any undeclared status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

API_PREFIX = "/api/v1"
UNSAFE = frozenset({"post", "put", "patch", "delete"})


class FindingOut(BaseModel):
    rule: str = Field(description="the rule ID, e.g. ELIG-TEMP")
    outcome: str = Field(description="PASS, REVIEW or BLOCK")
    message: str = Field(description="the sentence, in the language of Accept-Language")


class ErrorDetail(BaseModel):
    code: str = Field(description="stable machine code, e.g. sold_out, invalid_input, not_authenticated")
    message: str = Field(description="one sentence for a person, zh-CN or en (Accept-Language)")
    rule: str | None = Field(default=None, description="the rule ID that refused the request")
    rules: list[str] | None = Field(default=None, description="every rule ID involved")
    findings: list[FindingOut] | None = None
    details: dict[str, Any] | None = None
    fields: list[str] | None = Field(default=None, description="the request fields that were not valid")


class ErrorResponse(BaseModel):
    """The envelope of every error answer."""

    error: ErrorDetail


DESCRIPTIONS = {
    400: "The body is not JSON (bad_request).",
    401: "Not signed in, or the session has expired (not_authenticated, bad credentials).",
    403: "The caller's role may not do this (forbidden), or a cross-site request was refused "
    "(csrf_failed: SEC-ORIGIN, SEC-CSRF).",
    404: "No such record, or not the caller's own (not_found).",
    409: "A rule refused the request: `error.rule` names it (e.g. BOOK-WINDOW, REG-QUOTA).",
    415: "The body must be sent as application/json.",
    422: "Invalid input: `error.fields` names the fields; a rule's refusal names `error.rule`.",
    429: "Too many attempts from this client or for this user (rate_limited); see Retry-After.",
    500: "Unexpected error (internal_error): nothing was half-written; try again.",
}

# Operations whose answers the rules above do not imply (method, path) → extra status codes.
EXTRA: dict[tuple[str, str], set[int]] = {
    ("post", f"{API_PREFIX}/auth/login"): {401, 429},
    ("post", f"{API_PREFIX}/patient/login"): {401, 429},
    ("post", f"{API_PREFIX}/registrations"): {429},
    ("post", f"{API_PREFIX}/registrations/waiting-line"): {429},
    ("get", f"{API_PREFIX}/application-forms/{{form_id}}/dates"): {409},
    ("post", f"{API_PREFIX}/screenings"): {404},  # the patient or registration named in the body
}


def error_codes(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer (see the module docstring)."""
    params = operation.get("parameters") or []
    has_body = "requestBody" in operation
    codes = {500}
    if params or has_body:
        codes.add(422)
    if has_body:
        codes |= {400, 415}
    if operation.get("security"):
        codes |= {401, 403}
    if method in UNSAFE:
        codes |= {403, 409}
    if any(p.get("in") == "path" for p in params):
        codes.add(404)
    return codes | EXTRA.get((method, path), set())


def install_contract(app: FastAPI) -> None:
    """Make ``app.openapi()`` declare every error answer of the API with the error envelope."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (FindingOut, ErrorDetail, ErrorResponse):
            components[model.__name__] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components[model.__name__].pop("$defs", None)
        envelope = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith(API_PREFIX):
                continue
            for method, operation in operations.items():
                if operation.get("security") and {} not in operation["security"]:
                    operation["security"].append({})  # anonymous calls reach the route, which answers 401 itself
                responses = operation.setdefault("responses", {})
                for code in sorted(error_codes(method, path, operation)):
                    declared = responses.setdefault(str(code), {})
                    declared.setdefault("description", DESCRIPTIONS[code])
                    declared["content"] = envelope
                for code, declared in responses.items():  # errors a route declared itself: the same envelope
                    if code[:1] in ("4", "5"):
                        declared["content"] = envelope
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
