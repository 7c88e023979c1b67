"""What the pages need from the ``clinic`` container (bootstrap): settings, the clock and the calendar.

Kept in one place so the pages depend on three names only: ``clinic.settings``, ``clinic.clock`` (an object with
``now()`` returning an aware datetime, or a callable) and ``clinic.calendar`` (a ``ClinicCalendar``, or an object
with ``for_day(day)``/``around(day)``). Anything missing falls back to the official calendar built from the
settings, so the patient's planning pages work before the services exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from hsgclinic.calendar_source import calendar_around
from hsgclinic.config import Settings, SiteProfile, load_settings
from hsgclinic.domain.clinic_calendar import ClinicCalendar


def settings_of(clinic: Any) -> Settings:
    settings = getattr(clinic, "settings", None)
    if isinstance(settings, Settings):
        return settings
    return load_settings()


def site_of(clinic: Any) -> SiteProfile:
    site = getattr(clinic, "site", None)
    if isinstance(site, SiteProfile):
        return site
    return settings_of(clinic).site


def now_local(clinic: Any) -> dt.datetime:
    """The clinic's local time now, as a naive datetime (Asia/Shanghai, no DST)."""
    zone = ZoneInfo(settings_of(clinic).timezone)
    clock = getattr(clinic, "clock", None)
    now: dt.datetime
    if clock is None:
        now = dt.datetime.now(tz=zone)
    elif hasattr(clock, "now"):
        now = clock.now()
    else:
        now = clock()
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return now.astimezone(zone).replace(tzinfo=None)


def now_utc(clinic: Any) -> dt.datetime:
    zone = ZoneInfo(settings_of(clinic).timezone)
    return now_local(clinic).replace(tzinfo=zone).astimezone(dt.UTC)


def today_local(clinic: Any) -> dt.date:
    return now_local(clinic).date()


def calendar_for(clinic: Any, *days: dt.date) -> ClinicCalendar:
    """A calendar covering today and ``days`` (± one year), with the administrator's overrides when present."""
    today = today_local(clinic)
    source = getattr(clinic, "calendar", None)
    wanted = [today, *days]
    if isinstance(source, ClinicCalendar) and all(source.covers(d) for d in wanted):
        return source
    for method in ("around", "for_day", "calendar_around"):
        fn = getattr(source, method, None)
        if callable(fn):
            try:
                cal = fn(today, extra_days=tuple(days))
            except TypeError:
                cal = fn(today)
            if isinstance(cal, ClinicCalendar) and all(cal.covers(d) for d in wanted):
                return cal
    if callable(source) and not isinstance(source, ClinicCalendar):
        cal = source()
        if isinstance(cal, ClinicCalendar) and all(cal.covers(d) for d in wanted):
            return cal
    settings = settings_of(clinic)
    return calendar_around(today, official_through=settings.holidays_official_through, extra_days=days)
