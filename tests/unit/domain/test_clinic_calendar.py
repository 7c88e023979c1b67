"""CAL-OPEN, CAL-WORK, CAL-SOURCE: the two calendars of the pathway."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.clinic_calendar import CalendarRangeError, ClinicCalendar, ClosureKind, describe_day

from .factories import TRAINING, D, hand_calendar

# domain.md, CAL-OPEN: the 2026 breaks, every day closed, weekends inside included.
BREAKS_2026 = [
    ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
    ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ("清明节", D(2026, 4, 4), D(2026, 4, 6)),
    ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
    ("端午节", D(2026, 6, 19), D(2026, 6, 21)),
    ("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
    ("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
]
MAKEUP_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


# -- CAL-OPEN ----------------------------------------------------------------------------------------------------
def test_ordinary_weekend_is_open(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: the clinic runs on ordinary Saturdays and Sundays."""
    assert calendar.is_open(D(2026, 11, 21))  # Saturday
    assert calendar.is_open(D(2026, 11, 22))  # Sunday


@pytest.mark.parametrize(("name_zh", "first", "last"), BREAKS_2026, ids=[b[1].isoformat() for b in BREAKS_2026])
def test_every_day_of_a_2026_break_is_closed_with_its_name(
    calendar: ClinicCalendar, name_zh: str, first: dt.date, last: dt.date
) -> None:
    """CAL-OPEN: every day of the State Council's 2026 break is closed, weekend days inside it included."""
    for day in _days(first, last):
        closure = calendar.closure(day)
        assert closure is not None, day
        assert closure.kind is ClosureKind.STATUTORY
        assert name_zh in closure.name.zh
    assert calendar.is_open(first - dt.timedelta(days=1))
    assert calendar.is_open(last + dt.timedelta(days=1))


def test_exactly_the_2026_break_days_are_closed(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: no other day of 2026 is closed (ordinary weekends stay open)."""
    expected = {d for _, first, last in BREAKS_2026 for d in _days(first, last)}
    closed = {d for d in _days(D(2026, 1, 1), D(2026, 12, 31)) if not calendar.is_open(d)}
    assert closed == expected


def test_weekend_inside_spring_festival_break_is_closed(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: Sun 2026-02-15 and Sat/Sun 02-21/22 belong to the Spring Festival break."""
    for day in (D(2026, 2, 15), D(2026, 2, 21), D(2026, 2, 22)):
        assert day.weekday() >= 5
        assert not calendar.is_open(day)


@pytest.mark.parametrize("day", MAKEUP_2026)
def test_makeup_working_day_is_open_and_a_working_day(calendar: ClinicCalendar, day: dt.date) -> None:
    """CAL-OPEN / CAL-WORK: make-up working days (调休) are open and count as working days."""
    assert day.weekday() >= 5
    assert calendar.is_open(day)
    assert calendar.is_working_day(day)
    assert describe_day(calendar, day).makeup_workday


def test_clinic_closure_override_closes_the_clinic_but_stays_a_working_day() -> None:
    """CAL-OPEN / CAL-WORK: an administrator's extra closure (training day) closes the clinic only."""
    cal = hand_calendar(clinic_closed=[D(2030, 3, 6)])
    assert not cal.is_open(D(2030, 3, 6))
    assert cal.is_working_day(D(2030, 3, 6))  # a Wednesday; the official calendar is unchanged
    closure = cal.closure(D(2030, 3, 6))
    assert closure is not None and closure.kind is ClosureKind.CLINIC and closure.name == TRAINING


def test_next_open_day_skips_the_whole_break(calendar: ClinicCalendar) -> None:
    """CAL-OPEN: from the first day of National Day 2026 the next open day is 10-08."""
    assert calendar.next_open_on_or_after(D(2026, 10, 1)) == D(2026, 10, 8)
    assert calendar.next_open_on_or_after(D(2026, 11, 21)) == D(2026, 11, 21)


# -- CAL-WORK ----------------------------------------------------------------------------------------------------
def test_weekdays_are_working_days_and_weekends_are_not(calendar: ClinicCalendar) -> None:
    """CAL-WORK: Mon–Fri are working days, an ordinary Saturday/Sunday is not."""
    week = _days(D(2026, 11, 16), D(2026, 11, 22))
    assert [calendar.is_working_day(d) for d in week] == [True] * 5 + [False] * 2


def test_statutory_holiday_weekday_is_not_a_working_day(calendar: ClinicCalendar) -> None:
    """CAL-WORK: Thu 2026-10-01 (National Day) is not a working day."""
    assert not calendar.is_working_day(D(2026, 10, 1))
    assert not calendar.is_working_day(D(2026, 2, 16))


def test_hand_built_calendar_working_days() -> None:
    """CAL-WORK on a hand-made year: holiday weekday off, make-up Sunday on, other weekend off."""
    cal = hand_calendar(holidays=[D(2030, 5, 1), D(2030, 5, 2)], makeup=[D(2030, 5, 5)])
    assert not cal.is_working_day(D(2030, 5, 1))  # Wednesday, holiday
    assert cal.is_working_day(D(2030, 5, 5))  # Sunday, make-up
    assert not cal.is_working_day(D(2030, 5, 4))  # Saturday
    assert cal.next_working_day_after(D(2030, 4, 30)) == D(2030, 5, 3)
    assert cal.next_working_day_after(D(2030, 5, 3)) == D(2030, 5, 5)


def test_next_working_day_after_friday_is_monday(calendar: ClinicCalendar) -> None:
    """CAL-WORK: the next working day after Fri 2026-12-04 is Mon 12-07."""
    assert calendar.next_working_day_after(D(2026, 12, 4)) == D(2026, 12, 7)


# -- CAL-SOURCE --------------------------------------------------------------------------------------------------
def test_year_not_covered_raises_instead_of_guessing() -> None:
    """CAL-SOURCE: a calendar answers only for the years it was built for."""
    cal = hand_calendar(years=[2030])
    assert cal.covers(D(2030, 12, 31))
    assert not cal.covers(D(2031, 1, 1))
    with pytest.raises(CalendarRangeError):
        cal.is_open(D(2031, 1, 1))
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(D(2029, 12, 31))


def test_year_without_official_data_is_provisional(calendar: ClinicCalendar) -> None:
    """CAL-SOURCE: 2027 (no official notice in the library) is answered but marked provisional."""
    assert calendar.covers(D(2027, 3, 1))
    assert calendar.is_provisional(D(2027, 3, 1))
    assert not calendar.is_provisional(D(2026, 3, 1))
    info = describe_day(calendar, D(2027, 3, 1))
    assert info.provisional and info.open


def test_describe_day_reports_a_closed_holiday(calendar: ClinicCalendar) -> None:
    """CAL-OPEN / CAL-WORK / CAL-SOURCE as one day's description."""
    info = describe_day(calendar, D(2026, 10, 3))
    assert not info.open and not info.working_day and not info.provisional and not info.makeup_workday
    assert info.closure is not None and "国庆" in info.closure.name.zh and "National Day" in info.closure.name.en
