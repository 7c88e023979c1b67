"""Registration numbers (REG-QUOTA, REG-RELEASE, REG-SEQ, REG-NOSHOW): pure timing and counting rules."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.messages import N_, Message


class Availability(enum.StrEnum):
    OPEN = "open"
    NOT_RELEASED = "not_released"  # REG-RELEASE: before the release time
    PAST_HORIZON = "past_horizon"  # REG-RELEASE: further ahead than the horizon
    PAST = "past"  # the clinic day is over
    CLOSED = "closed"  # CAL-OPEN


@dataclass(frozen=True)
class ReleaseStatus:
    availability: Availability
    releases_at: dt.datetime  # local (naive, clinic time) instant the numbers for the day are released
    rule: str
    message: Message


def release_at(clinic_day: dt.date, release_time: dt.time, horizon_days: int) -> dt.datetime:
    """REG-RELEASE: numbers for day X open at ``release_time`` on X − horizon (clinic local time)."""
    return dt.datetime.combine(clinic_day - dt.timedelta(days=horizon_days), release_time)


def release_status(
    clinic_day: dt.date,
    *,
    now_local: dt.datetime,
    release_time: dt.time,
    horizon_days: int,
    calendar: ClinicCalendar,
) -> ReleaseStatus:
    """Whether numbers for ``clinic_day`` can be taken at ``now_local`` (a naive clinic-local datetime)."""
    opens = release_at(clinic_day, release_time, horizon_days)
    today = now_local.date()
    closure = calendar.closure(clinic_day)
    if closure is not None:
        return ReleaseStatus(
            Availability.CLOSED,
            opens,
            "CAL-OPEN",
            N_("The clinic is closed on {day} ({name}).", day=clinic_day, name=closure.name),
        )
    if clinic_day < today:
        return ReleaseStatus(Availability.PAST, opens, "REG-RELEASE", N_("{day} has passed.", day=clinic_day))
    if (clinic_day - today).days > horizon_days:
        return ReleaseStatus(
            Availability.PAST_HORIZON,
            opens,
            "REG-RELEASE",
            N_(
                "Numbers for {day} are released at {time} on {release_day}.",
                day=clinic_day,
                time=release_time.strftime("%H:%M"),
                release_day=opens.date(),
            ),
        )
    if now_local < opens:
        return ReleaseStatus(
            Availability.NOT_RELEASED,
            opens,
            "REG-RELEASE",
            N_(
                "Numbers for {day} are not released yet; they open at {time} on {release_day}.",
                day=clinic_day,
                time=release_time.strftime("%H:%M"),
                release_day=opens.date(),
            ),
        )
    return ReleaseStatus(Availability.OPEN, opens, "REG-RELEASE", N_("Numbers for {day} are open.", day=clinic_day))


def first_free_queue_number(taken: Iterable[int], quota: int) -> int | None:
    """REG-SEQ: the lowest free number in 1..quota (a cancelled number goes back to the pool)."""
    used = set(taken)
    for n in range(1, quota + 1):
        if n not in used:
            return n
    return None


@dataclass(frozen=True)
class NoShowStatus:
    suspended_until: dt.date | None  # last day of the suspension, inclusive
    count_in_window: int


def noshow_suspension(
    noshow_days: Iterable[dt.date],
    *,
    today: dt.date,
    limit: int,
    window_days: int,
    suspension_days: int,
) -> NoShowStatus:
    """REG-NOSHOW: ``limit`` no-shows within ``window_days`` suspend self-service booking for ``suspension_days``.

    The suspension starts the day after the no-show that reached the limit. Only counting no-shows are
    passed in (a cancellation because the cycle changed or screening failed never counts).
    """
    days = sorted(noshow_days)
    suspended_until: dt.date | None = None
    for i in range(limit - 1, len(days)):
        if (days[i] - days[i - limit + 1]).days < window_days:
            end = days[i] + dt.timedelta(days=suspension_days)
            if end >= today and (suspended_until is None or end > suspended_until):
                suspended_until = end
    recent = [d for d in days if (today - d).days < window_days and d <= today]
    return NoShowStatus(suspended_until, len(recent))
