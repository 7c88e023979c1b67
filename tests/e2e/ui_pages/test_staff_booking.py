"""Booking (only the valid dates, places left), payment with a receipt number, and the day's schedule on the real
services; refusals say what to do next and keep the choice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in, take_number
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.services import registration, screening
from hsgclinic.services.context import Actor, Role

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
TODAY = dt.date(2026, 11, 20)
DOCTOR = Actor(Role.DOCTOR, "dr.li")


def screened(clinic: Any, n: int = 1, **changes: Any) -> Any:
    number = take_number(clinic, n)
    registration.check_in(clinic.ctx, Actor(Role.REGISTRAR, "nurse.wang"), number.registration_id)
    data = ScreeningInput(
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
    view = screening.record_screening(
        clinic.ctx,
        DOCTOR,
        patient_id=number.patient_id,
        screening=dataclasses.replace(data, **changes),
        doctor_name="Dr Li",
        registration_id=number.registration_id,
        issue_form=True,
    )
    return screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id)


@pytest.fixture
def form(service_clinic: Any) -> Any:
    return screened(service_clinic)


def test_the_queue_leads_to_booking(service_client: TestClient, service_clinic: Any, form: Any) -> None:
    sign_in(service_client, service_clinic, "registrar")
    queue = service_client.get("/staff/desk", headers=EN).text
    assert f'href="/staff/booking/{form.form_id}"' in queue


def test_only_valid_dates_are_offered_with_places_left(
    service_client: TestClient, service_clinic: Any, form: Any
) -> None:
    sign_in(service_client, service_clinic, "registrar", "zh-CN")
    page = service_client.get(f"/staff/booking/{form.form_id}", headers=ZH)
    assert page.status_code == 200
    offered = re.findall(r'name="day" value="([0-9-]+)"', page.text)
    assert offered == ["2026-11-21", "2026-11-22"]  # BOOK-LEAD: T+1, T+2
    assert "BOOK-WINDOW" in page.text and re.search(r"剩余\s*20", page.text)


def test_book_then_pay_and_see_it_on_the_schedule(service_client: TestClient, service_clinic: Any, form: Any) -> None:
    sign_in(service_client, service_clinic, "registrar")
    r = service_client.post(f"/staff/booking/{form.form_id}", data={"day": "2026-11-22"}, headers=EN)
    assert r.status_code == 200 and "Booked." in r.text and "Sun 22 Nov 2026" in r.text and "08:00" in r.text
    appointment = re.search(r'action="/staff/payment/(\d+)"', r.text)
    assert appointment and "Unpaid" in r.text
    # the form's booking page now goes to the payment page
    again = service_client.get(f"/staff/booking/{form.form_id}", headers=EN, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/staff/payment/{appointment[1]}"
    no_method = service_client.post(f"/staff/payment/{appointment[1]}", data={"action": "pay"}, headers=EN)
    assert no_method.status_code == 422 and "Please choose one." in no_method.text
    paid = service_client.post(f"/staff/payment/{appointment[1]}", data={"method": "wechat"}, headers=EN)
    assert paid.status_code == 200 and re.search(r'class="receipt-no">R20261120\d+<', paid.text)
    twice = service_client.post(f"/staff/payment/{appointment[1]}", data={"method": "cash"}, headers=EN)
    assert twice.status_code == 409 and "BOOK-PRICE" in twice.text
    schedule = service_client.get("/staff/schedule?day=2026-11-22", headers=ZH).text
    assert "已缴费" in schedule and "08:00" in schedule


def test_a_date_not_offered_is_refused_with_the_choice_explained(
    service_client: TestClient, service_clinic: Any, form: Any
) -> None:
    sign_in(service_client, service_clinic, "registrar")
    r = service_client.post(f"/staff/booking/{form.form_id}", data={"day": "2026-11-30"}, headers=EN)
    assert r.status_code == 422 and "Please choose one of the options." in r.text
    assert 'name="day" value="2026-11-21"' in r.text


def test_a_doctor_may_book_but_not_take_money(service_client: TestClient, service_clinic: Any, form: Any) -> None:
    sign_in(service_client, service_clinic, "doctor")
    r = service_client.post(f"/staff/booking/{form.form_id}", data={"day": "2026-11-21"}, headers=EN)
    assert r.status_code == 200 and "Payment is taken at the registrar" in r.text
    appointment = re.search(r'href="/staff/schedule\?day=2026-11-21"', r.text)
    assert appointment
    url = re.search(r"/staff/payment/(\d+)", str(r.url))
    assert url and service_client.post(url[0], data={"method": "cash"}, headers=EN).status_code == 403


def test_unknown_form_is_a_plain_404(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "registrar")
    assert service_client.get("/staff/booking/999", headers=EN).status_code == 404
    assert service_client.get("/staff/payment/999", headers=EN).status_code == 404
    assert service_client.get("/staff/schedule?day=soon", headers=EN).status_code == 422


def test_the_schedule_shows_each_review_reason_and_who_confirmed_it(
    service_client: TestClient, service_clinic: Any
) -> None:
    number = take_number(service_clinic, 3)
    registration.check_in(service_clinic.ctx, Actor(Role.REGISTRAR, "nurse.wang"), number.registration_id)
    data = ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=21, longest_cycle=35
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False),
    )
    view = screening.record_screening(
        service_clinic.ctx,
        DOCTOR,
        patient_id=number.patient_id,
        screening=data,
        doctor_name="Dr Li",
        review_reasons={"ELIG-IRREG": "Cycle tracked by ultrasound", "ELIG-OVULATION": "Follicle scan first"},
        registration_id=number.registration_id,
        issue_form=True,
    )
    form = screening.issue_application_form(service_clinic.ctx, DOCTOR, view.screening_id)
    sign_in(service_client, service_clinic, "registrar")
    r = service_client.post(
        f"/staff/booking/{form.form_id}", data={"day": "2026-11-22", "confirmed_by": "Dr Li"}, headers=EN
    )
    assert r.status_code == 200, r.text
    for headers, by in ((EN, "confirmed by Dr Li"), (ZH, "确认医生：Dr Li")):
        page = service_client.get("/staff/schedule?day=2026-11-22", headers=headers).text
        assert "data-reviews" in page and "ELIG-IRREG" in page and "Cycle tracked by ultrasound" in page
        assert by in page
