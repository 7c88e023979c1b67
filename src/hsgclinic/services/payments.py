"""BOOK-PRICE: self-pay in Decimal CNY; unpaid → paid (receipt number) → refunded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import AuditEvent, Payment, ProcedureAppointment
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused

METHODS = ("cash", "card", "wechat", "alipay", "insurance_card")


@dataclass(frozen=True)
class PaymentView:
    payment_id: int
    appointment_id: int
    amount_cny: Decimal
    status: str
    receipt_number: str | None
    method: str
    paid_at: dt.datetime | None
    refunded_at: dt.datetime | None


def _view(p: Payment) -> PaymentView:
    return PaymentView(
        p.id, p.appointment_id, p.amount_cny, p.status, p.receipt_number, p.method, p.paid_at, p.refunded_at
    )


def _payment(ctx: ServiceContext, session: object, appointment_id: int) -> Payment:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    p = session.execute(select(Payment).where(Payment.appointment_id == appointment_id)).scalar_one_or_none()
    if p is None:
        raise NotFound("not_found", N_("No payment for this appointment."))
    return p


def record_payment(
    ctx: ServiceContext, actor: Actor, appointment_id: int, method: str, amount_cny: Decimal | None = None
) -> PaymentView:
    """Mark the booking paid and issue a receipt number. The amount, if given, must be the price exactly.

    A booking refunded by mistake (still booked) can be paid again: it gets a new receipt number (``-2``, ``-3`` …
    after the first one), and the refunded receipt stays in the audit trail."""
    if method not in METHODS:
        raise InvalidInput("invalid_method", N_("Unknown payment method."))
    now = ctx.now()
    with ctx.write() as uow:
        p = _payment(ctx, uow.session, appointment_id)
        repay = p.status == "refunded"
        if repay:
            appt = uow.session.get(ProcedureAppointment, p.appointment_id)
            if appt is None or appt.status != "booked":
                raise RuleRefused(
                    "not_booked",
                    N_("Only a booking that is still open can be paid again after a refund."),
                    rule="BOOK-PRICE",
                )
        elif p.status != "unpaid":
            raise RuleRefused("not_unpaid", N_("This booking is already paid."), rule="BOOK-PRICE")
        if amount_cny is not None and amount_cny.quantize(Decimal("0.01")) != p.amount_cny:
            raise InvalidInput("wrong_amount", N_("The price is {amount} CNY.", amount=p.amount_cny), rule="BOOK-PRICE")
        local = now.astimezone(ctx.tz)
        before = p.receipt_number
        p.status, p.method, p.paid_at, p.refunded_at = "paid", method, now, None
        p.receipt_number = _next_receipt(before) if repay and before else f"R{local:%Y%m%d}{p.id:06d}"
        p.recorded_by = actor.user_id
        detail = {"receipt": p.receipt_number, "amount": str(p.amount_cny)}
        if repay:
            detail["refunded_receipt"] = before or ""
        audit.record(
            uow.session, actor, "payment.repay" if repay else "payment.pay", "payment", p.id, at=now, detail=detail
        )
        uow.commit()
        return _view(p)


def _next_receipt(number: str) -> str:
    """R202611200000012 → R202611200000012-2 → …-3: a new receipt number for a payment taken again."""
    base, sep, n = number.rpartition("-")
    if sep and n.isdigit():
        return f"{base}-{int(n) + 1}"
    return f"{number}-2"


def refund(ctx: ServiceContext, actor: Actor, appointment_id: int, reason: str = "") -> PaymentView:
    """Refund a paid booking (also after a stopped procedure); the reason goes into the audit trail. A booking
    that is still open stays booked and can be paid again (:func:`record_payment`)."""
    now = ctx.now()
    with ctx.write() as uow:
        p = _payment(ctx, uow.session, appointment_id)
        if p.status != "paid":
            raise RuleRefused("not_paid", N_("Only a paid booking can be refunded."), rule="BOOK-PRICE")
        p.status, p.refunded_at = "refunded", now
        audit.record(
            uow.session,
            actor,
            "payment.refund",
            "payment",
            p.id,
            at=now,
            detail={"receipt": p.receipt_number, "reason": reason.strip()[:500]},
        )
        uow.commit()
        return _view(p)


def get_payment(ctx: ServiceContext, actor: Actor, appointment_id: int) -> PaymentView:
    with ctx.read() as uow:
        return _view(_payment(ctx, uow.session, appointment_id))


def refund_reason(ctx: ServiceContext, actor: Actor, appointment_id: int) -> str | None:
    """The reason given for the latest refund of this booking's payment (None when it was never refunded)."""
    with ctx.read() as uow:
        p = _payment(ctx, uow.session, appointment_id)
        detail = uow.session.execute(
            select(AuditEvent.detail)
            .where(
                AuditEvent.action == "payment.refund",
                AuditEvent.record_type == "payment",
                AuditEvent.record_id == str(p.id),
            )
            .order_by(AuditEvent.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    if detail is None:
        return None
    return str(detail.get("reason") or "")
