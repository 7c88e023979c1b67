"""The unit of work (cosmicpython): one use case = one transaction, committed by the service, never by a route.

``with uow_factory(write=True) as uow: …; uow.commit()`` — leaving the block without ``commit()`` rolls back.
A write unit of work on SQLite holds the process's write lock and opens with ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from types import TracebackType

from sqlalchemy import Connection, Engine, RootTransaction
from sqlalchemy.orm import Session

from hsgclinic.persistence.engine import write_lock_for


class UnitOfWork:
    session: Session
    dialect: str

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool,
        serialise_writes: bool = True,
        deferred: bool = False,
        single_statement: bool = False,
        on_commit: Callable[[dict[object, object]], None] | None = None,
    ) -> None:
        self._engine = engine
        self._on_commit = on_commit  # runs with the session's info after a successful commit
        self._write = write
        self._deferred = deferred  # tests only: a write transaction that starts with a plain BEGIN on SQLite
        # a write of one atomic statement: on PostgreSQL in autocommit (no BEGIN/COMMIT round trips)
        self._single_statement = single_statement
        self.dialect = engine.dialect.name
        self._lock: threading.Lock | None = write_lock_for(engine) if (write and serialise_writes) else None
        self._conn: Connection | None = None
        self._tx: RootTransaction | None = None
        self._done = False

    def __enter__(self) -> UnitOfWork:
        if self._lock is not None:
            self._lock.acquire()
        try:
            conn = self._engine.connect().execution_options(hsg_write=self._write and not self._deferred)
            if (not self._write or self._single_statement) and self.dialect == "postgresql":
                # a read is one statement's snapshot, a single-statement write is atomic by itself:
                # no BEGIN/COMMIT round trips
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            self._conn = conn
            self._tx = conn.begin()
            self.session = Session(bind=conn, expire_on_commit=False, autoflush=True)
        except BaseException:
            self._release()
            raise
        return self

    def commit(self) -> None:
        assert self._tx is not None
        self.session.flush()
        self._tx.commit()
        self._done = True
        if self._on_commit is not None and self.session.info:
            self._on_commit(self.session.info)

    def rollback(self) -> None:
        if self._tx is not None and self._tx.is_active:
            self._tx.rollback()
        self._done = True

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if not self._done:
                self.rollback()
            self.session.close()
        finally:
            self._release()

    def _release(self) -> None:
        try:
            if self._conn is not None:
                self._conn.close()
        finally:
            self._conn = None
            if self._lock is not None:
                self._lock.release()
                self._lock = None


UnitOfWorkFactory = Callable[..., UnitOfWork]


def uow_factory(
    engine: Engine, on_commit: Callable[[dict[object, object]], None] | None = None
) -> Callable[..., UnitOfWork]:
    """``on_commit`` (optional) is called with ``session.info`` after each successful commit (e.g. the places a
    transaction returned, see persistence/locking.py), outside the transaction and never on a rollback."""

    def make(
        *, write: bool = True, serialise_writes: bool = True, deferred: bool = False, single_statement: bool = False
    ) -> UnitOfWork:
        return UnitOfWork(
            engine,
            write=write,
            serialise_writes=serialise_writes,
            deferred=deferred,
            single_statement=single_statement,
            on_commit=on_commit,
        )

    return make
