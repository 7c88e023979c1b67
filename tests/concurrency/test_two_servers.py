"""Two ``hsgclinic serve`` processes against one PostgreSQL: the quota holds across servers, because nothing
that decides who gets a number lives in a process."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import httpx
import pytest

from hsgclinic.calendar_source import calendar_around
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

QUOTA = 7


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _open_day() -> dt.date:
    """A clinic day whose numbers are already out whatever the time now (horizon 3, day 1–2 ahead)."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    cal = calendar_around(today, official_through=2026)
    for n in (1, 2):
        day = today + dt.timedelta(days=n)
        if cal.is_open(day):
            return day
    pytest.skip("no open day in the next two days")


@pytest.mark.postgres
@pytest.mark.slow
def test_two_servers_never_oversell(pg_empty, tmp_path):
    env = os.environ | {
        "HSGCLINIC_DATABASE_URL": pg_empty,
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_SECRET_KEY": "two-servers-secret-0123456789abcdef0123",
        "HSGCLINIC_DAILY_NUMBERS": str(QUOTA),
        "HSGCLINIC_BOOKING_HORIZON_DAYS": "3",
        "HSGCLINIC_GRAB_RATE_PER_MINUTE": "100000",
        "HSGCLINIC_DATA_DIR": str(tmp_path),
    }
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
        day = _open_day().isoformat()
        people = [n % 40 for n in range(80)]  # 40 persons, each trying twice, alternating servers

        def attempt(i: int) -> tuple[int, dict]:
            n = people[i]
            r = httpx.post(
                f"http://127.0.0.1:{ports[i % 2]}/api/v1/registrations",
                json={
                    "date": day,
                    "name": synthetic_name(n),
                    "id_number": synthetic_resident_id(n),
                    "phone": synthetic_phone(n),
                },
                timeout=30,
            )
            return r.status_code, r.json()

        with ThreadPoolExecutor(max_workers=32) as pool:
            results = list(pool.map(attempt, range(len(people))))
    finally:
        for s in servers:
            s.terminate()
        for s in servers:
            s.wait(timeout=20)
    statuses = [s for s, _ in results]
    granted = [b for s, b in results if s == 201]
    assert all(s in (201, 409) for s in statuses), statuses
    assert len(granted) == QUOTA
    assert sorted(b["queue_number"] for b in granted) == list(range(1, QUOTA + 1))
    assert len({b["masked_id"] for b in granted}) == QUOTA  # nobody holds two numbers
