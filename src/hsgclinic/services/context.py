"""What every service is given: settings, the unit of work, a clock, the clinic calendar and the place guard."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from hsgclinic.config import Settings
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.persistence.locking import PlaceGuard
from hsgclinic.persistence.sealing import KeyRing
from hsgclinic.persistence.unit_of_work import UnitOfWork
from hsgclinic.services.sold_out import SoldOutBoard


class Clock:
    """The real clock (UTC, aware)."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FixedClock(Clock):
    """A clock tests set and move."""

    def __init__(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self.instant = instant

    def now(self) -> dt.datetime:
        return self.instant

    def set(self, instant: dt.datetime) -> None:
        self.instant = instant

    def advance(self, delta: dt.timedelta) -> None:
        self.instant += delta


class Role(enum.StrEnum):
    REGISTRAR = "registrar"  # registrar / nurse: numbers, check-in, payments
    DOCTOR = "doctor"  # screening, application form
    RADIOLOGIST = "radiologist"  # procedure, report, sign
    ADMIN = "admin"  # settings, calendar, users, audit
    PATIENT = "patient"  # her own records, by access code + last 4 of the ID
    PUBLIC = "public"  # anyone (taking a number)
    MODALITY = "modality"  # a DICOM modality (the fluoroscopy unit), known by its calling AE title and address


@dataclass(frozen=True)
class Actor:
    """Who asks, for permissions and the audit trail."""

    role: Role
    name: str
    address: str = ""
    user_id: int | None = None
    patient_id: int | None = None
    registration_id: int | None = None
    display_name: str = ""  # a staff user's name as colleagues and patients see it (赵医生); "" for others

    @classmethod
    def public(cls, address: str = "") -> Actor:
        return cls(Role.PUBLIC, "public", address)

    @property
    def shown_name(self) -> str:
        """The name to print on a report, receipt or procedure record: the display name, else the username."""
        return self.display_name or self.name

    @property
    def is_staff(self) -> bool:
        return self.role in (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)


@dataclass(frozen=True)
class Effective:
    """Settings an administrator can change in the database (a NULL column falls back to the environment)."""

    daily_numbers: int
    procedure_capacity: int
    release_time: dt.time
    booking_horizon_days: int
    price_cny: Decimal


@dataclass
class ServiceContext:
    settings: Settings
    uow: Callable[..., UnitOfWork]
    clock: Clock
    calendar_for: Callable[[dt.date], ClinicCalendar]
    effective: Callable[[], Effective]
    guard: PlaceGuard = field(default_factory=PlaceGuard)
    on_calendar_change: Callable[[], None] = lambda: None
    on_settings_change: Callable[[], None] = lambda: None
    sold_out: SoldOutBoard = field(default_factory=lambda: SoldOutBoard(ttl=0))  # off unless bootstrap wires it

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    @property
    def key_ring(self) -> KeyRing:
        """The data keys that seal the resident ID number (parsed once per key setting)."""
        return KeyRing.parse(self.settings.data_key_spec)

    def now(self) -> dt.datetime:
        return self.clock.now()

    def now_local(self) -> dt.datetime:
        """Clinic-local wall time, naive (the domain's convention)."""
        return self.clock.now().astimezone(self.tz).replace(tzinfo=None)

    def today(self) -> dt.date:
        return self.now_local().date()

    def write(self) -> UnitOfWork:
        """A write unit of work; with the guard off (tests only) SQLite gets a deferred BEGIN and no lock."""
        if self.guard.enabled:
            return self.uow(write=True)
        return self.uow(write=True, serialise_writes=False, deferred=True)

    def read(self) -> UnitOfWork:
        return self.uow(write=False, serialise_writes=False)
