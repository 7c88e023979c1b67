"""Small builders for domain values: hand-made calendars, cycles, screening inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hsgclinic.domain.clinic_calendar import ClinicCalendar, Closure, ClosureKind
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.messages import Localized

D = dt.date
HOLIDAY = Localized("测试节", "Test Festival")
TRAINING = Localized("培训日", "Training day")


def hand_calendar(
    *,
    years: Iterable[int] = (2030,),
    holidays: Iterable[dt.date] = (),
    clinic_closed: Iterable[dt.date] = (),
    makeup: Iterable[dt.date] = (),
    official: Iterable[int] | None = None,
    name: Localized = HOLIDAY,
) -> ClinicCalendar:
    """A ClinicCalendar written out by hand (statutory break days, clinic closures, make-up working days)."""
    closures = {d: Closure(ClosureKind.STATUTORY, name) for d in holidays}
    closures.update({d: Closure(ClosureKind.CLINIC, TRAINING) for d in clinic_closed})
    ys = frozenset(years)
    return ClinicCalendar(
        years=ys,
        closures=MappingProxyType(closures),
        makeup_workdays=frozenset(makeup),
        official_years=ys if official is None else frozenset(official),
    )


def cycle(period_end: dt.date, **kwargs: Any) -> CycleFacts:
    return CycleFacts.from_usual(period_end, **kwargs)


def normal_leukorrhea(**overrides: Any) -> LeukorrheaResult:
    base: dict[str, Any] = {
        "cleanliness": Cleanliness.I,
        "wbc_per_hpf": 2,
        "trichomonas": False,
        "yeast": False,
        "clue_cells": False,
        "ph": Decimal("4.0"),
        "amine_test": False,
        "sialidase": False,
        "leukocyte_esterase": False,
        "h2o2": False,
    }
    base.update(overrides)
    return LeukorrheaResult(**base)


def screening(visit_date: dt.date, period_end: dt.date, **overrides: Any) -> ScreeningInput:
    """A screening visit where every answer passes unless overridden."""
    base: dict[str, Any] = {
        "visit_date": visit_date,
        "cycle": cycle(period_end, cycle_length=28, period_start=period_end - dt.timedelta(days=4)),
        "temperature_c": Decimal("36.6"),
        "respiratory_illness": False,
        "lower_abdominal_pain": False,
        "intercourse_since_period_end": False,
        "leukorrhea": normal_leukorrhea(),
    }
    base.update(overrides)
    return ScreeningInput(**base)
