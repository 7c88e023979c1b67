"""Hospital record numbers, accession numbers and study UIDs (issue 9): assigned once, stable, never the ID number;
the migration backfills rows that existed before it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgclinic.services import booking, identifiers, patients
from hsgtest import empty_tables
from ordertest import book_patient


def _booked(clinic, public, doctor, registrar, person, n=1):
    return book_patient(clinic.ctx, person(n), pay=False, public=public, doctor=doctor, registrar=registrar)


def test_record_number_accession_and_study_uid_are_assigned_once_and_survive_a_reschedule(
    clinic, public, doctor, registrar, person
):
    pid, appt = _booked(clinic, public, doctor, registrar, person)
    ids = identifiers.read(clinic.ctx, registrar, appt.appointment_id)
    assert ids.record_number == f"HSG{pid:08d}"
    assert re.fullmatch(r"A\d{9}", ids.accession_number)
    assert re.fullmatch(r"2\.25\.\d{1,39}", ids.study_instance_uid) and len(ids.study_instance_uid) <= 64
    p = person(1)
    name, identity, phone = patients.parse_person(p["name"], p["id_number"], p["phone"])
    with clinic.ctx.write() as uow:  # she comes again: the same row, the same number
        key, ring, now = clinic.ctx.settings.secret_key, clinic.ctx.key_ring, clinic.ctx.now()
        again = patients.upsert(uow.session, key, name, identity, phone, now, ring=ring)
        found = patients.find_or_create(uow.session, key, name, identity, phone, now, ring=ring)
        uow.commit()
    assert again.id == found.id == pid and again.record_number == found.record_number == ids.record_number
    assert identity.number not in ids.record_number
    moved = booking.reschedule(clinic.ctx, registrar, appt.appointment_id, dt.date(2026, 11, 22))
    assert moved.appointment_id != appt.appointment_id
    moved_ids = identifiers.read(clinic.ctx, registrar, moved.appointment_id)
    assert (moved_ids.accession_number, moved_ids.study_instance_uid, moved_ids.record_number) == (
        ids.accession_number,
        ids.study_instance_uid,
        ids.record_number,
    )
    with clinic.ctx.read() as uow:
        live = identifiers.live_by_accession(uow.session, ids.accession_number)
        assert live is not None and live.id == moved.appointment_id


def test_a_second_patient_gets_her_own_numbers(clinic, public, doctor, registrar, person):
    _, first = _booked(clinic, public, doctor, registrar, person, 1)
    _, second = _booked(clinic, public, doctor, registrar, person, 2)
    a = identifiers.read(clinic.ctx, registrar, first.appointment_id)
    b = identifiers.read(clinic.ctx, registrar, second.appointment_id)
    assert len({a.record_number, b.record_number}) == 2
    assert len({a.accession_number, b.accession_number}) == 2
    assert len({a.study_instance_uid, b.study_instance_uid}) == 2


def test_the_migration_backfills_existing_patients_and_appointments(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    schema.upgrade(engine, "0006_grab_windows")
    now = dt.datetime(2026, 11, 1, 2, 0)
    with engine.begin() as c:
        for pid in (1, 2):
            c.execute(
                sa.text(
                    "INSERT INTO patients (id, id_kind, id_hash, id_number, id_last4, name, phone, preferred_lang,"
                    " created_at) VALUES (:id, 'resident', :h, '11010519900307002X', '002X', '王小红', '13800000000',"
                    " 'zh_CN', :now)"
                ),
                {"id": pid, "h": f"hash{pid}", "now": now},
            )
        c.execute(
            sa.text(
                "INSERT INTO procedure_appointments (id, application_form_id, patient_id, day, slot_number, slot_time,"
                " status, active, findings, created_at, updated_at) VALUES (7, 1, 1, '2026-11-21', 1, '08:00:00',"
                " 'booked', 1, '{}', :now, :now)"
            ),
            {"now": now},
        )
    schema.upgrade(engine)
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT record_number FROM patients ORDER BY id")).scalars().all() == [
            "HSG00000001",
            "HSG00000002",
        ]
        accession, study = c.execute(
            sa.text("SELECT accession_number, study_instance_uid FROM procedure_appointments")
        ).one()
    assert accession == "A000000007" and study.startswith("2.25.")
    engine.dispose()


@pytest.mark.postgres
def test_postgresql_numbers_a_new_patient_in_the_insert_itself(pg_url):
    """The rush's one-statement upsert gets her record number back from the INSERT (trigger, migration 0011)."""
    engine = make_engine(pg_url)
    empty_tables(engine)
    try:
        with engine.begin() as c:
            number = c.execute(
                sa.text(
                    "INSERT INTO patients (id_kind, id_hash, id_last4, name, phone, preferred_lang, created_at)"
                    " VALUES ('resident', 'h-trigger', '002X', '王小红', '13800000000', 'zh_CN', now())"
                    " RETURNING id, record_number"
                )
            ).one()
        assert number.record_number == f"HSG{number.id:08d}"
    finally:
        empty_tables(engine)
        engine.dispose()
