"""Admin: load a year's official holiday notice (CAL-SOURCE) as calendar overrides.

:func:`read_notice` turns an uploaded file into a :class:`~hsgclinic.calendar_source.HolidayNotice` (or refuses it
with a readable reason); :func:`preview` lists what loading it will do; :func:`load` writes every day of every
break as a ``holiday`` override and every make-up working day as a ``workday`` override, in one transaction with
one audit event.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select

from hsgclinic.calendar_source import HolidayNotice, NoticeError, OverrideKind, parse_notice
from hsgclinic.domain.clinic_calendar import ClosureKind
from hsgclinic.domain.messages import N_, Localized
from hsgclinic.persistence.models import CalendarOverrideRow
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput

MAX_NOTICE_BYTES = 64 * 1024
ONE_DAY = dt.timedelta(days=1)


def read_notice(raw: bytes) -> HolidayNotice:
    """Parse an uploaded notice file (JSON, see ``calendar_source.parse_notice``)."""
    if not raw.strip():
        raise InvalidInput("invalid_notice", N_("The file is empty. Choose the year's notice file (.json)."))
    if len(raw) > MAX_NOTICE_BYTES:
        raise InvalidInput("invalid_notice", N_("The file is too large for a holiday notice (at most 64 KB)."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput("invalid_notice", N_("The file is not UTF-8 text. Save it as UTF-8 JSON.")) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "invalid_notice",
            N_("The file is not valid JSON (line {line}: {reason}).", line=exc.lineno, reason=exc.msg),
        ) from None
    if not isinstance(data, dict):
        raise InvalidInput("invalid_notice", N_("The file must hold one notice with a year and its breaks."))
    try:
        notice = parse_notice(data)
    except NoticeError as exc:
        raise InvalidInput(
            "invalid_notice", N_("This is not a holiday notice we can load: {reason}", reason=str(exc))
        ) from None
    if not notice.breaks:
        raise InvalidInput("invalid_notice", N_("The notice lists no holiday breaks."))
    return notice


@dataclass(frozen=True)
class NoticeBreak:
    name: Localized
    first: dt.date
    last: dt.date
    days: int


@dataclass(frozen=True)
class NoticePreview:
    year: int
    breaks: list[NoticeBreak]
    workdays: list[dt.date]
    replaced: list[dt.date]  # days that already have an override, which loading replaces
    also_closed: list[tuple[dt.date, dt.date]]  # runs of official holidays in the calendar in use not in the notice

    @property
    def holiday_days(self) -> int:
        return sum(b.days for b in self.breaks)


def _days(notice: HolidayNotice) -> dict[dt.date, tuple[OverrideKind, Localized]]:
    out: dict[dt.date, tuple[OverrideKind, Localized]] = {}
    for name, first, last in notice.breaks:
        d = first
        while d <= last:
            out[d] = (OverrideKind.HOLIDAY, name)
            d += ONE_DAY
    for d in notice.workdays:
        out[d] = (OverrideKind.WORKDAY, Localized("调休上班", "Make-up working day"))
    return out


def preview(ctx: ServiceContext, notice: HolidayNotice) -> NoticePreview:
    days = _days(notice)
    with ctx.read() as uow:
        existing = set(
            uow.session.execute(select(CalendarOverrideRow.day).where(CalendarOverrideRow.day.in_(days))).scalars()
        )
    also_closed: list[tuple[dt.date, dt.date]] = []
    d = dt.date(notice.year, 1, 1)
    calendar = ctx.calendar_for(d)
    while d.year == notice.year:
        closure = calendar.closure(d) if calendar.covers(d) else None
        if closure is not None and closure.kind is ClosureKind.STATUTORY and d not in days:
            if also_closed and also_closed[-1][1] == d - ONE_DAY:
                also_closed[-1] = (also_closed[-1][0], d)
            else:
                also_closed.append((d, d))
        d += ONE_DAY
    return NoticePreview(
        notice.year,
        [NoticeBreak(name, first, last, (last - first).days + 1) for name, first, last in notice.breaks],
        sorted(notice.workdays),
        sorted(existing),
        also_closed,
    )


def load(ctx: ServiceContext, actor: Actor, notice: HolidayNotice) -> int:
    """Write the notice's days as overrides; returns how many days were written."""
    days = _days(notice)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        for day, (kind, name) in sorted(days.items()):
            row = s.get(CalendarOverrideRow, day)
            if row is None:
                row = CalendarOverrideRow(day=day, created_at=now)
                s.add(row)
            row.kind, row.name_zh, row.name_en = kind.value, name.zh[:100], name.en[:100]
            row.created_by, row.created_at = actor.name, now
        audit.record(
            s,
            actor,
            "calendar.notice_load",
            "calendar_notice",
            notice.year,
            at=now,
            detail={
                "breaks": len(notice.breaks),
                "holiday_days": sum(1 for k, _ in days.values() if k is OverrideKind.HOLIDAY),
                "workdays": [d.isoformat() for d in sorted(notice.workdays)],
            },
        )
        uow.commit()
    ctx.on_calendar_change()
    return len(days)
