"""The post-procedure check-in page (CARE-BLEED) and the desk's list of the flags it raises (issue 5, "Reminders").

``/checkin/{token}``: the signed link in her messages (no login; valid ``checkin_link_days``). A phone-first form in
her language; a warning sign raises a flag with its CARE rule and tells her plainly to contact the clinic.
``/staff/flags``: the open flags for the desk; a nurse closes one with a note (audited).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.messages import N_
from hsgclinic.domain.reminders import CheckinAnswers, Pain
from hsgclinic.i18n import SUPPORTED, Translator, normalise
from hsgclinic.services import care_flags
from hsgclinic.services.context import Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import LANG_COOKIE, locale_of
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
FLAG_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)
FIELDS = ("bleeding", "heavier", "temperature", "pain")
REASONS = {
    "bleeding_past_d7": N_("Still bleeding after day 7"),
    "bleeding_heavy": N_("Bleeding heavier than a period"),
    "fever": N_("Fever"),
    "pain": N_("Severe or worsening abdominal pain"),
}


def _her_language(request: Request, token: str) -> None:
    """Her preferred language, unless she chose one with the language switch on this device."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen and normalise(chosen) in SUPPORTED:
        return
    lang = care_flags.language_of(ui_state(request).clinic.ctx, token)
    request.state.translator = Translator(lang if lang in SUPPORTED else locale_of(request))


def _invalid(request: Request, reason: str) -> Response:
    expired = str(reason) == "expired"
    return ui_state(request).pages.render(request, "checkin/invalid.html", 410 if expired else 404, expired=expired)


def _form_page(request: Request, token: str, form: FormState, status_code: int = 200) -> Response:
    ui = ui_state(request)
    return ui.pages.render(
        request, "checkin/form.html", status_code, form=form, token=token, today=ui.clinic.ctx.today()
    )


@router.get("/checkin/{token}")
async def checkin_page(request: Request, token: str) -> Response:
    _her_language(request, token)
    try:
        care_flags.read_link(ui_state(request).clinic.ctx, token)
    except care_flags.CheckinLinkInvalid as exc:
        return _invalid(request, str(exc))
    return _form_page(request, token, FormState.of({"pain": "none"}))


@router.post("/checkin/{token}")
async def checkin_submit(request: Request, token: str) -> Response:
    _her_language(request, token)
    ui = ui_state(request)
    ctx = ui.clinic.ctx
    try:
        claims = care_flags.read_link(ctx, token)
    except care_flags.CheckinLinkInvalid as exc:
        return _invalid(request, str(exc))
    data = await request.form()
    form = FormState.of({k: v for k, v in data.items() if k in FIELDS and isinstance(v, str)})
    bleeding = form.yes_no("bleeding", required=True)
    heavier = form.yes_no("heavier") if bleeding else False
    pain = form.choice("pain", {p.value for p in Pain}, required=True)
    temperature: Decimal | None = None
    raw = form.get("temperature").strip().replace(",", ".").replace("°C", "").replace("℃", "").strip()
    if raw:
        try:
            temperature = Decimal(raw)
        except InvalidOperation:
            form.error("temperature", N_("Enter the temperature in °C, e.g. 36.8."))
        else:
            if not 34 <= temperature <= 43:
                form.error("temperature", N_("Enter the temperature in °C, e.g. 36.8."))
    if not form.ok or bleeding is None or pain is None:
        return _form_page(request, token, form, 422)
    answers = CheckinAnswers(
        reported_on=ctx.today(),
        bleeding=bleeding,
        heavier_than_period=bool(heavier),
        temperature_c=temperature,
        pain=Pain(pain),
    )
    address = request.client.host if request.client else ""
    try:
        done = care_flags.submit(ctx, claims, answers, address)
    except ServiceError as exc:
        form.error("temperature", exc.message)
        return _form_page(request, token, form, 422)
    return ui.pages.render(
        request,
        "checkin/done.html",
        flags=[(f.rule, REASONS.get(f.reason, N_("Warning sign"))) for f in done.flags],
        bleeding_stops_by=done.bleeding_stops_by,
    )


# -- the desk's list -------------------------------------------------------------------------------------------


def _flags_page(request: Request, status_code: int = 200, **extra: object) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *FLAG_ROLES)
    flags = care_flags.list_open(ui.clinic.ctx, actor)
    return ui.pages.render(
        request, "checkin/flags.html", status_code, nav="flags", flags=flags, reasons=REASONS, **extra
    )


@router.get("/staff/flags")
async def flags_page(request: Request) -> Response:
    return _flags_page(request, done=request.query_params.get("done"))


@router.post("/staff/flags/{flag_id}/close")
async def close_flag(request: Request, flag_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *FLAG_ROLES)
    data = await request.form()
    note = data.get("note")
    try:
        care_flags.close(ui.clinic.ctx, actor, flag_id, note if isinstance(note, str) else "")
    except ServiceError as exc:
        return _flags_page(request, 404 if exc.code == "not_found" else 422, refusal=exc, failed_id=flag_id)
    return RedirectResponse("/staff/flags?done=closed", status_code=303)
