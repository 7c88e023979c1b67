"""The waiting line for a sold-out day (REG-LINE, docs/decisions/0004-rush-tail.md): fair, in arrival order.

Without it, a number that comes back (a cancellation) goes to whichever request reaches the database first after
the cancellation commits — a phone or a bot retrying ten times a second beats a woman who asked once. With it,
whoever asked for a sold-out day may join the line once (one place per person per day, stamped by the order of
arrival); a number that comes back is handed, **in the cancelling transaction**, to the first person waiting, so
it is never free for anyone retrying. She keeps the access code she was given on joining: it opens My visit once
she is served. The line is for one clinic day: places not served by the end of the day lapse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.persistence import locking
from hsgclinic.persistence.models import DayCounter, Patient, RegistrationNumber, WaitingLineEntry
from hsgclinic.services import audit, patients, registration, reminders
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import NotFound, RuleRefused

RULE = "REG-LINE"


@dataclass(frozen=True)
class LinePlace:
    """Her place as she may see it with her access code alone: no name, no ID."""

    day: dt.date
    status: str  # waiting, served, withdrawn, superseded, lapsed
    position: int | None  # 1 = the next number that comes back is hers (while waiting)
    access_code: str
    queue_number: int | None  # her number once served

    def as_json(self) -> dict[str, Any]:
        return {
            "date": self.day.isoformat(),
            "status": self.status,
            "position": self.position,
            "access_code": self.access_code,
            "queue_number": self.queue_number,
        }


@dataclass(frozen=True)
class Joined:
    """Either a number (one was free after all) or her place in the line."""

    number: registration.NumberView | None
    place: LinePlace | None


def _position(s: Session, entry: WaitingLineEntry) -> int:
    earlier = s.execute(
        select(func.count())
        .select_from(WaitingLineEntry)
        .where(WaitingLineEntry.day == entry.day, WaitingLineEntry.active.is_(True), WaitingLineEntry.id <= entry.id)
    ).scalar_one()
    return int(earlier)


def _place(ctx: ServiceContext, s: Session, entry: WaitingLineEntry) -> LinePlace:
    status = entry.status
    if status == "waiting" and entry.day < ctx.today():
        status = "lapsed"
    number = None
    if entry.registration_id is not None:
        number = s.execute(
            select(RegistrationNumber.queue_number).where(RegistrationNumber.id == entry.registration_id)
        ).scalar_one_or_none()
    position = _position(s, entry) if status == "waiting" else None
    return LinePlace(entry.day, status, position, entry.access_code, number)


def _unused_code(s: Session) -> str:
    """A fresh access code that no number and no place in a line has (it becomes her number's code)."""
    while True:
        code = registration.new_access_code()
        taken = s.execute(select(RegistrationNumber.id).where(RegistrationNumber.access_code == code)).first()
        if (
            taken is None
            and s.execute(select(WaitingLineEntry.id).where(WaitingLineEntry.access_code == code)).first() is None
        ):
            return code


def join(
    ctx: ServiceContext,
    actor: Actor,
    *,
    day: dt.date,
    name: str,
    id_number: str,
    phone: str,
    id_kind: str = "resident",
    email: str | None = None,
    lang: str | None = None,
) -> Joined:
    """Join the line for ``day`` (REG-LINE) — or take a number at once if one is free after all. Joining twice
    gives her the same place; a person holding a number of that day is refused (REG-REALNAME)."""
    clean_name, identity, clean_phone = patients.parse_person(name, id_number, phone, id_kind)
    clean_email, clean_lang = patients.parse_contact(email, lang)
    registration.refuse_unless_released(ctx, day)
    quota = ctx.effective().daily_numbers
    now = ctx.now()
    try:
        with ctx.write() as uow:
            s = uow.session
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
            registration.refuse_if_suspended(ctx, s, patient.id)
            if registration.holds_number(s, patient.id, day):
                raise registration.already_registered(day)
            mine = s.execute(
                select(WaitingLineEntry).where(
                    WaitingLineEntry.day == day,
                    WaitingLineEntry.patient_id == patient.id,
                    WaitingLineEntry.active.is_(True),
                )
            ).scalar_one_or_none()
            if mine is not None:
                return Joined(None, _place(ctx, s, mine))
            # The day's counter row, locked: a cancellation either hands its number on before this (then one is
            # free here and she takes it) or after (then it finds her in the line). Nobody waits beside a free one.
            locking.ensure_counter(s, locking.REGISTRATION, day, quota)
            left = s.execute(
                select(DayCounter.remaining)
                .where(DayCounter.resource == locking.REGISTRATION, DayCounter.day == day)
                .with_for_update()
            ).scalar_one()
            code = _unused_code(s)
            if left > 0:
                granted = registration.grant_number(
                    ctx, s, actor, day=day, patient_id=patient.id, access_code=code, now=now, quota=quota
                )
                if granted is not None:
                    reg_id, queue_number = granted
                    reminders.number_taken(ctx, s, reg_id, patient.id, day)
                    uow.commit()
                    view = registration.NumberView(
                        reg_id, day, queue_number, "taken", patient.name, patient.masked_id, patient.id, code
                    )
                    return Joined(view, None)
            entry = WaitingLineEntry(
                day=day,
                patient_id=patient.id,
                status="waiting",
                active=True,
                access_code=code,
                registration_id=None,
                created_at=now,
                updated_at=now,
            )
            s.add(entry)
            s.flush()
            audit.record(
                s,
                actor,
                "registration.line_join",
                "waiting_line",
                entry.id,
                at=now,
                patient_id=patient.id,
                detail={"day": day.isoformat()},
            )
            place = _place(ctx, s, entry)
            uow.commit()
            return Joined(None, place)
    except IntegrityError:  # the same person joined at the same moment from another phone: her one place
        with ctx.read() as uow:
            twin = uow.session.execute(
                select(WaitingLineEntry)
                .join(Patient, Patient.id == WaitingLineEntry.patient_id)
                .where(
                    WaitingLineEntry.day == day,
                    WaitingLineEntry.active.is_(True),
                    Patient.id_hash == patients.id_hash(ctx.settings.secret_key, identity),
                )
            ).scalar_one_or_none()
            if twin is None:
                raise RuleRefused(
                    "conflict", N_("Someone else changed this at the same moment; please try again."), rule=RULE
                ) from None
            return Joined(None, _place(ctx, uow.session, twin))


def _entry(s: Session, code: str) -> WaitingLineEntry:
    entry = s.execute(
        select(WaitingLineEntry).where(WaitingLineEntry.access_code == code.strip().upper())
    ).scalar_one_or_none()
    if entry is None:
        raise NotFound("not_found", N_("No place in the waiting line has this access code."), rule=RULE)
    return entry


def place(ctx: ServiceContext, code: str) -> LinePlace:
    """Where she stands now (her access code from joining)."""
    with ctx.read() as uow:
        return _place(ctx, uow.session, _entry(uow.session, code))


def withdraw(ctx: ServiceContext, actor: Actor, code: str) -> LinePlace:
    """She leaves the line (she found another day, or no longer needs it)."""
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        entry = _entry(s, code)
        if entry.status != "waiting":
            raise RuleRefused("not_waiting", N_("This place in the line is no longer waiting."), rule=RULE)
        entry.status, entry.active, entry.updated_at = "withdrawn", None, now
        audit.record(
            s, actor, "registration.line_withdraw", "waiting_line", entry.id, at=now, patient_id=entry.patient_id
        )
        result = _place(ctx, s, entry)
        uow.commit()
        return result


def hand_on(ctx: ServiceContext, s: Session, actor: Actor, day: dt.date) -> int:
    """Inside the transaction that returned a number of ``day``: give the free numbers to the people waiting, first
    come first served (REG-LINE). Returns how many were served. A day in the past has no line to serve."""
    if day < ctx.today():
        return 0
    now = ctx.now()
    quota = ctx.effective().daily_numbers
    served = 0
    while True:
        head = s.execute(
            select(WaitingLineEntry)
            .where(WaitingLineEntry.day == day, WaitingLineEntry.active.is_(True))
            .order_by(WaitingLineEntry.id)
            .limit(1)
            .with_for_update()
        ).scalar_one_or_none()
        if head is None:
            return served
        if registration.holds_number(s, head.patient_id, day):  # she took one herself meanwhile
            head.status, head.active, head.updated_at = "superseded", None, now
            s.flush()
            continue
        granted = registration.grant_number(
            ctx, s, actor, day=day, patient_id=head.patient_id, access_code=head.access_code, now=now, quota=quota
        )
        if granted is None:
            returned = s.info.get(locking.RETURNED_KEY)
            if served and isinstance(returned, set):  # nothing is free any more: other servers keep "sold out"
                returned.discard((locking.REGISTRATION, day))
            return served
        head.status, head.active, head.registration_id, head.updated_at = "served", None, granted[0], now
        s.flush()
        audit.record(
            s,
            actor,
            "registration.line_served",
            "waiting_line",
            head.id,
            at=now,
            patient_id=head.patient_id,
            detail={"day": day.isoformat(), "queue_number": granted[1]},
        )
        reminders.number_from_line(ctx, s, granted[0], head.patient_id, day, granted[1])
        served += 1
