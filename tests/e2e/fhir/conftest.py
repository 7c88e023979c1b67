"""A /fhir app on the test clinic (SQLite and PostgreSQL) with a patient at every stage, staff tokens per role,
and every FHIR answer collected so that a test can validate all of them at the end."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import CavityFinding, ObstructionLevel, Patency, ReportFindings, Spill, TubeFinding
from hsgclinic.services import booking, payments, procedure, registration, screening, staff
from hsgclinic.services.context import Actor, Role
from hsgclinic.web.app import create_app
from hsgtest import water_contrast_procedure

PASSWORD = "correct horse battery"
ROLES = {"registrar": "王护士", "doctor": "李医生", "radiologist": "赵医生", "admin": ""}
TODAY = dt.date(2026, 11, 20)
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
BLOCKED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.PROXIMAL, True, Spill.NONE)


def good_screening(**changes: Any) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(
            cleanliness=Cleanliness.II,
            wbc_per_hpf=8,
            trichomonas=False,
            yeast=False,
            clue_cells=False,
            ph=Decimal("4.2"),
        ),
    )
    return dataclasses.replace(base, **changes)


class FhirClient(TestClient):
    """A TestClient that keeps every FHIR JSON answer (for validation)."""

    seen: list[dict[str, Any]]

    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        r = super().request(*args, **kwargs)
        if r.headers.get("content-type", "").startswith("application/fhir+json"):
            self.seen.append(r.json())
        return r


@pytest.fixture
def app(clinic):
    return create_app(clinic.settings, clinic=clinic)


@pytest.fixture
def client(app) -> Iterator[FhirClient]:
    with FhirClient(app, headers={"Accept-Language": "en"}) as c:
        c.seen = []
        yield c


@dataclass
class Staff:
    tokens: dict[str, str]
    actors: dict[str, Actor]

    def headers(self, role: str, lang: str = "en") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", "Accept-Language": lang}


@pytest.fixture
def staff_logins(clinic, client) -> Staff:
    tokens, actors = {}, {}
    for role, shown in ROLES.items():
        staff.create_user(
            clinic.ctx, Actor(Role.ADMIN, "test"), username=role, display_name=shown, role=role, password=PASSWORD
        )
        login = staff.login(clinic.ctx, username=role, password=PASSWORD, address="10.0.0.9")
        tokens[role], actors[role] = login.token, login.actor
    return Staff(tokens, actors)


@dataclass
class Pathway:
    patient_id: int
    form_id: int
    appointment_id: int
    procedure_id: int
    report_id: int
    plan_id: int
    waiting_form_id: int  # a second patient's form, screened today, not yet booked
    waiting_patient_id: int


@pytest.fixture
def pathway(clinic, clock, staff_logins, person) -> Pathway:
    """Patient 1: screened, booked for Sat 11-21, paid, done, report signed then corrected and signed again, plan.
    Patient 2: screened today with a form, nothing booked (for $find/$book)."""
    a = staff_logins.actors
    public = Actor.public("203.0.113.7")
    pids = [registration.take_number(clinic.ctx, public, day=TODAY, **person(n)).number.patient_id for n in (1, 2)]
    forms = []
    for pid in pids:
        v = screening.record_screening(
            clinic.ctx, a["doctor"], patient_id=pid, screening=good_screening(), doctor_name="李医生", issue_form=True
        )
        forms.append(screening.issue_application_form(clinic.ctx, a["doctor"], v.screening_id).form_id)
    appt = booking.book(clinic.ctx, a["registrar"], forms[0], dt.date(2026, 11, 21))
    payments.record_payment(clinic.ctx, a["registrar"], appt.appointment_id, "wechat", Decimal("1000"))
    saved = clock.instant
    clock.set(dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.UTC))
    started = dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.UTC)
    proc = procedure.record_procedure(
        clinic.ctx, a["radiologist"], appt.appointment_id, water_contrast_procedure(started)
    )
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, BLOCKED, "Right tube blocked.")
    rep = procedure.write_report(clinic.ctx, a["radiologist"], proc.procedure_id, findings)
    procedure.sign_report(clinic.ctx, a["radiologist"], rep.report_id)
    fixed = dataclasses.replace(findings, impression="Right tube blocked proximally, hydrosalpinx.")
    procedure.write_report(clinic.ctx, a["radiologist"], proc.procedure_id, fixed, reason="impression completed")
    procedure.sign_report(clinic.ctx, a["radiologist"], rep.report_id)
    procedure.produce_aftercare(clinic.ctx, a["radiologist"], proc.procedure_id)
    clock.set(saved)
    return Pathway(pids[0], forms[0], appt.appointment_id, proc.procedure_id, rep.report_id, 1, forms[1], pids[1])
