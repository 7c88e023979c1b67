"""The administrator's DICOM page: the Modality Worklist / MPPS service's AE configuration and its last exchanges
(who called, when, what was asked, how many answers, the status) — docs/dicom-conformance.md."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.services import worklist
from hsgclinic.services.context import Role
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)


def _asked(request: dict[str, Any]) -> str:
    """What was asked, shortly: the matching keys with their values (the requested key list left out)."""
    parts = [f"{k}={v}" for k, v in request.items() if k not in ("keys", "window") and v not in ("", None)]
    if "window" in request:
        first, last = request["window"]
        parts.append(f"{first}…{last}" if first != last else str(first))
    return ", ".join(parts)


@router.get("/staff/admin/dicom")
async def dicom_page(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, Role.ADMIN)
    view = worklist.overview(ui.clinic.ctx, actor)
    rows = [{"x": x, "asked": _asked(x.request), "keys": len(x.request.get("keys", []))} for x in view.exchanges]
    return ui.pages.render(request, "admin/dicom.html", nav="admin", section="dicom", view=view, rows=rows)
