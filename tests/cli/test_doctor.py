"""``hsgclinic doctor`` (issue 11, item 6): a Rich table of every check; exit 0 on a ready installation, 1 when
anything fails — unreachable or out-of-date database, no Chinese font, an SMTP server that does not answer,
production without keys."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.sealing import new_key_entry


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _doctor(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", "doctor", "--lang", "en"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _row(output: str, check: str) -> str:
    return next(line for line in output.splitlines() if check in line)


@pytest.fixture
def ready(tmp_path: Path) -> dict[str, str]:
    """A migrated embedded database, real keys, a long secret."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hsgclinic.db'}")
    schema.upgrade(engine)
    engine.dispose()
    return {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")} | {
        "HSGCLINIC_ENVIRONMENT": "test",
        "HSGCLINIC_DATA_DIR": str(tmp_path),
        "HSGCLINIC_SECRET_KEY": "doctor-test-secret-0123456789abcdef0123",
        "HSGCLINIC_DATA_KEYS": new_key_entry("k1"),
    }


def test_a_ready_installation_passes(ready):
    done = _doctor(ready)
    assert done.returncode == 0, done.stdout + done.stderr
    for check in ("Database reachable", "Database schema", "Chinese font", "Sealed ID numbers open", "PDF engine"):
        assert " ok " in _row(done.stdout, check), done.stdout
    assert "skipped" in _row(done.stdout, "Mail server")
    assert "Everything needed is in place." in done.stdout


def test_an_out_of_date_database_fails(ready, tmp_path):
    sqlite3.connect(tmp_path / "old.db").execute("CREATE TABLE unrelated (x INTEGER)").connection.close()
    done = _doctor(ready | {"HSGCLINIC_DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}"})
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Database schema") and "the code needs" in done.stdout


def test_an_unreachable_database_fails(ready):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{_free_port()}/nothing"
    done = _doctor(ready | {"HSGCLINIC_DATABASE_URL": url})
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Database reachable")
    assert "cannot connect" in done.stdout


def test_no_chinese_font_fails_naming_the_package(ready, tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?><fontconfig><dir>{tmp_path / 'none'}</dir></fontconfig>", encoding="utf-8")
    done = _doctor(ready | {"FONTCONFIG_FILE": str(conf)})
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Chinese font") and "fonts-noto-cjk" in done.stdout


def test_a_configured_mail_server_that_does_not_answer_fails(ready):
    done = _doctor(ready | {"HSGCLINIC_SMTP_HOST": "127.0.0.1", "HSGCLINIC_SMTP_PORT": str(_free_port())})
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Mail server")


def test_production_without_data_keys_fails_at_the_settings(ready):
    env = ready | {"HSGCLINIC_ENVIRONMENT": "production"}
    env.pop("HSGCLINIC_DATA_KEYS")
    done = _doctor(env)
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Settings") and "HSGCLINIC_DATA_KEYS" in done.stdout


def test_a_missing_data_key_fails(ready):
    """The numbers were sealed under k1 (fixture's database is empty, so seal one first): a ring without k1 fails."""
    from hsgclinic.bootstrap import build_clinic
    from hsgclinic.config import Settings
    from hsgclinic.services import registration
    from hsgclinic.services.context import Actor
    from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

    settings = Settings(
        environment="test",
        data_dir=Path(ready["HSGCLINIC_DATA_DIR"]),
        secret_key=ready["HSGCLINIC_SECRET_KEY"],
        data_keys=ready["HSGCLINIC_DATA_KEYS"],
        booking_horizon_days=30,
    )
    clinic = build_clinic(settings)
    try:
        day = clinic.ctx.today().fromordinal(clinic.ctx.today().toordinal() + 1)  # released whatever the hour
        for _ in range(30):
            if clinic.ctx.calendar_for(day).is_open(day):
                break
            day = day.fromordinal(day.toordinal() + 1)
        registration.take_number(
            clinic.ctx, Actor.public(), day=day, name=synthetic_name(1), id_number=synthetic_resident_id(1),
            phone=synthetic_phone(1),
        )  # fmt: skip
    finally:
        clinic.dispose()
    done = _doctor(ready | {"HSGCLINIC_DATA_KEYS": new_key_entry("k2")})
    assert done.returncode == 1
    assert "FAILED" in _row(done.stdout, "Sealed ID numbers open")
