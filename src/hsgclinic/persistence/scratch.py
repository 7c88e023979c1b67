"""``db check``: apply the migrations to a scratch database of the same kind and compare with the models."""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from hsgclinic.persistence import schema
from hsgclinic.persistence.engine import make_engine


def check_models_against_migrations(url: str) -> list[str]:
    """Differences between the models and the migrations (empty = they agree)."""
    problems: list[str] = []
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'check.db'}")
            schema.upgrade(engine)
            problems += [f"migrations: {d}" for d in schema.differences(engine)]
            engine.dispose()
    else:
        name = f"{parsed.database}_check_{uuid.uuid4().hex[:8]}"
        admin = make_engine(parsed.set(database="postgres").render_as_string(hide_password=False))
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            engine = make_engine(parsed.set(database=name).render_as_string(hide_password=False))
            schema.upgrade(engine)
            problems += [f"migrations: {d}" for d in schema.differences(engine)]
            engine.dispose()
        finally:
            with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    target = make_engine(url)
    try:
        if schema.is_up_to_date(target):
            problems += [f"database: {d}" for d in schema.differences(target)]
    except Exception:  # noqa: S110 - an empty or unreachable target only skips the second comparison
        pass
    finally:
        target.dispose()
    return problems
