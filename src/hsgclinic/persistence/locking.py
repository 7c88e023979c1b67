"""The rule for scarce places (registration numbers, procedure places) — see docs/decisions/0001-scarce-places.md.

A place is taken by ONE conditional statement on the day's counter row::

    UPDATE day_counters SET remaining = remaining - 1, taken = <lowest '0' set to '1'>, last_taken = <its position>
    WHERE resource = :r AND day = :d AND remaining > 0 RETURNING last_taken

On PostgreSQL the INSERT of the holder's row rides in the same statement (a data-modifying CTE), so the hot row's
lock is held for one statement plus the commit. The row lock serialises the takers of one day; READ COMMITTED
re-evaluates ``remaining > 0`` and the SET expressions on the newest row version, so the count can never go
below zero and two takers never get the same number. On SQLite the write transaction (BEGIN IMMEDIATE, behind
the process's write lock) serialises everything; the statement is the same.

:class:`PlaceGuard` is the injected hook the concurrency tests switch off: disabled, the quota check is a
separate read before an unconditional decrement (check-then-act) and, on SQLite, the write transaction is a
plain deferred BEGIN without the process lock — which is exactly the race the guard exists to prevent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, String, Table, and_, case, func, insert, literal, select, update
from sqlalchemy import cast as cast_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hsgclinic.persistence.models import AuditEvent, DayCounter

COUNTERS = cast(Table, DayCounter.__table__)
REGISTRATION = "registration"
PROCEDURE = "procedure"


@dataclass
class PlaceGuard:
    """``enabled=False`` only in tests that demonstrate the oversell. ``after_check`` runs between the cheap
    read of the counter and the write (tests put a barrier there so that every taker reads before any writes)."""

    enabled: bool = True
    after_check: Callable[[], None] | None = None


def _lowest_free(dialect: str) -> ColumnElement[Any]:
    taken = COUNTERS.c.taken
    pos = func.strpos(taken, "0") if dialect == "postgresql" else func.instr(taken, "0")
    # With the guard on there is always a free position; without it an oversold number extends the string.
    return case((pos > 0, pos), else_=func.length(taken) + 1)


def _with_position(position: ColumnElement[Any], flag: str) -> ColumnElement[Any]:
    taken = COUNTERS.c.taken
    return func.substr(taken, 1, position - 1).concat(flag).concat(func.substr(taken, position + 1))


def remaining(session: Session, resource: str, day: dt.date) -> int | None:
    """The counter's remaining places as of now (None when the day's counter does not exist yet). No lock."""
    return session.execute(
        select(DayCounter.remaining).where(DayCounter.resource == resource, DayCounter.day == day)
    ).scalar_one_or_none()


def ensure_counter(session: Session, resource: str, day: dt.date, quota: int) -> None:
    """Create the day's counter with ``quota`` places if it does not exist (concurrent creators are fine)."""
    values = {"resource": resource, "day": day, "quota": quota, "remaining": quota, "taken": "0" * quota}
    dialect = session.get_bind().dialect.name
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(maker(DayCounter).values(**values, last_taken=0).on_conflict_do_nothing())


def _grant_statement(resource: str, day: dt.date, dialect: str, guard: PlaceGuard) -> Any:
    t = COUNTERS
    position = _lowest_free(dialect)
    where = and_(t.c.resource == resource, t.c.day == day)
    if guard.enabled:
        where = and_(where, t.c.remaining > 0)
    return (
        update(t)
        .where(where)
        .values(remaining=t.c.remaining - 1, last_taken=position, taken=_with_position(position, "1"))
        .returning(t.c.last_taken)
    )


def take_place(
    session: Session,
    resource: str,
    day: dt.date,
    *,
    quota: int,
    guard: PlaceGuard,
    holder: Table,
    values: Mapping[str, Any],
    number_column: str,
    audit: Mapping[str, Any] | None = None,
    counter_known: bool = False,
) -> tuple[int, int] | None:
    """Take the lowest free place of ``day`` and insert the holder's row; ``(row id, number)`` or None if full.

    ``audit`` (the values of an :class:`AuditEvent` without ``record_id``) is written in the same statement on
    PostgreSQL, so that the hot row's lock is held for one statement and the commit only.
    ``counter_known``: the caller has made sure the day's counter exists, so with the guard on the extra read
    is skipped (the conditional UPDATE is the check). Must run inside a write unit of work. The caller commits
    (or rolls back on a constraint violation).
    """
    dialect = session.get_bind().dialect.name
    if not (counter_known and guard.enabled):  # with the guard the conditional UPDATE is the check
        left = remaining(session, resource, day)
        if left is None:
            ensure_counter(session, resource, day, quota)
            left = remaining(session, resource, day)
        if left is None or left <= 0:
            return None
    if guard.after_check is not None:
        guard.after_check()
    grant = _grant_statement(resource, day, dialect, guard)
    columns = [*values.keys(), number_column]
    if dialect == "postgresql":
        granted = grant.cte("granted")
        params = [literal(v, type_=holder.c[k].type) for k, v in values.items()]
        stmt = (
            insert(holder)
            .from_select(columns, select(*params, granted.c.last_taken))
            .returning(holder.c.id, holder.c[number_column])
        )
        if audit is None:
            row = session.execute(stmt).first()
            return None if row is None else (int(row[0]), int(row[1]))
        held = stmt.cte("held")
        events = cast(Table, AuditEvent.__table__)
        audit_cols = [*audit.keys(), "record_id"]
        audit_params = [literal(v, type_=events.c[k].type) for k, v in audit.items()]
        audit_stmt = insert(events).from_select(audit_cols, select(*audit_params, cast_(held.c.id, String)))
        logged = audit_stmt.cte("logged")
        row = session.execute(select(held.c.id, held.c[number_column]).add_cte(logged)).first()
        return None if row is None else (int(row[0]), int(row[1]))
    number = session.execute(grant).scalar_one_or_none()
    if number is None:
        return None
    new_id = session.execute(
        insert(holder).values(**values, **{number_column: number}).returning(holder.c.id)
    ).scalar_one()
    if audit is not None:
        session.execute(insert(AuditEvent).values(**audit, record_id=str(new_id)))
    return int(new_id), int(number)


PLACES_CHANNEL = "hsgclinic_places"  # NOTIFY channel: "<resource>:<day>" when places of a day come back
RETURNED_KEY = "hsg_places_returned"  # session.info: {(resource, day)} returned in this transaction


def _announce_returned(session: Session, resource: str, days: list[dt.date]) -> None:
    """Places of ``days`` came back: the commit hook tells this process, NOTIFY tells the other servers (PostgreSQL
    delivers it only when the transaction commits). See services/sold_out.py."""
    if not days:
        return
    session.info.setdefault(RETURNED_KEY, set()).update((resource, d) for d in days)
    if session.get_bind().dialect.name == "postgresql":
        for d in days:
            session.execute(select(func.pg_notify(PLACES_CHANNEL, f"{resource}:{d.isoformat()}")))


def return_place(session: Session, resource: str, day: dt.date, number: int) -> None:
    """A cancelled number or place goes back to the pool (REG-SEQ): the lowest free one is handed out next."""
    t = COUNTERS
    pos = literal(number)
    session.execute(
        update(t)
        .where(t.c.resource == resource, t.c.day == day, func.substr(t.c.taken, number, 1) == "1")
        .values(remaining=t.c.remaining + 1, taken=_with_position(pos, "0"))
    )
    _announce_returned(session, resource, [day])


def resize_from(session: Session, resource: str, first_day: dt.date, quota: int) -> int:
    """Apply a new quota to the existing counters of ``first_day`` onwards (an admin's change): the day keeps
    every number already taken, so it never shrinks below its highest taken number. Returns the days changed."""
    rows = (
        session.execute(
            select(DayCounter).where(DayCounter.resource == resource, DayCounter.day >= first_day).with_for_update()
        )
        .scalars()
        .all()
    )
    for row in rows:
        highest = row.taken.rfind("1") + 1
        size = max(quota, highest)
        taken = row.taken[:size].ljust(size, "0")
        grew = taken.count("0") > row.remaining
        row.quota, row.taken, row.remaining = size, taken, taken.count("0")
        if grew:
            _announce_returned(session, resource, [row.day])
    return len(rows)
