"""Shared fixtures: settings, SQLite and PostgreSQL databases (migrated once, emptied per test), a fixed clock,
the wired clinic and factories for synthetic patients.

PostgreSQL comes from ``HSGCLINIC_TEST_PG_URL``; each test session gets its own scratch database (created and
dropped here) so that parallel runs never share rows. Without the URL the postgres tests are skipped — unless
``HSGCLINIC_REQUIRE_ALL`` is set, when they fail.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from hsgclinic.bootstrap import Clinic, build_clinic
from hsgclinic.config import Settings
from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine
from hsgclinic.services.context import Actor, FixedClock, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import CLINIC_NOW, TODAY, empty_tables, make_settings, require_all  # noqa: F401


# -- PostgreSQL ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, migrated scratch database on the test server, dropped after the session."""
    base = os.environ.get("HSGCLINIC_TEST_PG_URL")
    if not base:
        if require_all():
            pytest.fail("HSGCLINIC_TEST_PG_URL is not set but HSGCLINIC_REQUIRE_ALL is")
        pytest.skip("PostgreSQL not configured (HSGCLINIC_TEST_PG_URL)")
    url = make_url(base)
    name = f"{url.database}_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url.set(database="postgres").render_as_string(hide_password=False))
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        if require_all():
            pytest.fail(f"PostgreSQL at {url.host}:{url.port} does not answer: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    scratch = url.set(database=name).render_as_string(hide_password=False)
    engine = make_engine(scratch)
    schema.upgrade(engine)
    engine.dispose()
    yield scratch
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# -- SQLite -------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test copies it (faster than migrating per test)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    schema.upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    target = tmp_path / "hsgclinic.db"
    shutil.copy(sqlite_template, target)
    return f"sqlite:///{target}"


# -- the clinic ---------------------------------------------------------------------------------------------------
@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(CLINIC_NOW.astimezone(dt.UTC))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("pg_url"))
    engine = make_engine(url)
    empty_tables(engine)
    engine.dispose()
    return url


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(db_url, tmp_path, daily_numbers=5, procedure_capacity=3)


@pytest.fixture
def clinic(settings: Settings, clock: FixedClock) -> Iterator[Clinic]:
    c = build_clinic(settings, clock=clock, cache_seconds=60)
    yield c
    c.dispose()


@pytest.fixture
def public() -> Actor:
    return Actor.public("203.0.113.7")


@pytest.fixture
def registrar() -> Actor:
    return Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2", user_id=None)


@pytest.fixture
def doctor() -> Actor:
    return Actor(Role.DOCTOR, "dr.li", "10.0.0.3")


@pytest.fixture
def radiologist() -> Actor:
    return Actor(Role.RADIOLOGIST, "dr.zhao", "10.0.0.4")


@pytest.fixture
def admin() -> Actor:
    return Actor(Role.ADMIN, "admin", "10.0.0.5")


class PersonFactory:
    """Synthetic people: ``person(n)`` → dict(name, id_number, phone)."""

    def __call__(self, n: int) -> dict[str, str]:
        return {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n)}


@pytest.fixture
def person() -> PersonFactory:
    return PersonFactory()
