"""Outbound HL7 through the outbox: how fast messages are written (one transaction each, as a booking writes its
SIU^S12) and how fast the worker delivers them, in order, to a real MLLP receiver (@medplum/hl7's Hl7Server,
tests/peers/hl7/receive.js — run `make install-test-system` or `npm ci` there first).

    python bench/hl7_outbox.py [--messages 500] [--batch 20] [--charset UTF-8|GB18030] [--pg-url postgresql+psycopg://…]

Without --pg-url the database is a scratch SQLite file; with it, a scratch database is created on that server and
dropped afterwards. Prints: enqueue rate, delivery rate (messages/s, ACK awaited for each), and checks that the
receiver got every message exactly once and in order.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy.engine import make_url  # noqa: E402

from hsgclinic.bootstrap import build_clinic  # noqa: E402
from hsgclinic.config import Settings  # noqa: E402
from hsgclinic.hl7.outbound import Hl7Sender  # noqa: E402
from hsgclinic.notifications.outbox import HL7_CHANNEL, enqueue_hl7, hl7_control_id  # noqa: E402
from hsgclinic.notifications.worker import OutboxWorker  # noqa: E402
from hsgclinic.persistence import schema  # noqa: E402
from hsgclinic.persistence.engine import make_engine  # noqa: E402
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone  # noqa: E402

PEER = ROOT / "tests" / "peers" / "hl7" / "receive.js"


def snapshot(n: int) -> dict[str, object]:
    """What services/hl7_outbound.py stores for a booking (SIU^S12)."""
    return {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "patient": {
            "record_number": f"HSG{n:08d}",
            "name": synthetic_name(n),
            "birth_date": "1992-01-01",
            "sex": "F",
            "phone": synthetic_phone(n),
        },
        "appointment": {
            "id": n,
            "kind": "procedure",
            "start": "2026-11-21T08:00:00",
            "minutes": 15,
            "slot_number": 1 + n % 20,
            "status": "booked",
            "form_number": f"AF20261120-{n:03d}-1",
            "accession_number": f"A{n:09d}",
            "study_instance_uid": f"2.25.{uuid.UUID(int=n).int}",
        },
    }


def scratch_database(pg_url: str | None, tmp: Path) -> tuple[str, object]:
    if pg_url is None:
        url = f"sqlite:///{tmp / 'bench.db'}"
        engine = make_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        return url, None
    base = make_url(pg_url)
    name = f"{base.database}_hl7bench_{uuid.uuid4().hex[:6]}"
    admin = make_engine(base.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    return url, (admin, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--messages", type=int, default=500)
    ap.add_argument("--batch", type=int, default=20, help="worker claim batch size")
    ap.add_argument("--charset", default="UTF-8", choices=["UTF-8", "GB18030"])
    ap.add_argument("--pg-url", default=None)
    args = ap.parse_args()

    encoding = "gb18030" if args.charset == "GB18030" else "utf-8"
    peer = subprocess.Popen(["node", str(PEER), encoding, "aa"], stdout=subprocess.PIPE, text=True)
    assert peer.stdout is not None
    port = int(peer.stdout.readline().split()[1])
    received: list[str] = []

    def read_peer() -> None:  # drain the peer's output while it works (a full pipe would stall its ACKs)
        assert peer.stdout is not None
        for line in peer.stdout:
            if line.strip():
                received.append(json.loads(line)["controlId"])

    reader = threading.Thread(target=read_peer, daemon=True)
    reader.start()
    with tempfile.TemporaryDirectory() as tmpdir:
        url, cleanup = scratch_database(args.pg_url, Path(tmpdir))
        settings = Settings(
            environment="test",
            data_dir=Path(tmpdir),
            database_url=url,
            hl7_peer_host="127.0.0.1",
            hl7_peer_port=port,
            hl7_charset=args.charset,
        )
        clinic = build_clinic(settings)
        try:
            t0 = time.perf_counter()
            for n in range(args.messages):
                with clinic.ctx.write() as u:
                    enqueue_hl7(
                        u.session,
                        key=f"form-{n}|hl7|SIU^S12|{n}",
                        patient_id=None,
                        case_ref=f"form-{n}",
                        message_type="SIU^S12",
                        event=snapshot(n),
                        now=clinic.ctx.now(),
                    )
                    u.commit()
            enqueue_s = time.perf_counter() - t0

            sender = Hl7Sender(settings)
            worker = OutboxWorker(clinic.ctx.uow, settings, {HL7_CHANNEL: sender}, clinic.ctx.now)
            worker.batch_size = args.batch
            t1 = time.perf_counter()
            sent = 0
            while sent < args.messages:
                stats = worker.run_once()
                sent += stats.sent
                if stats.failed:
                    raise SystemExit(f"delivery failed: {stats.errors[:3]}")
            deliver_s = time.perf_counter() - t1
            sender.close()
            first_id = 1
        finally:
            clinic.dispose()
            if cleanup is not None:
                admin, name = cleanup  # type: ignore[misc]
                with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                admin.dispose()

    deadline = time.monotonic() + 30
    while len(received) < args.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    peer.terminate()
    peer.wait(10)
    expected = [hl7_control_id(first_id + i) for i in range(args.messages)]
    db = "PostgreSQL" if args.pg_url else "SQLite"
    print(f"database            {db}, charset {args.charset}, {args.messages} messages, batch {args.batch}")
    print(f"enqueue             {args.messages / enqueue_s:8.0f} messages/s (one transaction each)")
    print(f"deliver (in order)  {args.messages / deliver_s:8.0f} messages/s (send, await ACK, record)")
    print(f"received            {len(received)} (exactly once, in order: {received == expected})")


if __name__ == "__main__":
    main()
