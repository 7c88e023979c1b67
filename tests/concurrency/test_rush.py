"""The 07:00 rush: with the guard, exactly the quota is taken however many people click at once; without it
(the injected hook switched off) the same rush oversells or fails — so the tests can fail.

PostgreSQL: threads, each with its own connection; a barrier between the cheap read and the write makes every
taker read before any writes (the worst case, without sleeping). SQLite: several processes on one file.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hsgclinic.bootstrap import build_clinic
from hsgclinic.persistence.locking import PlaceGuard
from hsgclinic.persistence.models import RegistrationNumber
from hsgclinic.services import registration
from hsgclinic.services.context import Actor, FixedClock
from hsgclinic.services.errors import RuleRefused
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import CLINIC_NOW, make_settings

TODAY = CLINIC_NOW.date()
QUOTA = 5
TAKERS = 16


def _person(n: int) -> dict[str, str]:
    return {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


def _rush_threads(
    url: str,
    tmp: Path,
    *,
    guard: PlaceGuard,
    people: list[int],
    keys: list[str | None] | None = None,
    start: threading.Barrier | None = None,
):
    settings = make_settings(url, tmp, daily_numbers=QUOTA)
    clinic = build_clinic(settings, clock=FixedClock(CLINIC_NOW.astimezone(dt.UTC)), guard=guard, cache_seconds=60)
    outcomes: Counter[str] = Counter()
    numbers: list[int] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        if start is not None:
            start.wait()
        try:
            got = registration.take_number(
                clinic.ctx,
                Actor.public("198.51.100.1"),
                day=TODAY,
                idempotency_key=keys[i] if keys else None,
                **_person(people[i]),
            )
            with lock:
                outcomes["granted"] += 1
                numbers.append(got.number.queue_number)
        except RuleRefused as exc:
            with lock:
                outcomes[exc.code] += 1
        except Exception as exc:  # what a 5xx would be
            with lock:
                outcomes["error:" + type(exc).__name__] += 1

    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        list(pool.map(one, range(len(people))))
    with clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(func.count()).select_from(RegistrationNumber).where(RegistrationNumber.active.is_(True))
        ).scalar_one()
    clinic.dispose()
    return outcomes, sorted(numbers), live


@pytest.mark.postgres
def test_postgres_without_the_guard_oversells(pg_empty, tmp_path):
    barrier = threading.Barrier(TAKERS, timeout=30)
    guard = PlaceGuard(enabled=False, after_check=barrier.wait)
    outcomes, numbers, live = _rush_threads(pg_empty, tmp_path, guard=guard, people=list(range(TAKERS)))
    assert live > QUOTA, outcomes  # the oversell the guard exists to prevent
    assert max(numbers) > QUOTA


@pytest.mark.postgres
def test_postgres_with_the_guard_takes_exactly_the_quota(pg_empty, tmp_path):
    barrier = threading.Barrier(TAKERS, timeout=30)
    guard = PlaceGuard(enabled=True, after_check=barrier.wait)
    outcomes, numbers, live = _rush_threads(pg_empty, tmp_path, guard=guard, people=list(range(TAKERS)))
    assert outcomes == {"granted": QUOTA, "sold_out": TAKERS - QUOTA}
    assert numbers == list(range(1, QUOTA + 1))
    assert live == QUOTA


@pytest.mark.postgres
def test_postgres_same_person_clicking_many_times_gets_one_number(pg_empty, tmp_path):
    outcomes, _numbers, live = _rush_threads(
        pg_empty, tmp_path, guard=PlaceGuard(), people=[42] * 8, start=threading.Barrier(8, timeout=30)
    )
    assert outcomes["granted"] == 1 and outcomes["already_registered"] == 7, outcomes
    assert live == 1


@pytest.mark.postgres
def test_postgres_retries_with_one_idempotency_key_get_one_number(pg_empty, tmp_path):
    outcomes, numbers, live = _rush_threads(
        pg_empty,
        tmp_path,
        guard=PlaceGuard(),
        people=[7] * 8,
        keys=["same-key"] * 8,
        start=threading.Barrier(8, timeout=30),
    )
    assert outcomes == {"granted": 8}, outcomes  # every retry gets the first answer …
    assert set(numbers) == {1} and live == 1  # … and never a second number


# -- SQLite, several processes ---------------------------------------------------------------------------------------
def _process_taker(url: str, tmp: str, first: int, count: int, enabled: bool, barrier, queue, quota: int) -> None:
    guard = PlaceGuard(enabled=enabled)
    settings = make_settings(url, Path(tmp), daily_numbers=quota)
    clinic = build_clinic(settings, clock=FixedClock(CLINIC_NOW.astimezone(dt.UTC)), guard=guard, cache_seconds=60)
    barrier.wait()  # every process starts taking at the same moment
    result: Counter[str] = Counter()
    for n in range(first, first + count):
        try:
            registration.take_number(clinic.ctx, Actor.public("198.51.100.2"), day=TODAY, **_person(n))
            result["granted"] += 1
        except RuleRefused as exc:
            result[exc.code] += 1
        except Exception as exc:
            result["error:" + type(exc).__name__] += 1
    clinic.dispose()
    queue.put(dict(result))


def _rush_processes(
    url: str, tmp: Path, *, enabled: bool, processes: int, each: int, quota: int = QUOTA
) -> tuple[Counter[str], int]:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes, timeout=60)
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_process_taker, args=(url, str(tmp), p * each, each, enabled, barrier, queue, quota))
        for p in range(processes)
    ]
    for p in procs:
        p.start()
    total: Counter[str] = Counter()
    for _ in procs:
        total.update(queue.get(timeout=120))
    for p in procs:
        p.join(timeout=30)
    settings = make_settings(url, tmp)
    clinic = build_clinic(settings, cache_seconds=60)
    with clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(func.count()).select_from(RegistrationNumber).where(RegistrationNumber.active.is_(True))
        ).scalar_one()
    clinic.dispose()
    return total, live


def test_sqlite_processes_with_the_guard_take_exactly_the_quota(sqlite_url, tmp_path):
    total, live = _rush_processes(sqlite_url, tmp_path, enabled=True, processes=4, each=6)
    assert total == {"granted": QUOTA, "sold_out": 4 * 6 - QUOTA}, total
    assert live == QUOTA


def test_sqlite_processes_without_the_guard_fail(sqlite_url, tmp_path):
    """Without BEGIN IMMEDIATE every process reads first; SQLite then refuses the stale writers (SQLITE_BUSY):
    errors a patient would see as a server failure. (SQLite never lets a stale write through, so this is the
    failure mode here rather than an oversell.) The quota covers every attempt, so that every attempt writes and
    the four processes' writes overlap whatever the scheduling (with a small quota most attempts are read-only
    "sold out" answers, and a run could finish without two writes ever meeting)."""
    total, live = _rush_processes(sqlite_url, tmp_path, enabled=False, processes=4, each=8, quota=32)
    errors = sum(v for k, v in total.items() if k.startswith("error:"))
    assert errors > 0, total
    assert live == total["granted"]  # a refused writer left nothing half-written
