"""What this process knows about days whose registration numbers are all taken (docs/decisions/0004-rush-tail.md).

Most of a 07:00 rush is losers: phones and bots retrying after the last number is gone. The database already
answers them without a lock (the cheap look of :func:`hsgclinic.services.registration.take_number`), but every
answer still costs the grab-limit bump and a read. The board lets a server answer "sold out" from memory.

It decides **no grant**: a day on the board is only ever refused, and the board forgets a day

* at once in this process when a number of that day comes back and the change commits (the unit of work's
  commit hook, :func:`forget_returned`),
* within milliseconds in every other process on PostgreSQL (``NOTIFY hsgclinic_places`` sent in the returning
  transaction, delivered on commit to :mod:`hsgclinic.persistence.place_events`), and
* after ``ttl`` seconds in any case (the safety net; on SQLite with several processes it is the bound).

A mark is taken only with the *generation* read before the database said "sold out": a number that came back
while the request was looking (its commit hook ran in between) bumps the generation and the stale mark is dropped.
On PostgreSQL the board is trusted only while the listener is connected; when the listener drops, every mark is
forgotten and nothing is marked until it is back.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterable


class SoldOutBoard:
    """Per-process, thread-safe. ``ttl`` ≤ 0 switches the board off (every request goes to the database)."""

    def __init__(
        self,
        ttl: float = 2.0,
        *,
        trusted: bool = True,
        monotonic: Callable[[], float] = time.monotonic,
        wake: Callable[[], None] | None = None,
    ):
        """``wake`` is called once, at the first mark refused because the board is not trusted yet (bootstrap
        starts the PostgreSQL listener there, so that a process that never sees a sold-out day never listens)."""
        self.ttl = ttl
        self._wake = wake
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._marked: dict[dt.date, float] = {}  # day → monotonic time it was marked
        self._generation: dict[dt.date, int] = {}
        self._epoch = 0  # bumped by forget_all: marks taken before it are stale for every day
        self._trusted = trusted

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def generation(self, day: dt.date) -> tuple[int, int]:
        """Read before asking the database; pass to :meth:`mark`."""
        with self._lock:
            return self._epoch, self._generation.get(day, 0)

    def is_sold_out(self, day: dt.date) -> bool:
        if not self.enabled:
            return False
        with self._lock:
            at = self._marked.get(day)
            if at is None:
                return False
            if self._monotonic() - at >= self.ttl:
                del self._marked[day]
                return False
            return True

    def mark(self, day: dt.date, seen: tuple[int, int]) -> bool:
        """The database said ``day`` is sold out after :meth:`generation` returned ``seen``. Kept unless a number
        of that day came back since (or the board is not trusted now). Returns whether the mark was kept."""
        if not self.enabled:
            return False
        wake = None
        with self._lock:
            if not self._trusted:
                wake, self._wake = self._wake, None
            elif seen == (self._epoch, self._generation.get(day, 0)):
                self._marked[day] = self._monotonic()
                return True
        if wake is not None:
            wake()
        return False

    def forget(self, days: Iterable[dt.date]) -> None:
        """Numbers of these days came back (a cancellation, a larger quota): the next request asks the database."""
        with self._lock:
            for day in days:
                self._marked.pop(day, None)
                self._generation[day] = self._generation.get(day, 0) + 1

    def forget_all(self, *, trusted: bool | None = None) -> None:
        """Forget every mark (the listener reconnected or dropped); ``trusted`` sets whether new marks are kept."""
        with self._lock:
            self._marked.clear()
            self._epoch += 1
            if trusted is not None:
                self._trusted = trusted

    def marked_days(self) -> list[dt.date]:
        with self._lock:
            return sorted(self._marked)
