"""The /fhir ASGI app: metadata, read and search of every resource in :data:`RESOURCES`, $find and $book.

Routes parse, check the role's scopes, call the services (which audit and hold the rules) and translate.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi import Request as HttpRequest
from starlette.concurrency import run_in_threadpool

from hsgclinic.bootstrap import Clinic
from hsgclinic.domain.messages import N_
from hsgclinic.fhir import access, capability, operations, outcome, search
from hsgclinic.fhir.outcome import FhirError
from hsgclinic.fhir.resources import RESOURCES, Request, link_args
from hsgclinic.fhir.wire import FHIR_JSON, FhirResponse
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import Forbidden, NotAuthenticated, NotFound
from hsgclinic.web.api.deps import get_actor

MAX_BODY = 64 * 1024


def _base(request: HttpRequest) -> str:
    return str(request.base_url).rstrip("/") + str(request.scope.get("root_path", ""))


def _request(request: HttpRequest, actor: Actor) -> Request:
    clinic: Clinic = request.app.state.clinic
    return Request(clinic.ctx, actor, outcome.translator(request), _base(request))


Who = Annotated[Actor, Depends(get_actor)]


def _spec(kind: str) -> Any:
    spec = RESOURCES.get(kind)
    if spec is None:
        raise FhirError(
            404, "not-supported", "unknown_resource", N_("This server does not serve {kind} resources.", kind=kind)
        )
    return spec


async def _body(request: HttpRequest) -> Any:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in (FHIR_JSON, "application/json"):
        raise FhirError(415, "not-supported", "unsupported_media_type", N_("Send the request as FHIR JSON."))
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise FhirError(413, "too-costly", "too_large", N_("The request is too large."))
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise FhirError(400, "invalid", "bad_json", N_("The request body is not valid JSON.")) from None


def _json_only(request: HttpRequest) -> None:
    """``_format`` may ask for JSON only (``json``, ``application/json``, ``application/fhir+json``)."""
    wanted = request.query_params.get("_format")
    if wanted is not None and wanted.split(";")[0].strip().lower() not in ("json", "application/json", FHIR_JSON):
        raise FhirError(406, "not-supported", "not_acceptable", N_("This server answers in FHIR JSON only."))


def _operation(actor: Actor, name: str) -> None:
    roles = {"find": (Role.REGISTRAR, Role.DOCTOR), "book": (Role.REGISTRAR,)}[name]
    if actor.role is Role.PUBLIC:
        raise NotAuthenticated("not_authenticated", N_("Please log in."))
    if actor.role not in roles:
        raise Forbidden("forbidden", N_("Your role may not do this."))


def create_fhir_app(clinic: Clinic) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.state.clinic = clinic
    outcome.install(app)

    @app.get("/metadata")
    def metadata(request: HttpRequest) -> FhirResponse:
        _json_only(request)
        date = clinic.ctx.now().astimezone(clinic.ctx.tz).date().isoformat()
        return FhirResponse(capability.capability_statement(_base(request), date))

    @app.api_route("/Appointment/$find", methods=["GET", "POST"])
    async def find(request: HttpRequest, actor: Who) -> FhirResponse:
        _operation(actor, "find")
        r = _request(request, actor)
        if request.method == "POST":
            params = operations.parameters(await _body(request))
            sr = [p.get("valueReference", {}).get("reference") for p in params.get("service-request", [])]
            pt = [p.get("valueReference", {}).get("reference") for p in params.get("patient", [])]
            named = (sr[0] if sr else None, pt[0] if pt else None)
        else:
            named = (request.query_params.get("service-request"), request.query_params.get("patient"))

        def run() -> dict[str, Any]:  # the services block: in the worker threads, never on the event loop
            return operations.find(r, _base(request), operations.form_for(r, *named))

        return FhirResponse(await run_in_threadpool(run))

    @app.post("/Appointment/$book")
    async def book(request: HttpRequest, actor: Who) -> FhirResponse:
        _operation(actor, "book")
        body = await _body(request)
        answer = await run_in_threadpool(operations.book, _request(request, actor), _base(request), body)
        return FhirResponse(answer)

    @app.get("/{kind}")
    def search_type(kind: str, request: HttpRequest, actor: Who) -> FhirResponse:
        spec = _spec(kind)
        _json_only(request)
        access.require(actor, kind, "s")
        args = search.parse(request.query_params, list(spec.search_params))
        try:
            found, total = spec.search(_request(request, actor), args)
        except NotFound:  # a search by _id (or a patient) that names no record the actor may see: an empty set
            found, total = [], 0
        shown = link_args(kind, args, clinic.settings.secret_key)
        return FhirResponse(search.searchset(_base(request), kind, shown, found, total))

    @app.get("/{kind}/{rid}")
    def read(kind: str, rid: str, actor: Who, request: HttpRequest) -> FhirResponse:
        spec = _spec(kind)
        _json_only(request)
        access.require(actor, kind, "r")
        return FhirResponse(spec.read(_request(request, actor), rid))

    return app
