"""Outbound HL7 through the outbox (SQLite and PostgreSQL): the message is written in the same transaction as the
change, only when a peer is configured, never withdrawn with the reminders, and built with a control ID that
stays the same on every attempt."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import hl7
import pytest
from sqlalchemy import select

from hsgclinic.config import Settings
from hsgclinic.hl7.outbound import Profile, build
from hsgclinic.notifications.outbox import HL7_CHANNEL, hl7_control_id
from hsgclinic.persistence.models import AuditEvent, OutboxMessage
from hsgclinic.services import booking, hl7_outbound, procedure, registration
from hsgclinic.services.errors import Forbidden, RuleRefused
from hsgclinic.services.synthetic import synthetic_resident_id
from hsgtest import make_settings
from hsgtest_hl7 import FINDINGS, RADIOLOGIST, REGISTRAR, book, screened_case, signed_report

HER = {"name": "欧阳婧萱", "id_number": synthetic_resident_id(51), "phone": "13900000051"}


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        db_url, tmp_path, daily_numbers=5, procedure_capacity=3, hl7_peer_host="127.0.0.1", hl7_peer_port=2575
    )


def hl7_rows(clinic) -> list[OutboxMessage]:
    with clinic.ctx.read() as u:
        rows = list(
            u.session.execute(
                select(OutboxMessage).where(OutboxMessage.channel == HL7_CHANNEL).order_by(OutboxMessage.id)
            ).scalars()
        )
        u.session.expunge_all()
    return rows


def er7(clinic, row: OutboxMessage) -> hl7.Message:
    text = build(row.payload["message_type"], row.payload["event"], hl7_control_id(row.id), Profile(clinic.settings))
    return hl7.parse(text)


def test_booking_rescheduling_and_cancelling_write_siu_in_order(clinic):
    case = screened_case(clinic, HER)
    first = book(clinic, case)
    moved = booking.reschedule(clinic.ctx, REGISTRAR, first, dt.date(2026, 11, 22)).appointment_id
    booking.cancel(clinic.ctx, REGISTRAR, moved)
    rows = hl7_rows(clinic)
    assert [r.template for r in rows] == ["SIU^S12", "SIU^S13", "SIU^S15"]
    assert all(r.status == "pending" and r.case_ref == f"form-{case.form_id}" for r in rows)  # not withdrawn
    s12, s13, s15 = (er7(clinic, r) for r in rows)
    assert str(s12["SCH.F2.R1.C1"]) == str(s13["SCH.F2.R1.C1"]) == str(s15["SCH.F2.R1.C1"])  # one accession
    assert str(s12["TQ1.F7"]) == "20261121080000+0800" and str(s13["TQ1.F7"]) == "20261122080000+0800"
    assert str(s15["SCH.F25.R1.C1"]) == "Cancelled"
    assert str(s12["PID.F5.R1.C1"]) == "欧阳婧萱" and str(s12["PID.F3.R1.C5"]) == "MR"
    assert HER["id_number"] not in str(s12)  # the resident ID never leaves the clinic
    assert str(s12["MSH.F10"]) == hl7_control_id(rows[0].id) and str(s12["MSH.F18"]) == "UNICODE UTF-8"
    assert str(s12["MSH.F11"]) == "T"  # not production: a training message
    with clinic.ctx.read() as u:
        audited = u.session.execute(select(AuditEvent.action).where(AuditEvent.action == "hl7.enqueue")).all()
    assert len(audited) == 3


def test_a_refused_booking_writes_nothing(clinic):
    case = screened_case(clinic, HER)
    with pytest.raises(RuleRefused):
        book(clinic, case, dt.date(2026, 11, 30))  # outside her procedure window (BOOK-WINDOW)
    assert hl7_rows(clinic) == []


def test_nothing_is_enqueued_without_a_peer(clinic, db_url, tmp_path):
    clinic.ctx.settings = make_settings(db_url, tmp_path, daily_numbers=5, procedure_capacity=3)
    book(clinic, screened_case(clinic, HER))
    assert hl7_rows(clinic) == []


def test_orders_go_too_when_the_setting_asks(clinic, db_url, tmp_path):
    clinic.ctx.settings = make_settings(
        db_url, tmp_path, procedure_capacity=3, hl7_peer_host="127.0.0.1", hl7_order_message="OMI^O23"
    )
    case = screened_case(clinic, HER)
    booking.cancel(clinic.ctx, REGISTRAR, book(clinic, case))
    rows = hl7_rows(clinic)
    assert [r.template for r in rows] == ["SIU^S12", "OMI^O23", "SIU^S15", "OMI^O23"]
    new, cancelled = er7(clinic, rows[1]), er7(clinic, rows[3])
    assert (str(new["ORC.F1"]), str(cancelled["ORC.F1"])) == ("NW", "CA")
    assert str(new["IPC.F5.R1.C1"]) == "RF" and str(new["IPC.F3"]).startswith("2.25.")


def test_a_missed_visit_is_siu_s26(clinic):
    clinic.clock.set(dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC))  # 10:00 on Sat 21 Nov: she takes a number
    missed = registration.take_number(
        clinic.ctx,
        REGISTRAR,
        day=dt.date(2026, 11, 21),
        name="林静",
        id_number=synthetic_resident_id(53),
        phone="13900000053",
    ).number
    clinic.clock.set(dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC))
    assert registration.mark_no_shows(clinic.ctx, REGISTRAR, dt.date(2026, 11, 21)) == 1
    rows = hl7_rows(clinic)
    assert [(r.template, r.case_ref) for r in rows] == [("SIU^S26", f"reg-{missed.registration_id}")]
    s26 = er7(clinic, rows[0])
    assert str(s26["SCH.F25.R1.C1"]) == "Noshow" and str(s26["PID.F5.R1.C1"]) == "林静"
    assert str(s26["SCH.F2.R1.C1"]) == f"REG{missed.registration_id:09d}"


def test_the_signed_report_is_oru_final_and_a_corrected_one_is_oru_corrected(clinic):
    appt = book(clinic, screened_case(clinic, HER))
    procedure_id, report_id = signed_report(clinic, appt)
    procedure.write_report(clinic.ctx, RADIOLOGIST, procedure_id, FINDINGS, reason="typo in the impression")
    procedure.sign_report(clinic.ctx, RADIOLOGIST, report_id)
    rows = [r for r in hl7_rows(clinic) if r.template == "ORU^R01"]
    assert len(rows) == 2
    final, corrected = er7(clinic, rows[0]), er7(clinic, rows[1])
    assert (str(final["OBR.F25"]), str(corrected["OBR.F25"])) == ("F", "C")
    obx = {str(s[3][0][0]): s for s in final.segments("OBX")}
    assert str(obx["LEFT-PATENCY"][5][0][0]) == "patent" and str(obx["RIGHT-PATENCY"][5][0][0]) == "obstructed"
    assert str(obx["RIGHT-HYDRO"][5][0][0]) == "Y" and str(obx["RIGHT-SPILL"][5][0][0]) == "none"
    assert str(obx["IMPRESSION"][5]) == "左侧通畅，右侧远端阻塞伴积水。"
    assert str(obx["FLUORO-TIME"][6]) == "s" and str(obx["REPORT-READY"][5]) == "20261123"


def test_the_message_is_the_same_on_every_build_and_cancelling_leaves_it_pending(clinic):
    case = screened_case(clinic, HER)
    booking.cancel(clinic.ctx, REGISTRAR, book(clinic, case))
    row = hl7_rows(clinic)[0]
    profile = Profile(clinic.settings)
    control = hl7_control_id(row.id)
    assert build(row.template, row.payload["event"], control, profile) == build(
        row.template, row.payload["event"], control, profile
    )
    assert row.status == "pending"


def test_an_operator_sees_what_waits_and_writes_a_refused_message_again_at_the_end(clinic, admin):
    from sqlalchemy import update

    case = screened_case(clinic, HER)
    booking.cancel(clinic.ctx, REGISTRAR, book(clinic, case))
    s12, s15 = hl7_rows(clinic)
    with clinic.ctx.write() as u:  # the peer refused the S12 (as the worker records an AE)
        u.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == s12.id).values(status="failed", last_error="refused: AE")
        )
        u.commit()
    waiting = hl7_outbound.undelivered(clinic.ctx, admin)
    assert [(w.message_type, w.status, w.control_id) for w in waiting] == [
        ("SIU^S12", "failed", hl7_control_id(s12.id)),
        ("SIU^S15", "pending", hl7_control_id(s15.id)),
    ]
    with pytest.raises(Forbidden):
        hl7_outbound.undelivered(clinic.ctx, REGISTRAR)
    with pytest.raises(RuleRefused):
        hl7_outbound.resend(clinic.ctx, admin, s15.id)  # not refused: it is still on its way
    new_id = hl7_outbound.resend(clinic.ctx, admin, s12.id)
    rows = hl7_rows(clinic)
    assert [r.id for r in rows] == [s12.id, s15.id, new_id] and new_id > s15.id
    assert rows[-1].payload["event"] == s12.payload["event"] and rows[-1].status == "pending"
    with clinic.ctx.read() as u:
        assert u.session.execute(select(AuditEvent).where(AuditEvent.action == "hl7.resend")).scalar_one()
