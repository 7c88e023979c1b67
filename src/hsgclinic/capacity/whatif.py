"""What-ifs: a change to the scenario, written as a short text (the CLI's ``--what-if``), and their ranking.

``places:2027-02-03:5``  5 more procedure places on that day
``makeup:10``            an extra session of 10 places on every make-up working day (调休) of the period
``before-breaks:10``     10 more places on each of the last 2 open days before every statutory break
``capacity:24``          another procedure capacity per open day
``numbers:50``           another number quota per open day
``open:2027-02-16``      open one holiday day (the day's usual numbers and places)
``auto``                 the set above that fits the period (docs/capacity.md)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from types import MappingProxyType

from hsgclinic.capacity.simulation import Scenario
from hsgclinic.domain.clinic_calendar import ClinicCalendar, ClosureKind
from hsgclinic.domain.messages import N_, Localized, MessageError

ONE_DAY = dt.timedelta(days=1)
MAX_WHAT_IFS = 12


class WhatIfError(MessageError):
    """A what-if text that cannot be read (a translatable message says which and why)."""


@dataclass(frozen=True)
class WhatIf:
    spec: str
    kind: str
    scenario: Scenario
    added: int  # places (or numbers, for a number quota) added over the period
    unit: str  # "places" or "numbers"


def breaks(calendar: ClinicCalendar, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date, Localized]]:
    """The statutory breaks that touch the period: (first day, last day, name)."""
    out: list[tuple[dt.date, dt.date, Localized]] = []
    d = first - dt.timedelta(days=10)
    while d <= last:
        c = calendar.closure(d) if calendar.covers(d) else None
        if c is not None and c.kind is ClosureKind.STATUTORY:
            start = d
            while (
                calendar.covers(d + ONE_DAY)
                and (n := calendar.closure(d + ONE_DAY)) is not None
                and (n.kind is ClosureKind.STATUTORY)
            ):
                d += ONE_DAY
            if d >= first:
                out.append((start, d, c.name))
        d += ONE_DAY
    return out


def _day(text: str, spec: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WhatIfError(N_("{spec}: {text!r} is not a date (YYYY-MM-DD).", spec=spec, text=text)) from None


def _int(text: str, spec: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise WhatIfError(N_("{spec}: {text!r} is not a whole number.", spec=spec, text=text)) from None
    if not low <= value <= high:
        raise WhatIfError(
            N_("{spec}: {value} must be from {low} to {high}.", spec=spec, value=value, low=low, high=high)
        )
    return value


def _open_days(s: Scenario) -> list[dt.date]:
    return [d for d in s.calendar.days(s.first, s.last) if s.calendar.is_open(d)]


def _add(s: Scenario, days: Sequence[dt.date], n: int) -> Scenario:
    extra = dict(s.extra_places)
    for d in days:
        extra[d] = extra.get(d, 0) + n
    return dataclasses.replace(s, extra_places=MappingProxyType(extra))


def _last_open_before(s: Scenario, day: dt.date, count: int) -> list[dt.date]:
    out: list[dt.date] = []
    d = day - ONE_DAY
    while len(out) < count and d >= s.first:
        if s.calendar.is_open(d):
            out.append(d)
        d -= ONE_DAY
    return out


def parse(spec: str, s: Scenario) -> WhatIf:
    """One what-if text applied to the scenario ``s``."""
    kind, _, arg = spec.strip().partition(":")
    kind = kind.strip().lower()
    if kind == "places":
        day_text, _, n_text = arg.partition(":")
        day, n = _day(day_text, spec), _int(n_text, spec, 1, 500)
        if not s.first <= day <= s.last:
            raise WhatIfError(N_("{spec}: {day} is outside the period.", spec=spec, day=day))
        if not s.calendar.is_open(day):
            raise WhatIfError(
                N_("{spec}: the clinic is closed on {day}; use open:{iso}.", spec=spec, day=day, iso=day.isoformat())
            )
        return WhatIf(spec, kind, _add(s, [day], n), n, "places")
    if kind == "makeup":
        n = _int(arg, spec, 1, 500)
        days = [d for d in s.calendar.days(s.first, s.last) if d in s.calendar.makeup_workdays]
        if not days:
            raise WhatIfError(N_("{spec}: the period has no make-up working day.", spec=spec))
        return WhatIf(spec, kind, _add(s, days, n), n * len(days), "places")
    if kind == "before-breaks":
        n = _int(arg, spec, 1, 500)
        days = sorted({d for b0, _, _ in breaks(s.calendar, s.first, s.last) for d in _last_open_before(s, b0, 2)})
        if not days:
            raise WhatIfError(N_("{spec}: the period has no statutory holiday break.", spec=spec))
        return WhatIf(spec, kind, _add(s, days, n), n * len(days), "places")
    if kind == "capacity":
        c = _int(arg, spec, 1, 500)
        return WhatIf(
            spec,
            kind,
            dataclasses.replace(s, procedure_capacity=c),
            (c - s.procedure_capacity) * len(_open_days(s)),
            "places",
        )
    if kind == "numbers":
        q = _int(arg, spec, 1, 1000)
        return WhatIf(
            spec, kind, dataclasses.replace(s, daily_numbers=q), (q - s.daily_numbers) * len(_open_days(s)), "numbers"
        )
    if kind == "open":
        day = _day(arg, spec)
        if not s.first <= day <= s.last:
            raise WhatIfError(N_("{spec}: {day} is outside the period.", spec=spec, day=day))
        if s.calendar.is_open(day):
            raise WhatIfError(N_("{spec}: the clinic is already open on {day}.", spec=spec, day=day))
        closures = {d: c for d, c in s.calendar.closures.items() if d != day}
        calendar = dataclasses.replace(s.calendar, closures=MappingProxyType(closures))
        opened = dataclasses.replace(s, calendar=calendar)
        return WhatIf(spec, kind, opened, opened.places(day), "places")
    raise WhatIfError(
        N_(
            "{spec}: unknown what-if (places, makeup, before-breaks, capacity, numbers, open, auto).",
            spec=spec,
        )
    )


def auto_specs(s: Scenario) -> list[str]:
    """The default what-ifs for the period: a half-day session on make-up days and before breaks, 2 more places a
    day, a 10 % larger number quota, and opening the last day of each of the two longest breaks."""
    half = max(1, s.procedure_capacity // 2)
    specs = [f"before-breaks:{half}", f"capacity:{s.procedure_capacity + 2}", f"numbers:{s.daily_numbers * 11 // 10}"]
    if any(d in s.calendar.makeup_workdays for d in s.calendar.days(s.first, s.last)):
        specs.insert(0, f"makeup:{half}")
    found = breaks(s.calendar, s.first, s.last)
    longest = sorted(found, key=lambda b: (-(b[1] - b[0]).days, b[0]))[:2]
    specs += [f"open:{b1.isoformat()}" for _, b1, _ in sorted(longest) if b1 <= s.last]
    return [x for x in specs if not x.startswith("before-breaks") or found]


def expand(specs: Sequence[str], s: Scenario) -> list[WhatIf]:
    out: list[WhatIf] = []
    for spec in specs:
        for one in auto_specs(s) if spec.strip().lower() == "auto" else [spec]:
            out.append(parse(one, s))
    if len(out) > MAX_WHAT_IFS:
        raise WhatIfError(N_("At most {n} what-ifs at a time.", n=MAX_WHAT_IFS))
    return out
