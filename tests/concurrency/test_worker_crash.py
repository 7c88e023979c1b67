"""The reminder worker SIGKILLed mid-send (issue 11, item 5; the promise of docs/decisions/0002-outbox-delivery.md):
no message is lost — every one is delivered after a restart — and the crash causes at most one duplicate, which
carries the same Message-ID as its first copy. A real ``hsgclinic worker`` process and a real SMTP server
(aiosmtpd, each message taking a little while, so the kill lands in the middle of the batch)."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from concurrency.crash_helpers import SECRET, free_port
from hsgclinic.bootstrap import build_clinic
from hsgclinic.domain.reminders import Appointment, AppointmentEvent, CaseDates, EventKind, case_reminders
from hsgclinic.notifications.outbox import Addressee, Contact, sync_case_reminders
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.models import OutboxMessage
from hsgclinic.persistence.notification_models import OutboxAttempt
from hsgtest import make_settings

MESSAGES = 24
LEASE_S = 30  # the smallest lease the settings allow: the restarted worker re-sends after it


class SlowMailbox:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(0.15)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.ids.append(str(msg["Message-ID"]))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.ids)


def _enqueue(database_url: str, tmp_path: Any) -> list[int]:
    """MESSAGES reschedule notices, due now (real clock), one per case, by email."""
    clinic = build_clinic(make_settings(database_url, tmp_path, secret_key=SECRET))
    try:
        now_local = clinic.ctx.now_local()
        with clinic.ctx.write() as u:
            for n in range(MESSAGES):
                event = AppointmentEvent(
                    EventKind.RESCHEDULED,
                    Appointment.VISIT,
                    now_local - dt.timedelta(minutes=30),
                    now_local + dt.timedelta(days=2),
                )
                case = CaseDates(visit_day=(now_local + dt.timedelta(days=2)).date(), events=(event,))
                who = Addressee(
                    case_ref=f"crash-{n}",
                    patient_id=None,
                    name="李娜",
                    lang="zh_CN",
                    contacts=(Contact("email", f"p{n}@example.invalid"),),
                    procedure_date=None,
                )
                sync_case_reminders(u.session, who, case_reminders(case), now=clinic.ctx.now(), tz=clinic.ctx.tz)
            u.commit()
        with clinic.ctx.write() as u:
            # Only the notices are due now (each case's eve reminder is for later): the rest are withdrawn.
            due = list(
                u.session.execute(select(OutboxMessage.id).where(OutboxMessage.due_at <= clinic.ctx.now())).scalars()
            )
            u.session.execute(update(OutboxMessage).where(OutboxMessage.id.not_in(due)).values(status="withdrawn"))
            u.commit()
        return due
    finally:
        clinic.dispose()


def _worker(database_url: str, tmp_path: Any, smtp_port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")} | {
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_SECRET_KEY": SECRET,
        "HSGCLINIC_DATABASE_URL": database_url,
        "HSGCLINIC_DATA_DIR": str(tmp_path),
        "HSGCLINIC_SMTP_HOST": "127.0.0.1",
        "HSGCLINIC_SMTP_PORT": str(smtp_port),
        "HSGCLINIC_OUTBOX_LEASE_S": str(LEASE_S),
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", "worker", "--interval", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _statuses(database_url: str) -> Counter[str]:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as c:
            return Counter(c.execute(select(OutboxMessage.status)).scalars())
    finally:
        engine.dispose()


def _wait(predicate: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _kill_worker_mid_send(database_url: str, tmp_path: Any) -> None:
    ids = _enqueue(database_url, tmp_path)
    assert len(ids) == MESSAGES
    box = SlowMailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        worker = _worker(database_url, tmp_path, port)
        _wait(lambda: box.count() >= MESSAGES // 3, 60, "the first messages")
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        at_kill = box.count()
        statuses = _statuses(database_url)
        assert statuses["sent"] <= at_kill < len(ids), statuses
        assert statuses["sending"] >= 1, statuses  # the batch it had claimed, leased to the dead worker
        # Restarted: the leased rows wait for their lease to end, then go again; nothing is lost.
        worker = _worker(database_url, tmp_path, port)
        try:
            _wait(lambda: _statuses(database_url)["sent"] == len(ids), LEASE_S + 90, "every message sent")
        finally:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        time.sleep(0.3)  # the SMTP server's last handler finishes
    finally:
        controller.stop()
    copies = Counter(box.ids)
    expected = {f"<outbox-{i}@" for i in ids}
    assert {m.split("@")[0] + "@" for m in copies} == expected, "a message was never delivered"
    duplicates = sum(n - 1 for n in copies.values())
    assert duplicates <= 1, copies  # one crash: at most one duplicate, with the same Message-ID
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as c:
            outcomes = Counter(c.execute(select(OutboxAttempt.outcome)).scalars())
    finally:
        engine.dispose()
    assert outcomes["sent"] == MESSAGES and outcomes["abandoned"] >= 1, outcomes
    print(
        f"\n[{database_url.split(':')[0]}] worker SIGKILL: {MESSAGES} messages, {at_kill} received before the kill, "
        f"all {MESSAGES} delivered after the restart, duplicates: {duplicates}, attempts: {dict(outcomes)}"
    )


@pytest.mark.slow
def test_worker_killed_mid_send_loses_no_message_on_sqlite(tmp_path):
    from hsgclinic.persistence import schema

    url = f"sqlite:///{tmp_path / 'worker.db'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    _kill_worker_mid_send(url, tmp_path)


@pytest.mark.postgres
@pytest.mark.slow
def test_worker_killed_mid_send_loses_no_message_on_postgresql(pg_empty, tmp_path):
    _kill_worker_mid_send(pg_empty, tmp_path)
