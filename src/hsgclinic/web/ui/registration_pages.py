"""Patient pages on the services: 'Take a number' (REG-*), 'My visit' and the report kiosk."""

from __future__ import annotations

import datetime as dt
import importlib
import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.identity import IdentityError, IdKind, parse_identity
from hsgclinic.domain.messages import N_
from hsgclinic.domain.registration import Availability
from hsgclinic.web.clients import client_address
from hsgclinic.web.ui.clinic_access import now_local, today_local
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.state import UiState, ui_state

router = APIRouter(include_in_schema=False)

NUMBER_FIELDS = ("day", "name", "id_kind", "id_number", "phone", "email", "language", "key")


def _services(name: str) -> Any:
    """A service module of the persistence engineer's ``hsgclinic.services`` package, or None if not there yet."""
    try:
        return importlib.import_module(f"hsgclinic.services.{name}")
    except ImportError:
        return None


def service_context(clinic: Any) -> Any:
    return getattr(clinic, "ctx", None)


def _actor(request: Request) -> Any:
    from hsgclinic.services.context import Actor

    return Actor.public(client_address(request))


def _days_offered(ui: UiState) -> list[dt.date]:
    ctx = service_context(ui.clinic)
    horizon = ctx.effective().booking_horizon_days if ctx is not None else 0
    today = today_local(ui.clinic)
    return [today + dt.timedelta(days=n) for n in range(horizon + 1)]


def _availability(ui: UiState, day: dt.date) -> Any:
    registration = _services("registration")
    ctx = service_context(ui.clinic)
    if registration is None or ctx is None:
        return None
    return registration.availability(ctx, day)


def _number_page(request: Request, form: FormState, status_code: int = 200, **extra: Any) -> Response:
    ui = ui_state(request)
    days = _days_offered(ui)
    chosen = form.date("day") if form.get("day") else None
    day = chosen if chosen in days else days[0]
    form.values["day"] = day.isoformat()
    form.errors.pop("day", None)
    avail = _availability(ui, day)
    seconds_left = None
    if avail is not None and avail.status.availability is Availability.NOT_RELEASED:
        seconds_left = max(0, int((avail.status.releases_at - now_local(ui.clinic)).total_seconds()))
    if not form.get("key"):
        form.values["key"] = secrets.token_urlsafe(16)
    return ui.pages.render(
        request,
        "patient/number.html",
        status_code=status_code,
        nav="number",
        form=form,
        day=day,
        days=days,
        avail=avail,
        seconds_left=seconds_left,
        **extra,
    )


@router.get("/number")
async def number_page(request: Request) -> Response:
    form = FormState.of({k: v for k, v in request.query_params.items() if k == "day"})
    form.values.setdefault("id_kind", "resident")
    form.values.setdefault("language", "zh_CN" if translator_for(request).is_zh else "en")
    return _number_page(request, form)


def read_number_form(request: Request, data: Any) -> tuple[FormState, dict[str, Any]]:
    """The 'Take a number' form (the waiting line's too), checked field by field; the person's details as the
    services take them."""
    form = FormState.of({k: v for k, v in data.items() if k in NUMBER_FIELDS and isinstance(v, str)})
    day = form.date("day", required=True)
    name = form.text("name", required=True, max_len=40)
    kind = form.choice("id_kind", {"resident", "passport"}, required=True) or "resident"
    id_number = form.text("id_number", required=True, max_len=32)
    phone = form.text("phone", required=True, max_len=20)
    email = form.text("email", max_len=254)
    if email is not None and ("@" not in email or "." not in email.rpartition("@")[2]):
        form.error("email", N_("Please enter a valid email address, or leave it empty."))
    language = form.choice("language", {"zh_CN", "en"}) or ("zh_CN" if translator_for(request).is_zh else "en")
    if id_number is not None:
        try:
            parse_identity(id_number, IdKind(kind))
        except IdentityError as exc:
            form.error("id_number", exc.message)
    if phone is not None and not phone.replace(" ", "").replace("-", "").lstrip("+").isdigit():
        form.error("phone", N_("Please enter a phone number (digits only)."))
    person = {
        "day": day,
        "name": name or "",
        "id_number": id_number or "",
        "phone": phone or "",
        "id_kind": kind,
        "email": email,
        "lang": language,
    }
    return form, person


@router.post("/number")
async def take_number(request: Request) -> Response:
    ui = ui_state(request)
    form, person = read_number_form(request, await request.form())
    day = person["day"]
    registration = _services("registration")
    ctx = service_context(ui.clinic)
    if not form.ok or day is None or registration is None or ctx is None:
        return _number_page(request, form, status_code=422 if not form.ok else 503)
    from hsgclinic.services import grab_limit
    from hsgclinic.services.errors import InvalidInput, ServiceError, TooManyRequests

    try:
        registration.refuse_if_known_sold_out(ctx, day, form.get("key") or None)
        grab_limit.count_grab(ctx, client_address(request))
        taken = registration.take_number(ctx, _actor(request), **person, idempotency_key=form.get("key") or None)
    except InvalidInput as exc:
        form.error("id_number" if "ID" in exc.message.msgid or "passport" in exc.message.msgid else "name", exc.message)
        return _number_page(request, form, status_code=422)
    except TooManyRequests as exc:  # keep her form (and its key): she only has to wait and send it again
        answer = _number_page(request, form, status_code=429, refusal=exc)
        answer.headers["Retry-After"] = str(exc.details.get("retry_after", 60))
        return answer
    except ServiceError as exc:
        form.values["key"] = ""
        return _number_page(request, form, status_code=409, refusal=exc)
    # Post/Redirect/Get: reloading the ticket page shows the ticket again (not a second POST and a 409).
    answer = RedirectResponse("/number/ticket", status_code=303)
    answer.set_cookie(
        TICKET_COOKIE,
        _ticket_token(ui, taken.number.registration_id, taken.number.patient_id),
        max_age=TICKET_SECONDS,
        httponly=True,
        samesite="lax",
        path="/number",
    )
    return answer


TICKET_COOKIE = "hsg_ticket"
TICKET_SECONDS = 2 * 24 * 3600
_TICKET_SALT = "hsgclinic.ticket.v1"


def _ticket_token(ui: UiState, registration_id: int, patient_id: int) -> str:
    from itsdangerous import URLSafeTimedSerializer

    return str(
        URLSafeTimedSerializer(ui.clinic.settings.secret_key, salt=_TICKET_SALT).dumps([registration_id, patient_id])
    )


def _ticket(request: Request) -> Any:
    """Her number from the ticket cookie (signed, two days), or None."""
    from itsdangerous import BadSignature, URLSafeTimedSerializer

    from hsgclinic.services import registration as registration_service
    from hsgclinic.services.context import Actor, Role
    from hsgclinic.services.errors import ServiceError

    ui = ui_state(request)
    token = request.cookies.get(TICKET_COOKIE)
    if not token:
        return None
    try:
        reg_id, patient_id = URLSafeTimedSerializer(ui.clinic.settings.secret_key, salt=_TICKET_SALT).loads(
            token, max_age=TICKET_SECONDS
        )
        actor = Actor(Role.PATIENT, f"patient:{int(patient_id)}", patient_id=int(patient_id))
        return registration_service.get_number(ui.clinic.ctx, actor, int(reg_id))
    except (BadSignature, ValueError, TypeError, ServiceError):
        return None


@router.get("/number/ticket")
async def ticket_page(request: Request) -> Response:
    """Her ticket: number, access code with its QR, the day and the time to arrive; printable and saveable."""
    number = _ticket(request)
    if number is None:
        return RedirectResponse("/number", status_code=303)
    ui = ui_state(request)
    return ui.pages.render(
        request,
        "patient/number_taken.html",
        nav="number",
        number=number,
        arrive_by=ui.clinic.settings.first_slot,
    )


@router.get("/number/ticket/qr.svg")
async def ticket_qr(request: Request) -> Response:
    """The QR of her access code (what the kiosk and My visit scan), as an SVG image."""
    from hsgclinic.documents.rendering import qr_svg

    number = _ticket(request)
    if number is None:
        return Response(status_code=404)
    return Response(
        qr_svg(number.access_code), media_type="image/svg+xml", headers={"Cache-Control": "no-store, private"}
    )


VISIT_FIELDS = ("code", "last4")


def _lookup_form(request: Request, data: dict[str, str]) -> FormState:
    form = FormState.of({k: v for k, v in data.items() if k in VISIT_FIELDS})
    code = (form.text("code", required=True, max_len=16) or "").upper().replace(" ", "")
    form.values["code"] = code
    last4 = (form.text("last4", required=True, max_len=4) or "").upper()
    if code and not (len(code) == 8 and code.isalnum()):
        form.error("code", N_("The access code has 8 letters and digits."))
    if last4 and len(last4) != 4:
        form.error("last4", N_("Enter the last 4 characters of your ID number."))
    return form


def _call_service(module: str, function: str, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """(True, result) when the service exists; (False, None) while it has not landed yet."""
    mod = _services(module)
    fn = getattr(mod, function, None) if mod is not None else None
    if fn is None:
        return False, None
    return True, fn(*args, **kwargs)


@router.get("/my-visit")
async def my_visit_page(request: Request) -> Response:
    form = FormState.of({"code": request.query_params.get("code", "")})
    return ui_state(request).pages.render(request, "patient/my_visit.html", nav="visit", form=form, visit=None)


@router.post("/my-visit")
async def my_visit_lookup(request: Request) -> Response:
    ui = ui_state(request)
    data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = _lookup_form(request, data)
    if not form.ok:
        return ui.pages.render(request, "patient/my_visit.html", 422, nav="visit", form=form, visit=None)
    from hsgclinic.services.errors import ServiceError

    try:
        available, visit = _call_service(
            "visits", "find_visit", service_context(ui.clinic), form.get("code").upper(), form.get("last4").upper()
        )
    except ServiceError as exc:
        return ui.pages.render(request, "patient/my_visit.html", 404, nav="visit", form=form, visit=None, refusal=exc)
    status = 200 if available else 503
    response = ui.pages.render(
        request, "patient/my_visit.html", status, nav="visit", form=form, visit=visit, unavailable=not available
    )
    if visit is not None:  # her downloads on this page (documents_pages): a short patient session cookie
        from hsgclinic.web.ui.documents_pages import open_patient_session

        open_patient_session(response, request, ui.clinic, form.get("code").upper(), form.get("last4").upper())
    return response


@router.get("/kiosk")
async def kiosk_page(request: Request) -> Response:
    return ui_state(request).pages.render(request, "kiosk.html", form=FormState(), result=None)


@router.post("/kiosk")
async def kiosk_lookup(request: Request) -> Response:
    """REPORT-READY: access code + last 4 of the ID (one 404 answer for either wrong; tries counted, then 429)."""
    ui = ui_state(request)
    data = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    form = _lookup_form(request, data)
    if not form.ok:
        return ui.pages.render(request, "kiosk.html", 422, form=form, result=None)
    from hsgclinic.services.errors import ServiceError, TooManyRequests

    try:
        available, result = _call_service(
            "reports", "kiosk_lookup", service_context(ui.clinic), form.get("code"), form.get("last4").upper()
        )
    except TooManyRequests as exc:
        return ui.pages.render(request, "kiosk.html", 429, form=form, result=None, refusal=exc)
    except ServiceError as exc:
        return ui.pages.render(request, "kiosk.html", 404, form=form, result=None, refusal=exc)
    form.values["last4"] = ""  # the kiosk is shared: her ID digits are not left on the screen
    return ui.pages.render(
        request, "kiosk.html", 200 if available else 503, form=form, result=result, unavailable=not available
    )
