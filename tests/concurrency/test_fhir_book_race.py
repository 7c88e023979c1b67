"""FHIR ``Appointment/$book`` and the desk's JSON API race for the last procedure place of a day on PostgreSQL:
both go through ``services.booking.book`` and the same place guard, so exactly one wins; with the guard switched
off (the injected hook) the same race overbooks the day — the test can fail."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hsgclinic.bootstrap import build_clinic
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.persistence.locking import PlaceGuard
from hsgclinic.persistence.models import ProcedureAppointment
from hsgclinic.services import booking, registration, screening, staff
from hsgclinic.services.context import Actor, FixedClock, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgclinic.web.app import create_app
from hsgtest import CLINIC_NOW, make_settings

CAPACITY = 2
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


def _race(url: str, tmp, guard_on: bool) -> tuple[list[int], int]:
    clinic = build_clinic(
        make_settings(url, tmp, procedure_capacity=CAPACITY, daily_numbers=10),
        clock=FixedClock(CLINIC_NOW.astimezone(dt.UTC)),
        cache_seconds=60,
    )
    doctor = Actor(Role.DOCTOR, "dr.li")
    staff.create_user(
        clinic.ctx, Actor(Role.ADMIN, "t"), username="desk", display_name="王护士", role="registrar", password="x" * 12
    )
    login = staff.login(clinic.ctx, username="desk", password="x" * 12, address="10.0.0.2")
    forms = []
    for n in range(3):
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
    booking.book(clinic.ctx, login.actor, forms[0], DAY)  # one place left
    barrier = threading.Barrier(2, timeout=30)
    clinic.ctx.guard = PlaceGuard(enabled=guard_on, after_check=barrier.wait)
    headers = {"Authorization": f"Bearer {login.token}", "Accept-Language": "en"}
    app = create_app(clinic.settings, clinic=clinic)
    statuses: dict[str, int] = {}

    with TestClient(app, headers=headers) as http:

        def fhir() -> None:
            appt = {
                "resourceType": "Appointment",
                "status": "proposed",
                "start": "2026-11-21T08:15:00+08:00",
                "basedOn": [{"reference": f"ServiceRequest/{forms[1]}"}],
                "participant": [{"actor": {"reference": "Patient/2"}, "status": "needs-action"}],
            }
            r = http.post(
                "/fhir/Appointment/$book",
                json={"resourceType": "Parameters", "parameter": [{"name": "appt-resource", "resource": appt}]},
            )
            statuses["fhir"] = r.status_code

        def desk() -> None:
            r = http.post(f"/api/v1/application-forms/{forms[2]}/appointment", json={"date": DAY.isoformat()})
            statuses["desk"] = r.status_code

        threads = [threading.Thread(target=fhir), threading.Thread(target=desk)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    with clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(func.count())
            .select_from(ProcedureAppointment)
            .where(ProcedureAppointment.day == DAY, ProcedureAppointment.active.is_(True))
        ).scalar_one()
    clinic.dispose()
    return sorted(statuses.values()), int(live)


@pytest.mark.postgres
def test_book_and_the_desk_race_for_the_last_place_and_exactly_one_wins(pg_empty, tmp_path):
    statuses, live = _race(pg_empty, tmp_path, guard_on=True)
    assert live == CAPACITY
    assert statuses == [200, 409] or statuses == [201, 409], statuses


@pytest.mark.postgres
def test_without_the_guard_the_same_race_overbooks(pg_empty, tmp_path):
    statuses, live = _race(pg_empty, tmp_path, guard_on=False)
    assert live == CAPACITY + 1, statuses
