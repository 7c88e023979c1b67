"""Admin: load a year's official holiday notice (CAL-SOURCE) as the calendar's source for that year.

:func:`read_notice` turns an uploaded file into a :class:`~hsgclinic.calendar_source.HolidayNotice` (or refuses it
with a readable reason); :func:`preview` lists what loading it will do; :func:`load` stores the whole notice (one
row per year in ``calendar_notices``, replacing an earlier notice for that year) in one transaction with one audit
event; :func:`remove` takes it out again. The calendar then uses the notice **instead of** the ``holidays``
package's rule-based guess for that year and marks the year official (``build_calendar(notices=…)``); an
administrator's single-day overrides still apply on top. :func:`sources` says where each year's data comes from.

Why a whole document and not per-day overrides: overrides can only add to the package's guess, so a guessed
holiday the notice does not list stayed closed, and the year stayed provisional. Overrides stay what they are for —
the administrator's own single-day changes — and are neither written nor removed by loading a notice.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hsgclinic.calendar_source import (
    CalendarOverride,
    HolidayNotice,
    NoticeError,
    OverrideKind,
    build_calendar,
    load_notice_dir,
    parse_notice,
)
from hsgclinic.domain.messages import N_, Localized
from hsgclinic.persistence.calendar_notice_models import CalendarNoticeRow
from hsgclinic.persistence.models import CalendarOverrideRow
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound

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


def notice_document(notice: HolidayNotice) -> dict[str, Any]:
    """The notice as the JSON document ``parse_notice`` reads (what is stored, and what the preview form carries)."""
    return {
        "year": notice.year,
        "breaks": [
            {"name_zh": n.zh, "name_en": n.en, "from": a.isoformat(), "to": b.isoformat()} for n, a, b in notice.breaks
        ],
        "workdays": [d.isoformat() for d in notice.workdays],
    }


@dataclass(frozen=True)
class NoticeBreak:
    name: Localized
    first: dt.date
    last: dt.date
    days: int


@dataclass(frozen=True)
class LoadedNotice:
    year: int
    loaded_at: dt.datetime
    loaded_by: str
    breaks: int
    workdays: int


@dataclass(frozen=True)
class NoticePreview:
    year: int
    breaks: list[NoticeBreak]
    workdays: list[dt.date]
    overridden: list[dt.date]  # days of the notice with an administrator's single-day change, which still applies
    also_closed: list[tuple[dt.date, dt.date]]  # runs of days closed in the calendar in use that loading opens
    replaces: LoadedNotice | None  # the notice already loaded for this year, which loading replaces

    @property
    def holiday_days(self) -> int:
        return sum(b.days for b in self.breaks)


def _days(notice: HolidayNotice) -> set[dt.date]:
    out: set[dt.date] = set(notice.workdays)
    for _, first, last in notice.breaks:
        d = first
        while d <= last:
            out.add(d)
            d += ONE_DAY
    return out


def _view(row: CalendarNoticeRow) -> LoadedNotice:
    notice = parse_notice(row.notice)
    return LoadedNotice(row.year, row.loaded_at, row.loaded_by, len(notice.breaks), len(notice.workdays))


def preview(ctx: ServiceContext, notice: HolidayNotice) -> NoticePreview:
    days = _days(notice)
    with ctx.read() as uow:
        rows = uow.session.execute(select(CalendarOverrideRow)).scalars().all()
        overrides = [CalendarOverride(r.day, OverrideKind(r.kind), r.name_zh, r.name_en) for r in rows]
        loaded = uow.session.execute(
            select(CalendarNoticeRow).where(CalendarNoticeRow.year == notice.year)
        ).scalar_one_or_none()
        replaces = _view(loaded) if loaded is not None else None
    # the year as it will be: this notice instead of whatever gives the year now, the overrides on top
    after = build_calendar(
        [notice.year], official_through=ctx.settings.holidays_official_through, notices=[notice], overrides=overrides
    )
    also_closed: list[tuple[dt.date, dt.date]] = []
    d = dt.date(notice.year, 1, 1)
    now = ctx.calendar_for(d)
    while d.year == notice.year:
        if now.covers(d) and not now.is_open(d) and after.is_open(d):
            if also_closed and also_closed[-1][1] == d - ONE_DAY:
                also_closed[-1] = (also_closed[-1][0], d)
            else:
                also_closed.append((d, d))
        d += ONE_DAY
    return NoticePreview(
        notice.year,
        [NoticeBreak(name, first, last, (last - first).days + 1) for name, first, last in notice.breaks],
        sorted(notice.workdays),
        sorted(o.day for o in overrides if o.day in days),
        also_closed,
        replaces,
    )


def closed_by(ctx: ServiceContext, notice: HolidayNotice) -> list[dt.date]:
    """Days from today on that are open in the calendar in use and that loading ``notice`` would close."""
    with ctx.read() as uow:
        rows = uow.session.execute(select(CalendarOverrideRow)).scalars().all()
        overrides = [CalendarOverride(r.day, OverrideKind(r.kind), r.name_zh, r.name_en) for r in rows]
    after = build_calendar(
        [notice.year], official_through=ctx.settings.holidays_official_through, notices=[notice], overrides=overrides
    )
    out: list[dt.date] = []
    d = max(dt.date(notice.year, 1, 1), ctx.today())
    while d.year == notice.year:
        now = ctx.calendar_for(d)
        if now.covers(d) and now.is_open(d) and not after.is_open(d):
            out.append(d)
        d += ONE_DAY
    return out


def load(ctx: ServiceContext, actor: Actor, notice: HolidayNotice) -> int:
    """Store the notice as its year's source (replacing an earlier one); returns how many days it lists. Everyone
    with a live number or booking on a day the notice closes is told in the same transaction (issue 8)."""
    from hsgclinic.services import closures

    newly_closed = closed_by(ctx, notice)
    document = notice_document(notice)
    now = ctx.now()
    values = {"year": notice.year, "notice": document, "loaded_at": now, "loaded_by": actor.name[:100]}
    with ctx.write() as uow:
        s = uow.session
        replaced = s.execute(select(CalendarNoticeRow.id).where(CalendarNoticeRow.year == notice.year)).first()
        # one statement, so that two administrators loading the same year at once cannot both insert
        insert = pg_insert if uow.dialect == "postgresql" else sqlite_insert
        stmt = insert(CalendarNoticeRow).values(**values)
        s.execute(
            stmt.on_conflict_do_update(
                index_elements=[CalendarNoticeRow.year],
                set_={"notice": stmt.excluded.notice, "loaded_at": now, "loaded_by": values["loaded_by"]},
            )
        )
        holiday_days = len(_days(HolidayNotice(notice.year, notice.breaks, ())))
        audit.record(
            s,
            actor,
            "calendar.notice_load",
            "calendar_notice",
            notice.year,
            at=now,
            detail={
                "breaks": len(notice.breaks),
                "holiday_days": holiday_days,
                "workdays": [d.isoformat() for d in sorted(notice.workdays)],
                "replaced": replaced is not None,
            },
        )
        closures.notify_closed(ctx, s, newly_closed)
        uow.commit()
    ctx.on_calendar_change()
    return holiday_days + len(set(notice.workdays))


def remove(ctx: ServiceContext, actor: Actor, year: int) -> None:
    """Take a loaded notice out: the year goes back to the notice file or the package's (provisional) guess."""
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        row = s.execute(select(CalendarNoticeRow).where(CalendarNoticeRow.year == year)).scalar_one_or_none()
        if row is None:
            raise NotFound("not_found", N_("No notice is loaded for {year}.", year=year), rule="CAL-SOURCE")
        s.delete(row)
        audit.record(s, actor, "calendar.notice_remove", "calendar_notice", year, at=now)
        uow.commit()
    ctx.on_calendar_change()


def stored_notices(ctx: ServiceContext) -> list[HolidayNotice]:
    with ctx.read() as uow:
        rows = uow.session.execute(select(CalendarNoticeRow).order_by(CalendarNoticeRow.year)).scalars().all()
        return [parse_notice(r.notice) for r in rows]


@dataclass(frozen=True)
class CalendarSources:
    """Where each year's holidays come from (CAL-SOURCE): which years are official and why."""

    official_through: int  # the ``holidays`` package is taken as official up to and including this year
    file_years: list[int]  # notice files in settings.calendar_notice_dir (a loaded notice wins for its year)
    loaded: list[LoadedNotice]  # notices an administrator loaded, newest year first


def sources(ctx: ServiceContext) -> CalendarSources:
    with ctx.read() as uow:
        rows = uow.session.execute(select(CalendarNoticeRow).order_by(CalendarNoticeRow.year.desc())).scalars().all()
        loaded = [_view(r) for r in rows]
    try:
        files = sorted({n.year for n in load_notice_dir(ctx.settings.calendar_notice_dir)})
    except (OSError, NoticeError):
        files = []
    return CalendarSources(ctx.settings.holidays_official_through, files, loaded)
