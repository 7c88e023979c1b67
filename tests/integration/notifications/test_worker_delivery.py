"""The outbox worker against a real local SMTP server: due messages in her language, retries with backoff, every
attempt recorded, nothing for a cancelled case, and no message lost when a worker dies between send and record."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from hsgclinic.domain.reminders import Appointment, AppointmentEvent, EventKind
from hsgclinic.notifications.checkin import read_token
from hsgclinic.notifications.outbox import Contact, withdraw_case
from hsgclinic.notifications.worker import DeliveryHooks, backoff

from .conftest import TEST_SECRET
from .helpers import EMAIL, PHONE, PROCEDURE, attempts, case_dates, enqueue, outbox, set_local

DT = dt.datetime


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs (not caught by the worker's ``except Exception``)."""


def test_nothing_is_sent_before_it_is_due(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    stats = make_worker().run_once()
    assert stats.claimed == 0
    assert mailbox.messages == []
    assert {m.status for m in outbox(notif_clinic)} == {"pending"}


def test_the_visit_eve_reminder_arrives_in_chinese(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic), lang="zh_CN")
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    stats = make_worker().run_once()
    assert stats.sent == 1
    (mail,) = mailbox.to(EMAIL)
    assert mail["Subject"] == "明天是您的输卵管造影筛查就诊日"
    body = mail.get_content()
    assert "李娜" in body
    assert "2026年11月21日（周六）" in body
    assert "禁止性生活" in body
    assert "010-52277602" in body
    row = next(m for m in outbox(notif_clinic) if m.template == "visit_eve")
    assert row.status == "sent" and row.attempts == 1
    assert mail["Message-ID"] == f"<outbox-{row.id}@example.invalid>"
    assert [a.outcome for a in attempts(notif_clinic, row.id)] == ["sent"]


def test_the_procedure_eve_reminder_arrives_in_english(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic), lang="en")
    set_local(notif_clinic, DT(2026, 11, 22, 19, 0))
    make_worker().run_once()
    subjects = [m["Subject"] for m in mailbox.to(EMAIL)]
    # The visit-eve reminder expired when the visit began: it is not sent late.
    assert subjects == ["Your HSG is tomorrow"]
    body = mailbox.messages[0].get_content()
    assert "23 Nov 2026 09:00" in body
    assert "urine pregnancy test" in body
    assert {m.template: m.status for m in outbox(notif_clinic)}["visit_eve"] == "expired"


def test_every_aftercare_message_arrives_on_its_day_with_the_checkin_link(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic), lang="en")
    worker = make_worker()
    expected = [
        (DT(2026, 11, 20, 18, 0), "Your HSG screening visit is tomorrow"),
        (DT(2026, 11, 22, 19, 0), "Your HSG is tomorrow"),
        (DT(2026, 11, 25, 8, 0), "Last day of your antibiotics"),
        (DT(2026, 11, 24, 8, 0), "Your HSG report is ready"),  # Mon → Tue
        (DT(2026, 11, 30, 8, 0), "7 days after your HSG: how are you?"),
        (DT(2026, 12, 8, 8, 0), "The two weeks of rest are over"),
        (DT(2026, 12, 12, 8, 0), "You can try to conceive"),  # LMP 11-14 + 28
    ]
    for when, subject in sorted(expected):
        set_local(notif_clinic, when)
        worker.run_once()
        assert mailbox.messages[-1]["Subject"] == subject, when
    assert len(mailbox.messages) == len(expected)
    bleed = next(m for m in mailbox.messages if m["Subject"].startswith("7 days")).get_content()
    assert "Mon 30 Nov 2026" in bleed
    url = next(w for w in bleed.split() if w.startswith("https://clinic.example.invalid/checkin/"))
    claims = read_token(TEST_SECRET, url.rsplit("/", 1)[1], max_age_days=60)
    assert claims.case_ref == "case-1"
    assert claims.procedure_date == PROCEDURE.date()


def test_sms_goes_through_the_gateway_adapter(notif_clinic, make_worker, sms_gateway, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic), contacts=(Contact("sms", PHONE), Contact("email", EMAIL)))
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    make_worker().run_once()
    ((phone, text, ref),) = sms_gateway.sent
    assert phone == PHONE
    assert text.startswith("【妇产医院西院区 影像介入门诊】")
    assert "2026年11月21日" in text
    assert ref.startswith("<outbox-")
    assert len(mailbox.messages) == 1


def test_a_refused_message_is_retried_with_exponential_backoff(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    due = DT(2026, 11, 20, 18, 0)
    set_local(notif_clinic, due)
    mailbox.refuse = 2
    worker = make_worker()
    assert worker.run_once().failed == 1
    (row,) = [m for m in outbox(notif_clinic) if m.template == "visit_eve"]
    assert row.status == "pending"
    assert row.due_at == notif_clinic.clock.now() + dt.timedelta(seconds=60)
    assert "451" in row.last_error
    # Not again before the backoff has passed.
    set_local(notif_clinic, due + dt.timedelta(seconds=59))
    assert worker.run_once().claimed == 0
    set_local(notif_clinic, due + dt.timedelta(seconds=60))
    assert worker.run_once().failed == 1
    (row,) = [m for m in outbox(notif_clinic) if m.template == "visit_eve"]
    assert row.due_at == notif_clinic.clock.now() + dt.timedelta(seconds=120)
    set_local(notif_clinic, due + dt.timedelta(seconds=180))
    assert worker.run_once().sent == 1
    assert len(mailbox.messages) == 1
    assert [a.outcome for a in attempts(notif_clinic, row.id)] == ["failed", "failed", "sent"]


def test_backoff_doubles_and_is_capped():
    assert [backoff(n, 60, 600).total_seconds() for n in range(1, 7)] == [60, 120, 240, 480, 600, 600]


def test_it_gives_up_after_the_last_attempt(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    mailbox.refuse = 100
    worker = make_worker()
    for _ in range(6):
        worker.run_once()
        notif_clinic.clock.advance(dt.timedelta(minutes=10))
    (row,) = [m for m in outbox(notif_clinic) if m.template == "visit_eve"]
    assert row.status == "failed"
    assert row.attempts == 4  # outbox_max_attempts
    assert [a.outcome for a in attempts(notif_clinic, row.id)] == ["failed"] * 4
    assert mailbox.messages == []


def test_nothing_is_sent_for_a_cancelled_case(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    with notif_clinic.ctx.write() as u:
        assert withdraw_case(u.session, "case-1", notif_clinic.ctx.now()) == 7
        u.commit()
    worker = make_worker()
    for day in range(40):
        set_local(notif_clinic, DT(2026, 11, 20, 20, 0) + dt.timedelta(days=day))
        worker.run_once()
    assert mailbox.messages == []
    assert {m.status for m in outbox(notif_clinic)} == {"withdrawn"}


def test_a_case_replanned_as_cancelled_withdraws_everything(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    result = enqueue(notif_clinic, case_dates(notif_clinic, cancelled=True))
    assert (result.added, result.withdrawn) == (0, 7)
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    assert make_worker().run_once().claimed == 0
    assert mailbox.messages == []


def test_enqueuing_the_same_schedule_twice_adds_nothing(notif_clinic):
    first = enqueue(notif_clinic, case_dates(notif_clinic))
    again = enqueue(notif_clinic, case_dates(notif_clinic))
    assert (first.added, again.added, again.kept) == (7, 0, 7)
    assert len(outbox(notif_clinic)) == 7


def test_a_reschedule_is_told_at_once_and_the_reminders_move(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic), lang="en")
    new = DT(2026, 11, 24, 10, 30)
    event = AppointmentEvent(EventKind.RESCHEDULED, Appointment.PROCEDURE, DT(2026, 11, 20, 7, 30), new, PROCEDURE)
    result = enqueue(notif_clinic, case_dates(notif_clinic, procedure_at=new, events=(event,)), lang="en")
    assert result.added > 0 and result.withdrawn > 0
    worker = make_worker()
    worker.run_once()
    (notice,) = mailbox.messages
    assert notice["Subject"] == "Your appointment has been moved"
    assert "from 23 Nov 2026 09:00 to 24 Nov 2026 10:30" in notice.get_content()
    set_local(notif_clinic, DT(2026, 11, 22, 19, 0))  # the old eve: nothing
    worker.run_once()
    assert len(mailbox.messages) == 1
    set_local(notif_clinic, DT(2026, 11, 23, 19, 0))  # the new eve
    worker.run_once()
    assert mailbox.messages[-1]["Subject"] == "Your HSG is tomorrow"


def test_a_cancelled_appointment_is_told_at_once_in_chinese(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    event = AppointmentEvent(EventKind.CANCELLED, Appointment.PROCEDURE, DT(2026, 11, 20, 7, 30), old_at=PROCEDURE)
    enqueue(notif_clinic, case_dates(notif_clinic, procedure_at=None, events=(event,)))
    set_local(notif_clinic, DT(2026, 11, 20, 7, 31))
    make_worker().run_once()
    (mail,) = mailbox.messages
    assert mail["Subject"] == "您的预约已取消"
    assert "2026年11月23日 09:00" in mail.get_content()


# --- the crash between send and record ---------------------------------------------------------------------


def _crash(outbox_id: int) -> None:
    raise SimulatedCrash(outbox_id)


def test_a_crash_after_sending_gives_at_most_one_duplicate_never_zero(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    with pytest.raises(SimulatedCrash):
        make_worker(DeliveryHooks(after_send=_crash), name="dies").run_once()
    assert len(mailbox.messages) == 1  # it went out, but nobody recorded it
    (row,) = [m for m in outbox(notif_clinic) if m.template == "visit_eve"]
    assert row.status == "sending"

    restarted = make_worker(name="restarted")
    assert restarted.run_once().claimed == 0  # the lease still holds: no second copy yet
    notif_clinic.clock.advance(dt.timedelta(seconds=300))
    stats = restarted.run_once()
    assert (stats.abandoned, stats.sent) == (1, 1)
    restarted.run_once()
    arrived = mailbox.to(EMAIL)
    assert 1 <= len(arrived) <= 2
    assert len({m["Message-ID"] for m in arrived}) == 1  # a duplicate carries the same Message-ID
    (row,) = [m for m in outbox(notif_clinic) if m.template == "visit_eve"]
    assert row.status == "sent"
    assert [(a.outcome, a.worker) for a in attempts(notif_clinic, row.id)] == [
        ("abandoned", "dies"),
        ("sent", "restarted"),
    ]


def test_a_crash_after_claiming_but_before_sending_still_delivers(notif_clinic, make_worker, mailbox):
    enqueue(notif_clinic, case_dates(notif_clinic))
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    with pytest.raises(SimulatedCrash):
        make_worker(DeliveryHooks(before_send=_crash), name="dies").run_once()
    assert mailbox.messages == []
    notif_clinic.clock.advance(dt.timedelta(seconds=301))
    make_worker(name="restarted").run_once()
    assert len(mailbox.to(EMAIL)) == 1


def test_two_workers_never_send_the_same_message_twice(notif_clinic, make_worker, mailbox):
    for n in range(8):
        enqueue(notif_clinic, case_dates(notif_clinic), case_ref=f"case-{n}")
    set_local(notif_clinic, DT(2026, 11, 20, 18, 0))
    workers = [make_worker(name=f"w{i}") for i in range(3)]
    for w in workers:
        w.batch_size = 2
    barrier = threading.Barrier(len(workers))
    errors: list[BaseException] = []

    def run(w):
        try:
            barrier.wait()
            w.run_once()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    ids = [m["Message-ID"] for m in mailbox.messages]
    assert len(ids) == 8
    assert len(set(ids)) == 8
