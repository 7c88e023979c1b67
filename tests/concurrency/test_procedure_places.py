"""Procedure places (BOOK-OPEN capacity) under a rush of desk bookings: the same guard as registration numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hsgclinic.bootstrap import build_clinic
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.persistence.locking import PlaceGuard
from hsgclinic.persistence.models import ProcedureAppointment
from hsgclinic.services import booking, registration, screening
from hsgclinic.services.context import Actor, FixedClock, Role
from hsgclinic.services.errors import RuleRefused
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import CLINIC_NOW, make_settings

CAPACITY = 3
FORMS = 10
DAY = dt.date(2026, 11, 21)
SCREENING = ScreeningInput(
    visit_date=CLINIC_NOW.date(),
    cycle=CycleFacts(
        period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
    ),
    temperature_c=Decimal("36.6"),
    respiratory_illness=False,
    lower_abdominal_pain=False,
    intercourse_since_period_end=False,
    leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.I, trichomonas=False, yeast=False, clue_cells=False),
)


def _rush(url: str, tmp, guard: PlaceGuard) -> tuple[Counter[str], int]:
    clinic = build_clinic(
        make_settings(url, tmp, procedure_capacity=CAPACITY, daily_numbers=FORMS),
        clock=FixedClock(CLINIC_NOW.astimezone(dt.UTC)),
        cache_seconds=60,
    )
    doctor, desk = Actor(Role.DOCTOR, "dr.li"), Actor(Role.REGISTRAR, "nurse")
    forms = []
    for n in range(FORMS):
        taken = registration.take_number(
            clinic.ctx,
            Actor.public(),
            day=CLINIC_NOW.date(),
            name=synthetic_name(n),
            id_number=synthetic_resident_id(n),
            phone=synthetic_phone(n),
        )
        view = screening.record_screening(
            clinic.ctx,
            doctor,
            patient_id=taken.number.patient_id,
            screening=dataclasses.replace(SCREENING),
            doctor_name="Dr Li",
            issue_form=True,
        )
        forms.append(screening.issue_application_form(clinic.ctx, doctor, view.screening_id).form_id)
    clinic.ctx.guard = guard
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def one(form_id: int) -> None:
        try:
            booking.book(clinic.ctx, desk, form_id, DAY)
            key = "booked"
        except RuleRefused as exc:
            key = exc.code
        except Exception as exc:
            key = "error:" + type(exc).__name__
        with lock:
            outcomes[key] += 1

    with ThreadPoolExecutor(max_workers=FORMS) as pool:
        list(pool.map(one, forms))
    with clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(func.count()).select_from(ProcedureAppointment).where(ProcedureAppointment.active.is_(True))
        ).scalar_one()
    clinic.dispose()
    return outcomes, live


@pytest.mark.postgres
def test_postgres_without_the_guard_overbooks_the_day(pg_empty, tmp_path):
    barrier = threading.Barrier(FORMS, timeout=30)
    outcomes, live = _rush(pg_empty, tmp_path, PlaceGuard(enabled=False, after_check=barrier.wait))
    assert live > CAPACITY, outcomes


@pytest.mark.postgres
def test_postgres_with_the_guard_books_exactly_the_capacity(pg_empty, tmp_path):
    barrier = threading.Barrier(FORMS, timeout=30)
    outcomes, live = _rush(pg_empty, tmp_path, PlaceGuard(after_check=barrier.wait))
    assert outcomes == {"booked": CAPACITY, "no_places": FORMS - CAPACITY}, outcomes
    assert live == CAPACITY


def test_sqlite_threads_with_the_guard_book_exactly_the_capacity(sqlite_url, tmp_path):
    outcomes, live = _rush(sqlite_url, tmp_path, PlaceGuard())
    assert outcomes == {"booked": CAPACITY, "no_places": FORMS - CAPACITY}, outcomes
    assert live == CAPACITY
