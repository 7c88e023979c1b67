"""ADT^A04 / ADT^A08 from the HIS through the ADT handler (SQLite and PostgreSQL): the patient is registered and
updated exactly as at the desk, and every bad message gets an AE or AR with ERR segments that say why."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hsgclinic.config import Settings
from hsgclinic.hl7.inbound import AdtHandler
from hsgclinic.persistence.models import AuditEvent, Patient
from hsgclinic.services.synthetic import synthetic_resident_id
from hsgtest import make_settings
from hsgtest_hl7 import ack_fields, adt

RID = synthetic_resident_id(41)


def wrong_check_digit(rid: str) -> str:
    return rid[:-1] + ("1" if rid[-1] != "1" else "2")


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, hl7_allowed_facilities="HOSP,EMR")


@pytest.fixture
def handler(clinic, settings) -> AdtHandler:
    return AdtHandler(clinic.ctx, settings)


def patients(clinic) -> list[Patient]:
    with clinic.ctx.read() as u:
        rows = list(u.session.execute(select(Patient).order_by(Patient.id)).scalars())
        u.session.expunge_all()
    return rows


def test_a04_registers_her_and_a_repeat_takes_the_new_phone_but_keeps_the_name(clinic, handler):
    first = handler.handle(adt("A04", "王小红", RID, "13900000041", control="C1").encode())
    assert (first.code, ack_fields(first.data)["control_id"]) == ("AA", "C1")
    again = handler.handle(adt("A04", "王晓红", RID, "13900000042", control="C2").encode())
    assert again.code == "AA"
    [p] = patients(clinic)
    assert (p.name, p.phone, p.id_last4) == ("王小红", "13900000042", RID[-4:])
    assert p.record_number and p.record_number.startswith("HSG")
    with clinic.ctx.read() as u:
        actions = [
            (e.action, e.actor, e.detail.get("source"))
            for e in u.session.execute(select(AuditEvent).where(AuditEvent.patient_id == p.id)).scalars()
        ]
    assert ("patient.create", "hl7:HOSP", "hl7") in actions and ("patient.update", "hl7:HOSP", "hl7") in actions


def test_a08_corrects_name_and_phone_of_a_known_patient(clinic, handler):
    assert handler.handle(adt("A04", "林静", RID, "13900000041").encode()).code == "AA"
    answer = handler.handle(adt("A08", "林婧", RID, "13900000043", control="U1").encode())
    assert answer.code == "AA"
    [p] = patients(clinic)
    assert (p.name, p.phone) == ("林婧", "13900000043")


def test_a08_for_an_unknown_patient_is_an_application_error(clinic, handler):
    answer = handler.handle(adt("A08", "林静", RID, "13900000041", control="U2").encode())
    ack = ack_fields(answer.data)
    assert (ack["code"], ack["control_id"]) == ("AE", "U2")
    assert "|PID^1^3|204^Unknown key identifier^HL70357|E|REG-REALNAME" in ack["err"][0]
    assert patients(clinic) == []


def test_a_wrong_check_digit_is_refused_as_at_the_desk(clinic, handler):
    answer = handler.handle(adt("A04", "王小红", wrong_check_digit(RID), "13900000041", control="B1").encode())
    ack = ack_fields(answer.data)
    assert ack["code"] == "AE" and ack["control_id"] == "B1"
    [err] = ack["err"]
    assert "|PID^1^3|102^Data type error^HL70357|E|REG-REALNAME^^99HSGRULE|" in err
    assert "校验位" in err and "check digit" in err  # why, in Chinese and English (ERR-8)
    assert patients(clinic) == []


def test_a_phone_the_desk_would_refuse_is_refused(clinic, handler):
    answer = handler.handle(adt("A04", "王小红", RID, "call me", control="B2").encode())
    ack = ack_fields(answer.data)
    assert ack["code"] == "AE" and "|PID^1^13|102^" in ack["err"][0]
    assert patients(clinic) == []


def test_missing_pid_and_missing_fields_are_application_errors(clinic, handler):
    no_pid = ack_fields(handler.handle(adt("A04", "王小红", RID, "139", with_pid=False).encode()).data)
    assert no_pid["code"] == "AE" and "|PID|100^Segment sequence error^HL70357|E|" in no_pid["err"][0]
    empty = ack_fields(handler.handle(adt("A04", "", "", "", control="B3").encode()).data)
    assert empty["code"] == "AE"
    assert [e.split("|")[2] for e in empty["err"]] == ["PID^1^5", "PID^1^3", "PID^1^13"]
    assert all("|101^Required field missing^HL70357|" in e for e in empty["err"])
    assert patients(clinic) == []


def test_a_passport_number_is_taken_with_identifier_type_ppn(clinic, handler):
    answer = handler.handle(adt("A04", "Anna Müller", "E12345678", "+49 170 1234567", id_type="PPN").encode())
    assert answer.code == "AA"
    [p] = patients(clinic)
    assert (p.id_kind, p.name) == ("passport", "Anna Müller")


@pytest.mark.parametrize(
    ("message", "code", "hl7_error"),
    [
        (adt("A04", "王小红", RID, "13900000041", message_type="ORM"), "AR", "200^Unsupported message type"),
        (adt("A01", "王小红", RID, "13900000041"), "AR", "201^Unsupported event code"),
        (adt("A04", "王小红", RID, "13900000041", facility="ELSEWHERE"), "AR", "207^Application internal error"),
        (adt("A04", "王小红", RID, "13900000041", charset="ISO IR87"), "AR", "102^Data type error"),
        (adt("A04", "王小红", RID, "13900000041").replace("|P|2.5.1", "|X|2.5.1"), "AR", "202^Unsupported processing"),
        (adt("A04", "王小红", RID, "13900000041").replace("|P|2.5.1", "|P|3.0"), "AR", "203^Unsupported version"),
    ],
)
def test_unsupported_messages_are_rejected_with_the_reason(clinic, handler, message, code, hl7_error):
    answer = handler.handle(message.encode())
    ack = ack_fields(answer.data)
    assert ack["code"] == code and ack["control_id"] == "MSG0001"
    assert hl7_error in ack["err"][0]
    assert patients(clinic) == []


@pytest.mark.parametrize(
    "garbage",
    [b"", b"hello", b"\x00\xff\xfe", b"MSH", "MSH|^~\\&|HIS|HOSP\rPID|1||\xff".encode("latin-1"), b"PID|1||x"],
)
def test_garbage_gets_a_reject_not_a_crash(handler, garbage):
    answer = handler.handle(garbage)
    ack = ack_fields(answer.data)
    assert ack["code"] in ("AR", "AE") and ack["err"]


def test_chinese_names_survive_utf8_and_gb18030(clinic, handler):
    utf8 = adt("A04", "欧阳婧萱", synthetic_resident_id(42), "13900000042", control="U8")
    assert handler.handle(utf8.encode("utf-8")).code == "AA"
    gb = adt("A04", "司马䶮", synthetic_resident_id(43), "13900000043", control="GB", charset="GB 18030-2000")
    answer = handler.handle(gb.encode("gb18030"))
    assert answer.code == "AA"
    assert ack_fields(answer.data, "gb18030")["charset"] == "GB 18030-2000"  # the ACK speaks her character set
    assert [p.name for p in patients(clinic)] == ["欧阳婧萱", "司马䶮"]


def test_gb18030_as_the_setting_reads_messages_without_msh18(clinic, db_url, tmp_path):
    settings = make_settings(db_url, tmp_path, hl7_charset="GB18030")
    handler = AdtHandler(clinic.ctx, settings)
    text = adt("A04", "诸葛玥", synthetic_resident_id(44), "13900000044", charset="")
    answer = handler.handle(text.encode("gb18030"))
    assert answer.code == "AA"
    assert [p.name for p in patients(clinic)] == ["诸葛玥"]
    assert ack_fields(answer.data, "gb18030")["charset"] == "GB 18030-2000"


def test_an_error_inside_the_service_is_an_ae_not_a_crash(clinic, handler, monkeypatch):
    import hsgclinic.hl7.inbound as inbound

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound, "register_or_update", broken)
    ack = ack_fields(handler.handle(adt("A04", "王小红", RID, "13900000041").encode()).data)
    assert ack["code"] == "AE" and "207^Application internal error" in ack["err"][0]


def test_a_production_clinic_takes_production_messages_only(clinic, db_url, tmp_path):
    import base64

    key = base64.urlsafe_b64encode(bytes(range(32))).rstrip(b"=").decode()
    production = make_settings(db_url, tmp_path, environment="production", data_keys=f"k1:{key}")
    handler = AdtHandler(clinic.ctx, production)
    training = adt("A04", "王小红", RID, "13900000041").replace("|P|2.5.1", "|T|2.5.1")
    ack = ack_fields(handler.handle(training.encode()).data)
    assert ack["code"] == "AR" and "202^Unsupported processing id" in ack["err"][0] and "accepted: P" in ack["err"][0]
    assert handler.handle(adt("A04", "王小红", RID, "13900000041").encode()).code == "AA"
