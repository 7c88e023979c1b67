"""CAL-SOURCE adapter: builds the domain's :class:`ClinicCalendar` from the official PRC calendar.

Sources, in order: the ``holidays`` package's China calendar (statutory holidays and make-up working days),
a year's State Council notice loaded from a file (replaces the package's data for that year and makes it
official), then administrator overrides (extra clinic closures, extra working days).

``holidays`` lists only the weekdays off; the whole break (放假), weekends inside it included, is derived as
the maximal run of non-working days that contains a statutory holiday (CAL-OPEN).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from holidays.countries.china import China

from hsgclinic.domain.clinic_calendar import ClinicCalendar, Closure, ClosureKind
from hsgclinic.domain.messages import Localized

ONE_DAY = dt.timedelta(days=1)
# The first year whose holidays and make-up working days the `holidays` package checked against the State Council's
# notice (its China calendar: "only checked with the official … Notice from 2001"). Earlier years are its rule-based
# guess, so they are provisional like a year not yet announced (CAL-SOURCE).
OFFICIAL_FROM = 2001

# Canonical bilingual names of the statutory festivals, keyed by the `holidays` package's English names.
FESTIVALS: dict[str, Localized] = {
    "New Year's Day": Localized("元旦", "New Year's Day"),
    "Chinese New Year (Spring Festival)": Localized("春节", "Spring Festival"),
    "Chinese New Year's Eve": Localized("春节", "Spring Festival"),
    "Chinese New Year Extended Holiday": Localized("春节", "Spring Festival"),
    "Tomb-Sweeping Day": Localized("清明节", "Qingming Festival"),
    "Labor Day": Localized("劳动节", "Labour Day"),
    "Dragon Boat Festival": Localized("端午节", "Dragon Boat Festival"),
    "Mid-Autumn Festival": Localized("中秋节", "Mid-Autumn Festival"),
    "National Day": Localized("国庆节", "National Day"),
}


class OverrideKind(enum.StrEnum):
    CLINIC_CLOSED = "clinic_closed"  # the clinic is closed (e.g. a training day); still a working day
    HOLIDAY = "holiday"  # an official holiday day (from a State Council notice)
    WORKDAY = "workday"  # an official make-up working day / the clinic is open


@dataclass(frozen=True)
class CalendarOverride:
    day: dt.date
    kind: OverrideKind
    name_zh: str = ""
    name_en: str = ""


@dataclass(frozen=True)
class HolidayNotice:
    """A year's official notice: every day of every break, and the make-up working days."""

    year: int
    breaks: tuple[tuple[Localized, dt.date, dt.date], ...]
    workdays: tuple[dt.date, ...]


class NoticeError(ValueError):
    pass


def parse_notice(data: dict[str, object]) -> HolidayNotice:
    """Parse a notice document (JSON): ``{"year": 2027, "breaks": [{"name_zh", "name_en", "from", "to"}],
    "workdays": ["2027-02-07", …]}``. Raises :class:`NoticeError` with a readable reason."""
    try:
        year = int(data["year"])  # type: ignore[call-overload]
        breaks = []
        for b in data["breaks"]:  # type: ignore[attr-defined]
            first = dt.date.fromisoformat(b["from"])
            last = dt.date.fromisoformat(b["to"])
            if last < first:
                raise NoticeError(f"break {b['name_en']!r} ends before it starts")
            if first.year != year and last.year != year:
                raise NoticeError(f"break {b['name_en']!r} is not in {year}")
            breaks.append((Localized(str(b["name_zh"]), str(b["name_en"])), first, last))
        workdays = tuple(dt.date.fromisoformat(d) for d in data.get("workdays", []))  # type: ignore[attr-defined]
    except NoticeError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise NoticeError(f"not a holiday notice: {exc}") from exc
    return HolidayNotice(year, tuple(breaks), workdays)


def load_notice_file(path: Path) -> HolidayNotice:
    try:
        return parse_notice(json.loads(path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise NoticeError(f"{path.name}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc


def load_notice_dir(directory: Path | None) -> list[HolidayNotice]:
    if directory is None or not directory.is_dir():
        return []
    return [load_notice_file(p) for p in sorted(directory.glob("*.json"))]


def _festival_names(english: str) -> tuple[Localized, ...]:
    """The festivals a `holidays` entry names ("Mid-Autumn Festival; National Day" is two), in its order."""
    parts = [p.replace(" (observed)", "").strip() for p in english.split(";")]
    return tuple(dict.fromkeys(FESTIVALS[p] for p in parts if p in FESTIVALS))


def _merge_names(named_days: Sequence[tuple[dt.date, Localized]]) -> Localized:
    """One name for a break: each festival once, the one that starts first first; festivals starting on the same
    day (2020-10-01 is both) ordered by their days in the break, most first (2020: 国庆节、中秋节, as the notice)."""
    first: dict[Localized, dt.date] = {}
    count: dict[Localized, int] = {}
    for day, name in named_days:
        first[name] = min(first.get(name, day), day)
        count[name] = count.get(name, 0) + 1
    unique = sorted(first, key=lambda n: (first[n], -count[n]))
    if len(unique) == 1:
        return unique[0]
    return Localized("、".join(dict.fromkeys(n.zh for n in unique)), " and ".join(dict.fromkeys(n.en for n in unique)))


def _library_year(year: int) -> tuple[dict[dt.date, tuple[Localized, ...]], set[dt.date]]:
    """Weekdays off (with the festivals the package names, if any) and make-up working days of ``year``."""
    cn = China(years=year, language="en_US")  # type: ignore[no-untyped-call]
    off = {d: _festival_names(name) for d, name in cn.items() if d.year == year}
    workdays = {d for d in cn.weekend_workdays if d.year == year}
    return off, workdays


def _breaks(
    off: dict[dt.date, tuple[Localized, ...]], workdays: set[dt.date], first: dt.date, last: dt.date
) -> dict[dt.date, Localized]:
    """Every day of every break: maximal runs of non-working days containing a statutory day off."""

    def resting(d: dt.date) -> bool:
        return d in off or (d.weekday() >= 5 and d not in workdays)

    closed: dict[dt.date, Localized] = {}
    d = first
    while d <= last:
        if d in off:
            start = d
            while start - ONE_DAY >= first - dt.timedelta(days=7) and resting(start - ONE_DAY):
                start -= ONE_DAY
            end = d
            while resting(end + ONE_DAY):
                end += ONE_DAY
            names = [(x, n) for x, ns in off.items() if start <= x <= end for n in ns]
            name = _merge_names(names) if names else Localized("法定节假日", "Statutory holiday")
            x = start
            while x <= end:
                closed[x] = name
                x += ONE_DAY
            d = end + ONE_DAY
        else:
            d += ONE_DAY
    return closed


def build_calendar(
    years: Iterable[int],
    *,
    official_through: int,
    official_from: int = OFFICIAL_FROM,
    notices: Sequence[HolidayNotice] = (),
    overrides: Sequence[CalendarOverride] = (),
) -> ClinicCalendar:
    """The clinic calendar for ``years`` (one extra year either side is read so breaks across New Year join).

    Official (CAL-SOURCE): years with a loaded notice, and the package's years from ``official_from`` to
    ``official_through``; every other year is answered but provisional."""
    wanted = sorted(set(years))
    by_year = {n.year: n for n in notices}
    off: dict[dt.date, tuple[Localized, ...]] = {}
    workdays: set[dt.date] = set()
    official: set[int] = set()
    for year in range(wanted[0] - 1, wanted[-1] + 2):
        notice = by_year.get(year)
        if notice is not None:
            for name, first, last in notice.breaks:
                d = first
                while d <= last:
                    off[d] = (name,)
                    d += ONE_DAY
            workdays.update(notice.workdays)
            official.add(year)
        else:
            y_off, y_work = _library_year(year)
            off.update(y_off)
            workdays.update(y_work)
            if official_from <= year <= official_through:
                official.add(year)
    first = dt.date(wanted[0] - 1, 1, 1)
    last = dt.date(wanted[-1] + 1, 12, 31)
    closed = _breaks(off, workdays, first, last)
    closures: dict[dt.date, Closure] = {d: Closure(ClosureKind.STATUTORY, n) for d, n in closed.items()}
    for o in overrides:
        if o.kind is OverrideKind.CLINIC_CLOSED:
            closures[o.day] = Closure(
                ClosureKind.CLINIC, Localized(o.name_zh or "门诊停诊", o.name_en or "Clinic closed")
            )
        elif o.kind is OverrideKind.HOLIDAY:
            closures[o.day] = Closure(
                ClosureKind.STATUTORY, Localized(o.name_zh or "法定节假日", o.name_en or "Statutory holiday")
            )
            workdays.discard(o.day)
        else:
            closures.pop(o.day, None)
            workdays.add(o.day)
    covered = frozenset(range(wanted[0] - 1, wanted[-1] + 2))
    return ClinicCalendar(
        years=covered,
        closures=MappingProxyType({d: c for d, c in closures.items() if d.year in covered}),
        makeup_workdays=frozenset(d for d in workdays if d.year in covered),
        official_years=frozenset(official),
        official_from=official_from,
    )


def calendar_around(
    today: dt.date,
    *,
    official_through: int,
    notices: Sequence[HolidayNotice] = (),
    overrides: Sequence[CalendarOverride] = (),
    extra_days: Iterable[dt.date] = (),
) -> ClinicCalendar:
    """A calendar for today's year ± 1 and any extra days' years (what a request can reach)."""
    years = {today.year - 1, today.year, today.year + 1, *(d.year for d in extra_days)}
    return build_calendar(years, official_through=official_through, notices=notices, overrides=overrides)
