"""What every offline command needs before it can answer: the settings, today's clinic date and the calendar.

Problems with them (a bad setting, an unreadable holiday notice file, a date too far away) are the operator's
input errors: one line in the reader's language and exit code 2, like any other bad input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hsgclinic.cli.input_errors import InputError, parse_date
from hsgclinic.domain.messages import N_

if TYPE_CHECKING:
    from hsgclinic.config import Settings
    from hsgclinic.domain.clinic_calendar import ClinicCalendar

# How far from today the command line builds the calendar (years either side).
CALENDAR_REACH_YEARS = 2


def load_settings() -> Settings:
    from pydantic import ValidationError

    from hsgclinic.config import load_settings as load

    try:
        return load()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ())) or "settings"
        raise InputError(N_("The settings are invalid ({where}): {reason}", where=where, reason=first["msg"])) from None


def clinic_today(raw: str | None, settings: Settings) -> dt.date:
    """``--today`` when given, else today in the clinic's time zone."""
    if raw is not None and raw.strip():
        return parse_date(raw, "--today")
    return dt.datetime.now(ZoneInfo(settings.timezone)).date()


def clinic_calendar(
    settings: Settings, today: dt.date, days: Iterable[dt.date] = (), *, reach_years: int = CALENDAR_REACH_YEARS
) -> ClinicCalendar:
    """The calendar around ``today`` that also covers ``days`` (library + notice files, CAL-SOURCE)."""
    from hsgclinic.calendar_source import NoticeError, calendar_around, load_notice_dir

    wanted = list(days)
    for d in wanted:
        if abs(d.year - today.year) > reach_years:
            raise InputError(N_("{day} is too far from today for the clinic calendar.", day=d))
    try:
        notices = load_notice_dir(settings.calendar_notice_dir)
    except NoticeError as exc:
        raise InputError(N_("A holiday notice file cannot be read: {reason}", reason=str(exc))) from None
    return calendar_around(
        today, official_through=settings.holidays_official_through, notices=notices, extra_days=wanted
    )
