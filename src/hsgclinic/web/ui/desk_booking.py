"""Booking (BOOK-*: only the valid dates from ``booking.options``, with places left), payment (BOOK-PRICE) and the
day's procedure schedule for the desk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.messages import N_
from hsgclinic.services import booking, desk, payments
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
BOOK_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.ADMIN)
PAY_ROLES = (Role.REGISTRAR, Role.ADMIN)
SCHEDULE_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)


def _not_found(request: Request) -> Response:
    return ui_state(request).pages.render(request, "errors/error.html", 404, code=404, detail=None)


def _booking_page(
    request: Request, actor: Actor, form_id: int, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    ui = ui_state(request)
    who = desk.form_number(ui.clinic.ctx, actor, form_id)
    if who is None:
        return _not_found(request)
    live = desk.live_appointment(ui.clinic.ctx, actor, form_id)
    if live is not None:
        return RedirectResponse(f"/staff/payment/{live}", status_code=303)
    options = booking.options(ui.clinic.ctx, actor, form_id)
    return ui.pages.render(
        request,
        "staff/booking.html",
        status_code,
        nav="desk",
        form_id=form_id,
        form_number=who[0],
        patient_name=who[1],
        masked_id=who[2],
        options=options,
        form=form,
        id_facts=__import__("hsgclinic.services.search", fromlist=["x"]).id_facts(
            ui.clinic.ctx, actor, form_id=form_id
        ),
        **extra,
    )


@router.get("/staff/booking/{form_id}")
async def booking_page(request: Request, form_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *BOOK_ROLES)
    return _booking_page(request, actor, form_id, FormState())


@router.post("/staff/booking/{form_id}")
async def book(request: Request, form_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *BOOK_ROLES)
    raw = await request.form()
    form = FormState.of({k: v for k, v in raw.items() if k in ("day", "confirmed_by") and isinstance(v, str)})
    if desk.form_number(ui.clinic.ctx, actor, form_id) is None:
        return _not_found(request)
    options = booking.options(ui.clinic.ctx, actor, form_id)
    offered = {o.day.isoformat(): o for o in options.offers}
    chosen = form.choice("day", set(offered), required=True)
    confirmed_by = form.text("confirmed_by", max_len=100)
    if chosen is not None and offered[chosen].needs_review and confirmed_by is None:
        form.error("confirmed_by", N_("This date needs a doctor's confirmation: enter the confirming doctor's name."))
    if not form.ok or chosen is None:
        return _booking_page(request, actor, form_id, form, 422)
    try:
        appt = booking.book(ui.clinic.ctx, actor, form_id, dt.date.fromisoformat(chosen), confirmed_by)
    except ServiceError as exc:
        return _booking_page(request, actor, form_id, form, 409, refusal=exc)
    return RedirectResponse(f"/staff/payment/{appt.appointment_id}?booked=1", status_code=303)


def _payment_page(
    request: Request, actor: Actor, appointment_id: int, status_code: int = 200, **extra: Any
) -> Response:
    ui = ui_state(request)
    try:
        appt = booking.get_appointment(ui.clinic.ctx, actor, appointment_id)
    except ServiceError:
        return _not_found(request)
    who = desk.form_number(ui.clinic.ctx, actor, appt.application_form_id)
    extra.setdefault("form", FormState())
    refunded = appt.payment_status == "refunded" or extra.get("refunded")
    extra.setdefault(
        "refund_reason", payments.refund_reason(ui.clinic.ctx, actor, appointment_id) if refunded else None
    )
    return ui.pages.render(
        request,
        "staff/payment.html",
        status_code,
        nav="desk",
        appt=appt,
        who=who,
        methods=payments.METHODS,
        can_pay=actor.role in PAY_ROLES,
        **extra,
    )


@router.get("/staff/payment/{appointment_id}")
async def payment_page(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *BOOK_ROLES)
    return _payment_page(
        request,
        actor,
        appointment_id,
        booked=request.query_params.get("booked") == "1",
        done=request.query_params.get("done"),
    )


@router.post("/staff/payment/{appointment_id}")
async def pay(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *PAY_ROLES)
    raw = await request.form()
    form = FormState.of({k: v for k, v in raw.items() if k in ("method", "action") and isinstance(v, str)})
    try:
        if form.get("action") == "refund":  # a refund needs its confirmation step and a reason
            return RedirectResponse(f"/staff/payment/{appointment_id}/refund", status_code=303)
        method = form.choice("method", set(payments.METHODS), required=True)
        if method is None:
            return _payment_page(request, actor, appointment_id, 422, form=form)
        paid = payments.record_payment(ui.clinic.ctx, actor, appointment_id, method)
    except ServiceError as exc:
        return _payment_page(request, actor, appointment_id, 409, form=form, refusal=exc)
    return _payment_page(request, actor, appointment_id, paid=paid)


@router.get("/staff/schedule")
async def schedule_page(request: Request) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *SCHEDULE_ROLES)
    today = ui.clinic.ctx.today()
    raw = request.query_params.get("day")
    problem = None
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day, problem = today, N_("Please enter a date as year-month-day, e.g. 2026-11-18.")
    rows = desk.schedule(ui.clinic.ctx, actor, day)
    return ui.pages.render(
        request,
        "staff/schedule.html",
        422 if problem else 200,
        nav="schedule",
        day=day,
        today=today,
        rows=rows,
        problem=problem,
        capacity=ui.clinic.ctx.effective().procedure_capacity,
        prev_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
    )
