"""The kiosk's print route: the signed report as a PDF (``documents.render_report_pdf``), by the signed print
link the kiosk lookup (access code + last 4 of the ID) gives."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.documents.sheets import render_report_pdf
from hsgclinic.domain.messages import N_
from hsgclinic.services import reports
from hsgclinic.services.errors import NotFound, ServiceError
from hsgclinic.web.ui.clinic_access import site_of
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
_TOKEN = re.compile(r"^[0-9A-Za-z_.\-]{16,400}$")


@router.get("/kiosk/print/{token}.pdf")
async def kiosk_report_pdf(request: Request, token: str) -> Response:
    ui = ui_state(request)
    try:
        if not _TOKEN.match(token):
            raise NotFound("not_ready", N_("This report cannot be printed yet."), rule="REPORT-READY")
        address = request.client.host if request.client else ""
        view = reports.printable_report(ui.clinic.ctx, token, address)
    except ServiceError as exc:
        return ui.pages.render(request, "kiosk.html", 404, form=FormState(), result=None, refusal=exc)
    t = translator_for(request)
    pdf = render_report_pdf(view, site_of(ui.clinic), "zh_CN" if t.is_zh else "en")
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{view.report_number}.pdf"',
            "Cache-Control": "no-store",
        },
    )
