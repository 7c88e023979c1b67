"""Backups and restores of the clinic's database, consistent while the app keeps running (docs/operations.md).

* **SQLite** (the embedded default): SQLite's online backup API (``sqlite3.Connection.backup``) copies the whole
  database in one step inside one read transaction, so the copy is the database as of one instant — every
  transaction committed before it, none after — while the servers keep writing (WAL: readers never block writers).
  The copy is checked (``PRAGMA integrity_check``) and renamed into place only when complete.
* **PostgreSQL**: ``pg_dump --format=custom`` (one repeatable-read snapshot, the same promise), restored with
  ``pg_restore --single-transaction --exit-on-error``. The password goes to pg_dump through ``PGPASSWORD``, never
  on its command line. The UNLOGGED ``grab_windows`` table's rows (the last minute's rate counts) are left out.

A restore goes into an **empty** database only (refused otherwise), and says which schema revision it brought.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url

from hsgclinic.persistence.engine import make_engine


class BackupError(RuntimeError):
    """A backup or restore that cannot be done (the message says why, with no password in it)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str  # "sqlite" | "postgresql"
    size_bytes: int
    seconds: float
    revision: str | None


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - no shell
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _revision_sqlite(path: Path) -> str | None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        con.close()
    return str(row[0]) if row else None


def backup(database_url: str, out: Path) -> BackupResult:
    """Write a consistent copy of the database to ``out`` (created, or replaced only once the copy is complete)."""
    url = make_url(database_url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if url.get_backend_name() == "sqlite":
            kind = "sqlite"
            source_path = _sqlite_path(url)
            if not source_path.is_file():
                raise BackupError(f"no database file at {source_path}")
            source = sqlite3.connect(source_path, timeout=30)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # all pages in one step: one read transaction, one instant
                check = target.execute("PRAGMA integrity_check").fetchone()
                if check is None or check[0] != "ok":
                    raise BackupError(f"the copy fails its integrity check: {check}")
            finally:
                target.close()
                source.close()
            revision = _revision_sqlite(tmp)
        elif url.get_backend_name() == "postgresql":
            kind = "postgresql"
            conninfo, env = _libpq(url)
            _run(
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--no-unlogged-table-data",
                    f"--file={tmp}",
                    f"--dbname={conninfo}",
                ],
                env,
            )
            revision = _revision_postgres(url)
        else:
            raise BackupError(f"cannot back up a {url.get_backend_name()} database")
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return BackupResult(out, kind, out.stat().st_size, time.monotonic() - started, revision)


def _revision_postgres(url: URL) -> str | None:
    engine = make_engine(url.render_as_string(hide_password=False), pool_size=1)
    try:
        with engine.connect() as c:
            if not inspect(c).has_table("alembic_version"):
                return None
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    finally:
        engine.dispose()


def _is_empty(database_url: str) -> bool:
    engine = make_engine(database_url, pool_size=1)
    try:
        with engine.connect() as c:
            return not inspect(c).get_table_names()
    finally:
        engine.dispose()


def restore(backup_file: Path, database_url: str) -> BackupResult:
    """Restore ``backup_file`` into the empty database at ``database_url`` (a SQLite file that does not exist yet
    or has no tables; a PostgreSQL database with no tables)."""
    url = make_url(database_url)
    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    started = time.monotonic()
    if url.get_backend_name() == "sqlite":
        target_path = _sqlite_path(url)
        if target_path.exists() and target_path.stat().st_size > 0 and not _is_empty(database_url):
            raise BackupError(f"{target_path} is not empty: restore only into a new, empty database")
        try:
            source = sqlite3.connect(f"file:{backup_file.resolve()}?mode=ro", uri=True)
            check = source.execute("PRAGMA integrity_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{backup_file} is not a SQLite backup: {exc}") from None
        if check is None or check[0] != "ok":
            source.close()
            raise BackupError(f"{backup_file} fails its integrity check: {check}")
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
            source.close()
        revision = _revision_sqlite(target_path)
        kind = "sqlite"
    elif url.get_backend_name() == "postgresql":
        if not _is_empty(database_url):
            raise BackupError(f"database {url.database!r} is not empty: restore only into a new, empty database")
        conninfo, env = _libpq(url)
        _run(
            [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={conninfo}",
                str(backup_file),
            ],
            env,
        )
        revision = _revision_postgres(url)
        kind = "postgresql"
    else:
        raise BackupError(f"cannot restore into a {url.get_backend_name()} database")
    return BackupResult(backup_file, kind, backup_file.stat().st_size, time.monotonic() - started, revision)
