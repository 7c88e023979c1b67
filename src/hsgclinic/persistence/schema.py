"""Alembic, driven from code: upgrade, current revision, head, and "do models and migrations agree" (db check)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from hsgclinic.persistence.base import Base, load_all_models

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
load_all_models()


class SchemaOutOfDate(RuntimeError):
    pass


def alembic_config(engine: Engine, data_key_spec: str | None = None) -> Config:
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    if data_key_spec is not None:  # the key ring a data migration seals with (0008); else read from the environment
        cfg.attributes["data_key_spec"] = data_key_spec
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def head() -> str:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    rev = script.get_current_head()
    assert rev is not None
    return rev


def current(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head", *, data_key_spec: str | None = None) -> None:
    command.upgrade(alembic_config(engine, data_key_spec), revision)


def is_up_to_date(engine: Engine) -> bool:
    return current(engine) == head()


def differences(engine: Engine) -> list[Any]:
    """What autogenerate would change (empty = models and migrations agree), on an upgraded database."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return list(compare_metadata(ctx, Base.metadata))


def ensure_schema(engine: Engine, *, embedded: bool, data_key_spec: str | None = None) -> None:
    """The embedded SQLite default upgrades itself; any other database must already be at head."""
    if is_up_to_date(engine):
        return
    if embedded:
        upgrade(engine, data_key_spec=data_key_spec)
        return
    raise SchemaOutOfDate(
        f"the database schema is at {current(engine) or 'nothing'}, the code needs {head()}: "
        "run `hsgclinic db upgrade` first"
    )
