"""The post-procedure check-in (CARE-BLEED): a signed link in her messages, and recording what she reports.

The link carries a token signed with the secret key (itsdangerous, its own salt): the case, the patient and the
procedure date. It needs no login and proves only that the holder got the message; it can do nothing but add a
report. :func:`record_checkin` stores the answers and raises a :class:`CareFlag` for each warning sign
(:func:`hsgclinic.domain.reminders.checkin_flags`). The web page is a thin form over these two functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from hsgclinic.domain.reminders import CheckinAnswers, CheckinFlag, checkin_flags
from hsgclinic.persistence.notification_models import CareFlag, CheckinReport

SALT = "hsgclinic.checkin.v1"


class CheckinLinkInvalid(ValueError):
    """The link was altered, signed with another key, or has expired."""


@dataclass(frozen=True)
class CheckinClaims:
    case_ref: str
    patient_id: int | None
    procedure_date: dt.date


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, claims: CheckinClaims) -> str:
    return _serializer(secret_key).dumps(
        {"c": claims.case_ref, "p": claims.patient_id, "d": claims.procedure_date.isoformat()}
    )


def checkin_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}/checkin/{token}"


def read_token(secret_key: str, token: str, *, max_age_days: int) -> CheckinClaims:
    try:
        data = _serializer(secret_key).loads(token, max_age=max_age_days * 86400)
    except SignatureExpired as exc:
        raise CheckinLinkInvalid("expired") from exc
    except BadSignature as exc:
        raise CheckinLinkInvalid("bad signature") from exc
    try:
        return CheckinClaims(str(data["c"]), data["p"], dt.date.fromisoformat(data["d"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckinLinkInvalid("malformed") from exc


@dataclass(frozen=True)
class CheckinOutcome:
    report_id: int
    flags: tuple[CheckinFlag, ...]


def record_checkin(
    session: Session,
    claims: CheckinClaims,
    answers: CheckinAnswers,
    *,
    bleeding_days: int,
    fever_threshold_c: Decimal,
    now: dt.datetime,
    note: str = "",
) -> CheckinOutcome:
    """Store the report and raise a flag per warning sign, in the caller's unit of work (the caller commits)."""
    bleeding_stops_by = claims.procedure_date + dt.timedelta(days=bleeding_days)
    flags = tuple(checkin_flags(answers, bleeding_stops_by, fever_threshold_c))
    report = CheckinReport(
        patient_id=claims.patient_id,
        case_ref=claims.case_ref,
        procedure_date=claims.procedure_date,
        reported_at=now,
        answers={
            "reported_on": answers.reported_on.isoformat(),
            "bleeding": answers.bleeding,
            "heavier_than_period": answers.heavier_than_period,
            "temperature_c": None if answers.temperature_c is None else str(answers.temperature_c),
            "pain": answers.pain.value,
            "note": note[:2000],
        },
    )
    session.add(report)
    session.flush()
    for f in flags:
        session.add(
            CareFlag(
                checkin_id=report.id,
                patient_id=claims.patient_id,
                case_ref=claims.case_ref,
                rule=f.rule,
                reason=f.reason,
                status="open",
                raised_at=now,
            )
        )
    session.flush()
    return CheckinOutcome(report.id, flags)


def open_flags(session: Session) -> list[CareFlag]:
    """The desk's list: open flags, oldest first."""
    return list(
        session.execute(
            select(CareFlag).where(CareFlag.status == "open").order_by(CareFlag.raised_at, CareFlag.id)
        ).scalars()
    )


def close_flag(session: Session, flag_id: int, *, by: str, now: dt.datetime) -> bool:
    flag = session.get(CareFlag, flag_id)
    if flag is None or flag.status != "open":
        return False
    flag.status, flag.closed_by, flag.closed_at = "closed", by, now
    return True
