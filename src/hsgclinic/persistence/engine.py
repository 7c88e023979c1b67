"""Engines for SQLite (embedded default) and PostgreSQL.

SQLite: WAL, foreign keys on, the pysqlite driver's own transaction handling switched off
(``isolation_level=None``) so that we emit ``BEGIN`` ourselves — ``BEGIN IMMEDIATE`` for a write unit of work,
taking the write lock up front instead of upgrading a read lock later (the upgrade is where SQLITE_BUSY and its
busy-wait retries come from). Writes are additionally serialised inside the process by a lock, so threads of
one server queue in FIFO order instead of busy-waiting on the file lock (p99 near 1 s otherwise).

PostgreSQL: READ COMMITTED; a ``lock_timeout`` so that no request waits for a row lock for ever.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock_for(engine: Engine) -> threading.Lock | None:
    """The in-process write lock of a SQLite database file (None for PostgreSQL: it needs none)."""
    if engine.dialect.name != "sqlite":
        return None
    key = str(engine.url.database)
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(key, threading.Lock())


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _sqlite_events(engine)
        return engine
    connect_args: dict[str, Any] = {"options": "-c lock_timeout=10000 -c idle_in_transaction_session_timeout=60000"}
    return create_engine(
        url, echo=echo, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=False, connect_args=connect_args
    )


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see the "begin" hook)
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        write = conn.get_execution_options().get("hsg_write", True)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
