"""Fixtures for the documents' unit tests: the 2026 official calendar and the leaflet's rules and site."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.calendar_source import calendar_around
from hsgclinic.config import SiteProfile
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.rules import Rules


@pytest.fixture(scope="session")
def calendar() -> ClinicCalendar:
    return calendar_around(dt.date(2026, 11, 18), official_through=2026)


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules()


@pytest.fixture(scope="session")
def site() -> SiteProfile:
    return SiteProfile()
