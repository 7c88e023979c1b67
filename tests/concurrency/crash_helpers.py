"""Real server processes killed with SIGKILL, and what a crash may never lose (issue 11, crash safety).

The servers are ``hsgclinic serve --workers 2`` (uvicorn's supervisor + two worker processes) in their own process
group, so ``killpg(SIGKILL)`` takes every process down at once with requests in flight: no shutdown handler, no
rollback, no flush runs. Whatever a client was told (201 with a number) must be in the database afterwards.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select

from hsgclinic.calendar_source import calendar_around
from hsgclinic.domain.identity import parse_identity
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.models import DayCounter, Patient, RegistrationNumber
from hsgclinic.services.patients import id_hash
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

SECRET = "crash-test-secret-0123456789abcdef0123456"
HORIZON = 30
QUOTA = 600


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def open_day() -> dt.date:
    """The next open clinic day after today (released: the servers run with a 30-day horizon)."""
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    cal = calendar_around(today, official_through=2026)
    day = today + dt.timedelta(days=1)
    while not cal.is_open(day):
        day += dt.timedelta(days=1)
    return day


def server_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")}
    env |= {
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_SECRET_KEY": SECRET,
        "HSGCLINIC_DAILY_NUMBERS": str(QUOTA),
        "HSGCLINIC_BOOKING_HORIZON_DAYS": str(HORIZON),
        "HSGCLINIC_GRAB_RATE_PER_MINUTE": "1000000",
        "HSGCLINIC_DATA_DIR": str(data_dir),
        "HSGCLINIC_PASSWORD_HASH_COST": "fast-for-tests",
    }
    if database_url is not None:
        env["HSGCLINIC_DATABASE_URL"] = database_url
    return env | extra


class Server:
    """``hsgclinic serve --workers 2`` in its own process group."""

    def __init__(self, env: dict[str, str], workers: int = 2) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from hsgclinic.cli.main import run; run()",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(self.proc.stderr.read().decode() if self.proc.stderr else "server died")
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL to every process of the server at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


def person(n: int, day: dt.date) -> dict[str, str]:
    return {
        "date": day.isoformat(),
        "name": synthetic_name(n),
        "id_number": synthetic_resident_id(n),
        "phone": synthetic_phone(n),
    }


@dataclass
class Rush:
    """Clients taking numbers as fast as they can; ``acknowledged`` maps person → number for every 201."""

    attempts: int = 0
    acknowledged: dict[int, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run(
        self, url: str, day: dt.date, people: range, *, stop_when: Callable[[Rush], bool], clients: int = 16
    ) -> None:
        """Send one request per person from ``clients`` threads until ``stop_when(self)`` is true (checked after
        each answer) or every person asked; errors (the server was killed) end a thread's requests."""
        stop = threading.Event()
        todo = iter(people)
        todo_lock = threading.Lock()

        def client() -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                while not stop.is_set():
                    with todo_lock:
                        n = next(todo, None)
                    if n is None:
                        return
                    with self.lock:
                        self.attempts += 1
                    try:
                        r = http.post("/api/v1/registrations", json=person(n, day))
                    except httpx.HTTPError:
                        self._count("connection lost")
                        stop.set()
                        return
                    self._count(str(r.status_code))
                    if r.status_code == 201:
                        with self.lock:
                            self.acknowledged[n] = int(r.json()["queue_number"])
                    if stop_when(self):
                        stop.set()

        with ThreadPoolExecutor(max_workers=clients) as pool:
            for _ in range(clients):
                pool.submit(client)

    def _count(self, key: str) -> None:
        with self.lock:
            self.outcomes[key] = self.outcomes.get(key, 0) + 1


@dataclass(frozen=True)
class DayState:
    holders: dict[str, int]  # id_hash → queue number, active rows of the day
    numbers: list[int]  # every active queue number (duplicates would show here)
    remaining: int
    taken_positions: set[int]
    quota: int


def day_state(database_url: str, day: dt.date) -> DayState:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as c:
            rows = c.execute(
                select(Patient.id_hash, RegistrationNumber.queue_number)
                .join(Patient, Patient.id == RegistrationNumber.patient_id)
                .where(RegistrationNumber.day == day, RegistrationNumber.active.is_(True))
            ).all()
            counter = c.execute(
                select(DayCounter.remaining, DayCounter.taken, DayCounter.quota).where(
                    DayCounter.resource == "registration", DayCounter.day == day
                )
            ).one()
    finally:
        engine.dispose()
    holders: dict[str, int] = {}
    for h, q in rows:
        assert h not in holders, "one person holds two numbers on one day"
        holders[h] = int(q)
    taken = {i + 1 for i, flag in enumerate(counter.taken) if flag == "1"}
    return DayState(holders, [int(q) for _, q in rows], int(counter.remaining), taken, int(counter.quota))


def hash_of(n: int) -> str:
    return id_hash(SECRET, parse_identity(synthetic_resident_id(n)))


def assert_nothing_acknowledged_was_lost(state: DayState, acknowledged: dict[int, int]) -> int:
    """Every 201 is in the database with its number; no number twice; the counter equals the rows. Returns how
    many acknowledged grants were found."""
    found = sum(1 for n, q in acknowledged.items() if state.holders.get(hash_of(n)) == q)
    missing = {n: q for n, q in acknowledged.items() if state.holders.get(hash_of(n)) != q}
    assert not missing, f"acknowledged but not in the database: {missing}"
    assert len(state.numbers) == len(set(state.numbers)), "a number was granted twice"
    assert state.quota - state.remaining == len(state.numbers), "the day counter disagrees with the rows"
    assert state.taken_positions == set(state.numbers), "the counter's taken numbers disagree with the rows"
    return found
