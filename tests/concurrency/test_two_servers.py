"""Two ``hsgclinic serve`` processes against one PostgreSQL: the quota holds across servers, and so does the
number-grab rate limit, because nothing that decides who gets a number (or a 429) lives in a process."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import httpx
import pytest

from hsgclinic.calendar_source import calendar_around
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

QUOTA = 7


HORIZON = 30  # days: longer than any official holiday break


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _open_day() -> dt.date:
    """A clinic day whose numbers are already out whatever the time now: the next open day after today (the
    servers run with a horizon longer than any holiday break, so it is released)."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    cal = calendar_around(today, official_through=2026)
    day = today + dt.timedelta(days=1)
    while not cal.is_open(day):
        day += dt.timedelta(days=1)
    assert (day - today).days < HORIZON
    return day


@contextmanager
def _two_servers(pg_url: str, data_dir: object, **env_extra: str) -> Iterator[list[int]]:
    """Two `hsgclinic serve` processes on one PostgreSQL; yields their ports once both answer /healthz."""
    env = os.environ | {
        "HSGCLINIC_DATABASE_URL": pg_url,
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_SECRET_KEY": "two-servers-secret-0123456789abcdef0123",
        "HSGCLINIC_DAILY_NUMBERS": str(QUOTA),
        "HSGCLINIC_BOOKING_HORIZON_DAYS": str(HORIZON),
        "HSGCLINIC_GRAB_RATE_PER_MINUTE": "100000",
        "HSGCLINIC_DATA_DIR": str(data_dir),
    }
    env |= env_extra
    ports = [_free_port(), _free_port()]
    servers = [
        subprocess.Popen(
            [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", "serve", "--port", str(p)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for p in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for p in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert time.monotonic() < deadline, "server did not start"
                assert all(s.poll() is None for s in servers), servers[0].stderr.read() if servers[0].stderr else ""
                time.sleep(0.1)
        yield ports
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=20)


def _body(day: str, n: int) -> dict[str, str]:
    return {"date": day, "name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


@pytest.mark.postgres
@pytest.mark.slow
def test_two_servers_never_oversell(pg_empty, tmp_path):
    with _two_servers(pg_empty, tmp_path) as ports:
        day = _open_day().isoformat()
        people = [n % 40 for n in range(80)]  # 40 persons, each trying twice, alternating servers

        def attempt(i: int) -> tuple[int, dict]:
            r = httpx.post(
                f"http://127.0.0.1:{ports[i % 2]}/api/v1/registrations", json=_body(day, people[i]), timeout=30
            )
            return r.status_code, r.json()

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(attempt, range(len(people))))
    statuses = [s for s, _ in results]
    granted = [b for s, b in results if s == 201]
    assert all(s in (201, 409) for s in statuses), statuses
    assert len(granted) == QUOTA
    assert sorted(b["queue_number"] for b in granted) == list(range(1, QUOTA + 1))
    assert len({b["masked_id"] for b in granted}) == QUOTA  # nobody holds two numbers


LIMIT = 9


@pytest.mark.postgres
@pytest.mark.slow
def test_two_servers_enforce_one_grab_limit_per_client(pg_empty, tmp_path):
    """One client hammering both servers at once: 429s total exactly the attempts over ONE limit (a per-process
    limit would let twice as many through), and another client is not affected."""
    with _two_servers(pg_empty, tmp_path, HSGCLINIC_GRAB_RATE_PER_MINUTE=str(LIMIT)) as ports:
        day = _open_day().isoformat()
        attempts = 3 * LIMIT + 4
        if dt.datetime.now().second > 45:  # the limit is per clock minute: stay inside one
            time.sleep(61 - dt.datetime.now().second)

        def attempt(i: int) -> httpx.Response:
            return httpx.post(
                f"http://127.0.0.1:{ports[i % 2]}/api/v1/registrations",
                json=_body(day, 1000 + i),
                headers={"Accept-Language": "en"},
                timeout=30,
            )

        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(attempt, range(attempts)))
    statuses = [r.status_code for r in answers]
    limited = [r for r in answers if r.status_code == 429]
    assert len(limited) == attempts - LIMIT, statuses
    assert {r.status_code for r in answers} <= {201, 409, 429}
    assert {i % 2 for i, r in enumerate(answers) if r.status_code == 429} == {0, 1}  # both servers refused
    for r in limited:
        assert r.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(r.headers["Retry-After"]) <= 60
