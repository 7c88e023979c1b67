"""REG-RELEASE, REG-SEQ, REG-NOSHOW: when numbers open, which number is next, no-show suspension."""

from __future__ import annotations

import datetime as dt

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.registration import (
    Availability,
    NoShowStatus,
    ReleaseStatus,
    first_free_queue_number,
    noshow_suspension,
    release_at,
    release_status,
)

from .factories import D

SEVEN = dt.time(7, 0)


def _status(calendar: ClinicCalendar, day: dt.date, now: dt.datetime, horizon: int = 0) -> ReleaseStatus:
    return release_status(day, now_local=now, release_time=SEVEN, horizon_days=horizon, calendar=calendar)


# -- REG-RELEASE -------------------------------------------------------------------------------------------------
def test_numbers_are_released_at_seven_on_the_day_with_horizon_zero() -> None:
    """REG-RELEASE: with the default horizon 0, numbers for X open at 07:00 on X."""
    assert release_at(D(2026, 11, 20), SEVEN, 0) == dt.datetime(2026, 11, 20, 7, 0)
    assert release_at(D(2026, 11, 20), SEVEN, 3) == dt.datetime(2026, 11, 17, 7, 0)


def test_before_release_says_not_yet_released_and_when(calendar: ClinicCalendar) -> None:
    """REG-RELEASE: at 06:59 the answer is 'not yet released, opens at 07:00'."""
    status = _status(calendar, D(2026, 11, 20), dt.datetime(2026, 11, 20, 6, 59))
    assert status.availability is Availability.NOT_RELEASED
    assert status.rule == "REG-RELEASE"
    assert status.releases_at == dt.datetime(2026, 11, 20, 7, 0)
    assert "07:00" in status.message.english() and "2026-11-20" in status.message.english()


def test_numbers_open_at_exactly_seven(calendar: ClinicCalendar) -> None:
    """REG-RELEASE: from 07:00 on the release day numbers can be taken."""
    assert _status(calendar, D(2026, 11, 20), dt.datetime(2026, 11, 20, 7, 0)).availability is Availability.OPEN
    assert _status(calendar, D(2026, 11, 20), dt.datetime(2026, 11, 20, 15, 0)).availability is Availability.OPEN


def test_day_beyond_the_horizon_is_not_offered(calendar: ClinicCalendar) -> None:
    """REG-RELEASE: with horizon 0, tomorrow's numbers are not offered today."""
    status = _status(calendar, D(2026, 11, 21), dt.datetime(2026, 11, 20, 9, 0))
    assert status.availability is Availability.PAST_HORIZON
    assert "2026-11-21" in status.message.english()


def test_longer_horizon_opens_days_ahead(calendar: ClinicCalendar) -> None:
    """REG-RELEASE: horizon 3 → numbers for X open at 07:00 on X − 3, and X − 4 is too early."""
    day = D(2026, 11, 23)
    assert _status(calendar, day, dt.datetime(2026, 11, 20, 7, 0), 3).availability is Availability.OPEN
    assert _status(calendar, day, dt.datetime(2026, 11, 20, 6, 0), 3).availability is Availability.NOT_RELEASED
    assert _status(calendar, day, dt.datetime(2026, 11, 19, 12, 0), 3).availability is Availability.PAST_HORIZON


def test_past_day_is_not_offered(calendar: ClinicCalendar) -> None:
    """REG-RELEASE: a clinic day that is over has no numbers."""
    assert _status(calendar, D(2026, 11, 19), dt.datetime(2026, 11, 20, 8, 0)).availability is Availability.PAST


def test_closed_day_has_no_numbers_and_names_the_holiday(calendar: ClinicCalendar) -> None:
    """REG-RELEASE / CAL-OPEN: National Day has no numbers; the answer names the holiday."""
    status = _status(calendar, D(2026, 10, 2), dt.datetime(2026, 10, 2, 8, 0))
    assert status.availability is Availability.CLOSED
    assert status.rule == "CAL-OPEN"
    assert "National Day" in status.message.english()


# -- REG-SEQ -----------------------------------------------------------------------------------------------------
def test_queue_numbers_start_at_one() -> None:
    """REG-SEQ: the first number of the day is 1."""
    assert first_free_queue_number([], 40) == 1


def test_cancelled_number_goes_back_to_the_pool() -> None:
    """REG-SEQ: number 17 cancelled out of a full day is the next one given."""
    taken = [n for n in range(1, 41) if n != 17]
    assert first_free_queue_number(taken, 40) == 17
    assert first_free_queue_number([1, 2, 4], 40) == 3


def test_no_number_beyond_the_quota() -> None:
    """REG-SEQ / REG-QUOTA: numbers run 1..quota; a full day gives none."""
    assert first_free_queue_number(range(1, 41), 40) is None
    assert first_free_queue_number([1, 2], 2) is None


# -- REG-NOSHOW --------------------------------------------------------------------------------------------------
def _noshow(days: list[dt.date], today: dt.date) -> NoShowStatus:
    return noshow_suspension(days, today=today, limit=3, window_days=90, suspension_days=30)


def test_three_noshows_within_90_days_suspend_for_30_days() -> None:
    """REG-NOSHOW: the third no-show within 90 days suspends self-service booking for 30 days."""
    days = [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)]
    status = _noshow(days, D(2026, 10, 2))
    assert status.suspended_until == D(2026, 10, 31)
    assert status.count_in_window == 3


def test_suspension_ends_after_30_days() -> None:
    """REG-NOSHOW: the suspension covers the 30 days after the third no-show, then lifts."""
    days = [D(2026, 8, 1), D(2026, 9, 1), D(2026, 10, 1)]
    assert _noshow(days, D(2026, 10, 31)).suspended_until == D(2026, 10, 31)
    assert _noshow(days, D(2026, 11, 1)).suspended_until is None


def test_two_noshows_do_not_suspend() -> None:
    """REG-NOSHOW: fewer than 3 no-shows never suspend."""
    assert _noshow([D(2026, 10, 1), D(2026, 10, 2)], D(2026, 10, 3)).suspended_until is None


def test_three_noshows_spread_over_more_than_90_days_do_not_suspend() -> None:
    """REG-NOSHOW: the three no-shows must fall within 90 days."""
    days = [D(2026, 6, 1), D(2026, 8, 1), D(2026, 9, 1)]  # 92 days first to last
    status = _noshow(days, D(2026, 9, 2))
    assert status.suspended_until is None
    assert status.count_in_window == 2
