"""The FastAPI application factory: ``create_app(settings) -> FastAPI``.

JSON API under ``/api/v1`` (OpenAPI at ``/openapi.json``, docs page at ``/api/docs``); the web UI is mounted by
``hsgclinic.web.ui.mount_ui(app, clinic)`` when that package is installed.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from hsgclinic.bootstrap import Clinic, build_clinic
from hsgclinic.config import Settings, load_settings
from hsgclinic.fhir import create_fhir_app
from hsgclinic.web.api import api_router
from hsgclinic.web.api.contract import install_contract
from hsgclinic.web.api.sold_out_gate import SoldOutGate
from hsgclinic.web.errors import install_error_handlers, keep_api_errors_json
from hsgclinic.web.security import install_security

THREADS = 4  # worker threads for the (synchronous) routes: more only adds GIL and row-lock waiting


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
    from hsgclinic.documents.fonts import startup_check

    await anyio.to_thread.run_sync(startup_check)  # logs a warning at start-up when no Chinese font is installed
    yield


def create_app(settings: Settings | None = None, *, clinic: Clinic | None = None) -> FastAPI:
    """Build the app. Refuses to start on an out-of-date schema (the embedded SQLite default upgrades itself)."""
    clinic = clinic or build_clinic(settings or load_settings())
    app = FastAPI(
        lifespan=_lifespan,
        title="hsgclinic",
        version="1",
        description="Painless HSG pathway: registration numbers, screening, booking, procedure, report, aftercare.",
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.clinic = clinic
    install_error_handlers(app)
    app.include_router(api_router())
    install_contract(app)
    app.add_middleware(SoldOutGate, ctx=clinic.ctx)  # the rush's losers answered before routing
    app.mount("/fhir", create_fhir_app(clinic))  # FHIR R4 (docs/fhir.md): its own OperationOutcome errors

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:  # the empty endpoint: on the event loop, no worker thread
        return JSONResponse({"status": "ok"})

    if importlib.util.find_spec("hsgclinic.web.ui") is not None:
        ui = importlib.import_module("hsgclinic.web.ui")
        mount = getattr(ui, "mount_ui", None)
        if mount is not None:
            mount(app, clinic)
            keep_api_errors_json(app)
    install_security(app, clinic.settings)
    return app


def app_from_environment() -> FastAPI:
    """For ``uvicorn --factory hsgclinic.web.app:app_from_environment`` (what ``hsgclinic serve`` runs)."""
    return create_app(load_settings())
