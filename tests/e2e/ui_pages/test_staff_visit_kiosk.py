"""*My visit* and the report kiosk on the real services (bootstrap on SQLite): each step's status, the report's
ready date, the PDF print, and the refusals in the reader's language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import (
    CavityFinding,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.services import booking, payments, procedure, registration, screening
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import SHANGHAI, water_contrast_procedure

TODAY = dt.date(2026, 11, 20)
DOCTOR = Actor(Role.DOCTOR, "dr.li", "10.0.0.3")
DESK = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
RADIOLOGIST = Actor(Role.RADIOLOGIST, "dr.zhao", "10.0.0.4")
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)


def screening_input(**changes: Any) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False),
    )
    return dataclasses.replace(base, **changes)


def take_number(clinic: Any, n: int = 1) -> Any:
    return registration.take_number(
        clinic.ctx,
        Actor.public("203.0.113.7"),
        day=TODAY,
        name=synthetic_name(n),
        id_number=synthetic_resident_id(n),
        phone=synthetic_phone(n),
    ).number


def through_the_report(clinic: Any, *, sign: bool = True) -> Any:
    """A patient with a number, a passed screening, a booking on Sun 11-22, paid, done, reported (and signed)."""
    number = take_number(clinic)
    view = screening.record_screening(
        clinic.ctx,
        DOCTOR,
        patient_id=number.patient_id,
        screening=screening_input(),
        doctor_name="Dr Li",
        issue_form=True,
    )
    form = screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id)
    appt = booking.book(clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))
    started = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    proc = procedure.record_procedure(
        clinic.ctx,
        RADIOLOGIST,
        appt.appointment_id,
        water_contrast_procedure(started),
    )
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(clinic.ctx, RADIOLOGIST, proc.procedure_id, findings)
    if sign:
        procedure.sign_report(clinic.ctx, RADIOLOGIST, report.report_id)
    procedure.produce_aftercare(clinic.ctx, RADIOLOGIST, proc.procedure_id)
    return number


def look_up(client: TestClient, number: Any, lang: str = "en", last4: str | None = None) -> Any:
    data = {"code": number.access_code, "last4": last4 or synthetic_resident_id(1)[-4:]}
    return client.post("/my-visit", data=data, headers={"Accept-Language": lang})


def test_my_visit_right_after_taking_a_number(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = look_up(service_client, number)
    assert r.status_code == 200, r.text[:400]
    assert "data-visit-steps" in r.text and "Please check in at the desk" in r.text
    assert "Not yet. The doctor screens you" in r.text
    assert synthetic_resident_id(1) not in r.text  # REG-REALNAME: never the full ID


def test_my_visit_shows_every_step_and_the_aftercare_dates(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic)
    r = look_up(service_client, number)
    assert r.status_code == 200, r.text[:400]
    text = r.text
    assert "Sun 22 Nov 2026" in text and "08:00" in text  # the appointment
    assert "Paid" in text and "R2026" in text  # receipt number
    assert "Mon 23 Nov 2026" in text and "REPORT-READY" in text  # Sunday procedure → Monday
    assert "CARE-ABSTAIN" in text and "CARE-BLEED" in text
    zh = look_up(service_client, number, "zh-CN").text
    assert "2026年11月23日" in zh and "已缴费" in zh


def test_my_visit_with_the_wrong_last4_says_what_to_do(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = look_up(service_client, number, last4="0000" if synthetic_resident_id(1)[-4:] != "0000" else "1111")
    assert r.status_code == 404 and "do not match" in r.text and "call the clinic" in r.text
    assert f'value="{number.access_code}"' in r.text  # the form keeps what she typed


def test_kiosk_before_the_ready_day_says_when(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic)  # clock is on Sun 11-22, ready Mon 11-23
    r = service_client.post("/kiosk", data={"code": number.access_code}, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and "ready from Mon 23 Nov 2026" in r.text
    assert "data-print-url" not in r.text
    pdf = service_client.get(f"/kiosk/report/{number.access_code}.pdf", headers={"Accept-Language": "en"})
    assert pdf.status_code == 404 and "cannot be printed yet" in pdf.text


def test_kiosk_with_no_report_yet(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = service_client.post("/kiosk", data={"code": number.access_code}, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 200 and "还没有" in r.text


def test_kiosk_unknown_code(service_client: TestClient) -> None:
    r = service_client.post("/kiosk", data={"code": "ZZZZ2222"}, headers={"Accept-Language": "en"})
    assert r.status_code == 404 and "Check the code on your slip" in r.text and 'value="ZZZZ2222"' in r.text


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_kiosk_prints_the_signed_report_from_the_ready_day(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    number = through_the_report(service_clinic)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    r = service_client.post("/kiosk", data={"code": number.access_code}, headers={"Accept-Language": lang})
    assert r.status_code == 200 and f'data-print-url="/kiosk/report/{number.access_code}.pdf"' in r.text
    pdf = service_client.get(f"/kiosk/report/{number.access_code}.pdf", headers={"Accept-Language": lang})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_kiosk_never_prints_an_unsigned_report(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic, sign=False)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    r = service_client.post("/kiosk", data={"code": number.access_code}, headers={"Accept-Language": "en"})
    assert "data-print-url" not in r.text
    pdf = service_client.get(f"/kiosk/report/{number.access_code}.pdf", headers={"Accept-Language": "en"})
    assert pdf.status_code == 404
