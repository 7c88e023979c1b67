"""Shared by the staff page tests: staff users, signing in through the page, a patient with a number."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from hsgclinic.services import registration
from hsgclinic.services import staff as staff_service
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

TODAY = dt.date(2026, 11, 20)
PASSWORD = "correct-horse-battery"
ADMIN = Actor(Role.ADMIN, "admin", "10.0.0.5")


def make_user(clinic: Any, username: str, role: str) -> None:
    staff_service.create_user(
        clinic.ctx, ADMIN, username=username, display_name=username.title(), role=role, password=PASSWORD
    )


def sign_in(client: TestClient, clinic: Any, role: str, lang: str = "en") -> Any:
    """Create a user with ``role`` and sign in through the page; the client keeps the session cookie."""
    username = f"{role}.one"
    make_user(clinic, username, role)
    r = client.post(
        "/staff/login",
        data={"username": username, "password": PASSWORD},
        headers={"Accept-Language": lang},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:400]
    return r


def take_number(clinic: Any, n: int = 1, day: dt.date = TODAY) -> Any:
    return registration.take_number(
        clinic.ctx,
        Actor.public("203.0.113.7"),
        day=day,
        name=synthetic_name(n),
        id_number=synthetic_resident_id(n),
        phone=synthetic_phone(n),
    ).number
