"""Sensitive data at rest (issue 11, item 3), on SQLite and PostgreSQL: the ID number is sealed (never in any
column, the database file or a log), opened only for a role that must see it (DATA-REVEAL, audited without the
number), bound to its row, re-sealed by a key rotation; migration 0008 seals rows that existed before it."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from hsgclinic.bootstrap import build_clinic
from hsgclinic.persistence import schema
from hsgclinic.persistence.base import Base, load_all_models
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.models import AuditEvent, Patient
from hsgclinic.persistence.sealing import KeyRing, SealError, id_number_binding, new_key_entry
from hsgclinic.services import patient_data, registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import Forbidden, InvalidInput
from hsgclinic.services.synthetic import synthetic_resident_id
from hsgtest import TODAY, make_settings, require_all


def take(clinic, public, person, n):
    return registration.take_number(clinic.ctx, public, day=TODAY, **person(n)).number


def every_value(engine) -> str:
    """Every row of every table as text."""
    load_all_models()
    out: list[str] = []
    with engine.connect() as c:
        for table in Base.metadata.sorted_tables:
            out += [repr(tuple(row)) for row in c.execute(table.select())]
    return "\n".join(out)


def test_the_id_number_is_in_no_column_no_log_and_not_in_the_file(clinic, public, person, caplog):
    caplog.set_level(logging.DEBUG)
    numbers = [person(n)["id_number"] for n in range(3)]
    for n in range(3):
        take(clinic, public, person, n)
    dump = every_value(clinic.engine)
    for number in numbers:
        assert number not in dump
        assert number[:14] not in dump  # nor its unmasked part
        assert number not in caplog.text
    if clinic.engine.dialect.name == "sqlite":
        path = Path(str(clinic.engine.url.database))
        raw = b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
        assert raw and all(number.encode() not in raw for number in numbers)
    with clinic.ctx.read() as u:
        stored = u.session.execute(select(Patient.id_number_sealed)).scalars().all()
    assert len(stored) == 3 and all(s is not None and s.startswith("v1.dev.") for s in stored)
    assert "id_number" not in {c["name"] for c in inspect(clinic.engine).get_columns("patients")}


def test_a_registrar_sees_the_full_number_with_a_reason_and_the_audit_keeps_no_number(
    clinic, public, person, registrar, radiologist
):
    view = take(clinic, public, person, 7)
    number = patient_data.reveal_id_number(clinic.ctx, registrar, view.patient_id, reason="checking her ID card")
    assert number == person(7)["id_number"]
    with clinic.ctx.read() as u:
        event = u.session.execute(select(AuditEvent).where(AuditEvent.action == "patient.id_reveal")).scalar_one()
    assert event.actor == registrar.name and event.patient_id == view.patient_id
    assert event.detail == {"reason": "checking her ID card"}
    assert number not in every_value(clinic.engine)
    for who in (radiologist, public, Actor(Role.PATIENT, "p", patient_id=view.patient_id)):
        with pytest.raises(Forbidden) as refused:
            patient_data.reveal_id_number(clinic.ctx, who, view.patient_id, reason="just curious")
        assert refused.value.rule == "DATA-REVEAL"
    with pytest.raises(InvalidInput) as no_reason:
        patient_data.reveal_id_number(clinic.ctx, registrar, view.patient_id, reason="  ")
    assert no_reason.value.rule == "DATA-REVEAL"


def test_a_sealed_number_moved_to_another_row_does_not_open(clinic, public, person):
    a, b = take(clinic, public, person, 1), take(clinic, public, person, 2)
    with clinic.ctx.write() as u:
        pa, pb = u.session.get(Patient, a.patient_id), u.session.get(Patient, b.patient_id)
        assert pa is not None and pb is not None
        ring = clinic.ctx.key_ring
        assert ring.open(str(pa.id_number_sealed), id_number_binding(pa.id_hash)) == person(1)["id_number"]
        with pytest.raises(SealError):
            ring.open(str(pa.id_number_sealed), id_number_binding(pb.id_hash))
        tampered = str(pa.id_number_sealed)[:-2] + ("AA" if not str(pa.id_number_sealed).endswith("AA") else "BB")
        with pytest.raises(SealError):
            ring.open(tampered, id_number_binding(pa.id_hash))


def test_rotating_the_key_reseals_every_number_then_the_old_key_can_go(settings, clock, public, person, admin):
    old, new = new_key_entry("k2026"), new_key_entry("k2027")
    first = build_clinic(settings.model_copy(update={"data_keys": old}), clock=clock)
    try:
        ids = [take(first, public, person, n).patient_id for n in range(4)]
    finally:
        first.dispose()
    rotated = build_clinic(settings.model_copy(update={"data_keys": f"{new},{old}"}), clock=clock)
    try:
        assert patient_data.reseal_all(rotated.ctx, admin) == (4, 0)
        assert patient_data.reseal_all(rotated.ctx, admin) == (0, 4)  # idempotent
        with pytest.raises(Forbidden):
            patient_data.reseal_all(rotated.ctx, Actor(Role.REGISTRAR, "nurse"))
    finally:
        rotated.dispose()
    only_new = build_clinic(settings.model_copy(update={"data_keys": new}), clock=clock)
    only_old = build_clinic(settings.model_copy(update={"data_keys": old}), clock=clock)
    try:
        assert patient_data.unreadable(only_new.ctx) == 0
        assert patient_data.unreadable(only_old.ctx) == 4
        got = [patient_data.reveal_id_number(only_new.ctx, admin, pid, reason="rotation check") for pid in ids]
        assert got == [person(n)["id_number"] for n in range(4)]
    finally:
        only_new.dispose()
        only_old.dispose()


def test_a_bad_key_setting_stops_the_start_naming_the_setting(tmp_path):
    from pydantic import ValidationError

    for bad in ("k1:short", "K1:" + "A" * 43, "k1", "k1:" + "A" * 43 + ",k1:" + "B" * 43):
        with pytest.raises(ValidationError, match="HSGCLINIC_DATA_KEYS"):
            make_settings("sqlite://", tmp_path, data_keys=bad)
    with pytest.raises(ValidationError, match="HSGCLINIC_DATA_KEYS must be set in production"):
        make_settings("sqlite://", tmp_path, environment="production", secret_key="x" * 40)


# -- migration 0008 on rows that existed before it ----------------------------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (nothing migrated yet)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    import os

    base = os.environ.get("HSGCLINIC_TEST_PG_URL")
    if not base:
        if require_all():
            pytest.fail("HSGCLINIC_TEST_PG_URL is not set but HSGCLINIC_REQUIRE_ALL is")
        pytest.skip("PostgreSQL not configured (HSGCLINIC_TEST_PG_URL)")
    url = make_url(base)
    name = f"{url.database}_m8_{uuid.uuid4().hex[:6]}"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_migration_0008_seals_existing_numbers_and_drops_the_plain_column(fresh_url, tmp_path):
    engine = make_engine(fresh_url)
    schema.upgrade(engine, "0007_record_numbers")
    numbers = [synthetic_resident_id(n) for n in range(600, 603)]
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    with engine.begin() as c:
        for n, number in enumerate(numbers):
            c.execute(
                text(
                    "INSERT INTO patients (id_kind, id_hash, record_number, id_number, id_last4, name, phone, "
                    "preferred_lang, created_at) VALUES ('resident', :h, :r, :num, :l4, 'Test', '13800000000', "
                    "'zh_CN', :at)"
                ),
                {"h": f"{n:064d}", "r": f"HSG{n:08d}", "num": number, "l4": number[-4:], "at": now},
            )
    spec = new_key_entry("m8")
    schema.upgrade(engine, data_key_spec=spec)
    assert schema.is_up_to_date(engine)
    assert "id_number" not in {c["name"] for c in inspect(engine).get_columns("patients")}
    ring = KeyRing.parse(spec)
    with engine.connect() as c:
        rows = c.execute(text("SELECT id_hash, id_number_sealed FROM patients ORDER BY id")).all()
    assert [ring.open(sealed, id_number_binding(h)) for h, sealed in rows] == numbers
    assert all(n not in every_value(engine) for n in numbers)
    # and back: the downgrade opens them into the plain column again
    schema_downgrade(engine, "0007_record_numbers", spec)
    with engine.connect() as c:
        assert [r[0] for r in c.execute(text("SELECT id_number FROM patients ORDER BY id"))] == numbers
    engine.dispose()


def schema_downgrade(engine, revision: str, spec: str) -> None:
    from alembic import command

    command.downgrade(schema.alembic_config(engine, spec), revision)
