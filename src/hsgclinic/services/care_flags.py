"""The post-procedure check-in (CARE-BLEED) as use cases: the patient's report through her signed link, and the
desk's list of the flags it raised (issue 5, "Reminders"). Thin over :mod:`hsgclinic.notifications.checkin`; each
call is one unit of work with its audit event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hsgclinic.domain.messages import N_
from hsgclinic.domain.reminders import CheckinAnswers, CheckinFlag
from hsgclinic.notifications.checkin import (
    CheckinClaims,
    CheckinLinkInvalid,
    close_flag,
    open_flags,
    read_token,
    record_checkin,
)
from hsgclinic.persistence.models import Patient
from hsgclinic.persistence.notification_models import CareFlag, CheckinReport
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound

__all__ = ["CheckinLinkInvalid", "FlagView", "close", "language_of", "list_open", "read_link", "submit"]

_FOREVER_DAYS = 365 * 100


@dataclass(frozen=True)
class Submitted:
    report_id: int
    flags: tuple[CheckinFlag, ...]
    bleeding_stops_by: dt.date


@dataclass(frozen=True)
class FlagView:
    """One check-in answer's open flags as one row: every reason it raised (rule, reason) and its flag ids."""

    flag_id: int
    flag_ids: tuple[int, ...]
    reasons: tuple[tuple[str, str], ...]
    patient_id: int | None
    patient_name: str
    masked_id: str
    phone: str
    rule: str
    reason: str
    answers: dict[str, Any]
    raised_at: dt.datetime  # local
    procedure_date: dt.date | None


def read_link(ctx: ServiceContext, token: str) -> CheckinClaims:
    """The claims of a valid link (``checkin_link_days``); :class:`CheckinLinkInvalid` otherwise."""
    return read_token(ctx.settings.secret_key, token, max_age_days=ctx.settings.checkin_link_days)


def language_of(ctx: ServiceContext, token: str) -> str | None:
    """Her preferred language when the link was signed by us (even if it has expired), else None."""
    try:
        claims = read_token(ctx.settings.secret_key, token, max_age_days=_FOREVER_DAYS)
    except CheckinLinkInvalid:
        return None
    if claims.patient_id is None:
        return None
    with ctx.read() as uow:
        patient = uow.session.get(Patient, claims.patient_id)
        return patient.preferred_lang if patient is not None else None


def submit(ctx: ServiceContext, claims: CheckinClaims, answers: CheckinAnswers, address: str = "") -> Submitted:
    """Store her report; a flag per warning sign goes on the desk's list (CARE-BLEED)."""
    if answers.temperature_c is not None and not 34 <= answers.temperature_c <= 43:
        raise InvalidInput("invalid_temperature", N_("Enter the temperature in °C, e.g. 36.8."), rule="CARE-BLEED")
    rules = ctx.settings.rules()
    now = ctx.now()
    actor = Actor(Role.PATIENT, "checkin-link", address, patient_id=claims.patient_id)
    with ctx.write() as uow:
        outcome = record_checkin(
            uow.session,
            claims,
            answers,
            bleeding_days=rules.bleeding_days,
            fever_threshold_c=rules.max_temperature_c,
            now=now,
        )
        audit.record(
            uow.session,
            actor,
            "checkin.report",
            "checkin_report",
            outcome.report_id,
            at=now,
            patient_id=claims.patient_id,
            detail={"flags": [f.reason for f in outcome.flags]},
        )
        uow.commit()
    return Submitted(outcome.report_id, outcome.flags, claims.procedure_date + dt.timedelta(days=rules.bleeding_days))


def list_open(ctx: ServiceContext, actor: Actor) -> list[FlagView]:
    """The desk's list: open flags, oldest first, the ID masked."""
    tz = ctx.tz
    with ctx.write() as uow:
        s = uow.session
        flags = open_flags(s)
        reports = {
            r.id: r
            for r in s.execute(
                select(CheckinReport).where(CheckinReport.id.in_([f.checkin_id for f in flags]))
            ).scalars()
        }
        patients = {
            p.id: p
            for p in s.execute(
                select(Patient).where(Patient.id.in_([f.patient_id for f in flags if f.patient_id is not None]))
            ).scalars()
        }
        grouped: dict[int, list[CareFlag]] = {}
        for f in flags:
            grouped.setdefault(f.checkin_id, []).append(f)
        out = []
        for group in grouped.values():
            f = group[0]
            p = patients.get(f.patient_id) if f.patient_id is not None else None
            r = reports.get(f.checkin_id)
            raised = f.raised_at if f.raised_at.tzinfo else f.raised_at.replace(tzinfo=dt.UTC)
            out.append(
                FlagView(
                    flag_id=f.id,
                    flag_ids=tuple(g.id for g in group),
                    reasons=tuple((g.rule, g.reason) for g in group),
                    patient_id=f.patient_id,
                    patient_name=p.name if p else "",
                    masked_id=p.masked_id if p else "",
                    phone=p.phone if p else "",
                    rule=f.rule,
                    reason=f.reason,
                    answers=dict(r.answers) if r else {},
                    raised_at=raised.astimezone(tz).replace(tzinfo=None),
                    procedure_date=r.procedure_date if r else None,
                )
            )
        audit.record(s, actor, "care_flag.list", "care_flag", "open", at=ctx.now(), detail={"count": len(out)})
        uow.commit()
    return out


def close(ctx: ServiceContext, actor: Actor, flag_id: int, note: str) -> None:
    """A nurse has dealt with the flag: it and the other open flags of the same check-in answer (one row on
    the desk) are closed together with her note, each audited."""
    clean = " ".join(note.split())
    if not clean:
        raise InvalidInput("note_required", N_("Write what was done before closing the flag."), rule="CARE-BLEED")
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        flag = s.get(CareFlag, flag_id)
        if flag is None or flag.status != "open":
            raise NotFound("not_found", N_("No such open flag."))
        siblings = [f for f in open_flags(s) if f.checkin_id == flag.checkin_id]
        for f in siblings:
            close_flag(s, f.id, by=actor.name, now=now)
            audit.record(
                s,
                actor,
                "care_flag.close",
                "care_flag",
                f.id,
                at=now,
                patient_id=f.patient_id,
                detail={"rule": f.rule, "reason": f.reason, "note": clean[:1000]},
            )
        uow.commit()
