"""HL7 v2 over MLLP with independent peers (SQLite and PostgreSQL):

* python-hl7's ``mllp_send`` and @medplum/hl7's ``Hl7Client`` send ADT^A04/A08 to ``hsgclinic hl7 serve``'s
  listener and read its ACKs;
* @medplum/hl7's ``Hl7Server`` is the hospital's receiver for what the outbox worker sends (SIU, ORU, OMI): in
  order, Chinese names intact in UTF-8 and GB18030, a lost ACK resent with the same control ID, a refusal kept.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from hsgclinic.config import Settings
from hsgclinic.hl7.outbound import Hl7Sender
from hsgclinic.notifications.channels import LoggingSmsGateway, SmsSender
from hsgclinic.notifications.outbox import HL7_CHANNEL, hl7_control_id
from hsgclinic.notifications.worker import OutboxWorker
from hsgclinic.persistence.models import OutboxMessage, Patient
from hsgclinic.persistence.notification_models import OutboxAttempt
from hsgclinic.services import booking
from hsgclinic.services.synthetic import synthetic_resident_id
from hsgtest import make_settings
from hsgtest_hl7 import (
    REGISTRAR,
    ack_fields,
    adt,
    book,
    medplum_receiver,
    medplum_send,
    running_listener,
    screened_case,
    signed_report,
)

MLLP_SEND = Path(sys.executable).with_name("mllp_send")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, daily_numbers=5, procedure_capacity=3)


def names(clinic) -> dict[str, str]:
    with clinic.ctx.read() as u:
        return {p.id_last4: p.name for p in u.session.execute(select(Patient)).scalars()}


def acks(stdout: bytes, encoding: str = "utf-8") -> list[dict]:
    blocks = [chunk.split(b"\x1c", 1)[0] for chunk in stdout.split(b"\x0b")[1:]]
    return [ack_fields(b, encoding) for b in blocks]


# -- inbound ------------------------------------------------------------------------------------------------------
def test_mllp_send_registers_patients_and_gets_an_ae_for_a_bad_id(clinic, settings, tmp_path):
    good, bad = synthetic_resident_id(61), synthetic_resident_id(62)
    bad = bad[:-1] + ("3" if bad[-1] != "3" else "4")
    batch = tmp_path / "adt.hl7"
    batch.write_bytes(
        (
            adt("A04", "王小红", good, "13900000061", control="PY1").replace("\r", "\n")
            + adt("A04", "林静", bad, "13900000062", control="PY2").replace("\r", "\n")
            + adt("A08", "王筱红", good, "13900000063", control="PY3").replace("\r", "\n")
        ).encode()
    )
    with running_listener(clinic, settings) as listener:
        done = subprocess.run(
            [str(MLLP_SEND), "--loose", "--file", str(batch), "--port", str(listener.port), "127.0.0.1"],
            capture_output=True,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr
    answers = acks(done.stdout)
    assert [(a["code"], a["control_id"]) for a in answers] == [("AA", "PY1"), ("AE", "PY2"), ("AA", "PY3")]
    assert "REG-REALNAME" in answers[1]["err"][0]
    assert names(clinic) == {good[-4:]: "王筱红"}


def test_medplum_client_sends_adt_in_utf8_and_gb18030(clinic, settings, tmp_path):
    utf8, gb = tmp_path / "utf8.hl7", tmp_path / "gb.hl7"
    utf8.write_text(adt("A04", "欧阳婧萱", synthetic_resident_id(63), "13900000063", control="MP1"), "utf-8")
    gb.write_text(
        adt("A04", "司马䶮", synthetic_resident_id(64), "13900000064", control="MP2", charset="GB 18030-2000"), "utf-8"
    )
    garbage = tmp_path / "orm.hl7"
    garbage.write_text(adt("O01", "王小红", synthetic_resident_id(65), "1390", message_type="ORM", control="MP3"))
    with running_listener(clinic, settings) as listener:
        first = medplum_send(listener.port, "utf-8", [utf8, garbage])
        second = medplum_send(listener.port, "gb18030", [gb])
    assert [(a["code"], a["controlId"]) for a in first + second] == [("AA", "MP1"), ("AR", "MP3"), ("AA", "MP2")]
    assert "200^Unsupported message type" in first[1]["err"][0]
    assert sorted(names(clinic).values()) == sorted(["欧阳婧萱", "司马䶮"])


def test_the_listener_survives_a_block_without_mllp_framing(clinic, settings):
    import socket

    with (
        running_listener(clinic, settings) as listener,
        socket.create_connection(("127.0.0.1", listener.port), timeout=10) as s,
    ):
        s.sendall(b"not mllp at all\x1c\r")
        reply = s.recv(65536)
        s.sendall(b"\x0b" + adt("A04", "王小红", synthetic_resident_id(66), "13900000066").encode() + b"\x1c\r")
        second = s.recv(65536)
    assert ack_fields(reply.strip(b"\x0b\x1c\r"))["code"] == "AR"
    assert ack_fields(second.strip(b"\x0b\x1c\r"))["code"] == "AA"


# -- outbound -----------------------------------------------------------------------------------------------------
def peer_settings(db_url: str, tmp: Path, port: int, **extra: object) -> Settings:
    return make_settings(
        db_url,
        tmp,
        daily_numbers=5,
        procedure_capacity=3,
        hl7_peer_host="127.0.0.1",
        hl7_peer_port=port,
        hl7_peer_timeout_s=10,
        outbox_backoff_base_s=60,
        **extra,
    )


def worker(clinic, settings: Settings) -> OutboxWorker:
    """The worker as ``hsgclinic worker`` wires it, with her SMS reminders logged instead of sent."""
    senders = {HL7_CHANNEL: Hl7Sender(settings), "sms": SmsSender(LoggingSmsGateway())}
    return OutboxWorker(clinic.ctx.uow, settings, senders, clinic.ctx.now)


def statuses(clinic) -> list[str]:
    return [r.status for r in hl7_rows(clinic)]


def hl7_rows(clinic) -> list[OutboxMessage]:
    with clinic.ctx.read() as u:
        rows = list(
            u.session.execute(
                select(OutboxMessage).where(OutboxMessage.channel == HL7_CHANNEL).order_by(OutboxMessage.id)
            ).scalars()
        )
        u.session.expunge_all()
    return rows


@pytest.mark.parametrize("charset", ["UTF-8", "GB18030"])
def test_medplum_server_receives_siu_and_oru_in_order_with_her_name_intact(clinic, db_url, tmp_path, charset):
    encoding = "gb18030" if charset == "GB18030" else "utf-8"
    with medplum_receiver(encoding) as peer:
        st = peer_settings(db_url, tmp_path, peer.port, hl7_charset=charset, hl7_order_message="ORM^O01")
        clinic.ctx.settings = st
        case = screened_case(
            clinic, {"name": "欧阳䶮萱", "id_number": synthetic_resident_id(67), "phone": "13900000067"}
        )
        appt = book(clinic, case)
        signed_report(clinic, appt)
        worker(clinic, st).run_once()
        got = peer.take(3)
    assert [m["type"] for m in got] == ["SIU^S12^SIU_S12", "ORM^O01^ORM_O01", "ORU^R01^ORU_R01"]
    rows = hl7_rows(clinic)
    assert [m["controlId"] for m in got] == [hl7_control_id(r.id) for r in rows]
    assert all(m["pid5"] == "欧阳䶮萱" for m in got)
    assert {m["charset"] for m in got} == {"UNICODE UTF-8" if charset == "UTF-8" else "GB 18030-2000"}
    assert "左侧通畅，右侧远端阻塞伴积水。" in got[2]["text"]
    assert all(r.status == "sent" for r in rows)


def test_a_lost_ack_is_resent_with_the_same_control_id(clinic, db_url, tmp_path):
    with medplum_receiver("utf-8", "drop-first") as peer:
        st = peer_settings(db_url, tmp_path, peer.port)
        clinic.ctx.settings = st
        case = screened_case(clinic, {"name": "王小红", "id_number": synthetic_resident_id(68), "phone": "13900000068"})
        booking.cancel(clinic.ctx, REGISTRAR, book(clinic, case))
        w = worker(clinic, st)
        w.run_once()
        assert statuses(clinic) == ["pending", "pending"]  # S12 reached the peer, its ACK never came; S15 waits
        clinic.clock.advance(dt.timedelta(minutes=2))
        w.run_once()
        got = peer.take(3)
    assert statuses(clinic) == ["sent", "sent"]
    assert [m["type"].split("^")[1] for m in got] == ["S12", "S12", "S15"]
    assert got[0]["controlId"] == got[1]["controlId"] and got[0]["text"] == got[1]["text"]  # recognisably a copy
    first, second = hl7_rows(clinic)
    with clinic.ctx.read() as u:
        outcomes = [
            (a.outbox_id, a.outcome)
            for a in u.session.execute(
                select(OutboxAttempt)
                .where(OutboxAttempt.outbox_id.in_([first.id, second.id]))
                .order_by(OutboxAttempt.id)
            ).scalars()
        ]
    # the S15 held back after the failure counts no attempt
    assert outcomes == [(first.id, "failed"), (first.id, "sent"), (second.id, "sent")]


def test_nothing_overtakes_a_message_the_peer_is_down_for(clinic, db_url, tmp_path):
    import socket

    with socket.socket() as s:  # a port with nobody listening
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    st = peer_settings(db_url, tmp_path, dead)
    clinic.ctx.settings = st
    case = screened_case(clinic, {"name": "王小红", "id_number": synthetic_resident_id(69), "phone": "13900000069"})
    moved = booking.reschedule(clinic.ctx, REGISTRAR, book(clinic, case), dt.date(2026, 11, 22)).appointment_id
    booking.cancel(clinic.ctx, REGISTRAR, moved)
    for _ in range(8):  # far more failures than the reminders' max attempts: an HL7 message is never given up
        worker(clinic, st).run_once()
        clinic.clock.advance(dt.timedelta(seconds=1))  # the S12 waits for its retry; the others must wait behind it
        worker(clinic, st).run_once()
        clinic.clock.advance(dt.timedelta(seconds=st.hl7_backoff_max_s + 1))
    rows = hl7_rows(clinic)
    assert [(r.status, r.attempts) for r in rows] == [("pending", 8), ("pending", 0), ("pending", 0)]
    with medplum_receiver() as peer:
        st = peer_settings(db_url, tmp_path, peer.port)
        clinic.ctx.settings = st
        worker(clinic, st).run_once()
        got = peer.take(3)
    assert [m["type"].split("^")[1] for m in got] == ["S12", "S13", "S15"]
    assert statuses(clinic) == ["sent", "sent", "sent"]


def test_a_refusal_is_kept_as_failed_with_the_reason_and_the_next_goes_on(clinic, db_url, tmp_path):
    with medplum_receiver("utf-8", "ae-first") as peer:
        st = peer_settings(db_url, tmp_path, peer.port)
        clinic.ctx.settings = st
        case = screened_case(clinic, {"name": "王小红", "id_number": synthetic_resident_id(70), "phone": "13900000070"})
        booking.cancel(clinic.ctx, REGISTRAR, book(clinic, case))
        worker(clinic, st).run_once()
        peer.take(2)
    first, second = hl7_rows(clinic)
    assert (first.status, second.status) == ("failed", "sent")
    assert first.last_error.startswith("refused: AE")


def synthetic_siu(n: int) -> dict:
    """An S12 snapshot as services/hl7_outbound.py writes it."""
    return {
        "at": "2026-11-20T00:00:00+00:00",
        "patient": {
            "record_number": f"HSG{n:08d}",
            "name": "王小红",
            "birth_date": "1992-01-01",
            "sex": "F",
            "phone": "13900000000",
        },
        "appointment": {
            "id": n,
            "kind": "procedure",
            "start": "2026-11-21T08:00:00",
            "minutes": 15,
            "slot_number": 1,
            "status": "booked",
            "form_number": f"AF{n}",
            "accession_number": f"A{n:09d}",
        },
    }


def test_two_workers_together_deliver_each_message_once_and_in_order(clinic, db_url, tmp_path):
    import threading

    from hsgclinic.notifications.outbox import enqueue_hl7

    count = 40
    with medplum_receiver() as peer:
        st = peer_settings(db_url, tmp_path, peer.port)
        clinic.ctx.settings = st
        with clinic.ctx.write() as u:
            for n in range(count):
                enqueue_hl7(
                    u.session,
                    key=f"bench-{n}",
                    patient_id=None,
                    case_ref=f"form-{n}",
                    message_type="SIU^S12",
                    event=synthetic_siu(n),
                    now=clinic.ctx.now(),
                )
            u.commit()
        workers = [worker(clinic, st), worker(clinic, st)]
        for w in workers:
            w.batch_size = 5

        def drain(w: OutboxWorker) -> None:
            for _ in range(40):
                w.run_once()

        threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        got = peer.take(count)
        assert peer.nothing_more()
    ids = [m["controlId"] for m in got]
    assert ids == sorted(ids) and len(set(ids)) == count
    assert statuses(clinic) == ["sent"] * count


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_hsgclinic_worker_once_sends_hl7_when_a_peer_is_configured(clinic, db_url, tmp_path, monkeypatch):
    import typer
    from typer.testing import CliRunner

    from hsgclinic.cli.worker import register

    with medplum_receiver() as peer:
        st = peer_settings(db_url, tmp_path, peer.port)
        clinic.ctx.settings = st
        book(
            clinic,
            screened_case(clinic, {"name": "王小红", "id_number": synthetic_resident_id(71), "phone": "13900000071"}),
        )
        for key, value in {
            "HSGCLINIC_ENVIRONMENT": "test",
            "HSGCLINIC_SECRET_KEY": st.secret_key,
            "HSGCLINIC_DATABASE_URL": st.resolved_database_url,
            "HSGCLINIC_DATA_DIR": str(st.data_dir),
            "HSGCLINIC_HL7_PEER_HOST": "127.0.0.1",
            "HSGCLINIC_HL7_PEER_PORT": str(peer.port),
        }.items():
            monkeypatch.setenv(key, value)
        app = typer.Typer()
        register(app)

        @app.command("noop")
        def _noop() -> None:  # a second command keeps typer from collapsing the app into the single command
            pass

        result = CliRunner().invoke(app, ["worker", "--once"])
        [got] = peer.take(1)
    assert result.exit_code == 0, result.output
    assert got["type"] == "SIU^S12^SIU_S12" and got["pid5"] == "王小红"
    assert statuses(clinic) == ["sent"]
