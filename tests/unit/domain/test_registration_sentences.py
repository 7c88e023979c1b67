"""REG-RELEASE, REG-SEQ, REG-NOSHOW: each answer's sentence and instant, and every boundary."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.registration import (
    Availability,
    first_free_queue_number,
    noshow_suspension,
    release_at,
    release_status,
)

from .factories import D, hand_calendar

DAY = D(2030, 4, 10)
SEVEN = dt.time(7, 0)
CAL = hand_calendar(holidays=[D(2030, 4, 11)])


def _status(day: dt.date, now: dt.datetime, horizon: int = 0) -> tuple[Availability, str, str, dt.datetime]:
    s = release_status(day, now_local=now, release_time=SEVEN, horizon_days=horizon, calendar=CAL)
    return s.availability, s.rule, s.message.english(), s.releases_at


def test_release_instant_is_the_time_on_day_minus_horizon() -> None:
    assert release_at(DAY, SEVEN, 0) == dt.datetime(2030, 4, 10, 7, 0)
    assert release_at(DAY, SEVEN, 3) == dt.datetime(2030, 4, 7, 7, 0)


@pytest.mark.parametrize(
    ("day", "now", "horizon", "expected"),
    [
        (
            DAY,
            dt.datetime(2030, 4, 10, 6, 59),
            0,
            (
                Availability.NOT_RELEASED,
                "REG-RELEASE",
                "Numbers for 2030-04-10 are not released yet; they open at 07:00 on 2030-04-10.",
            ),
        ),
        (
            DAY,
            dt.datetime(2030, 4, 10, 7, 0),
            0,
            (Availability.OPEN, "REG-RELEASE", "Numbers for 2030-04-10 are open."),
        ),
        (DAY, dt.datetime(2030, 4, 11, 0, 0), 0, (Availability.PAST, "REG-RELEASE", "2030-04-10 has passed.")),
        (
            DAY,
            dt.datetime(2030, 4, 9, 12, 0),
            0,
            (Availability.PAST_HORIZON, "REG-RELEASE", "Numbers for 2030-04-10 are released at 07:00 on 2030-04-10."),
        ),
        (
            DAY,
            dt.datetime(2030, 4, 8, 12, 0),
            2,
            (Availability.OPEN, "REG-RELEASE", "Numbers for 2030-04-10 are open."),
        ),
        (
            DAY,
            dt.datetime(2030, 4, 8, 6, 0),
            2,
            (
                Availability.NOT_RELEASED,
                "REG-RELEASE",
                "Numbers for 2030-04-10 are not released yet; they open at 07:00 on 2030-04-08.",
            ),
        ),
        (
            DAY,
            dt.datetime(2030, 4, 7, 12, 0),
            2,
            (Availability.PAST_HORIZON, "REG-RELEASE", "Numbers for 2030-04-10 are released at 07:00 on 2030-04-08."),
        ),
        (
            D(2030, 4, 11),
            dt.datetime(2030, 4, 11, 8, 0),
            0,
            (Availability.CLOSED, "CAL-OPEN", "The clinic is closed on 2030-04-11 (Test Festival)."),
        ),
    ],
)
def test_release_status_answers(
    day: dt.date, now: dt.datetime, horizon: int, expected: tuple[Availability, str, str]
) -> None:
    availability, rule, said, opens = _status(day, now, horizon)
    assert (availability, rule, said) == expected
    assert opens == release_at(day, SEVEN, horizon)


@pytest.mark.parametrize(
    ("taken", "quota", "first"),
    [((), 3, 1), ((1, 2), 3, 3), ((2, 3), 3, 1), ((1, 3), 3, 2), ((1, 2, 3), 3, None), ((1,), 1, None), ((), 0, None)],
)
def test_first_free_queue_number(taken: tuple[int, ...], quota: int, first: int | None) -> None:
    assert first_free_queue_number(taken, quota) == first


TODAY = D(2030, 6, 1)


def _noshow(*days: dt.date, today: dt.date = TODAY) -> tuple[dt.date | None, int]:
    s = noshow_suspension(days, today=today, limit=3, window_days=90, suspension_days=30)
    return s.suspended_until, s.count_in_window


def test_three_noshows_within_90_days_suspend_for_30_days() -> None:
    assert _noshow(D(2030, 4, 1), D(2030, 5, 1), D(2030, 5, 20)) == (D(2030, 6, 19), 3)


def test_the_90_day_window_is_exclusive() -> None:
    """REG-NOSHOW: the first and third no-show 89 days apart count; 90 days apart do not."""
    assert _noshow(D(2030, 3, 3), D(2030, 4, 1), D(2030, 5, 31))[0] == D(2030, 6, 30)
    assert _noshow(D(2030, 3, 2), D(2030, 4, 1), D(2030, 5, 31))[0] is None


def test_a_suspension_ends_on_its_last_day() -> None:
    days = (D(2030, 4, 1), D(2030, 4, 2), D(2030, 4, 3))
    assert _noshow(*days, today=D(2030, 5, 3)) == (D(2030, 5, 3), 3)
    assert _noshow(*days, today=D(2030, 5, 4)) == (None, 3)


def test_two_noshows_do_not_suspend_and_the_latest_suspension_wins() -> None:
    assert _noshow(D(2030, 5, 1), D(2030, 5, 20)) == (None, 2)
    days = (D(2030, 5, 1), D(2030, 5, 10), D(2030, 5, 20), D(2030, 5, 25))
    assert _noshow(*days) == (D(2030, 6, 24), 4)


def test_recent_noshows_are_counted_within_the_window_only() -> None:
    days = (D(2030, 3, 3), D(2030, 3, 4), D(2030, 6, 2))
    assert _noshow(*days)[1] == 1  # 03-03 is 90 days before 06-01 (out), 03-04 is in, 06-02 is ahead
