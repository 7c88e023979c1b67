"""BOOK-PROTECT: the desk's offer order may keep a day's last places for women whose window closes that day."""

from __future__ import annotations

import datetime as dt

from hsgclinic.domain.booking import offer_dates
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar

E = D(2026, 11, 18)
FACTS = cycle(E, period_start=D(2026, 11, 14), cycle_length=28)
TEST = E + dt.timedelta(days=2)  # T = E+2 → T+1 = E+3, T+2 = E+4, both in the window, no review


def _offers(left: dict[dt.date, int], protected: int) -> list[dt.date]:
    options = offer_dates(
        test_date=TEST,
        cycle=FACTS,
        calendar=hand_calendar(years=(2026,)),
        places_left=left,
        rules=Rules(),
        today=TEST,
        protected_places=protected,
    )
    return options.dates


def test_without_protection_the_earliest_date_comes_first() -> None:
    left = {TEST + dt.timedelta(days=1): 1, TEST + dt.timedelta(days=2): 10}
    assert _offers(left, 0) == [TEST + dt.timedelta(days=1), TEST + dt.timedelta(days=2)]


def test_a_day_down_to_its_protected_places_goes_after_a_later_date_with_more() -> None:
    left = {TEST + dt.timedelta(days=1): 1, TEST + dt.timedelta(days=2): 10}
    assert _offers(left, 1) == [TEST + dt.timedelta(days=2), TEST + dt.timedelta(days=1)]


def test_protection_never_withholds_a_date_and_keeps_order_when_both_are_low() -> None:
    left = {TEST + dt.timedelta(days=1): 1, TEST + dt.timedelta(days=2): 1}
    assert _offers(left, 1) == [TEST + dt.timedelta(days=1), TEST + dt.timedelta(days=2)]
    only = {TEST + dt.timedelta(days=1): 1}
    assert _offers(only, 5) == [TEST + dt.timedelta(days=1)]
