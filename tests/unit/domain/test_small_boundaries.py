"""Exact values the other tests leave open: refusal sentences, booking verdict fields, check digits, counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.aftercare import AftercareInputError, plan_aftercare
from hsgclinic.domain.booking import capacity_finding, judge_booking, offer_dates
from hsgclinic.domain.clinic_calendar import ClinicCalendar, describe_day
from hsgclinic.domain.identity import check_digit
from hsgclinic.domain.registration import noshow_suspension
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar

PROC = D(2026, 12, 4)


def _refusal(calendar: ClinicCalendar, rules: Rules, **kwargs: object) -> str:
    with pytest.raises(AftercareInputError) as caught:
        plan_aftercare(PROC, calendar, rules, **kwargs)  # type: ignore[arg-type]
    return caught.value.message.english()


def test_aftercare_refusal_sentences(calendar: ClinicCalendar, rules: Rules) -> None:
    assert _refusal(calendar, rules, period_start=D(2026, 9, 4)) == (
        "The first day of the last period (2026-09-04) is more than 90 days before the procedure date (2026-12-04); "
        "enter the period of this cycle."
    )
    assert _refusal(calendar, rules, cycle_length=91) == (
        "A cycle length of 91 days is not plausible; enter a number from 15 to 90."
    )
    assert _refusal(calendar, rules, antibiotic_days=2) == "The antibiotic course is 3–5 days, not 2."


def test_a_full_day_names_the_day() -> None:
    found = capacity_finding(D(2030, 4, 5), 0)
    assert found is not None and (found.rule, found.outcome.value) == ("BOOK-OPEN", "BLOCK")
    assert found.message.english() == "No procedure places are left on 2030-04-05."
    assert capacity_finding(D(2030, 4, 5), 1) is None


def test_a_booking_verdict_keeps_the_date_verdict_fields(rules: Rules) -> None:
    e = D(2030, 4, 1)
    cal = hand_calendar(years=(2030,), official=(), holidays=[e + dt.timedelta(days=4)])
    facts = cycle(e, period_start=e - dt.timedelta(days=4), cycle_length=28)
    v = judge_booking(e + dt.timedelta(days=4), test_date=e + dt.timedelta(days=2), cycle=facts, calendar=cal,
                      places_left=0, rules=rules, today=e + dt.timedelta(days=2))  # fmt: skip
    assert (v.day, v.provisional, v.cycle_day) == (e + dt.timedelta(days=4), True, 9)
    assert v.closure is not None and v.closure.name.en == "Test Festival"
    assert "No procedure places are left on 2030-04-05." in [f.message.english() for f in v.findings]


def test_offers_hold_nothing_back_by_default(rules: Rules) -> None:
    """BOOK-PROTECT is off unless asked: a day with one place left is offered before a later one."""
    e = D(2030, 4, 1)
    facts = cycle(e, period_start=e - dt.timedelta(days=4), cycle_length=28)
    t = e + dt.timedelta(days=2)
    options = offer_dates(
        test_date=t,
        cycle=facts,
        calendar=hand_calendar(),
        places_left={t + dt.timedelta(days=1): 1, t + dt.timedelta(days=2): 5},
        rules=rules,
        today=t,
    )
    assert options.dates == [t + dt.timedelta(days=1), t + dt.timedelta(days=2)]


def test_describe_day_says_which_day() -> None:
    assert describe_day(hand_calendar(), D(2030, 4, 5)).day == D(2030, 4, 5)


def test_check_digit_needs_exactly_17_digits() -> None:
    assert check_digit("11010519491231002") == "X"
    with pytest.raises(ValueError):
        check_digit("1101051949123100")


def test_a_noshow_today_is_counted() -> None:
    today = D(2030, 6, 1)
    status = noshow_suspension([today], today=today, limit=3, window_days=90, suspension_days=30)
    assert status.count_in_window == 1 and status.suspended_until is None
