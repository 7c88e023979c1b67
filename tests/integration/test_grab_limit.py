"""The number-grab rate limit in the database, on SQLite and PostgreSQL: one atomic bump per attempt, exact under
concurrency, old windows pruned, and (PostgreSQL) an UNLOGGED table that never touches the day counters."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from hsgclinic.persistence.models import DayCounter, GrabWindow
from hsgclinic.services import grab_limit
from hsgclinic.services.errors import TooManyRequests


def _attempt(clinic, key: str) -> bool:
    try:
        grab_limit.count_grab(clinic.ctx, key)
    except TooManyRequests:
        return False
    return True


def test_concurrent_attempts_of_one_client_are_counted_exactly(clinic):
    clinic.settings.grab_rate_per_minute = 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        allowed = list(pool.map(lambda _: _attempt(clinic, "198.51.100.7"), range(40)))
    assert allowed.count(True) == 10 and allowed.count(False) == 30
    assert _attempt(clinic, "198.51.100.8")  # another client has its own count
    with clinic.ctx.read() as uow:
        counts = {k: c for k, c in uow.session.execute(select(GrabWindow.client_key, GrabWindow.count)).all()}
        assert uow.session.execute(select(DayCounter)).first() is None  # never touches the hot day row
    assert counts == {"198.51.100.7": 40, "198.51.100.8": 1}


def test_a_refusal_says_when_to_come_back(clinic, clock):
    clinic.settings.grab_rate_per_minute = 1
    clock.set(dt.datetime(2026, 11, 20, 0, 0, 45, tzinfo=dt.UTC))
    assert _attempt(clinic, "a")
    with pytest.raises(TooManyRequests) as refused:
        grab_limit.count_grab(clinic.ctx, "a")
    assert refused.value.code == "rate_limited" and refused.value.details["retry_after"] == 15
    clock.advance(dt.timedelta(seconds=15))
    assert _attempt(clinic, "a")


def test_windows_older_than_the_previous_minute_are_pruned(clinic, clock, monkeypatch):
    monkeypatch.setattr(grab_limit, "_pruned_minute", 0)
    clock.set(dt.datetime(2026, 11, 20, 0, 0, 10, tzinfo=dt.UTC))
    for minute in range(4):
        _attempt(clinic, f"client-{minute}")
        clock.advance(dt.timedelta(minutes=1))
    with clinic.ctx.read() as uow:
        keys = sorted(uow.session.execute(select(GrabWindow.client_key)).scalars())
    assert keys == ["client-2", "client-3"]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_on_postgresql_the_table_is_unlogged(clinic):
    with clinic.ctx.read() as uow:
        assert uow.dialect == "postgresql"
        persistence = uow.session.execute(
            text("SELECT relpersistence FROM pg_class WHERE relname = 'grab_windows'")
        ).scalar_one()
    assert persistence == "u"
