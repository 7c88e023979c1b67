"""Staff pages (desk, radiologist, administrator). Sign-in waits for the staff account service."""

from __future__ import annotations

import importlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.domain.messages import N_
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)


def _accounts_service() -> object | None:
    try:
        return importlib.import_module("hsgclinic.services.staff")
    except ImportError:
        return None


@router.get("/staff/login")
async def login_page(request: Request) -> Response:
    return ui_state(request).pages.render(
        request, "staff/login.html", nav="staff", form=FormState(), unavailable=_accounts_service() is None
    )


@router.post("/staff/login")
async def login(request: Request) -> Response:
    data = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and k == "username"}
    form = FormState.of(data)
    form.text("username", required=True, max_len=64)
    if _accounts_service() is None:
        form.error("username", N_("Staff sign-in is not available yet."))
    return ui_state(request).pages.render(
        request, "staff/login.html", 422 if not form.ok else 503, nav="staff", form=form, unavailable=True
    )
