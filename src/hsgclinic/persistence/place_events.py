"""LISTEN for places that came back on any server (PostgreSQL only); see services/sold_out.py.

:func:`hsgclinic.persistence.locking.return_place` sends ``NOTIFY hsgclinic_places, '<resource>:<day>'`` inside
the returning transaction; PostgreSQL delivers it to every listening session only when that transaction commits.
One daemon thread per process holds one extra connection (autocommit) and calls ``on_returned(resource, day)``.
While it is not connected it reports ``on_state(False)`` so that nothing is answered from memory; after
(re)connecting it reports ``on_state(True)``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

import psycopg
from sqlalchemy import Engine

from hsgclinic.persistence.locking import PLACES_CHANNEL

log = logging.getLogger(__name__)


class PlaceListener:
    def __init__(
        self,
        engine: Engine,
        on_returned: Callable[[str, dt.date], None],
        on_state: Callable[[bool], None],
        *,
        retry_seconds: float = 1.0,
    ) -> None:
        url = engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._on_returned = on_returned
        self._on_state = on_state
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hsg-place-events", daemon=True)

    def start(self) -> None:
        if not self._thread.is_alive() and not self._stop.is_set():
            self._thread.start()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {PLACES_CHANNEL}")
                    self._on_state(True)
                    self._connected.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.2):
                            self._deliver(note.payload)
            except Exception as exc:  # the database went away: answer from the database until we are back
                log.warning("place listener disconnected (%s); sold-out answers come from the database", exc)
            self._connected.clear()
            self._on_state(False)
            self._stop.wait(self._retry)

    def _deliver(self, payload: str) -> None:
        resource, _, day = payload.partition(":")
        try:
            self._on_returned(resource, dt.date.fromisoformat(day))
        except ValueError:
            log.warning("ignored a malformed place event %r", payload)
