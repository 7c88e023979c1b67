"""Typed settings, read from the environment (prefix ``HSGCLINIC_``) and validated at start-up.

Nothing here is built at import time: call :func:`load_settings` once in the entry point and pass the object on.
Every clinical threshold of ``domain.md`` is a setting with the leaflet's default; :meth:`Settings.rules`
turns them into the pure :class:`hsgclinic.domain.rules.Rules` value the domain works with.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import ipaddress
import re
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hsgclinic.domain.rules import Rules

DEVELOPMENT_SECRET = "development-only-secret-key-change-me"


class SiteProfile(BaseSettings):
    """Where the clinic is and how to reach it (defaults from the leaflet)."""

    model_config = SettingsConfigDict(env_prefix="HSGCLINIC_SITE_", extra="ignore")

    name_zh: str = "妇产医院西院区 影像介入门诊"
    name_en: str = "Maternity Hospital West Campus — Imaging Interventional Clinic"
    address_zh: str = "东城区骑河楼 西院区门诊楼"
    address_en: str = "West Hospital Area, Qihelou Building, Dongcheng District"
    phone: str = "010-52277602"
    room_zh: str = "门诊楼二层 放射科 249 室"
    room_en: str = "Radiology, Room 249, 2nd floor, Outpatient Building"
    printer_zh: str = "门诊放射科 自助打印机"
    printer_en: str = "Self-service printer, Outpatient Radiology"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HSGCLINIC_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")
    database_url: str | None = None
    secret_key: str = DEVELOPMENT_SECRET
    # Sealing the resident ID number at rest (persistence/sealing.py): "kid:base64url-32-byte-key[,kid:key…]", the
    # first key seals, the others still open (rotation). Required in production; elsewhere derived from the secret.
    data_keys: str | None = Field(None, repr=False)
    # Personal data retention (DATA-RETAIN): outpatient records are kept at least 15 years after the last visit.
    retention_years: int = Field(15, ge=1, le=100)
    base_url: str = "http://127.0.0.1:8000"
    timezone: str = "Asia/Shanghai"

    # Registration numbers (REG-*)
    daily_numbers: int = Field(40, ge=1, le=1000)
    release_time: dt.time = dt.time(7, 0)
    booking_horizon_days: int = Field(0, ge=0, le=60)
    noshow_limit: int = Field(3, ge=1)
    noshow_window_days: int = Field(90, ge=1)
    noshow_suspension_days: int = Field(30, ge=1)
    grab_rate_per_minute: int = Field(
        30, ge=1, description="number grabs per client address per clock minute, one limit for all servers"
    )
    # Only behind the hospital's own reverse proxy: the header it sets with the client's address
    # (X-Forwarded-For: its last entry; X-Real-IP). Unset: the TCP peer's address is the client.
    trusted_proxy_header: str | None = None
    sold_out_memory_seconds: float = Field(
        2.0,
        ge=0,
        le=60,
        description="how long a server answers 'sold out' from memory before asking the database again (0: off); "
        "a returned number clears it at once (PostgreSQL: on every server through LISTEN/NOTIFY)",
    )

    # Procedure booking (BOOK-*)
    procedure_capacity: int = Field(20, ge=1, le=500)
    first_slot: dt.time = dt.time(8, 0)
    slot_minutes: int = Field(15, ge=5, le=120)
    price_cny: Decimal = Field(Decimal("1000.00"), ge=0, decimal_places=2)

    # Capacity planner (docs/capacity.md): women a month whose period ends (0: learn from the clinic's history),
    # the share who fail screening, and the no-show rate used until the clinic has a year of numbers to measure
    capacity_monthly_demand: int = Field(0, ge=0, le=100_000)
    capacity_screening_fail_share: float = Field(0.10, ge=0, le=1)
    capacity_default_noshow_rate: float = Field(0.05, ge=0, le=1)

    # Clinical thresholds (ELIG-*, BOOK-*, CARE-*, REPORT-*)
    max_temperature_c: Decimal = Decimal("37.5")
    visit_first_offset: int = 2
    visit_last_offset: int = 3
    window_first_offset: int = 3
    window_last_offset: int = 7
    lead_min_days: int = 1
    lead_max_days: int = 2
    ovulation_margin_days: int = 2
    min_regular_cycle_days: int = 25
    max_cycle_day_for_procedure: int = 12
    review_age: int = 40
    irregular_variation_days: int = 7
    abstain_days: int = 14
    bleeding_days: int = 7
    oil_contrast_wait_cycles: int = 3
    default_antibiotic_days: int = 3
    dose_fluoro_limit_s: int = 240
    postpartum_weeks: int = 6

    # Calendar (CAL-SOURCE): years up to this one are taken as official in the `holidays` package.
    holidays_official_through: int = 2026
    calendar_notice_dir: Path | None = None

    # Staff sessions
    session_hours: int = Field(10, ge=1, le=72)
    login_attempts_per_15min: int = Field(10, ge=1)
    password_hash_cost: Literal["normal", "fast-for-tests"] = "normal"

    # Messages (outbox)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "hsg-clinic@example.invalid"
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    smtp_timeout_s: float = Field(20.0, gt=0)
    outbox_max_attempts: int = Field(6, ge=1, le=50)
    outbox_backoff_base_s: int = Field(60, ge=1)  # retry n waits base × 2^(n−1), capped
    outbox_backoff_max_s: int = Field(6 * 3600, ge=1)
    outbox_lease_s: int = Field(300, ge=30)  # a claimed message not recorded within this is tried again
    reminder_visit_eve_time: dt.time = dt.time(18, 0)
    reminder_procedure_eve_time: dt.time = dt.time(19, 0)
    reminder_morning_time: dt.time = dt.time(8, 0)
    checkin_link_days: int = Field(60, ge=1)

    # DICOM Modality Worklist and MPPS (docs/dicom-conformance.md): `hsgclinic dicom serve`
    dicom_ae_title: str = Field("HSGCLINIC", pattern=r"^[A-Za-z0-9_.\- ]{1,16}$")  # our (called) AE title
    dicom_host: str = Field("127.0.0.1", min_length=1)  # 0.0.0.0 to accept the modality from the network
    dicom_port: int = Field(11112, ge=0, le=65535)  # 0: any free port (tests)
    dicom_allowed_ae_titles: str = "HSG_RF1"  # comma-separated calling AE titles accepted; others are rejected
    dicom_allowed_addresses: str | None = None  # comma-separated IP addresses (or networks) accepted; unset: any
    dicom_station_ae_title: str = Field("HSG_RF1", pattern=r"^[A-Za-z0-9_.\- ]{1,16}$")  # the RF unit's AE title
    dicom_station_name: str = Field("RF249", pattern=r"^[A-Za-z0-9_.\- ]{1,16}$")  # ScheduledStationName
    dicom_charset: Literal["ISO_IR 192", "GB18030"] = "ISO_IR 192"  # the worklist's SpecificCharacterSet
    dicom_issuer_of_patient_id: str = Field("HSGCLINIC", pattern=r"^[^\\\x00-\x1f]{1,64}$")
    dicom_undated_query_days: int = Field(1, ge=1, le=31)  # a query without a date: today and the next n−1 days
    dicom_max_range_days: int = Field(92, ge=1, le=366)  # a longer SPS date range is refused (0xA700)
    dicom_max_answers: int = Field(2000, ge=1, le=100000)  # answers to one query at most (then 0xA700)
    dicom_max_associations: int = Field(10, ge=1, le=200)
    dicom_network_timeout_s: float = Field(30.0, gt=0, le=3600)

    # HL7 v2 over MLLP (docs/hl7.md): the listener for ADT^A04/A08 and the peer that receives SIU/ORU/ORM/OMI
    hl7_listen_host: str = Field("127.0.0.1", min_length=1)
    hl7_listen_port: int = Field(2575, ge=0, le=65535)  # 0: any free port (tests)
    hl7_allowed_facilities: str | None = None  # comma-separated MSH-4 values accepted; unset: any
    hl7_charset: Literal["UTF-8", "GB18030"] = "UTF-8"  # MSH-18 "UNICODE UTF-8" / "GB 18030-2000"
    hl7_application: str = Field("HSGCLINIC", pattern=r"^[A-Za-z0-9_.-]{1,20}$")  # our MSH-3
    hl7_facility: str = Field("HSG", pattern=r"^[A-Za-z0-9_.-]{1,20}$")  # our MSH-4
    hl7_peer_host: str | None = None  # unset: nothing is sent and nothing is put in the outbox
    hl7_peer_port: int = Field(2575, ge=1, le=65535)
    hl7_peer_application: str = Field("HIS", pattern=r"^[A-Za-z0-9_.-]{1,20}$")  # their MSH-5
    hl7_peer_facility: str = Field("HOSPITAL", pattern=r"^[A-Za-z0-9_.-]{1,20}$")  # their MSH-6
    hl7_peer_timeout_s: float = Field(10.0, gt=0, le=300)
    hl7_order_message: Literal["none", "ORM^O01", "OMI^O23"] = "none"  # also send the HSG order
    hl7_backoff_max_s: int = Field(300, ge=1)  # HL7 messages are retried for ever, in order, at most this apart

    @field_validator(
        "release_time",
        "first_slot",
        "reminder_visit_eve_time",
        "reminder_procedure_eve_time",
        "reminder_morning_time",
        mode="before",
    )
    @classmethod
    def _hh_mm(cls, v: object) -> object:
        if isinstance(v, str):
            match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", v.strip())
            if match is None:
                raise ValueError(f"expected HH:MM (24-hour), got {v!r}")
            return dt.time(int(match[1]), int(match[2]))
        return v

    @field_validator("hl7_charset", mode="before")
    @classmethod
    def _hl7_charset(cls, v: object) -> object:
        if isinstance(v, str):
            return {"UTF8": "UTF-8", "UNICODEUTF8": "UTF-8", "GB180302000": "GB18030"}.get(
                re.sub(r"[^A-Z0-9]", "", v.upper()), v.strip().upper()
            )
        return v

    @field_validator("dicom_charset", mode="before")
    @classmethod
    def _dicom_charset(cls, v: object) -> object:
        if isinstance(v, str):
            key = re.sub(r"[^A-Z0-9]", "", v.upper())
            return {"ISOIR192": "ISO_IR 192", "UTF8": "ISO_IR 192", "GB18030": "GB18030"}.get(key, v.strip())
        return v

    @field_validator("dicom_allowed_ae_titles")
    @classmethod
    def _dicom_callers(cls, v: str) -> str:
        titles = [t.strip() for t in v.split(",") if t.strip()]
        if not titles or any(not re.fullmatch(r"[A-Za-z0-9_.\- ]{1,16}", t) for t in titles):
            raise ValueError("expected comma-separated AE titles (1–16 letters, digits, _ . - or spaces each)")
        return ",".join(titles)

    @field_validator("dicom_allowed_addresses")
    @classmethod
    def _dicom_addresses(cls, v: str | None) -> str | None:
        if v is None or not v.strip():
            return None
        nets = [n.strip() for n in v.split(",") if n.strip()]
        try:
            return ",".join(str(ipaddress.ip_network(n, strict=False)) for n in nets)
        except ValueError as exc:
            raise ValueError(f"expected comma-separated IP addresses or networks: {exc}") from None

    @property
    def dicom_callers(self) -> frozenset[str]:
        """The calling AE titles the DICOM service accepts."""
        return frozenset(self.dicom_allowed_ae_titles.split(","))

    @property
    def dicom_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] | None:
        """The caller addresses the DICOM service accepts; ``None``: any."""
        if self.dicom_allowed_addresses is None:
            return None
        return tuple(ipaddress.ip_network(n) for n in self.dicom_allowed_addresses.split(","))

    @field_validator("hl7_allowed_facilities")
    @classmethod
    def _hl7_facilities(cls, v: str | None) -> str | None:
        if v is None:
            return None
        names = [n.strip() for n in v.split(",")]
        if not names or any(not re.fullmatch(r"[^|^~\\&\s]{1,40}", n) for n in names):
            raise ValueError("expected comma-separated MSH-4 facility names (no HL7 separators, no spaces)")
        return ",".join(names)

    @property
    def hl7_facilities(self) -> frozenset[str] | None:
        """The sending facilities (MSH-4) the listener accepts; ``None``: any."""
        return None if self.hl7_allowed_facilities is None else frozenset(self.hl7_allowed_facilities.split(","))

    @model_validator(mode="after")
    def _secrets_outside_development(self) -> Settings:
        if self.environment == "production" and (self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32):
            raise ValueError(
                "HSGCLINIC_SECRET_KEY must be set to a random string of at least 32 characters in production"
            )
        if self.environment == "production" and not self.data_keys:
            raise ValueError("HSGCLINIC_DATA_KEYS must be set in production (`hsgclinic keys new` prints a key)")
        if self.data_keys is not None:
            from hsgclinic.persistence.sealing import KeyRing, KeyRingError

            try:
                KeyRing.parse(self.data_keys)
            except KeyRingError as exc:
                raise ValueError(f"HSGCLINIC_DATA_KEYS: {exc}") from None
        if self.visit_first_offset > self.visit_last_offset:
            raise ValueError("visit_first_offset must not exceed visit_last_offset")
        if self.window_first_offset > self.window_last_offset:
            raise ValueError("window_first_offset must not exceed window_last_offset")
        if self.lead_min_days > self.lead_max_days:
            raise ValueError("lead_min_days must not exceed lead_max_days")
        return self

    @property
    def is_embedded(self) -> bool:
        """True when running on the embedded default (SQLite file in the data directory)."""
        return self.database_url is None or self.database_url.startswith("sqlite")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hsgclinic.db').resolve()}"

    @property
    def data_key_spec(self) -> str:
        """The key ring's text: the setting, or (development and tests only) one key derived from the secret key."""
        if self.data_keys:
            return self.data_keys
        derived = hashlib.sha256(f"hsgclinic data key|{self.secret_key}".encode()).digest()
        return "dev:" + base64.urlsafe_b64encode(derived).rstrip(b"=").decode("ascii")

    @property
    def site(self) -> SiteProfile:
        return SiteProfile()

    def rules(self) -> Rules:
        """The clinical thresholds as the pure value the domain takes."""
        return Rules(
            max_temperature_c=self.max_temperature_c,
            visit_first_offset=self.visit_first_offset,
            visit_last_offset=self.visit_last_offset,
            window_first_offset=self.window_first_offset,
            window_last_offset=self.window_last_offset,
            lead_min_days=self.lead_min_days,
            lead_max_days=self.lead_max_days,
            ovulation_margin_days=self.ovulation_margin_days,
            min_regular_cycle_days=self.min_regular_cycle_days,
            max_cycle_day_for_procedure=self.max_cycle_day_for_procedure,
            review_age=self.review_age,
            irregular_variation_days=self.irregular_variation_days,
            abstain_days=self.abstain_days,
            bleeding_days=self.bleeding_days,
            oil_contrast_wait_cycles=self.oil_contrast_wait_cycles,
            default_antibiotic_days=self.default_antibiotic_days,
            dose_fluoro_limit_s=self.dose_fluoro_limit_s,
            postpartum_weeks=self.postpartum_weeks,
        )


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; raises ``pydantic.ValidationError`` with every problem at once."""
    return Settings(**overrides)  # type: ignore[arg-type]
