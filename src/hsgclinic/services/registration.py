"""Registration numbers (REG-*): take, cancel, check in, mark no-shows, list.

``take_number`` is the 07:00 rush path: a read-only look first (an earlier answer for the same Idempotency-Key,
the day sold out — cheap, no lock), then one short write transaction that takes the lowest free number with the
conditional counter update (:mod:`hsgclinic.persistence.locking`).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import asdict, dataclass
from typing import Any, cast

from sqlalchemy import Table, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.domain.registration import Availability, ReleaseStatus, noshow_suspension, release_status
from hsgclinic.persistence import locking
from hsgclinic.persistence.models import Patient, RegistrationNumber
from hsgclinic.services import audit, hl7_outbound, idempotency, patients, reminders
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused

_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CANCEL_REASONS = ("patient", "cycle_changed", "screening_failed", "staff")
_AVAILABILITY_CODES = {
    Availability.CLOSED: "closed",
    Availability.NOT_RELEASED: "not_released",
    Availability.PAST_HORIZON: "not_released",
    Availability.PAST: "day_past",
}


@dataclass(frozen=True)
class NumberView:
    """A registration number as staff and the patient see it (the ID masked)."""

    registration_id: int
    day: dt.date
    queue_number: int
    status: str
    name: str
    masked_id: str
    patient_id: int
    access_code: str

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["day"] = self.day.isoformat()
        return data


@dataclass(frozen=True)
class NumberTaken:
    number: NumberView
    replayed: bool  # True when this is the stored answer to a retried Idempotency-Key


@dataclass(frozen=True)
class DayAvailability:
    day: dt.date
    status: ReleaseStatus
    quota: int
    remaining: int


def _view(reg: RegistrationNumber, patient: Patient) -> NumberView:
    return NumberView(
        registration_id=reg.id,
        day=reg.day,
        queue_number=reg.queue_number,
        status=reg.status,
        name=patient.name,
        masked_id=patient.masked_id,
        patient_id=patient.id,
        access_code=reg.access_code,
    )


def _release(ctx: ServiceContext, day: dt.date) -> ReleaseStatus:
    eff = ctx.effective()
    return release_status(
        day,
        now_local=ctx.now_local(),
        release_time=eff.release_time,
        horizon_days=eff.booking_horizon_days,
        calendar=ctx.calendar_for(day),
    )


def availability(ctx: ServiceContext, day: dt.date) -> DayAvailability:
    """REG-RELEASE / REG-QUOTA: whether numbers for ``day`` can be taken now, and how many are left."""
    status = _release(ctx, day)
    quota = ctx.effective().daily_numbers
    with ctx.read() as uow:
        left = locking.remaining(uow.session, locking.REGISTRATION, day)
    return DayAvailability(day, status, quota, quota if left is None else left)


def _refuse_unless_open(status: ReleaseStatus) -> None:
    if status.availability is Availability.OPEN:
        return
    details: dict[str, object] = {"releases_at": status.releases_at.isoformat(timespec="minutes")}
    raise RuleRefused(_AVAILABILITY_CODES[status.availability], status.message, rule=status.rule, details=details)


def sold_out_refusal(day: dt.date) -> RuleRefused:
    """REG-QUOTA: every number of ``day`` is taken (the answer the web's sold-out gate sends from memory)."""
    return RuleRefused("sold_out", N_("All numbers for {day} have been taken.", day=day), rule="REG-QUOTA")


def refuse_unless_released(ctx: ServiceContext, day: dt.date) -> None:
    """REG-RELEASE / CAL-OPEN: numbers (and the waiting line) for ``day`` are open now."""
    _refuse_unless_open(_release(ctx, day))


def holds_number(s: Session, patient_id: int, day: dt.date) -> bool:
    """She holds a live number of ``day`` (REG-REALNAME)."""
    live = s.execute(
        select(RegistrationNumber.id).where(
            RegistrationNumber.patient_id == patient_id,
            RegistrationNumber.day == day,
            RegistrationNumber.active.is_(True),
        )
    ).first()
    return live is not None


def refuse_if_suspended(ctx: ServiceContext, s: Session, patient_id: int) -> None:
    """REG-NOSHOW: self-service is suspended after too many counted no-shows."""
    days = s.execute(
        select(RegistrationNumber.day).where(
            RegistrationNumber.patient_id == patient_id, RegistrationNumber.counts_as_noshow.is_(True)
        )
    ).scalars()
    _refuse_if_suspended(ctx, list(days))


def already_registered(day: dt.date) -> RuleRefused:
    return _already(day)


def _already(day: dt.date) -> RuleRefused:
    return RuleRefused(
        "already_registered", N_("This person already holds a number for {day}.", day=day), rule="REG-REALNAME"
    )


def refuse_if_known_sold_out(ctx: ServiceContext, day: dt.date, idempotency_key: str | None = None) -> None:
    """REG-QUOTA from this process's memory (services/sold_out.py): no database work at all for the losers of a
    rush, not even the grab-limit bump (a refusal from memory costs the clinic nothing to rate-limit). A request
    with an Idempotency-Key always goes to :func:`take_number`, which may hold her earlier answer."""
    if idempotency_key is None and ctx.sold_out.is_sold_out(day):
        raise sold_out_refusal(day)


def take_number(
    ctx: ServiceContext,
    actor: Actor,
    *,
    day: dt.date,
    name: str,
    id_number: str,
    phone: str,
    id_kind: str = "resident",
    idempotency_key: str | None = None,
    email: str | None = None,
    lang: str | None = None,
) -> NumberTaken:
    """Take the lowest free number for ``day`` in the person's real name (REG-QUOTA/RELEASE/REALNAME/SEQ/NOSHOW).
    ``email`` and ``lang`` (zh_CN / en), when given, are where and how her messages go."""
    clean_name, identity, clean_phone = patients.parse_person(name, id_number, phone, id_kind)
    clean_email, clean_lang = patients.parse_contact(email, lang)
    digest = idempotency.request_hash({"day": day, "id": patients.id_hash(ctx.settings.secret_key, identity)})
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 128:
        raise InvalidInput("invalid_idempotency_key", N_("The Idempotency-Key must be 1–128 characters."))
    quota = ctx.effective().daily_numbers
    status = _release(ctx, day)
    seen = ctx.sold_out.generation(day)  # before the database says "sold out": see SoldOutBoard.mark
    # 1. Cheap, lock-free look: a stored answer, or the day already sold out.
    with ctx.read() as uow:
        if idempotency_key is not None:
            stored = idempotency.lookup(uow.session, "registration", idempotency_key, digest)
            if stored is not None:
                return NumberTaken(_view_from_json(stored), replayed=True)
        _refuse_unless_open(status)
        left = locking.remaining(uow.session, locking.REGISTRATION, day)
    if left == 0:
        ctx.sold_out.mark(day, seen)
        raise sold_out_refusal(day)
    if left is None:  # the day's first taker creates the counter in its own, tiny transaction
        with ctx.uow(write=True) as uow:
            locking.ensure_counter(uow.session, locking.REGISTRATION, day, quota)
            uow.commit()
    # 2. One short write transaction.
    now = ctx.now()
    try:
        with ctx.write() as uow:
            s = uow.session
            if not ctx.guard.enabled and (locking.remaining(s, locking.REGISTRATION, day) or 0) <= 0:
                raise sold_out_refusal(day)  # tests only: the naive check-then-act the guard replaces, read first
            patient = patients.upsert(
                s,
                ctx.settings.secret_key,
                clean_name,
                identity,
                clean_phone,
                now,
                ring=ctx.key_ring,
                email=clean_email,
                lang=clean_lang,
            )
            history = s.execute(
                select(RegistrationNumber.day, RegistrationNumber.counts_as_noshow).where(
                    RegistrationNumber.patient_id == patient.id,
                    or_(
                        RegistrationNumber.counts_as_noshow.is_(True),
                        and_(RegistrationNumber.day == day, RegistrationNumber.active.is_(True)),
                    ),
                )
            ).all()
            _refuse_if_suspended(ctx, [d for d, noshow in history if noshow])
            if any(d == day and not noshow for d, noshow in history):
                if idempotency_key is not None:  # a concurrent twin of this very request won: its answer
                    stored = idempotency.lookup(s, "registration", idempotency_key, digest)
                    if stored is not None:
                        return NumberTaken(_view_from_json(stored), replayed=True)
                raise _already(day)
            code = new_access_code()
            granted = grant_number(
                ctx,
                s,
                actor,
                day=day,
                patient_id=patient.id,
                access_code=code,
                now=now,
                quota=quota,
                counter_known=True,
            )
            if granted is None:
                ctx.sold_out.mark(day, seen)
                raise sold_out_refusal(day)
            reg_id, queue_number = granted
            view = NumberView(reg_id, day, queue_number, "taken", patient.name, patient.masked_id, patient.id, code)
            if idempotency_key is not None:
                idempotency.store(s, "registration", idempotency_key, digest, 201, view.as_json(), now)
            reminders.number_taken(ctx, s, reg_id, patient.id, day)
            uow.commit()
            return NumberTaken(view, replayed=False)
    except IntegrityError as exc:
        return _after_conflict(ctx, exc, day, idempotency_key, digest)


def new_access_code() -> str:
    """Eight characters from an alphabet without look-alikes (0/O, 1/I/L): what she types on My visit."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


def grant_number(
    ctx: ServiceContext,
    s: Session,
    actor: Actor,
    *,
    day: dt.date,
    patient_id: int,
    access_code: str,
    now: dt.datetime,
    quota: int,
    counter_known: bool = False,
) -> tuple[int, int] | None:
    """The lowest free number of ``day`` for her, with its audit row, inside the caller's write transaction
    (REG-QUOTA, REG-SEQ): ``(registration id, queue number)``, or None when none is free. The rush path and the
    waiting line (services/waiting_line.py) both take numbers only through here."""
    return locking.take_place(
        s,
        locking.REGISTRATION,
        day,
        quota=quota,
        guard=ctx.guard,
        holder=cast(Table, RegistrationNumber.__table__),
        values={
            "day": day,
            "patient_id": patient_id,
            "status": "taken",
            "active": True,
            "access_code": access_code,
            "cancel_reason": None,
            "counts_as_noshow": False,
            "created_at": now,
            "updated_at": now,
            "client_address": actor.address[:64],
        },
        number_column="queue_number",
        counter_known=counter_known,
        audit=audit.values(
            actor,
            "registration.take",
            "registration_number",
            at=now,
            patient_id=patient_id,
            detail={"day": day.isoformat()},
        ),
    )


def _after_conflict(
    ctx: ServiceContext, exc: IntegrityError, day: dt.date, key: str | None, digest: str
) -> NumberTaken:
    """A constraint stopped the write: a concurrent twin of this request (same key or same person) won."""
    if key is not None:
        with ctx.read() as uow:
            stored = idempotency.lookup(uow.session, "registration", key, digest)
        if stored is not None:
            return NumberTaken(_view_from_json(stored), replayed=True)
    text = str(exc.orig).lower()
    if "patient" in text or "uq_registration_numbers_day_patient_id_active" in text:
        raise _already(day) from None
    raise RuleRefused(
        "conflict", N_("Someone else changed this at the same moment; please try again."), rule="REG-SEQ"
    ) from None


def _view_from_json(data: dict[str, Any]) -> NumberView:
    return NumberView(
        registration_id=int(data["registration_id"]),
        day=dt.date.fromisoformat(str(data["day"])),
        queue_number=int(data["queue_number"]),
        status=str(data["status"]),
        name=str(data["name"]),
        masked_id=str(data["masked_id"]),
        patient_id=int(data["patient_id"]),
        access_code=str(data["access_code"]),
    )


def _refuse_if_suspended(ctx: ServiceContext, noshow_days: list[dt.date]) -> None:
    if len(noshow_days) < ctx.settings.noshow_limit:
        return
    st = ctx.settings
    status = noshow_suspension(
        noshow_days,
        today=ctx.today(),
        limit=st.noshow_limit,
        window_days=st.noshow_window_days,
        suspension_days=st.noshow_suspension_days,
    )
    if status.suspended_until is not None:
        raise RuleRefused(
            "suspended",
            N_(
                "After {count} missed appointments, self-service numbers are suspended until {day}.",
                count=st.noshow_limit,
                day=status.suspended_until,
            ),
            rule="REG-NOSHOW",
            details={"suspended_until": status.suspended_until.isoformat()},
        )


def _load(session: Any, registration_id: int) -> tuple[RegistrationNumber, Patient]:
    row = session.execute(
        select(RegistrationNumber, Patient)
        .join(Patient, Patient.id == RegistrationNumber.patient_id)
        .where(RegistrationNumber.id == registration_id)
    ).first()
    if row is None:
        raise NotFound("not_found", N_("No such registration number."))
    return row[0], row[1]


def _check_owner(actor: Actor, reg: RegistrationNumber) -> None:
    if not actor.is_staff and actor.patient_id != reg.patient_id:
        raise NotFound("not_found", N_("No such registration number."))


def get_number(ctx: ServiceContext, actor: Actor, registration_id: int) -> NumberView:
    with ctx.write() as uow:
        reg, patient = _load(uow.session, registration_id)
        _check_owner(actor, reg)
        audit.record(
            uow.session, actor, "registration.read", "registration_number", reg.id, at=ctx.now(), patient_id=patient.id
        )
        uow.commit()
        return _view(reg, patient)


def cancel_number(ctx: ServiceContext, actor: Actor, registration_id: int, reason: str = "patient") -> NumberView:
    """Cancel a live number; it goes back to the pool (REG-SEQ). Cycle or screening reasons never count as a
    no-show (REG-NOSHOW)."""
    if reason not in CANCEL_REASONS:
        raise InvalidInput("invalid_reason", N_("Unknown cancellation reason."))
    now = ctx.now()
    with ctx.write() as uow:
        reg, patient = _load(uow.session, registration_id)
        _check_owner(actor, reg)
        if reg.active is not True:
            raise RuleRefused("not_active", N_("This number is no longer active."), rule="REG-SEQ")
        if reg.status == "checked_in":
            raise RuleRefused("checked_in", N_("A checked-in number cannot be cancelled."), rule="REG-SEQ")
        reg.status, reg.active, reg.cancel_reason, reg.updated_at = "cancelled", None, reason, now
        uow.session.flush()
        locking.return_place(uow.session, locking.REGISTRATION, reg.day, reg.queue_number)
        from hsgclinic.services import waiting_line  # the line imports this module

        waiting_line.hand_on(ctx, uow.session, actor, reg.day)  # REG-LINE: first come, first served
        audit.record(
            uow.session,
            actor,
            "registration.cancel",
            "registration_number",
            reg.id,
            at=now,
            patient_id=patient.id,
            detail={"reason": reason},
        )
        reminders.number_cancelled(ctx, uow.session, reg)
        uow.commit()
        return _view(reg, patient)


def check_in(ctx: ServiceContext, actor: Actor, registration_id: int) -> NumberView:
    """The patient has arrived (registrar/nurse)."""
    now = ctx.now()
    with ctx.write() as uow:
        reg, patient = _load(uow.session, registration_id)
        if reg.status != "taken":
            raise RuleRefused("not_active", N_("This number is no longer active."), rule="REG-SEQ")
        if reg.day != ctx.today():
            raise RuleRefused("wrong_day", N_("This number is for {day}.", day=reg.day), rule="REG-SEQ")
        reg.status, reg.updated_at = "checked_in", now
        audit.record(
            uow.session, actor, "registration.check_in", "registration_number", reg.id, at=now, patient_id=patient.id
        )
        uow.commit()
        return _view(reg, patient)


def mark_no_shows(ctx: ServiceContext, actor: Actor, day: dt.date) -> int:
    """REG-NOSHOW: every number of a past ``day`` still not checked in becomes a counting no-show."""
    if day >= ctx.today():
        raise RuleRefused("day_not_over", N_("{day} is not over yet.", day=day), rule="REG-NOSHOW")
    now = ctx.now()
    with ctx.write() as uow:
        regs = (
            uow.session.execute(
                select(RegistrationNumber).where(RegistrationNumber.day == day, RegistrationNumber.status == "taken")
            )
            .scalars()
            .all()
        )
        for reg in regs:
            reg.status, reg.counts_as_noshow, reg.updated_at = "no_show", True, now
            audit.record(
                uow.session,
                actor,
                "registration.no_show",
                "registration_number",
                reg.id,
                at=now,
                patient_id=reg.patient_id,
            )
            hl7_outbound.visit_no_show(ctx, uow.session, actor, reg)
        uow.commit()
        return len(regs)


def list_day(ctx: ServiceContext, actor: Actor, day: dt.date) -> list[NumberView]:
    """The day's numbers in queue order (staff), IDs masked."""
    with ctx.write() as uow:
        rows = uow.session.execute(
            select(RegistrationNumber, Patient)
            .join(Patient, Patient.id == RegistrationNumber.patient_id)
            .where(RegistrationNumber.day == day)
            .order_by(RegistrationNumber.queue_number, RegistrationNumber.id)
        ).all()
        views = [_view(r, p) for r, p in rows]
        audit.record(
            uow.session, actor, "registration.list", "day", day.isoformat(), at=ctx.now(), detail={"count": len(views)}
        )
        uow.commit()
        return views
