"""BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, BOOK-NEXT: which procedure dates may be offered."""

from __future__ import annotations

import datetime as dt

from hsgclinic.domain.booking import judge_booking, offer_dates, slot_times
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.messages import Localized
from hsgclinic.domain.procedure_window import DateVerdict, judge_procedure_date, window_days
from hsgclinic.domain.rules import Rules

from .factories import HOLIDAY, D, cycle, hand_calendar

E = D(2026, 11, 18)
FACTS = cycle(E, period_start=D(2026, 11, 14), cycle_length=28)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _blocking_rules(verdict: DateVerdict) -> set[str]:
    return {f.rule for f in verdict.findings if f.outcome is Outcome.BLOCK}


def _plenty(*days: dt.date) -> dict[dt.date, int]:
    return dict.fromkeys(days, 20)


# -- BOOK-WINDOW -------------------------------------------------------------------------------------------------
def test_window_is_day_3_to_7_after_the_period(rules: Rules) -> None:
    """BOOK-WINDOW: E+3 … E+7."""
    assert window_days(FACTS, rules) == [E + _days(n) for n in range(3, 8)]


def test_date_outside_the_window_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-WINDOW: E+8 (and E+2) are refused even with a valid lead time."""
    for day in (E + _days(8), E + _days(2)):
        verdict = judge_procedure_date(day, FACTS, calendar, rules, today=E, test_date=day - _days(1))
        assert not verdict.usable
        assert _blocking_rules(verdict) == {"BOOK-WINDOW"}


def test_past_date_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-WINDOW: a date that has passed is never offered."""
    day = E + _days(4)
    verdict = judge_procedure_date(day, FACTS, calendar, rules, today=day + _days(1), test_date=day - _days(1))
    assert "BOOK-WINDOW" in _blocking_rules(verdict)


# -- BOOK-LEAD ---------------------------------------------------------------------------------------------------
def test_procedure_is_one_or_two_days_after_the_test(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-LEAD: T+1 and T+2 are allowed; T+0 and T+3 are not."""
    t = E + _days(2)
    lead = {
        n: judge_procedure_date(t + _days(n), FACTS, calendar, rules, today=t, test_date=t).usable for n in range(4)
    }
    assert lead == {0: False, 1: True, 2: True, 3: False}
    verdict = judge_procedure_date(t + _days(3), FACTS, calendar, rules, today=t, test_date=t)
    assert _blocking_rules(verdict) == {"BOOK-LEAD"}


def test_offers_are_test_day_plus_one_and_two(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-LEAD / BOOK-OPEN: after a test on Fri 11-20, Sat 11-21 and Sun 11-22 are offered (weekends open)."""
    t = E + _days(2)
    options = offer_dates(
        test_date=t,
        cycle=FACTS,
        calendar=calendar,
        places_left=_plenty(t + _days(1), t + _days(2)),
        rules=rules,
        today=t,
    )
    assert options.dates == [D(2026, 11, 21), D(2026, 11, 22)]
    assert options.refused == ()
    assert options.next_cycle_start is None
    assert all(o.places_left == 20 and not o.needs_review for o in options.offers)


# -- BOOK-OPEN ---------------------------------------------------------------------------------------------------
def test_closed_day_is_refused_with_the_holidays_name(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-OPEN: National Day 2026-10-03 is refused, naming the holiday (国庆节 / National Day)."""
    e = D(2026, 9, 29)
    facts = cycle(e, period_start=D(2026, 9, 25), cycle_length=30)
    verdict = judge_booking(
        D(2026, 10, 3),
        test_date=D(2026, 10, 2),
        cycle=facts,
        calendar=calendar,
        places_left=20,
        rules=rules,
        today=D(2026, 9, 30),
    )
    assert not verdict.usable
    closed = [f for f in verdict.findings if f.rule == "BOOK-OPEN"]
    assert len(closed) == 1 and closed[0].outcome is Outcome.BLOCK
    name = closed[0].message.params["name"]
    assert isinstance(name, Localized)
    assert name.zh == "国庆节" and name.en == "National Day"
    assert "National Day" in closed[0].message.english()
    assert verdict.closure is not None


def test_full_day_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-OPEN: a day with no procedure places left is refused; the other day is still offered."""
    t = E + _days(2)
    options = offer_dates(
        test_date=t,
        cycle=FACTS,
        calendar=calendar,
        places_left={t + _days(1): 0, t + _days(2): 3},
        rules=rules,
        today=t,
    )
    assert options.dates == [t + _days(2)]
    assert options.offers[0].places_left == 3
    assert [v.day for v in options.refused] == [t + _days(1)]
    full = [f for f in options.refused[0].findings if f.rule == "BOOK-OPEN"]
    assert full and full[0].message.msgid == "No procedure places are left on {day}."


def test_day_missing_from_capacity_has_no_place(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-OPEN: a day not in the capacity map counts as full."""
    t = E + _days(2)
    options = offer_dates(test_date=t, cycle=FACTS, calendar=calendar, places_left={}, rules=rules, today=t)
    assert options.dates == []


def test_clinic_closure_on_a_hand_built_calendar_is_refused(rules: Rules) -> None:
    """BOOK-OPEN: T+1 is a holiday in a hand-made calendar → only T+2 is offered."""
    e = D(2030, 6, 3)
    facts = cycle(e, cycle_length=28)
    t = e + _days(2)
    cal = hand_calendar(holidays=[t + _days(1)])
    options = offer_dates(
        test_date=t, cycle=facts, calendar=cal, places_left=_plenty(t + _days(1), t + _days(2)), rules=rules, today=t
    )
    assert options.dates == [t + _days(2)]
    assert options.refused[0].closure is not None and options.refused[0].closure.name == HOLIDAY


def test_slots_every_15_minutes_from_8(rules: Rules) -> None:
    """BOOK-OPEN: 20 places, every 15 min from 08:00 → 08:00 … 12:45."""
    slots = slot_times(dt.time(8, 0), 15, 20)
    assert len(slots) == 20
    assert slots[0] == dt.time(8, 0) and slots[1] == dt.time(8, 15) and slots[-1] == dt.time(12, 45)


# -- BOOK-NEXT ---------------------------------------------------------------------------------------------------
def test_no_offer_gives_the_next_cycle_instead(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-NEXT: a test on E+7 reaches no date in the window → nothing offered, next cycle's start given."""
    t = E + _days(7)
    options = offer_dates(
        test_date=t,
        cycle=FACTS,
        calendar=calendar,
        places_left=_plenty(t + _days(1), t + _days(2)),
        rules=rules,
        today=t,
    )
    assert options.offers == ()
    assert len(options.refused) == 2
    assert options.next_cycle_start == D(2026, 11, 14) + _days(28)


def test_review_dates_are_offered_after_clean_ones(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-WINDOW / ELIG-OVULATION: a date near ovulation is offered but marked for review."""
    facts = cycle(E, period_start=D(2026, 11, 14), cycle_length=26)  # ovulation 11-25, review from 11-23
    t = E + _days(3)
    options = offer_dates(
        test_date=t,
        cycle=facts,
        calendar=calendar,
        places_left=_plenty(t + _days(1), t + _days(2)),
        rules=rules,
        today=t,
    )
    assert options.dates == [D(2026, 11, 22), D(2026, 11, 23)]
    assert [o.needs_review for o in options.offers] == [False, True]
