"""FHIR API throughput: searches per second for a day's appointments and the Appointment/$book rate.

    python bench/fhir.py [--database-url postgresql+psycopg://…/postgres] [--seconds 10] [--connections 8]

Starts the real app (uvicorn, one process, in a thread) on a fresh database — a temporary SQLite file, or a scratch
database created on the given PostgreSQL server and dropped afterwards — with a fixed clinic clock (Fri 2026-11-20
07:30), seeds ``--booked`` appointments on Sat 11-21 and ``--forms`` more screened patients through the services,
then drives it from a separate (spawned) process over keep-alive connections:

1. ``GET /fhir/Appointment?date=2026-11-21&_count=20`` for ``--seconds`` (a registrar's token): searches/s, p50/p99;
2. ``POST /fhir/Appointment/$book`` once per waiting form, all at once over ``--connections``: books/s, and the
   outcomes (201 booked up to the day's capacity, then 409 no_places — never more than the capacity).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

DAY = "2026-11-21"
NOW = dt.datetime(2026, 11, 20, 7, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- the load (runs in a spawned process) -------------------------------------------------------------------------
def _searches(url: str, token: str, seconds: float, connections: int) -> tuple[int, list[float], Counter[int]]:
    import httpx

    async def run() -> tuple[int, list[float], Counter[int]]:
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        deadline = time.perf_counter() + seconds
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:

            async def worker() -> None:
                while time.perf_counter() < deadline:
                    t0 = time.perf_counter()
                    r = await client.get(f"/fhir/Appointment?date={DAY}&_count=20")
                    latencies.append(time.perf_counter() - t0)
                    statuses[r.status_code] += 1

            await asyncio.gather(*(worker() for _ in range(connections)))
        return len(latencies), latencies, statuses

    return asyncio.run(run())


def _books(url: str, token: str, forms: list[int], connections: int) -> tuple[float, list[float], Counter[str]]:
    import httpx

    async def run() -> tuple[float, list[float], Counter[str]]:
        latencies: list[float] = []
        outcomes: Counter[str] = Counter()
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        queue: asyncio.Queue[int] = asyncio.Queue()
        for f in forms:
            queue.put_nowait(f)
        async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as client:

            async def worker() -> None:
                while not queue.empty():
                    form = queue.get_nowait()
                    appt = {
                        "resourceType": "Appointment",
                        "status": "proposed",
                        "start": f"{DAY}T08:00:00+08:00",
                        "basedOn": [{"reference": f"ServiceRequest/{form}"}],
                        "participant": [{"actor": {"reference": "HealthcareService/hsg"}, "status": "accepted"}],
                    }
                    body = {"resourceType": "Parameters", "parameter": [{"name": "appt-resource", "resource": appt}]}
                    t0 = time.perf_counter()
                    r = await client.post("/fhir/Appointment/$book", json=body)
                    latencies.append(time.perf_counter() - t0)
                    code = r.json()["issue"][0]["details"]["coding"][0]["code"] if r.status_code >= 400 else "booked"
                    outcomes[f"{r.status_code} {code}"] += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(connections)))
            return time.perf_counter() - t0, latencies, outcomes

    return asyncio.run(run())


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"


# -- the server and its data ------------------------------------------------------------------------------------
def _database(args: argparse.Namespace, tmp: Path) -> tuple[str, object]:
    from sqlalchemy.engine import make_url

    from hsgclinic.persistence import schema
    from hsgclinic.persistence.engine import make_engine

    if not args.database_url:
        url = f"sqlite:///{tmp / 'bench.db'}"
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        return url, None
    base = make_url(args.database_url)
    name = f"hsg_fhir_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--database-url", help="a PostgreSQL server (a scratch database is created on it)")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--connections", type=int, default=8)
    ap.add_argument("--booked", type=int, default=20, help="appointments already on the day")
    ap.add_argument("--forms", type=int, default=60, help="waiting forms that try $book")
    ap.add_argument("--capacity", type=int, default=50, help="procedure places on the day")
    args = ap.parse_args()

    import uvicorn

    from hsgclinic.bootstrap import build_clinic
    from hsgclinic.config import load_settings
    from hsgclinic.domain.cycle import CycleFacts
    from hsgclinic.domain.eligibility import ScreeningInput
    from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
    from hsgclinic.services import booking, registration, screening, staff
    from hsgclinic.services.context import Actor, FixedClock, Role
    from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
    from hsgclinic.web.app import create_app

    tmp = Path(tempfile.mkdtemp(prefix="hsg-fhir-bench-"))
    url, drop = _database(args, tmp)
    total = args.booked + args.forms
    settings = load_settings(
        environment="test",
        data_dir=tmp,
        database_url=url,
        secret_key="bench-secret-key-0123456789abcdef0123456789",
        password_hash_cost="fast-for-tests",
        procedure_capacity=args.capacity,
        daily_numbers=max(total, 1),
    )
    clinic = build_clinic(settings, clock=FixedClock(NOW.astimezone(dt.UTC)))
    try:
        staff.create_user(
            clinic.ctx,
            Actor(Role.ADMIN, "bench"),
            username="desk",
            display_name="王护士",
            role="registrar",
            password="x" * 12,
        )
        token = staff.login(clinic.ctx, username="desk", password="x" * 12, address="127.0.0.1").token
        desk, doctor = Actor(Role.REGISTRAR, "desk"), Actor(Role.DOCTOR, "bench")
        cycle = CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        )
        leuk = LeukorrheaResult(cleanliness=Cleanliness.I, trichomonas=False, yeast=False, clue_cells=False)
        forms = []
        for n in range(total):
            pid = registration.take_number(
                clinic.ctx,
                Actor.public(),
                day=NOW.date(),
                name=synthetic_name(n),
                id_number=synthetic_resident_id(n),
                phone=synthetic_phone(n),
            ).number.patient_id
            s = ScreeningInput(
                visit_date=NOW.date(),
                cycle=cycle,
                temperature_c=Decimal("36.6"),
                respiratory_illness=False,
                lower_abdominal_pain=False,
                intercourse_since_period_end=False,
                leukorrhea=leuk,
            )
            v = screening.record_screening(
                clinic.ctx, doctor, patient_id=pid, screening=s, doctor_name="李医生", issue_form=True
            )
            forms.append(screening.issue_application_form(clinic.ctx, doctor, v.screening_id).form_id)
        for form in forms[: args.booked]:
            booking.book(clinic.ctx, desk, form, dt.date(2026, 11, 21))

        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings, clinic=clinic), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        base = f"http://127.0.0.1:{port}"
        kind = "PostgreSQL" if args.database_url else "SQLite"
        print(f"FHIR bench on {kind}, one server process (4 worker threads), {args.connections} connections")
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            n, lat, statuses = pool.apply(_searches, (base, token, args.seconds, args.connections))
            print(
                f"Appointment?date={DAY} ({args.booked} on the day, _count=20): {n / args.seconds:.0f} searches/s, "
                f"p50 {_ms(lat, 0.5)}, p99 {_ms(lat, 0.99)}, statuses {dict(statuses)}"
            )
            elapsed, lat, outcomes = pool.apply(_books, (base, token, forms[args.booked :], args.connections))
            print(
                f"$book x{args.forms} ({args.capacity - args.booked} places left): {args.forms / elapsed:.0f} "
                f"requests/s, p50 {_ms(lat, 0.5)}, p99 {_ms(lat, 0.99)}, outcomes {dict(outcomes)}"
            )
        live = len(booking.list_day(clinic.ctx, desk, dt.date(2026, 11, 21)))
        print(f"appointments on the day afterwards: {live} (capacity {args.capacity}; more would be an oversell)")
        server.should_exit = True
        thread.join(timeout=10)
        return 0 if live <= args.capacity else 1
    finally:
        clinic.dispose()
        if drop is not None:
            drop()  # type: ignore[operator]


if __name__ == "__main__":
    raise SystemExit(main())
