"""The JSON API under ``/api/v1`` (see docs/api.md). Routes parse, call one service, render — never commit."""

from __future__ import annotations

from fastapi import APIRouter

from hsgclinic.web.api import admin, identity, pathway, patient, registrations, staff


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    for module in (registrations, staff, pathway, admin, patient, identity):
        router.include_router(module.router)
    return router
