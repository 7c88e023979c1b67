"""Backup and restore of a year of synthetic clinic data: how long they take and how big the backup is.

    python bench/backup.py [--days 365] [--numbers 40] [--procedures 16] [--database-url URL] [--keep DIR]

Fills a fresh database through the services (so every row is what the clinic writes: patients with sealed IDs,
registration numbers, screenings, forms, bookings, payments, procedures, signed reports, aftercare plans, outbox
messages, the audit trail) for ``--days`` consecutive open days ending yesterday: each day ``--numbers`` numbers
are taken and ``--procedures`` of those patients go the whole way to a signed report. Then runs ``hsgclinic
backup`` and ``hsgclinic restore`` (into an empty database) and prints rows, fill time, backup time and size,
restore time. Default: a new SQLite file in a temporary folder; ``--database-url`` a PostgreSQL database that
exists and is empty (a sibling ``<name>_restored`` is created for the restore and dropped after).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from hsgclinic.bootstrap import build_clinic
from hsgclinic.config import Settings
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.report import CavityFinding, ContrastKind, ReportFindings
from hsgclinic.persistence import schema
from hsgclinic.persistence.base import Base, load_all_models
from hsgclinic.persistence.engine import make_engine
from hsgclinic.services import booking, payments, procedure, registration, screening
from hsgclinic.services.context import Actor, FixedClock, Role, ServiceContext
from hsgclinic.services.demo import BLOCKED, PATENT, _screening
from hsgclinic.services.errors import ServiceError
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

SECRET = "bench-backup-secret-0123456789abcdef0123"


def at(ctx: ServiceContext, day: dt.date, hh: int, mm: int = 0) -> ServiceContext:
    local = dt.datetime.combine(day, dt.time(hh, mm), tzinfo=ctx.tz)
    return dataclasses.replace(ctx, clock=FixedClock(local.astimezone(dt.UTC)))


def fill(ctx: ServiceContext, first: dt.date, days: int, numbers: int, procedures: int) -> tuple[int, int]:
    public = Actor.public("bench")
    nurse, doctor, rad = Actor(Role.REGISTRAR, "nurse"), Actor(Role.DOCTOR, "doctor"), Actor(Role.RADIOLOGIST, "rad")
    day, done_days, refused = first, 0, 0
    n = 0
    while done_days < days:
        if not ctx.calendar_for(day).is_open(day):
            day += dt.timedelta(days=1)
            continue
        for i in range(numbers):
            n += 1
            person = {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}
            if n % 3 == 0:
                person["email"] = f"p{n}@example.invalid"
            try:
                c = at(ctx, day, 7, i % 60)
                taken = registration.take_number(c, public, day=day, **person).number
                registration.check_in(at(ctx, day, 8), nurse, taken.registration_id)
                if i >= procedures:
                    continue
                c = at(ctx, day, 9)
                view = screening.record_screening(
                    c, doctor, patient_id=taken.patient_id, doctor_name="李医生", issue_form=True,
                    screening=_screening(day),
                )  # fmt: skip
                form = screening.issue_application_form(c, doctor, view.screening_id)
                offers = booking.options(c, nurse, form.form_id)
                if not offers.offers:
                    continue
                appt = booking.book(c, nurse, form.form_id, offers.offers[0].day)
                payments.record_payment(c, nurse, appt.appointment_id, "wechat")
                p = at(ctx, appt.day, 9, 10)
                start = p.now()
                proc = procedure.record_procedure(
                    p, rad, appt.appointment_id,
                    procedure.ProcedureInput(
                        hcg_result=HcgResult.NEGATIVE, operator="赵医生", started_at=start,
                        ended_at=start + dt.timedelta(minutes=5), contrast_agent="碘海醇 iohexol",
                        contrast_kind=ContrastKind.WATER, volume_ml=Decimal("10"),
                        fluoroscopy_s=Decimal(40 + n % 30), dap_gy_cm2=Decimal("1.5"),
                    ),
                )  # fmt: skip
                right = BLOCKED if n % 3 == 0 else PATENT
                findings = ReportFindings(
                    CavityFinding("normal", False, False, False), PATENT, right, "左侧输卵管通畅。"
                )
                report = procedure.write_report(p, rad, proc.procedure_id, findings)
                procedure.sign_report(p, rad, report.report_id)
                procedure.produce_aftercare(p, rad, proc.procedure_id)
            except ServiceError:
                refused += 1
        done_days += 1
        day += dt.timedelta(days=1)
        if done_days % 30 == 0:
            print(f"  … {done_days} days filled", flush=True)
    return n, refused


def row_counts(url: str) -> dict[str, int]:
    load_all_models()
    engine = make_engine(url, pool_size=1)
    try:
        with engine.connect() as c:
            return {
                t.name: int(c.execute(select(func.count()).select_from(t)).scalar_one())
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def cli(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", *args, "--lang", "en"],
        capture_output=True, text=True, check=False,
        env={"HSGCLINIC_SECRET_KEY": SECRET, "HSGCLINIC_ENVIRONMENT": "test", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--numbers", type=int, default=40)
    ap.add_argument("--procedures", type=int, default=16)
    ap.add_argument("--database-url")
    ap.add_argument("--keep", type=Path, help="keep the database and the backup in this folder")
    args = ap.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hsg-backup-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{folder / 'year.db'}"
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        restored = f"sqlite:///{folder / 'restored.db'}"
    else:
        restored = parsed.set(database=f"{parsed.database}_restored").render_as_string(hide_password=False)
        admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}_restored"')
            c.exec_driver_sql(f'CREATE DATABASE "{parsed.database}_restored"')
    settings = Settings(
        environment="test", secret_key=SECRET, data_dir=folder, database_url=url, password_hash_cost="fast-for-tests"
    )  # type: ignore[call-arg]
    engine = make_engine(url)
    schema.upgrade(engine, data_key_spec=settings.data_key_spec)
    engine.dispose()
    clinic = build_clinic(settings)
    today = clinic.ctx.today()
    first = today - dt.timedelta(days=int(args.days * 1.04) + 10)  # the open days of the year before today
    started = time.monotonic()
    try:
        people, refused = fill(clinic.ctx, first, args.days, args.numbers, args.procedures)
    finally:
        clinic.dispose()
    fill_s = time.monotonic() - started
    counts = row_counts(url)
    out = folder / "year.backup"
    print(f"filled {args.days} open days ({people} patients, {refused} steps refused by a rule) in {fill_s:.0f} s")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()) if v))
    print(f"total rows: {sum(counts.values())}")
    backup_msg = cli("backup", "--out", str(out), "--database-url", url)
    print(backup_msg)
    restore_msg = cli("restore", str(out), "--database-url", restored)
    print(restore_msg)
    assert row_counts(restored) == counts, "the restored database differs"
    print("restored row counts equal the source's")
    if parsed.get_backend_name() == "postgresql":
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}_restored" WITH (FORCE)')
        admin.dispose()
    if args.keep is None:
        print(f"(files in {folder}; delete when done)")


if __name__ == "__main__":
    main()
