"""The real clinic calendar for aftercare plans the schedules are built from."""

from __future__ import annotations

import pytest

from hsgclinic.calendar_source import build_calendar
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.rules import Rules


@pytest.fixture(scope="session")
def calendar() -> ClinicCalendar:
    return build_calendar(range(2025, 2028), official_through=2026)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules()
