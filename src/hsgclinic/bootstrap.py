"""Wires settings → engine → services. Nothing is built at import time: call :func:`build_clinic` in an entry point.

The :class:`Clinic` it returns is what the web app, the CLI and the UI use: ``clinic.ctx`` is the
:class:`~hsgclinic.services.context.ServiceContext` every service function takes, e.g.::

    from hsgclinic.services import registration
    taken = registration.take_number(clinic.ctx, Actor.public(ip), day=…, name=…, id_number=…, phone=…)

Cached in the process, with a short time-to-live so that several servers agree within seconds: the clinic
calendar (built from the ``holidays`` package + notice files + the notices and overrides stored in the database,
all re-read together when it expires) and the administrator-edited clinic settings. Local edits invalidate the
cache at once. Nothing that decides who gets a
place is ever cached (see docs/decisions/0001-scarce-places.md).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Engine, select

from hsgclinic.calendar_source import (
    CalendarOverride,
    HolidayNotice,
    OverrideKind,
    calendar_around,
    load_notice_dir,
    parse_notice,
)
from hsgclinic.config import Settings, SiteProfile
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.i18n import Translator, translator
from hsgclinic.persistence import schema
from hsgclinic.persistence.calendar_notice_models import CalendarNoticeRow
from hsgclinic.persistence.engine import make_engine
from hsgclinic.persistence.locking import REGISTRATION, RETURNED_KEY, PlaceGuard
from hsgclinic.persistence.models import CalendarOverrideRow, ClinicSettingsRow
from hsgclinic.persistence.place_events import PlaceListener
from hsgclinic.persistence.unit_of_work import uow_factory
from hsgclinic.services.context import Clock, Effective, ServiceContext
from hsgclinic.services.sold_out import SoldOutBoard

CACHE_SECONDS = 5.0
T = TypeVar("T")


class _TTL:
    """A value recomputed when older than ``seconds`` or after :meth:`clear`. While one thread recomputes, the
    others keep using the previous value (no stampede of calendar builds when it expires under load)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._values: dict[object, tuple[float, object]] = {}
        self._refreshing: set[object] = set()

    def get(self, key: object, make: Callable[[], T]) -> T:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
            fresh = hit is not None and now - hit[0] < self.seconds
            if hit is not None and not fresh and key in self._refreshing:
                return hit[1]  # type: ignore[return-value]
            if not fresh:
                self._refreshing.add(key)
        if fresh and hit is not None:
            return hit[1]  # type: ignore[return-value]
        try:
            value = make()
        finally:
            with self._lock:
                self._refreshing.discard(key)
        with self._lock:
            self._values[key] = (time.monotonic(), value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


@dataclass(frozen=True)
class CalendarProvider:
    calendar_for: Callable[[dt.date], ClinicCalendar]

    def for_day(self, day: dt.date) -> ClinicCalendar:
        return self.calendar_for(day)

    def around(self, day: dt.date) -> ClinicCalendar:
        return self.calendar_for(day)


@dataclass
class Clinic:
    settings: Settings
    engine: Engine
    ctx: ServiceContext
    aux_engine: Engine | None = None
    place_listener: PlaceListener | None = None

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def site(self) -> SiteProfile:
        return self.settings.site

    @property
    def calendar(self) -> CalendarProvider:
        """``clinic.calendar.for_day(day)`` / ``.around(day)``: the calendar with the database's overrides."""
        return CalendarProvider(self.ctx.calendar_for)

    def translator(self, lang: str | None) -> Translator:
        return translator(lang)

    def dispose(self) -> None:
        if self.place_listener is not None:
            self.place_listener.stop()
        self.engine.dispose()
        if self.aux_engine is not None:
            self.aux_engine.dispose()


def build_clinic(
    settings: Settings,
    *,
    clock: Clock | None = None,
    engine: Engine | None = None,
    guard: PlaceGuard | None = None,
    check_schema: bool = True,
    cache_seconds: float = CACHE_SECONDS,
) -> Clinic:
    """The wired application. Refuses an out-of-date schema, except the embedded SQLite default which upgrades."""
    if settings.is_embedded and settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine or make_engine(settings.resolved_database_url)
    if check_schema:
        schema.ensure_schema(engine, embedded=settings.is_embedded, data_key_spec=settings.data_key_spec)
    board, listener = _sold_out_board(settings, engine)
    uow = uow_factory(engine, on_commit=_forget_returned(board))
    # The caches load through their own tiny pool: a service holding a connection may ask for the calendar, and
    # loading it from the same pool could wait for ever when every connection is held by such a service.
    aux_engine = make_engine(engine.url.render_as_string(hide_password=False), pool_size=2)
    aux = uow_factory(aux_engine)
    file_notices = load_notice_dir(settings.calendar_notice_dir)
    calendars = _TTL(cache_seconds)
    effective_cache = _TTL(cache_seconds)

    def stored() -> tuple[list[HolidayNotice], list[CalendarOverride]]:
        """The database's part of the calendar, read together: loaded notices and single-day overrides."""
        with aux(write=False, serialise_writes=False) as u:
            notices = [parse_notice(r.notice) for r in u.session.execute(select(CalendarNoticeRow)).scalars()]
            rows = u.session.execute(select(CalendarOverrideRow)).scalars().all()
            return notices, [CalendarOverride(r.day, OverrideKind(r.kind), r.name_zh, r.name_en) for r in rows]

    def calendar_for(day: dt.date) -> ClinicCalendar:
        def make() -> ClinicCalendar:
            loaded, overrides = stored()
            # a notice loaded by an administrator wins over a notice file for the same year
            notices = list({n.year: n for n in [*file_notices, *loaded]}.values())
            return calendar_around(
                day, official_through=settings.holidays_official_through, notices=notices, overrides=overrides
            )

        return calendars.get(day.year, make)

    def effective() -> Effective:
        def make() -> Effective:
            with aux(write=False, serialise_writes=False) as u:
                row = u.session.get(ClinicSettingsRow, 1)
            return Effective(
                daily_numbers=_pick(row.daily_numbers if row else None, settings.daily_numbers),
                procedure_capacity=_pick(row.procedure_capacity if row else None, settings.procedure_capacity),
                release_time=_pick(row.release_time if row else None, settings.release_time),
                booking_horizon_days=_pick(row.booking_horizon_days if row else None, settings.booking_horizon_days),
                price_cny=_pick(row.price_cny if row else None, settings.price_cny),
            )

        return effective_cache.get("settings", make)

    ctx = ServiceContext(
        settings=settings,
        uow=uow,
        clock=clock or Clock(),
        calendar_for=calendar_for,
        effective=effective,
        guard=guard or PlaceGuard(),
        on_calendar_change=calendars.clear,
        on_settings_change=effective_cache.clear,
        sold_out=board,
    )
    return Clinic(settings=settings, engine=engine, ctx=ctx, aux_engine=aux_engine, place_listener=listener)


def _sold_out_board(settings: Settings, engine: Engine) -> tuple[SoldOutBoard, PlaceListener | None]:
    """The process's sold-out board (services/sold_out.py). On PostgreSQL it is trusted only while the LISTEN
    connection is up, so a number returned on another server is never refused from memory for longer than the
    notification takes; elsewhere (SQLite: one database file, one host) its time-to-live is the bound."""
    ttl = settings.sold_out_memory_seconds
    if ttl <= 0 or engine.dialect.name != "postgresql":
        return SoldOutBoard(ttl=ttl), None

    def returned(resource: str, day: dt.date) -> None:
        if resource == REGISTRATION:
            board.forget([day])

    listener = PlaceListener(engine, returned, lambda up: board.forget_all(trusted=up))
    board = SoldOutBoard(ttl=ttl, trusted=False, wake=listener.start)  # listens from the first sold-out day on
    return board, listener


def _forget_returned(board: SoldOutBoard) -> Callable[[dict[object, object]], None]:
    def hook(info: dict[object, object]) -> None:
        returned = info.pop(RETURNED_KEY, None)
        if isinstance(returned, set):
            board.forget(day for resource, day in returned if resource == REGISTRATION)

    return hook


def _pick(value: T | None, default: T) -> T:
    return default if value is None else value
