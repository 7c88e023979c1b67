"""``hsgclinic db upgrade|current|check``, ``demo``, ``staff add`` and the schema gate at start-up."""

from __future__ import annotations

import uuid

import pytest
import typer
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from hsgclinic.bootstrap import build_clinic
from hsgclinic.cli.records import register
from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.schema import SchemaOutOfDate
from hsgtest import make_settings

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def fresh_sqlite(tmp_path):
    return f"sqlite:///{tmp_path / 'fresh.db'}"


def test_db_upgrade_current_and_check_on_sqlite(fresh_sqlite, monkeypatch):
    monkeypatch.setenv("HSGCLINIC_SECRET_KEY", "x" * 40)
    behind = runner.invoke(cli(), ["db", "current", "--database-url", fresh_sqlite, "--lang", "en"])
    assert behind.exit_code == 1 and "out of date" in behind.output
    up = runner.invoke(cli(), ["db", "upgrade", "--database-url", fresh_sqlite, "--lang", "en"])
    assert up.exit_code == 0, up.output
    now = runner.invoke(cli(), ["db", "current", "--database-url", fresh_sqlite, "--lang", "en"])
    assert now.exit_code == 0 and schema.head() in now.output
    check = runner.invoke(cli(), ["db", "check", "--database-url", fresh_sqlite, "--lang", "en"])
    assert check.exit_code == 0 and "agree" in check.output, check.output


@pytest.mark.postgres
def test_db_check_on_postgres(pg_url):
    check = runner.invoke(cli(), ["db", "check", "--database-url", pg_url, "--lang", "en"])
    assert check.exit_code == 0 and "agree" in check.output, check.output


@pytest.mark.postgres
def test_a_server_database_behind_the_code_refuses_to_start(pg_url, tmp_path):
    url = make_url(pg_url)
    name = f"{url.database}_behind_{uuid.uuid4().hex[:6]}"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        target = url.set(database=name).render_as_string(hide_password=False)
        with pytest.raises(SchemaOutOfDate):
            build_clinic(make_settings(target, tmp_path))
    finally:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_the_embedded_default_upgrades_itself(fresh_sqlite, tmp_path):
    clinic = build_clinic(make_settings(fresh_sqlite, tmp_path))
    assert schema.is_up_to_date(clinic.engine)
    clinic.dispose()


def test_demo_fills_every_stage_and_prints_logins(fresh_sqlite, monkeypatch, tmp_path):
    monkeypatch.setenv("HSGCLINIC_PASSWORD_HASH_COST", "fast-for-tests")
    monkeypatch.setenv("HSGCLINIC_DATA_DIR", str(tmp_path))
    out = runner.invoke(cli(), ["demo", "--database-url", fresh_sqlite, "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "Report signed, aftercare plan made" in out.output and "Number taken" in out.output
    assert "nurse /" in out.output and "registrar" in out.output
    import re

    assert "Synthetic patients (access code / last 4 of the ID / stage)" in out.output
    assert re.search(r"^  [2-9A-Z]{8} / [0-9X]{4} / signed$", out.output, re.M)  # development only
    again = runner.invoke(cli(), ["demo", "--if-empty", "--database-url", fresh_sqlite, "--lang", "en"])
    assert again.exit_code == 0 and "nothing added" in again.output
    zh = runner.invoke(cli(), ["demo", "--if-empty", "--database-url", fresh_sqlite])
    assert "未添加" in zh.output


def test_staff_add_creates_a_login(fresh_sqlite, monkeypatch, tmp_path):
    monkeypatch.setenv("HSGCLINIC_PASSWORD_HASH_COST", "fast-for-tests")
    out = runner.invoke(
        cli(), ["staff", "add", "dr.wu", "--role", "doctor", "--database-url", fresh_sqlite, "--lang", "en"]
    )
    assert out.exit_code == 0 and "Password:" in out.output
    bad = runner.invoke(
        cli(), ["staff", "add", "x!", "--role", "doctor", "--database-url", fresh_sqlite, "--lang", "en"]
    )
    assert bad.exit_code == 1


def test_staff_add_keeps_the_display_name_and_the_session_carries_it(fresh_sqlite, monkeypatch, tmp_path):
    from hsgclinic.services import staff as staff_service

    monkeypatch.setenv("HSGCLINIC_PASSWORD_HASH_COST", "fast-for-tests")
    monkeypatch.setenv("HSGCLINIC_SECRET_KEY", "x" * 40)
    args = ["staff", "add", "dr.zhao", "--role", "radiologist", "--display-name", "赵医生"]
    out = runner.invoke(cli(), [*args, "--password", "long-enough-pw", "--database-url", fresh_sqlite])
    assert out.exit_code == 0, out.output
    clinic = build_clinic(make_settings(fresh_sqlite, tmp_path))
    try:
        login = staff_service.login(clinic.ctx, username="dr.zhao", password="long-enough-pw", address="t")
        assert login.actor.display_name == "赵医生" and login.actor.shown_name == "赵医生"
        again = staff_service.authenticate(clinic.ctx, login.token, "t")
        assert again.display_name == "赵医生" and again.name == "dr.zhao"
        assert [u.display_name for u in staff_service.list_users(clinic.ctx)] == ["赵医生"]
    finally:
        clinic.dispose()
