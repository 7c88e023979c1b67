"""Fixtures for the pure domain's tests: the real clinic calendar (built once) and the default rules."""

from __future__ import annotations

import pytest

from hsgclinic.calendar_source import build_calendar
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.rules import Rules

# build_calendar reads one extra year either side, so this covers 2019–2028; 2027 and 2028 are provisional.
CALENDAR_YEARS = range(2020, 2028)


@pytest.fixture(scope="session")
def calendar() -> ClinicCalendar:
    """The real calendar (CAL-SOURCE: the `holidays` package's China calendar), official through 2026."""
    return build_calendar(CALENDAR_YEARS, official_through=2026)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules()
