"""The outbox worker: claim due messages, send them, record every attempt (docs/decisions/0002-outbox-delivery.md).

1. **Claim** (one short write transaction): due rows — ``pending`` with ``due_at <= now``, or ``sending`` whose lease
   (``due_at``) has run out — are locked (PostgreSQL ``FOR UPDATE SKIP LOCKED``; SQLite ``BEGIN IMMEDIATE`` behind
   the process's write lock), marked ``sending`` with ``due_at = now + lease`` and ``attempts + 1``, and an
   :class:`OutboxAttempt` row ``sending`` is written. A row found ``sending`` had a worker die between sending
   and recording: its open attempt becomes ``abandoned`` and the message is sent again (at-least-once).
2. **Send**, outside any transaction.
3. **Record** (one write transaction per message): the attempt's outcome; the row becomes ``sent``, or ``pending``
   again with ``due_at = now + backoff`` (base × 2^(n−1), capped), or ``failed`` after the last attempt. The
   update is a compare-and-set on ``(status = 'sending', attempts = n)``, so a worker whose lease was taken over
   never overwrites the newer claim.

HL7 rows (channel ``hl7``, docs/hl7.md) go to one peer in the order they were written: only a run of the oldest
unsent ones is claimed, and only when no other worker holds the oldest; after a failed one the rest of the run is
released unsent (no attempt counted). They are never given up on transport failures (retried, backoff capped by
``hl7_backoff_max_s``); a peer's refusal (AE / AR, :class:`DeliveryRefused`) marks that one ``failed`` at once.

While the row is ``sending``, ``due_at`` is the lease's end; while ``pending`` it is when to try next (the first
due instant is kept in ``payload["due_local"]``).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update

from hsgclinic.config import Settings
from hsgclinic.domain.reminders import ReminderKind
from hsgclinic.i18n import translator
from hsgclinic.notifications.channels import DeliveryRefused, OutgoingMessage, Sender
from hsgclinic.notifications.checkin import CheckinClaims, checkin_url, make_token
from hsgclinic.notifications.outbox import HL7_CHANNEL, UNSENT, decode_params, hl7_control_id
from hsgclinic.notifications.texts import WITH_CHECKIN, render
from hsgclinic.persistence.models import OutboxMessage
from hsgclinic.persistence.notification_models import OutboxAttempt
from hsgclinic.persistence.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class DeliveryHooks:
    """Test seams: ``after_send`` runs right after a successful send, before the outcome is recorded (a crash
    test raises there); ``before_send`` runs after the claim is committed, before sending."""

    before_send: Callable[[int], None] | None = None
    after_send: Callable[[int], None] | None = None


@dataclass(frozen=True)
class Claimed:
    outbox_id: int
    attempt: int
    channel: str
    template: str
    payload: dict[str, Any]
    case_ref: str
    patient_id: int | None


@dataclass
class RunStats:
    claimed: int = 0
    sent: int = 0
    failed: int = 0  # attempts that failed (will be retried, or gave up)
    gave_up: int = 0
    expired: int = 0
    abandoned: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempt: int, base_s: int, max_s: int) -> dt.timedelta:
    """Wait before attempt ``attempt + 1`` after attempt ``attempt`` failed: base × 2^(attempt−1), capped."""
    return dt.timedelta(seconds=min(max_s, base_s * 2 ** max(0, attempt - 1)))


class OutboxWorker:
    def __init__(
        self,
        uow: Callable[..., UnitOfWork],
        settings: Settings,
        senders: Mapping[str, Sender],
        now: Callable[[], dt.datetime],
        *,
        worker_id: str | None = None,
        hooks: DeliveryHooks | None = None,
        batch_size: int = 20,
    ) -> None:
        self.uow = uow
        self.settings = settings
        self.senders = senders
        self.now = now
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.hooks = hooks or DeliveryHooks()
        self.batch_size = batch_size
        self.last_scanned = 0

    # -- 1. claim ---------------------------------------------------------------------------------------------
    def claim(self, stats: RunStats) -> list[Claimed]:
        now = self.now()
        lease = dt.timedelta(seconds=self.settings.outbox_lease_s)
        out: list[Claimed] = []
        self.last_scanned = 0
        with self.uow(write=True) as u:
            s = u.session
            rows = (
                s.execute(
                    select(OutboxMessage)
                    .where(
                        OutboxMessage.status.in_(("pending", "sending")),
                        OutboxMessage.due_at <= now,
                        OutboxMessage.channel != HL7_CHANNEL,
                    )
                    .order_by(OutboxMessage.due_at, OutboxMessage.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
                .scalars()
                .all()
            )
            self.last_scanned = len(rows)
            if HL7_CHANNEL in self.senders:
                hl7_rows = self._hl7_run(s, now)
                rows = [*rows, *hl7_rows]
                self.last_scanned = max(self.last_scanned, len(hl7_rows))
            for row in rows:
                if row.status == "sending":
                    stats.abandoned += 1
                    s.execute(
                        update(OutboxAttempt)
                        .where(
                            OutboxAttempt.outbox_id == row.id,
                            OutboxAttempt.number == row.attempts,
                            OutboxAttempt.outcome == "sending",
                        )
                        .values(
                            outcome="abandoned",
                            finished_at=now,
                            error="lease expired: the worker stopped between sending and recording; outcome unknown",
                        )
                    )
                expires = row.payload.get("expires_at")
                if expires and dt.datetime.fromisoformat(expires) <= now:
                    row.status, row.last_error = "expired", "not sent before it stopped being useful"
                    stats.expired += 1
                    continue
                if row.attempts >= self.settings.outbox_max_attempts and row.channel != HL7_CHANNEL:
                    row.status, row.last_error = "failed", f"gave up after {row.attempts} attempts"
                    stats.gave_up += 1
                    continue
                row.attempts += 1
                row.status = "sending"
                row.due_at = now + lease
                s.add(
                    OutboxAttempt(
                        outbox_id=row.id,
                        number=row.attempts,
                        worker=self.worker_id[:64],
                        started_at=now,
                        outcome="sending",
                        error="",
                        message_ref="",
                    )
                )
                out.append(
                    Claimed(
                        row.id, row.attempts, row.channel, row.template, dict(row.payload), row.case_ref, row.patient_id
                    )
                )
            u.commit()
        stats.claimed += len(out)
        return out

    def _hl7_run(self, s: Any, now: dt.datetime) -> list[OutboxMessage]:
        """The oldest unsent HL7 rows that are due, in id order, up to the first that is not (or none, when the
        oldest is in another worker's hands): delivery order is the order the changes were committed."""
        unsent = (OutboxMessage.channel == HL7_CHANNEL, OutboxMessage.status.in_(UNSENT))
        rows = (
            s.execute(
                select(OutboxMessage)
                .where(*unsent)
                .order_by(OutboxMessage.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
            .scalars()
            .all()
        )
        if not rows or rows[0].id != s.execute(select(func.min(OutboxMessage.id)).where(*unsent)).scalar_one():
            return []
        run: list[OutboxMessage] = []
        for row in rows:
            if row.due_at > now:  # waiting for its retry, or leased to a worker that is sending it
                break
            run.append(row)
        return run

    # -- 2. send ----------------------------------------------------------------------------------------------
    def compose(self, c: Claimed) -> OutgoingMessage:
        p = c.payload
        if c.channel == HL7_CHANNEL:
            return OutgoingMessage(
                outbox_id=c.outbox_id,
                channel=c.channel,
                to=f"{self.settings.hl7_peer_host}:{self.settings.hl7_peer_port}",
                subject=c.template,
                body="",
                message_ref=hl7_control_id(c.outbox_id),
                payload=p,
            )
        kind = ReminderKind(c.template)
        t = translator(p.get("lang"))
        url = None
        if kind in WITH_CHECKIN and p.get("procedure_date"):
            claims = CheckinClaims(c.case_ref, c.patient_id, dt.date.fromisoformat(p["procedure_date"]))
            url = checkin_url(self.settings.base_url, make_token(self.settings.secret_key, claims))
        params = decode_params(p.get("params", {}))
        params.setdefault("release_time", self.settings.release_time)
        sent_on = self.now().astimezone(ZoneInfo(self.settings.timezone)).date()
        text = render(kind, params, t, self.settings.site, name=p.get("name", ""), checkin_url=url, sent_on=sent_on)
        domain = self.settings.mail_from.rpartition("@")[2] or "hsgclinic.invalid"
        return OutgoingMessage(
            outbox_id=c.outbox_id,
            channel=c.channel,
            to=str(p["to"]),
            subject=text.subject,
            body=text.body if c.channel == "email" else text.sms,
            message_ref=f"<outbox-{c.outbox_id}@{domain}>",
        )

    def deliver(self, c: Claimed, stats: RunStats) -> bool:
        """Send one claimed message and record the outcome; False when it is to be tried again."""
        if self.hooks.before_send is not None:
            self.hooks.before_send(c.outbox_id)
        try:
            message = self.compose(c)
            sender = self.senders[c.channel]
            ref = sender.send(message)
        except DeliveryRefused as exc:  # the receiver refused this message: retrying would not help
            self.record(c, ok=False, error=f"refused: {exc}"[:2000], ref="", final=True)
            stats.failed += 1
            stats.gave_up += 1
            stats.errors.append(f"{c.outbox_id}: {exc}")
            return True
        except Exception as exc:  # any failure of one message is recorded and retried; the batch goes on
            self.record(c, ok=False, error=f"{type(exc).__name__}: {exc}"[:2000], ref="")
            stats.failed += 1
            stats.errors.append(f"{c.outbox_id}: {exc}")
            return False
        if self.hooks.after_send is not None:
            self.hooks.after_send(c.outbox_id)  # a crash here leaves the row 'sending' until its lease ends
        self.record(c, ok=True, error="", ref=ref)
        stats.sent += 1
        return True

    def release(self, c: Claimed) -> None:
        """Give a claimed message back unsent (an earlier HL7 message of its run failed): no attempt is counted."""
        with self.uow(write=True) as u:
            s = u.session
            done = s.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.id == c.outbox_id,
                    OutboxMessage.status == "sending",
                    OutboxMessage.attempts == c.attempt,
                )
                .values(status="pending", attempts=c.attempt - 1, due_at=self.now())
                .execution_options(synchronize_session=False)
            )
            if getattr(done, "rowcount", 0) == 1:
                s.execute(
                    delete(OutboxAttempt).where(
                        OutboxAttempt.outbox_id == c.outbox_id, OutboxAttempt.number == c.attempt
                    )
                )
            u.commit()

    # -- 3. record --------------------------------------------------------------------------------------------
    def record(self, c: Claimed, *, ok: bool, error: str, ref: str, final: bool = False) -> None:
        now = self.now()
        with self.uow(write=True) as u:
            s = u.session
            s.execute(
                update(OutboxAttempt)
                .where(OutboxAttempt.outbox_id == c.outbox_id, OutboxAttempt.number == c.attempt)
                .values(outcome="sent" if ok else "failed", finished_at=now, error=error, message_ref=ref[:255])
            )
            mine = (
                OutboxMessage.id == c.outbox_id,
                OutboxMessage.status == "sending",
                OutboxMessage.attempts == c.attempt,
            )
            hl7 = c.channel == HL7_CHANNEL
            if ok:
                values: dict[str, Any] = {"status": "sent", "last_error": ""}
            elif final or (c.attempt >= self.settings.outbox_max_attempts and not hl7):
                values = {"status": "failed", "last_error": error}
            else:
                cap = self.settings.hl7_backoff_max_s if hl7 else self.settings.outbox_backoff_max_s
                wait = backoff(c.attempt, self.settings.outbox_backoff_base_s, cap)
                values = {"status": "pending", "due_at": now + wait, "last_error": error}
            s.execute(update(OutboxMessage).where(*mine).values(**values).execution_options(synchronize_session=False))
            u.commit()

    # -- loop -------------------------------------------------------------------------------------------------
    def run_once(self) -> RunStats:
        """Claim and deliver until nothing is due now."""
        stats = RunStats()
        while True:
            claimed = self.claim(stats)
            hl7_stopped = False
            for c in claimed:
                if c.channel == HL7_CHANNEL and hl7_stopped:
                    self.release(c)  # in order: nothing after a failed HL7 message goes before it
                    continue
                if not self.deliver(c, stats) and c.channel == HL7_CHANNEL:
                    hl7_stopped = True
            if self.last_scanned < self.batch_size:
                return stats

    def run_forever(self, interval_s: float, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                stats = self.run_once()
                if stats.claimed:
                    log.info("outbox: %s", stats)
            except Exception:
                log.exception("outbox worker pass failed; trying again in %s s", interval_s)
            stop.wait(interval_s)
