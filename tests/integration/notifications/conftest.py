"""A real local SMTP server (aiosmtpd) and the wiring for the outbox worker; the databases come from
tests/conftest.py (SQLite always, PostgreSQL when HSGCLINIC_TEST_PG_URL is set)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from hsgclinic.bootstrap import Clinic, build_clinic
from hsgclinic.config import Settings
from hsgclinic.notifications.channels import EmailSender, LoggingSmsGateway, Sender, SmsSender
from hsgclinic.notifications.worker import DeliveryHooks, OutboxWorker
from hsgclinic.persistence import notification_models  # noqa: F401  (registers the delivery tables)
from hsgclinic.services.context import FixedClock


@dataclass
class Mailbox:
    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0  # answer the next N messages with a temporary failure
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd calls handle_DATA
        with self.lock:
            if self.refuse > 0:
                self.refuse -= 1
                return "451 4.3.0 try again later"
            msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(msg, EmailMessage)
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]


TEST_SECRET = "test-secret-key-0123456789abcdef0123456789"


def make_settings(database_url: str, tmp: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": TEST_SECRET,
        "password_hash_cost": "fast-for-tests",
        "data_dir": tmp,
        "database_url": database_url,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    return smtp[0]


@pytest.fixture
def notif_settings(db_url: str, tmp_path: Path, smtp: tuple[Mailbox, int]) -> Settings:
    return make_settings(
        db_url,
        tmp_path,
        smtp_host="127.0.0.1",
        smtp_port=smtp[1],
        smtp_timeout_s=5,
        outbox_max_attempts=4,
        outbox_backoff_base_s=60,
        outbox_backoff_max_s=600,
        outbox_lease_s=300,
        base_url="https://clinic.example.invalid",
    )


@pytest.fixture
def notif_clinic(notif_settings: Settings, clock: FixedClock) -> Iterator[Clinic]:
    c = build_clinic(notif_settings, clock=clock, cache_seconds=0)
    yield c
    c.dispose()


@pytest.fixture
def sms_gateway() -> LoggingSmsGateway:
    return LoggingSmsGateway()


@dataclass
class WorkerFactory:
    clinic: Clinic
    senders: dict[str, Sender]

    def __call__(self, hooks: DeliveryHooks | None = None, name: str = "w1") -> OutboxWorker:
        return OutboxWorker(
            self.clinic.ctx.uow, self.clinic.settings, self.senders, self.clinic.ctx.now, worker_id=name, hooks=hooks
        )


@pytest.fixture
def make_worker(notif_clinic: Clinic, sms_gateway: LoggingSmsGateway) -> WorkerFactory:
    return WorkerFactory(
        notif_clinic, {"email": EmailSender.from_settings(notif_clinic.settings), "sms": SmsSender(sms_gateway)}
    )


def at_local(clinic: Clinic, local: dt.datetime) -> dt.datetime:
    return local.replace(tzinfo=clinic.ctx.tz).astimezone(dt.UTC)
