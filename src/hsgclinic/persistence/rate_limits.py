"""The number-grab rate limit's counter (see docs/decisions/0001-scarce-places.md, "Rate limit").

One row per (client, clock minute) in ``grab_windows``; an attempt is ONE atomic statement::

    INSERT INTO grab_windows (client_key, window_minute, count) VALUES (:k, :m, 1)
    ON CONFLICT (client_key, window_minute) DO UPDATE SET count = grab_windows.count + 1
    RETURNING count

PostgreSQL serialises concurrent bumps of one client's row on its row lock (the ON CONFLICT path re-reads the
newest version), so N concurrent attempts return exactly 1..N whichever server they reach. SQLite (3.35+ for
RETURNING) runs it in a write transaction behind the process's write lock and the file lock. It never touches a
day counter.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hsgclinic.persistence.models import GrabWindow

WINDOWS = cast(Table, GrabWindow.__table__)


def _bump_statement(dialect: str) -> Any:
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    upsert = maker(WINDOWS).values(
        client_key=bindparam("client_key"), window_minute=bindparam("window_minute"), count=1
    )
    return upsert.on_conflict_do_update(
        index_elements=[WINDOWS.c.client_key, WINDOWS.c.window_minute], set_={"count": WINDOWS.c.count + 1}
    ).returning(WINDOWS.c.count)


# Built once: constructing the statement per attempt cost about as much Python time as executing it.
_BUMP = {dialect: _bump_statement(dialect) for dialect in ("postgresql", "sqlite")}


def bump(session: Session, client_key: str, minute: int) -> int:
    """Count one attempt of ``client_key`` in ``minute`` (Unix time // 60); the attempts so far, this one included."""
    stmt = _BUMP["postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"]
    return int(session.execute(stmt, {"client_key": client_key, "window_minute": minute}).scalar_one())


def prune(session: Session, before_minute: int) -> int:
    """Delete the windows that started before ``before_minute`` (an index range; the rows are few)."""
    result = session.execute(delete(WINDOWS).where(WINDOWS.c.window_minute < before_minute))
    return int(getattr(result, "rowcount", 0) or 0)
