"""An app on the test clinic (SQLite and PostgreSQL), staff logins per role and a patient login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from hsgclinic.services import staff
from hsgclinic.services.context import Actor, Role
from hsgclinic.web.app import create_app

PASSWORD = "correct horse battery"
ROLES = ("registrar", "doctor", "radiologist", "admin")


@pytest.fixture
def app(clinic):
    return create_app(clinic.settings, clinic=clinic)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, headers={"Accept-Language": "en"}) as c:
        yield c


@pytest.fixture
def tokens(clinic, client) -> dict[str, str]:
    """A bearer token per staff role."""
    out = {}
    for role in ROLES:
        staff.create_user(
            clinic.ctx, Actor(Role.ADMIN, "test"), username=role, display_name=role, role=role, password=PASSWORD
        )
        r = client.post("/api/v1/auth/login", json={"username": role, "password": PASSWORD})
        assert r.status_code == 200, r.text
        out[role] = r.json()["token"]
    client.cookies.clear()
    return out


def bearer(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}
