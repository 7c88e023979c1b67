"""Page tests over HTTP (no browser): the pages on a bare FastAPI app with a clinic-like object."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from hsgclinic.config import Settings
from hsgclinic.web.ui import mount_ui
from page_client import PageClient


@dataclass
class StubClock:
    instant: dt.datetime

    def now(self) -> dt.datetime:
        return self.instant


@dataclass
class StubClinic:
    clock: StubClock
    settings: Settings = field(default_factory=lambda: Settings(environment="test"))


@pytest.fixture
def clinic() -> StubClinic:
    # Thu 2026-11-19 09:00 in Beijing
    return StubClinic(StubClock(dt.datetime(2026, 11, 19, 1, 0, tzinfo=dt.UTC)))


@pytest.fixture
def client(clinic: StubClinic) -> TestClient:
    app = FastAPI()
    mount_ui(app, clinic)
    return PageClient(app, raise_server_exceptions=False)


def get_html(client: TestClient, url: str, lang: str = "en") -> str:
    r = client.get(url, headers={"Accept-Language": lang, "Accept": "text/html"})
    assert r.status_code == 200, r.text[:500]
    return r.text


@pytest.fixture
def html() -> Callable[..., str]:
    return get_html


@pytest.fixture
def service_clinic(sqlite_url: str, tmp_path: Path, clock: Any) -> Iterator[Any]:
    """The real clinic container (bootstrap) on a migrated SQLite copy, 3 numbers a day."""
    from hsgclinic.bootstrap import build_clinic
    from hsgtest import make_settings

    c = build_clinic(make_settings(sqlite_url, tmp_path, daily_numbers=3), clock=clock, cache_seconds=0)
    yield c
    c.dispose()


@pytest.fixture
def service_client(service_clinic: Any) -> TestClient:
    app = FastAPI()
    mount_ui(app, service_clinic)
    return PageClient(app, raise_server_exceptions=False)
