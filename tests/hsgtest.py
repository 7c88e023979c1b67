"""Helpers shared by the conftest and the tests (importable as ``hsgtest``: pytest puts ``tests/`` on the path)."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, text

from hsgclinic.config import Settings
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.report import ContrastKind
from hsgclinic.persistence.base import Base, load_all_models
from hsgclinic.services.procedure import ProcedureInput

SHANGHAI = ZoneInfo("Asia/Shanghai")
TEST_SECRET = "test-secret-key-0123456789abcdef0123456789"
# Fri 2026-11-20 07:30 in the clinic: numbers for today have been released at 07:00.
CLINIC_NOW = dt.datetime(2026, 11, 20, 7, 30, tzinfo=SHANGHAI)
TODAY = CLINIC_NOW.date()


def require_all() -> bool:
    return bool(os.environ.get("HSGCLINIC_REQUIRE_ALL"))


def make_settings(database_url: str, tmp: Path, **extra: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "secret_key": TEST_SECRET,
        "password_hash_cost": "fast-for-tests",
        "data_dir": tmp,
        "database_url": database_url,
    }
    values.update(extra)
    return Settings(**values)  # type: ignore[arg-type]


def empty_tables(engine: Engine) -> None:
    load_all_models()
    names = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as c:
        if engine.dialect.name == "postgresql":
            c.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for n in reversed(names):
                c.execute(text(f'DELETE FROM "{n}"'))


def water_contrast_procedure(started: dt.datetime, *, fluoroscopy_s: str = "60") -> ProcedureInput:
    """A routine 5-minute HSG with water-based contrast and a negative urine hCG (PROC)."""
    return ProcedureInput(
        hcg_result=HcgResult.NEGATIVE,
        operator="Dr Zhao",
        started_at=started,
        ended_at=started + dt.timedelta(minutes=5),
        contrast_agent="iohexol",
        contrast_kind=ContrastKind.WATER,
        volume_ml=Decimal("10"),
        fluoroscopy_s=Decimal(fluoroscopy_s),
        dap_gy_cm2=Decimal("1.2"),
    )
