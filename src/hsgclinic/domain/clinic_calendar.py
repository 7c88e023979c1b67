"""The two calendars of the pathway (CAL-OPEN, CAL-WORK) as a value the domain is given (CAL-SOURCE).

``ClinicCalendar`` answers for the years it was built for; an adapter outside the domain
(:mod:`hsgclinic.calendar_source`) builds it from the official PRC calendar plus administrator overrides.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from hsgclinic.domain.messages import Localized

ONE_DAY = dt.timedelta(days=1)


class ClosureKind(enum.StrEnum):
    STATUTORY = "statutory"  # a day of an official holiday break (CAL-OPEN): not a working day either
    CLINIC = "clinic"  # an extra closure of the clinic only (e.g. a training day); still a working day


@dataclass(frozen=True)
class Closure:
    kind: ClosureKind
    name: Localized


class CalendarRangeError(ValueError):
    """A date outside the years the calendar was built for."""


@dataclass(frozen=True)
class ClinicCalendar:
    """Open days (CAL-OPEN) and working days (CAL-WORK) for ``years``.

    ``closures`` holds every closed day with its reason; ``makeup_workdays`` the official make-up working
    days (调休); ``official_years`` the years whose data is official, every other year is provisional.
    """

    years: frozenset[int]
    closures: Mapping[dt.date, Closure] = field(default_factory=lambda: MappingProxyType({}))
    makeup_workdays: frozenset[dt.date] = frozenset()
    official_years: frozenset[int] = frozenset()
    official_from: int | None = None  # the source's first official year: earlier years will never be official

    def _check(self, day: dt.date) -> None:
        if day.year not in self.years:
            raise CalendarRangeError(f"the clinic calendar was not built for {day.year}")

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def closure(self, day: dt.date) -> Closure | None:
        self._check(day)
        return self.closures.get(day)

    def is_open(self, day: dt.date) -> bool:
        """CAL-OPEN: every day except the days of a statutory holiday break (and clinic closures)."""
        return self.closure(day) is None

    def is_working_day(self, day: dt.date) -> bool:
        """CAL-WORK: Mon–Fri minus statutory holidays, plus official make-up working days."""
        self._check(day)
        if day in self.makeup_workdays:
            return True
        closure = self.closures.get(day)
        if closure is not None and closure.kind is ClosureKind.STATUTORY:
            return False
        return day.weekday() < 5

    def is_provisional(self, day: dt.date) -> bool:
        """CAL-SOURCE: True for a year without official holiday data."""
        return day.year not in self.official_years

    def next_working_day_after(self, day: dt.date) -> dt.date:
        d = day + ONE_DAY
        while not self.is_working_day(d):
            d += ONE_DAY
        return d

    def days(self, first: dt.date, last: dt.date) -> Iterator[dt.date]:
        d = first
        while d <= last:
            yield d
            d += ONE_DAY

    def next_open_on_or_after(self, day: dt.date) -> dt.date:
        d = day
        while not self.is_open(d):
            d += ONE_DAY
        return d


@dataclass(frozen=True)
class DayInfo:
    """One day as the ``calendar`` command and pages show it."""

    day: dt.date
    open: bool
    working_day: bool
    makeup_workday: bool
    provisional: bool
    closure: Closure | None


def describe_day(calendar: ClinicCalendar, day: dt.date) -> DayInfo:
    closure = calendar.closure(day)
    return DayInfo(
        day=day,
        open=closure is None,
        working_day=calendar.is_working_day(day),
        makeup_workday=day in calendar.makeup_workdays,
        provisional=calendar.is_provisional(day),
        closure=closure,
    )
