"""The desk's corrections on the pages (issue 8): cancel a number, undo a check-in, cancel or move a booking,
refund (with a reason) and take a new payment after a mistaken refund.

Every correction is two steps: a GET page that says what will happen (and names the rule), and the POST that does
it and goes back to the queue or the payment page with a confirmation. Refusals show their rule ID, in the reader's
language; nothing is half-done (each service call is one transaction).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.messages import N_, Message
from hsgclinic.services import booking, closures, corrections, desk, payments, registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
DESK_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.ADMIN)
PAY_ROLES = (Role.REGISTRAR, Role.ADMIN)

NUMBER_REASONS: tuple[tuple[str, Message], ...] = (
    ("patient", N_("The patient asked to cancel")),
    ("cycle_changed", N_("Her cycle changed (period early or late)")),
    ("screening_failed", N_("The screening did not pass")),
    ("staff", N_("Entered by mistake at the desk")),
)


def _not_found(request: Request) -> Response:
    return ui_state(request).pages.render(request, "errors/error.html", 404, code=404, detail=None)


def _confirm(request: Request, status_code: int = 200, **page: Any) -> Response:
    page.setdefault("form", FormState())
    return ui_state(request).pages.render(request, "staff/confirm.html", status_code, nav="desk", **page)


async def _form(request: Request, *names: str) -> FormState:
    raw = await request.form()
    return FormState.of({k: v for k, v in raw.items() if k in names and isinstance(v, str)})


# -- registration numbers ---------------------------------------------------------------------------------------
def _number(request: Request, actor: Actor, registration_id: int) -> registration.NumberView | None:
    try:
        return registration.get_number(ui_state(request).clinic.ctx, actor, registration_id)
    except ServiceError:
        return None


def _cancel_number_page(
    request: Request, n: registration.NumberView, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    return _confirm(
        request,
        status_code,
        kind="cancel_number",
        title=N_("Cancel number {n}", n=n.queue_number),
        who=(n.name, n.masked_id),
        facts=[(N_("Number"), f"{n.queue_number} · {n.day.isoformat()}")],
        effects=[
            N_("The number is cancelled and goes back to the day's pool at once; someone else can take it."),
            N_("She gets a message that her visit is cancelled."),
            N_("A cancellation is never counted as a no-show, whatever the reason."),
        ],
        rules=("REG-SEQ", "REG-NOSHOW"),
        action=f"/staff/desk/cancel/{n.registration_id}",
        reasons=NUMBER_REASONS,
        button=N_("Cancel the number"),
        back=f"/staff/desk?day={n.day.isoformat()}#n{n.queue_number}",
        form=form,
        **extra,
    )


@router.get("/staff/desk/cancel/{registration_id}")
async def cancel_number_page(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    n = _number(request, actor, registration_id)
    if n is None:
        return _not_found(request)
    return _cancel_number_page(request, n, FormState())


@router.post("/staff/desk/cancel/{registration_id}")
async def cancel_number(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    n = _number(request, actor, registration_id)
    if n is None:
        return _not_found(request)
    form = await _form(request, "reason")
    reason = form.choice("reason", {r for r, _ in NUMBER_REASONS}, required=True)
    if reason is None:
        return _cancel_number_page(request, n, form, 422)
    try:
        registration.cancel_number(ui.clinic.ctx, actor, registration_id, reason)
    except ServiceError as exc:
        return _cancel_number_page(request, n, form, 409, refusal=exc)
    return RedirectResponse(f"/staff/desk?day={n.day.isoformat()}&done=cancelled#n{n.queue_number}", 303)


def _undo_page(request: Request, n: registration.NumberView, status_code: int = 200, **extra: Any) -> Response:
    return _confirm(
        request,
        status_code,
        kind="undo_check_in",
        title=N_("Undo the check-in of number {n}", n=n.queue_number),
        who=(n.name, n.masked_id),
        facts=[(N_("Number"), f"{n.queue_number} · {n.day.isoformat()}")],
        effects=[
            N_("The number goes back to waiting; check her in again when she is at the desk."),
            N_("Possible only on the day and before a screening is recorded for her."),
        ],
        rules=("REG-SEQ",),
        action=f"/staff/desk/undo-check-in/{n.registration_id}",
        button=N_("Undo the check-in"),
        back=f"/staff/desk?day={n.day.isoformat()}#n{n.queue_number}",
        **extra,
    )


@router.get("/staff/desk/undo-check-in/{registration_id}")
async def undo_check_in_page(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    n = _number(request, actor, registration_id)
    return _not_found(request) if n is None else _undo_page(request, n)


@router.post("/staff/desk/undo-check-in/{registration_id}")
async def undo_check_in(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    n = _number(request, actor, registration_id)
    if n is None:
        return _not_found(request)
    try:
        corrections.undo_check_in(ui.clinic.ctx, actor, registration_id)
    except ServiceError as exc:
        return _undo_page(request, n, 409, refusal=exc)
    return RedirectResponse(f"/staff/desk?day={n.day.isoformat()}&done=check_in_undone#n{n.queue_number}", 303)


# -- bookings -----------------------------------------------------------------------------------------------------
def _appointment(request: Request, actor: Actor, appointment_id: int) -> tuple[booking.AppointmentView, Any] | None:
    ctx = ui_state(request).clinic.ctx
    try:
        appt = booking.get_appointment(ctx, actor, appointment_id)
    except ServiceError:
        return None
    return appt, desk.form_number(ctx, actor, appt.application_form_id)


def _facts(appt: booking.AppointmentView, who: Any) -> list[tuple[Message, str]]:
    facts: list[tuple[Message, str]] = []
    if who:
        facts.append((N_("Form number"), who[0]))
    facts.append((N_("Appointment"), f"{appt.day.isoformat()} {appt.slot_time.strftime('%H:%M')}"))
    return facts


def _cancel_appt_page(
    request: Request, appt: booking.AppointmentView, who: Any, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    effects = [
        N_("The booking is cancelled and its place goes back to the day's pool at once."),
        N_("She gets a message that the procedure is cancelled; her reminders for it are withdrawn."),
    ]
    if appt.payment_status == "paid":
        effects.append(N_("She has paid: refund her separately on the payment page (the booking does not refund)."))
    return _confirm(
        request,
        status_code,
        kind="cancel_appointment",
        title=N_("Cancel the procedure booking"),
        who=(who[1], who[2]) if who else None,
        facts=_facts(appt, who),
        effects=effects,
        rules=("BOOK-OPEN", "BOOK-NEXT"),
        action=f"/staff/appointment/{appt.appointment_id}/cancel",
        reason_text=N_("Reason"),
        button=N_("Cancel the booking"),
        back=f"/staff/payment/{appt.appointment_id}",
        form=form,
        **extra,
    )


@router.get("/staff/appointment/{appointment_id}/cancel")
async def cancel_appointment_page(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    return _cancel_appt_page(request, found[0], found[1], FormState())


@router.post("/staff/appointment/{appointment_id}/cancel")
async def cancel_appointment(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    form = await _form(request, "reason")
    reason = form.text("reason", required=True, max_len=500)
    if reason is None:
        return _cancel_appt_page(request, found[0], found[1], form, 422)
    try:
        booking.cancel(ui.clinic.ctx, actor, appointment_id, reason)
    except ServiceError as exc:
        return _cancel_appt_page(request, found[0], found[1], form, 409, refusal=exc)
    return RedirectResponse(f"/staff/payment/{appointment_id}?done=cancelled", 303)


def _move_page(
    request: Request, appt: booking.AppointmentView, who: Any, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    options = booking.options(ui.clinic.ctx, actor, appt.application_form_id)
    offers = [o for o in options.offers if o.day != appt.day]
    return _confirm(
        request,
        status_code,
        kind="move",
        title=N_("Move the procedure to another date"),
        who=(who[1], who[2]) if who else None,
        facts=_facts(appt, who),
        effects=[
            N_("The new place is taken first, then the old one goes back to the pool; nothing is left half-moved."),
            N_("Every booking rule is checked again for the new date; her payment moves with the booking."),
            N_("She gets a message with the new date and time."),
        ],
        rules=("BOOK-WINDOW", "BOOK-LEAD", "BOOK-OPEN"),
        action=f"/staff/appointment/{appt.appointment_id}/move",
        offers=offers,
        button=N_("Move to this date"),
        back=f"/staff/payment/{appt.appointment_id}",
        form=form,
        **extra,
    )


@router.get("/staff/appointment/{appointment_id}/move")
async def move_page(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    return _move_page(request, found[0], found[1], FormState())


@router.post("/staff/appointment/{appointment_id}/move")
async def move(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    appt, who = found
    form = await _form(request, "day", "confirmed_by")
    options = booking.options(ui.clinic.ctx, actor, appt.application_form_id)
    offered = {o.day.isoformat(): o for o in options.offers if o.day != appt.day}
    chosen = form.choice("day", set(offered), required=True)
    confirmed_by = form.text("confirmed_by", max_len=100)
    if chosen is not None and offered[chosen].needs_review and confirmed_by is None:
        form.error("confirmed_by", N_("This date needs a doctor's confirmation: enter the confirming doctor's name."))
    if not form.ok or chosen is None:
        return _move_page(request, appt, who, form, 422)
    try:
        moved = booking.reschedule(ui.clinic.ctx, actor, appointment_id, dt.date.fromisoformat(chosen), confirmed_by)
    except ServiceError as exc:
        return _move_page(request, appt, who, form, 409, refusal=exc)
    return RedirectResponse(f"/staff/payment/{moved.appointment_id}?done=moved", 303)


# -- payments -----------------------------------------------------------------------------------------------------
def _refund_page(
    request: Request, appt: booking.AppointmentView, who: Any, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    effects = [
        N_(
            "The payment of {amount} CNY (receipt {receipt}) is marked refunded.",
            amount=appt.price_cny,
            receipt=appt.receipt_number or "—",
        ),
        N_("Give the money back the way she paid; the reason is kept in the audit trail."),
    ]
    if appt.status == "booked":
        effects.append(N_("The booking stays; it must be paid again before the procedure."))
    return _confirm(
        request,
        status_code,
        kind="refund",
        title=N_("Refund the payment"),
        who=(who[1], who[2]) if who else None,
        facts=_facts(appt, who),
        effects=effects,
        rules=("BOOK-PRICE",),
        action=f"/staff/payment/{appt.appointment_id}/refund",
        reason_text=N_("Reason for the refund"),
        button=N_("Refund {amount} CNY", amount=appt.price_cny),
        back=f"/staff/payment/{appt.appointment_id}",
        form=form,
        **extra,
    )


@router.get("/staff/payment/{appointment_id}/refund")
async def refund_page(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *PAY_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    return _refund_page(request, found[0], found[1], FormState())


@router.post("/staff/payment/{appointment_id}/refund")
async def refund(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *PAY_ROLES)
    found = _appointment(request, actor, appointment_id)
    if found is None:
        return _not_found(request)
    form = await _form(request, "reason")
    reason = form.text("reason", required=True, max_len=500)
    if reason is None:
        return _refund_page(request, found[0], found[1], form, 422)
    try:
        payments.refund(ui.clinic.ctx, actor, appointment_id, reason)
    except ServiceError as exc:
        return _refund_page(request, found[0], found[1], form, 409, refusal=exc)
    return RedirectResponse(f"/staff/payment/{appointment_id}?done=refunded", 303)


# -- a closed day (issue 8: "needs a new date" on the desk) ---------------------------------------------------------
def _desk_refusal(request: Request, actor: Actor, exc: ServiceError) -> Response:
    from hsgclinic.web.ui.desk import _queue

    return _queue(request, actor, ui_state(request).clinic.ctx.today(), 409, refusal=exc)


@router.post("/staff/closures/rebook/{appointment_id}")
async def rebook(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    try:
        closures.rebook_next(ui.clinic.ctx, actor, appointment_id)
    except ServiceError as exc:
        return _desk_refusal(request, actor, exc)
    return RedirectResponse("/staff/desk?done=rebooked#needs-new-date", 303)


@router.post("/staff/closures/cancel-number/{registration_id}")
async def cancel_number_on_closed_day(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *DESK_ROLES)
    try:
        registration.cancel_number(ui.clinic.ctx, actor, registration_id, "staff")
    except ServiceError as exc:
        return _desk_refusal(request, actor, exc)
    return RedirectResponse("/staff/desk?done=cancelled#needs-new-date", 303)
