"""Modality Worklist benchmark: dcmtk findscu against `hsgclinic dicom serve`'s SCP (in this process).

Seeds a scratch database with 40 booked, paid procedure steps a day for 30 days (synthetic patients), then times
with findscu (one association per query, process start included):
  * a day's worklist (40 answers) — latency and answers/s,
  * a 30-day range (1,200 answers) — latency and answers/s,
  * associations/s: back-to-back day queries, one client and 4 clients in parallel.
Every answer is audited (one audit row per patient shown) and each query is logged, as in production.

    .venv/bin/python bench/dicom_worklist.py [--database-url postgresql+psycopg://…] [--rounds 20]

Without --database-url a temporary SQLite file is used. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from hsgclinic.bootstrap import build_clinic
from hsgclinic.config import Settings
from hsgclinic.dicom.server import DicomService
from hsgclinic.domain.identity import IdKind, parse_identity
from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.models import ApplicationForm, Payment, ProcedureAppointment, Screening
from hsgclinic.services import identifiers, patients
from hsgclinic.services.context import FixedClock
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

FIRST_DAY = dt.date(2027, 3, 1)
DAYS, PER_DAY = 30, 40


def seed(settings: Settings, clock: FixedClock) -> None:
    clinic = build_clinic(settings, clock=clock)
    ctx = clinic.ctx
    now = clock.now()
    n = 0
    with ctx.write() as uow:
        s = uow.session
        for d in range(DAYS):
            day = FIRST_DAY + dt.timedelta(days=d)
            for slot in range(1, PER_DAY + 1):
                n += 1
                identity = parse_identity(synthetic_resident_id(n + 700_000), IdKind.RESIDENT)
                p = patients.upsert(
                    s,
                    settings.secret_key,
                    synthetic_name(n),
                    identity,
                    synthetic_phone(n),
                    now,
                    ring=ctx.key_ring,
                )
                screening = Screening(
                    patient_id=p.id,
                    registration_id=None,
                    visit_date=day - dt.timedelta(days=2),
                    inputs={"cycle": {"period_start": (day - dt.timedelta(days=8)).isoformat()}, "hcg": "negative"},
                    findings={"items": []},
                    outcome="PASS",
                    overrides={"items": []},
                    doctor_name="Dr Li",
                    recorded_by=None,
                    created_at=now,
                )
                s.add(screening)
                s.flush()
                form = ApplicationForm(
                    number=f"BENCH{n:06d}",
                    screening_id=screening.id,
                    patient_id=p.id,
                    test_date=screening.visit_date,
                    issued_by="Dr Li",
                    issued_at=now,
                )
                s.add(form)
                s.flush()
                minutes = 8 * 60 + (slot - 1) * 10
                appt = ProcedureAppointment(
                    application_form_id=form.id,
                    patient_id=p.id,
                    day=day,
                    slot_number=slot,
                    slot_time=dt.time(minutes // 60 % 24, minutes % 60),
                    status="booked",
                    active=True,
                    review_confirmed_by=None,
                    findings={"items": []},
                    created_at=now,
                    updated_at=now,
                )
                s.add(appt)
                s.flush()
                identifiers.assign_order(s, appt, carried_from=None)
                s.add(
                    Payment(
                        appointment_id=appt.id,
                        amount_cny=Decimal("1000.00"),
                        status="paid",
                        receipt_number=f"RB{n:08d}",
                        method="cash",
                        paid_at=now,
                        refunded_at=None,
                    )
                )
        uow.commit()
    clinic.dispose()


def findscu(port: int, date: str) -> int:
    out = subprocess.run(
        [
            "findscu",
            "-v",
            "-W",
            "-aet",
            "HSG_RF1",
            "-aec",
            "HSGCLINIC",
            "-k",
            "SpecificCharacterSet=ISO_IR 192",
            "-k",
            "PatientName",
            "-k",
            "PatientID",
            "-k",
            "PatientBirthDate",
            "-k",
            "PatientSex",
            "-k",
            "AccessionNumber",
            "-k",
            "StudyInstanceUID",
            "-k",
            "ScheduledProcedureStepSequence[0].Modality=RF",
            "-k",
            f"ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate={date}",
            "-k",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime",
            "-k",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID",
            "127.0.0.1",
            str(port),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return (out.stdout + out.stderr).count("Find Response") - 1  # pending answers (the final response excluded)


def timed(port: int, date: str, rounds: int) -> tuple[list[float], int]:
    times, answers = [], 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        answers = findscu(port, date)
        times.append(time.perf_counter() - t0)
    return times, answers


def report(label: str, times: list[float], answers: int) -> None:
    med = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    print(f"{label:<28} {answers:>5} answers  median {med * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
          f"{answers / med:8.0f} answers/s  ({len(times)} queries)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("findscu") is None:
        print("findscu (dcmtk) is not installed", file=sys.stderr)
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="hsg-dicom-bench-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    settings = Settings(
        environment="test",
        secret_key="bench-secret-key-0123456789abcdef0123456789",
        data_dir=tmp,
        database_url=url,
        dicom_port=0,
        dicom_max_answers=5000,
    )  # type: ignore[call-arg]
    clock = FixedClock(dt.datetime(2027, 2, 27, 0, 0, tzinfo=dt.UTC))
    t0 = time.perf_counter()
    seed(settings, clock)
    print(
        f"seeded {DAYS * PER_DAY} steps ({DAYS} days × {PER_DAY}) in {time.perf_counter() - t0:.1f} s "
        f"on {url.split(':')[0]}"
    )
    clinic = build_clinic(settings, clock=clock)
    service = DicomService(clinic.ctx)
    port = service.start()
    try:
        findscu(port, FIRST_DAY.strftime("%Y%m%d"))  # warm up
        day = FIRST_DAY + dt.timedelta(days=10)
        times, n = timed(port, day.strftime("%Y%m%d"), args.rounds)
        report("one day (40 steps)", times, n)
        last = FIRST_DAY + dt.timedelta(days=DAYS - 1)
        rng = f"{FIRST_DAY:%Y%m%d}-{last:%Y%m%d}"
        times, n = timed(port, rng, max(3, args.rounds // 4))
        report("30-day range", times, n)
        t0 = time.perf_counter()
        count = args.rounds * 2
        for _ in range(count):
            findscu(port, day.strftime("%Y%m%d"))
        print(f"associations/s, 1 client      {count / (time.perf_counter() - t0):7.1f}  (one day's query each)")
        t0 = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: findscu(port, day.strftime("%Y%m%d")), range(count)))
        print(f"associations/s, 4 clients     {count / (time.perf_counter() - t0):7.1f}  (one day's query each)")
    finally:
        service.stop()
        clinic.dispose()
        if args.database_url is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
