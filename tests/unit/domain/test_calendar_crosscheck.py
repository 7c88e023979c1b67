"""CAL-SOURCE cross-check: our calendar (built from the `holidays` package) against `chinesecalendar`.

For 2020–2026 both libraries carry the State Council's notices. CAL-WORK must agree day by day with
``chinese_calendar.is_workday``. CAL-OPEN closes every day of an official break: `chinesecalendar` names the
festival days (and weekends the notice put inside the break) but not always a weekend the notice joined to a
one-day holiday ("与周末连休", e.g. Dragon Boat 2024: Mon Jun 10 off, break Sat Jun 8 – Mon Jun 10). So the whole
break is the maximal run of chinesecalendar rest days that contains a named holiday day; exactly those days are
closed, and every other weekend is open.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
import pytest

from hsgclinic.calendar_source import (
    CalendarOverride,
    NoticeError,
    OverrideKind,
    build_calendar,
    parse_notice,
)
from hsgclinic.domain.clinic_calendar import ClinicCalendar, ClosureKind

from .factories import D

FIRST, LAST = D(2020, 1, 1), D(2026, 12, 31)
ONE = dt.timedelta(days=1)


def _all_days(first: dt.date = FIRST, last: dt.date = LAST) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _named_holiday(day: dt.date) -> bool:
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return bool(on_holiday) and name is not None


def _whole_breaks() -> set[dt.date]:
    """Every day of every break per chinesecalendar: runs of rest days around a named holiday."""
    closed: set[dt.date] = set()
    for day in _all_days():
        if not _named_holiday(day):
            continue
        start = end = day
        while start - ONE >= FIRST and chinese_calendar.is_holiday(start - ONE):
            start -= ONE
        while end + ONE <= LAST and chinese_calendar.is_holiday(end + ONE):
            end += ONE
        closed.update(_all_days(start, end))
    return closed


def test_working_days_equal_chinese_calendar_for_2020_to_2026(calendar: ClinicCalendar) -> None:
    """CAL-WORK / CAL-SOURCE: is_working_day == chinese_calendar.is_workday on every day of 2020–2026."""
    mismatches = [d for d in _all_days() if calendar.is_working_day(d) != chinese_calendar.is_workday(d)]
    assert mismatches == []


def test_every_chinese_calendar_holiday_day_is_closed(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: every day chinesecalendar names as a statutory holiday (weekend or not) is closed."""
    named = [d for d in _all_days() if _named_holiday(d)]
    assert len(named) > 200
    assert [d for d in named if calendar.is_open(d)] == []
    assert {getattr(calendar.closure(d), "kind", None) for d in named} == {ClosureKind.STATUTORY}


def test_closed_days_are_exactly_the_whole_breaks(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: the closed days of 2020–2026 are exactly the whole breaks, weekends inside them included."""
    expected = _whole_breaks()
    closed = {d for d in _all_days() if not calendar.is_open(d)}
    assert sorted(closed - expected) == []
    assert sorted(expected - closed) == []
    # The joined weekend before Dragon Boat 2024 (a one-day holiday on Monday) is part of the break.
    assert {D(2024, 6, 8), D(2024, 6, 9), D(2024, 6, 10)} <= closed


def test_ordinary_weekends_and_makeup_days_are_open(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: weekends outside a break are open; chinesecalendar's make-up working days are open."""
    breaks = _whole_breaks()
    weekends = [d for d in _all_days() if d.weekday() >= 5 and d not in breaks]
    assert [d for d in weekends if not calendar.is_open(d)] == []
    makeup = [d for d in weekends if chinese_calendar.is_workday(d)]
    assert len(makeup) > 20
    assert all(calendar.is_working_day(d) and d in calendar.makeup_workdays for d in makeup)


# -- years without official data ---------------------------------------------------------------------------------
def test_2027_is_answered_but_provisional(calendar: ClinicCalendar) -> None:
    """CAL-SOURCE: chinesecalendar has no 2027 data; we answer for 2027 but mark it provisional."""
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))
    days = _all_days(D(2027, 1, 1), D(2027, 12, 31))
    assert all(calendar.is_provisional(d) for d in days)
    assert not any(calendar.is_provisional(d) for d in _all_days(D(2026, 1, 1), D(2026, 12, 31)))
    assert not calendar.is_open(D(2027, 10, 1))  # the library's rule-based guess still closes National Day


def test_official_through_decides_which_years_are_official() -> None:
    """CAL-SOURCE: with official_through=2025, 2026 is provisional."""
    cal = build_calendar([2026], official_through=2025)
    assert cal.is_provisional(D(2026, 6, 1))
    assert not cal.is_provisional(D(2025, 6, 1))


# -- a State Council notice loaded by the administrator ----------------------------------------------------------
# An example notice document (the format calendar_source.parse_notice reads), not the real 2027 notice.
NOTICE_2027 = {
    "year": 2027,
    "breaks": [
        {"name_zh": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-03"},
        {"name_zh": "春节", "name_en": "Spring Festival", "from": "2027-02-05", "to": "2027-02-13"},
        {"name_zh": "国庆节、中秋节", "name_en": "National Day", "from": "2027-10-01", "to": "2027-10-07"},
    ],
    "workdays": ["2027-02-14", "2027-09-26", "2027-10-09"],
}
NOTICE_2027_BREAKS = [
    (D(2027, 1, 1), D(2027, 1, 3)),
    (D(2027, 2, 5), D(2027, 2, 13)),
    (D(2027, 10, 1), D(2027, 10, 7)),
]


@pytest.fixture(scope="module")
def with_notice() -> ClinicCalendar:
    return build_calendar([2027], official_through=2026, notices=[parse_notice(NOTICE_2027)])


def test_notice_makes_its_year_official(with_notice: ClinicCalendar) -> None:
    """CAL-SOURCE: a loaded notice makes 2027 official (not provisional)."""
    assert not with_notice.is_provisional(D(2027, 3, 1))
    assert with_notice.is_provisional(D(2028, 3, 1))


def test_notice_breaks_are_closed_with_their_names(with_notice: ClinicCalendar) -> None:
    """CAL-SOURCE / CAL-OPEN: every day of every break in the notice is closed, weekends included."""
    for first, last in NOTICE_2027_BREAKS:
        for day in _all_days(first, last):
            closure = with_notice.closure(day)
            assert closure is not None and closure.kind is ClosureKind.STATUTORY, day
            assert not with_notice.is_working_day(day)
    closure = with_notice.closure(D(2027, 2, 11))  # a Thursday the library alone would leave open
    assert closure is not None and closure.name.zh == "春节" and closure.name.en == "Spring Festival"
    assert with_notice.is_open(D(2027, 2, 15))


def test_notice_workdays_are_working_days(with_notice: ClinicCalendar) -> None:
    """CAL-SOURCE / CAL-WORK: the notice's make-up days are working days and open."""
    for day in (D(2027, 2, 14), D(2027, 9, 26), D(2027, 10, 9)):
        assert day.weekday() >= 5
        assert with_notice.is_working_day(day) and with_notice.is_open(day)
    assert with_notice.next_working_day_after(D(2027, 2, 4)) == D(2027, 2, 14)


def test_notice_replaces_the_librarys_guess_for_its_year(with_notice: ClinicCalendar) -> None:
    """CAL-SOURCE: a festival the library guessed but the notice does not list (Mid-Autumn 09-15) is open."""
    assert with_notice.is_open(D(2027, 9, 15)) and with_notice.is_working_day(D(2027, 9, 15))


@pytest.mark.parametrize(
    "bad",
    [
        {"breaks": []},
        {"year": 2027, "breaks": [{"name_zh": "春节", "name_en": "Spring", "from": "2027-02-13", "to": "2027-02-05"}]},
        {"year": 2027, "breaks": [{"name_zh": "春节", "name_en": "Spring", "from": "2025-02-05", "to": "2025-02-07"}]},
        {"year": 2027, "breaks": [{"name_zh": "春节", "name_en": "Spring", "from": "2027-02-30", "to": "2027-03-01"}]},
        {"year": 2027, "breaks": [], "workdays": ["not a date"]},
    ],
)
def test_malformed_notice_is_refused(bad: dict[str, object]) -> None:
    """CAL-SOURCE: a notice that cannot be right is refused with a reason."""
    with pytest.raises(NoticeError):
        parse_notice(bad)


# -- administrator overrides -------------------------------------------------------------------------------------
def test_clinic_closed_override_closes_an_ordinary_day() -> None:
    """CAL-SOURCE: an extra clinic closure (training day) closes the clinic; the day stays a working day."""
    cal = build_calendar(
        [2026],
        official_through=2026,
        overrides=[CalendarOverride(D(2026, 11, 25), OverrideKind.CLINIC_CLOSED, "业务培训", "Staff training")],
    )
    closure = cal.closure(D(2026, 11, 25))
    assert closure is not None and closure.kind is ClosureKind.CLINIC
    assert closure.name.zh == "业务培训" and closure.name.en == "Staff training"
    assert not cal.is_open(D(2026, 11, 25))
    assert cal.is_working_day(D(2026, 11, 25))
    assert not cal.is_provisional(D(2026, 11, 25))


def test_clinic_closed_override_without_a_name_gets_a_default_name() -> None:
    """CAL-SOURCE: an unnamed closure still says why (门诊停诊 / Clinic closed)."""
    cal = build_calendar(
        [2026], official_through=2026, overrides=[CalendarOverride(D(2026, 11, 21), OverrideKind.CLINIC_CLOSED)]
    )
    closure = cal.closure(D(2026, 11, 21))
    assert closure is not None and closure.name.zh == "门诊停诊"


def test_workday_override_opens_a_day_and_makes_it_a_working_day() -> None:
    """CAL-SOURCE: a WORKDAY override turns a closed break day / an ordinary Saturday into an open working day."""
    cal = build_calendar(
        [2026],
        official_through=2026,
        overrides=[
            CalendarOverride(D(2026, 10, 7), OverrideKind.WORKDAY),
            CalendarOverride(D(2026, 11, 28), OverrideKind.WORKDAY),
        ],
    )
    for day in (D(2026, 10, 7), D(2026, 11, 28)):
        assert cal.is_open(day) and cal.is_working_day(day)
    assert not cal.is_open(D(2026, 10, 6))


def test_holiday_override_adds_a_statutory_day() -> None:
    """CAL-SOURCE: a HOLIDAY override (e.g. from a late notice) closes the day and makes it a non-working day."""
    cal = build_calendar(
        [2026], official_through=2026, overrides=[CalendarOverride(D(2026, 10, 10), OverrideKind.HOLIDAY)]
    )
    assert not cal.is_open(D(2026, 10, 10))
    assert not cal.is_working_day(D(2026, 10, 10))


def test_a_break_of_two_festivals_names_each_once(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: 2020-10-01 is both Mid-Autumn and National Day; the Oct 1–8 break is named after each festival
    once, the longer one first as the State Council's notice does (国庆节、中秋节), never "… and National Day and
    National Day and …"."""
    for day in _all_days(D(2020, 10, 1), D(2020, 10, 8)):
        closure = calendar.closure(day)
        assert closure is not None
        assert (closure.name.zh, closure.name.en) == ("国庆节、中秋节", "National Day and Mid-Autumn Festival")
    first = calendar.closure(D(2023, 9, 29))  # Mid-Autumn on Fri Sep 29, then National Day: the notice's order
    assert first is not None and first.name.zh == "中秋节、国庆节"


def test_no_closure_name_repeats_a_festival_2020_to_2026(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: every closed day's name lists distinct festivals, in both languages."""
    for day in _all_days():
        closure = calendar.closure(day)
        if closure is None:
            continue
        zh, en = closure.name.zh.split("、"), closure.name.en.split(" and ")
        assert len(zh) == len(set(zh)) == len(en) == len(set(en)), (day, closure.name)
