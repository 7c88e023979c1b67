"""Her documents as downloads (PDF, .ics) over :mod:`hsgclinic.services.documents`.

* The patient, from *My visit*: looking up her visit there (access code + last 4 of the ID) also opens a short
  patient session (``services.staff.patient_login``), kept in the ``hsg_patient`` cookie for ``/my-visit`` only;
  the links are ``/my-visit/documents/<document>.pdf`` and ``/my-visit/documents/my-hsg.ics``. No access code
  and no ID digits ever go into a URL.
* Staff, by appointment or procedure: ``/staff/documents/appointment/<id>/<document>.pdf`` (also
  ``/staff/documents/procedure/<id>/…`` and ``…/calendar.ics``): the desk the application form, the
  before-the-procedure sheet and the receipt; the radiologist the report; anyone on staff the aftercare sheet.

``?lang=zh_CN|en`` chooses the document's language (default: the page language). A document that does not exist
yet is a 404 page, someone else's a 403 page, both in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.documents import ics as ics_files
from hsgclinic.documents.fonts import ChineseFontMissing
from hsgclinic.documents.rendering import lang_of
from hsgclinic.documents.sheets import (
    render_aftercare_pdf,
    render_application_form_pdf,
    render_before_procedure_pdf,
    render_receipt_pdf,
    render_report_pdf,
)
from hsgclinic.domain.messages import N_, Message
from hsgclinic.i18n import SUPPORTED, normalise
from hsgclinic.services import documents
from hsgclinic.services import staff as staff_service
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.documents import Document, Who
from hsgclinic.services.errors import Forbidden, NotAuthenticated, NotFound, ServiceError, TooManyRequests
from hsgclinic.web.ui.clinic_access import now_utc, site_of
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.staff_session import address_of, require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)

PATIENT_COOKIE = "hsg_patient"
PATIENT_PATH = "/my-visit"
PDF_DOCUMENTS = (
    Document.APPLICATION_FORM,
    Document.BEFORE,
    Document.RECEIPT,
    Document.REPORT,
    Document.AFTERCARE,
)

# The file name's words: English (the ASCII fallback) and the document's title in its language (filename*).
_FILE_WORDS: dict[Document, tuple[str, Message]] = {
    Document.APPLICATION_FORM: ("hsg-application-form", N_("HSG application form")),
    Document.BEFORE: ("hsg-before-the-procedure", N_("Before your HSG")),
    Document.RECEIPT: ("hsg-receipt", N_("Receipt")),
    Document.REPORT: ("hsg-report", N_("Hysterosalpingography report")),
    Document.AFTERCARE: ("hsg-aftercare", N_("Aftercare after your HSG")),
    Document.CALENDAR: ("my-hsg-dates", N_("My HSG dates")),
}


# -- her session --------------------------------------------------------------------------------------------
def open_patient_session(response: Response, request: Request, clinic: Any, access_code: str, last4: str) -> None:
    """After *My visit* found her visit: a short patient session for her downloads (cookie on /my-visit only)."""
    try:
        signed_in = staff_service.patient_login(
            clinic.ctx, access_code=access_code, id_last4=last4, address=address_of(request)
        )
    except ServiceError:
        return
    max_age = max(60, int((signed_in.expires_at - clinic.ctx.now()).total_seconds()))
    response.set_cookie(
        PATIENT_COOKIE, signed_in.token, max_age=max_age, httponly=True, samesite="lax", path=PATIENT_PATH
    )


def _patient(request: Request, clinic: Any) -> Actor | None:
    token = request.cookies.get(PATIENT_COOKIE)
    if not token:
        return None
    try:
        actor = staff_service.authenticate(clinic.ctx, token, address_of(request))
    except NotAuthenticated:
        return None
    return actor if actor.role is Role.PATIENT else None


# -- answers ------------------------------------------------------------------------------------------------
def _doc_lang(request: Request) -> str:
    raw = request.query_params.get("lang")
    if raw and raw.replace("-", "_") in (*SUPPORTED, "zh", "zh_cn"):
        return normalise(raw)
    return translator_for(request).locale


def _refused(request: Request, status: int, message: Message, back: str) -> Response:
    ui = ui_state(request)
    return ui.pages.render(
        request, "document_refused.html", status, code=status, message=message, back=back, nav="visit"
    )


def content_disposition(ascii_name: str, title: str, suffix: str) -> str:
    """``attachment`` with an ASCII ``filename`` and the document's own title as RFC 5987 ``filename*``."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "-" for c in ascii_name) + suffix
    own = "".join(c for c in title if c not in '\\/:*?"<>|\r\n').replace(" ", "-") + suffix
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(own, safe='')}"


def _file(body: bytes, media_type: str, doc: Document, number: str, lang: str, suffix: str) -> Response:
    ascii_words, title = _FILE_WORDS[doc]
    t = lang_of(lang)
    tail = f"-{number}" if number else ""
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": content_disposition(ascii_words + tail, t.render(title) + tail, suffix),
            "Cache-Control": "no-store",
            "Content-Language": t.lang_tag,
        },
    )


def _pdf(clinic: Any, doc: Document, who: Who, lang: str, **case: int) -> tuple[bytes, str]:
    site = site_of(clinic)
    ctx = clinic.ctx
    at = now_utc(clinic).astimezone(ctx.tz)  # the footer's print time on the clinic's clock
    if doc is Document.APPLICATION_FORM:
        form = documents.application_form(ctx, who, **case)
        return render_application_form_pdf(form, site, lang, printed_at=at), form.form_number
    if doc is Document.BEFORE:
        before = documents.before_procedure(ctx, who, **case)
        return render_before_procedure_pdf(before, site, lang, printed_at=at), before.form_number or ""
    if doc is Document.RECEIPT:
        paid = documents.receipt(ctx, who, **case)
        return render_receipt_pdf(paid, site, lang, printed_at=at), paid.receipt_number
    if doc is Document.REPORT:
        rep = documents.report(ctx, who, **case)
        return render_report_pdf(rep, site, lang, printed_at=at), rep.report_number
    sheet = documents.aftercare(ctx, who, **case)
    return render_aftercare_pdf(sheet.plan, site, lang, patient=sheet.patient, printed_at=at), sheet.form_number or ""


def case_ics(clinic: Any, view: documents.CaseCalendar, lang: str) -> bytes:
    """Her case as an .ics: the screening visit, the procedure (timed) and the aftercare milestones."""
    t = lang_of(lang)
    site = site_of(clinic)
    entries: list[ics_files.CalendarEntry] = []
    if view.visit_day is not None:
        entries.append(
            ics_files.CalendarEntry(kind="screening-visit", summary=t("HSG screening visit"), first=view.visit_day)
        )
    if view.plan is not None:
        entries += ics_files.aftercare_entries(view.plan, t, site, procedure_at=view.procedure_at)
    elif view.procedure_at is not None:
        entries.append(ics_files.CalendarEntry(kind="procedure", summary=t("HSG procedure"), first=view.procedure_at))
    cal = ics_files.calendar_of(entries, lang=lang, case_id=view.case_id, now=now_utc(clinic))
    return bytes(cal.to_ical())


def _answer(request: Request, doc: Document, who: Who, back: str, **case: int) -> Response:
    clinic = ui_state(request).clinic
    lang = _doc_lang(request)
    try:
        if doc is Document.CALENDAR:
            view = documents.calendar(clinic.ctx, who, **case)
            return _file(case_ics(clinic, view, lang), "text/calendar; charset=utf-8", doc, "", lang, ".ics")
        body, number = _pdf(clinic, doc, who, lang, **case)
    except NotFound as exc:
        return _refused(request, 404, exc.message, back)
    except Forbidden as exc:
        return _refused(request, 403, exc.message, back)
    except TooManyRequests as exc:
        return _refused(request, 429, exc.message, back)
    except NotAuthenticated as exc:
        return _refused(request, 403, exc.message, back)
    except ChineseFontMissing as exc:  # never a PDF of empty boxes: the server lacks fonts-noto-cjk
        return _refused(request, 503, exc.message, back)
    return _file(body, "application/pdf", doc, number, lang, ".pdf")


def _pdf_document(name: str) -> Document | None:
    try:
        doc = Document(name)
    except ValueError:
        return None
    return doc if doc in PDF_DOCUMENTS else None


# -- the patient --------------------------------------------------------------------------------------------
_OPEN_MY_VISIT = N_("Please open My visit with your access code and the last 4 characters of your ID first.")


def _as_patient(request: Request, doc: Document | None) -> Response:
    clinic = ui_state(request).clinic
    if doc is None:
        return _refused(request, 404, N_("This document does not exist yet."), PATIENT_PATH)
    actor = _patient(request, clinic)
    if actor is None:
        return _refused(request, 403, _OPEN_MY_VISIT, PATIENT_PATH)
    return _answer(request, doc, actor, PATIENT_PATH)


@router.get("/my-visit/documents/my-hsg.ics")
async def patient_calendar(request: Request) -> Response:
    return _as_patient(request, Document.CALENDAR)


@router.get("/my-visit/documents/{name}.pdf")
async def patient_document(request: Request, name: str) -> Response:
    return _as_patient(request, _pdf_document(name))


# -- staff --------------------------------------------------------------------------------------------------
def _as_staff(request: Request, doc: Document | None, back: Callable[[Actor], str], **case: int) -> Response:
    clinic = ui_state(request).clinic
    if doc is None:
        require_staff(request, clinic)
        return _refused(request, 404, N_("This document does not exist yet."), "/staff/desk")
    actor = require_staff(request, clinic, *documents.STAFF_ROLES[doc])
    return _answer(request, doc, actor, back(actor), **case)


def _schedule(actor: Actor) -> str:
    return "/staff/radiology" if actor.role is Role.RADIOLOGIST else "/staff/schedule"


@router.get("/staff/documents/appointment/{appointment_id}/calendar.ics")
async def staff_calendar(request: Request, appointment_id: int) -> Response:
    return _as_staff(request, Document.CALENDAR, _schedule, appointment_id=appointment_id)


@router.get("/staff/documents/appointment/{appointment_id}/{name}.pdf")
async def staff_document(request: Request, appointment_id: int, name: str) -> Response:
    return _as_staff(request, _pdf_document(name), _schedule, appointment_id=appointment_id)


@router.get("/staff/documents/procedure/{procedure_id}/{name}.pdf")
async def staff_procedure_document(request: Request, procedure_id: int, name: str) -> Response:
    return _as_staff(request, _pdf_document(name), _schedule, procedure_id=procedure_id)


__all__ = ["PATIENT_COOKIE", "case_ics", "content_disposition", "open_patient_session", "router"]
