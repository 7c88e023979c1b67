"""The doctor's screening form on the real services: each rule's outcome with its ID, one PASS (form issued), one
BLOCK, one REVIEW that needs a reason and the doctor's name; the live preview; the form keeps what was typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in, take_number
from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
GOOD = {
    "period_end": "2026-11-18",
    "period_start": "2026-11-14",
    "shortest_cycle": "28",
    "longest_cycle": "30",
    "temperature_c": "36.6",
    "respiratory_illness": "no",
    "lower_abdominal_pain": "no",
    "intercourse_since_period_end": "no",
    "cleanliness": "2",
    "trichomonas": "negative",
    "yeast": "negative",
    "clue_cells": "negative",
    "doctor_name": "Dr Li",
}


@pytest.fixture
def checked_in(service_clinic: Any) -> Any:
    number = take_number(service_clinic, 1)
    registration.check_in(service_clinic.ctx, Actor(Role.REGISTRAR, "nurse.wang"), number.registration_id)
    return number


def test_the_form_opens_from_the_queue(service_client: TestClient, service_clinic: Any, checked_in: Any) -> None:
    sign_in(service_client, service_clinic, "doctor", "zh-CN")
    queue = service_client.get("/staff/desk", headers=ZH).text
    assert f'href="/staff/screening/{checked_in.registration_id}"' in queue
    page = service_client.get(f"/staff/screening/{checked_in.registration_id}", headers=ZH)
    assert page.status_code == 200 and "白带常规" in page.text and "ELIG-CONTRA" in page.text
    assert 'name="period_end"' in page.text and 'name="contra_genital_infection"' in page.text


def test_a_passing_screening_issues_the_application_form(
    service_client: TestClient, service_clinic: Any, checked_in: Any
) -> None:
    sign_in(service_client, service_clinic, "doctor")
    url = f"/staff/screening/{checked_in.registration_id}"
    checked = service_client.post(url, data={**GOOD, "action": "check"}, headers=EN)
    assert checked.status_code == 200 and "ELIG-TEMP" in checked.text and "ELIG-LEUK" in checked.text
    done = service_client.post(url, data={**GOOD, "action": "record"}, headers=EN)
    assert done.status_code == 200, done.text[:500]
    assert "Application form issued" in done.text and re.search(r"<code>[A-Z0-9-]+</code>", done.text)


def test_a_fever_blocks_with_its_rule(service_client: TestClient, service_clinic: Any, checked_in: Any) -> None:
    sign_in(service_client, service_clinic, "doctor")
    url = f"/staff/screening/{checked_in.registration_id}"
    done = service_client.post(url, data={**GOOD, "temperature_c": "37.8", "action": "record"}, headers=EN)
    assert done.status_code == 200 and "badge-block" in done.text and "ELIG-TEMP" in done.text
    assert "Application form issued" not in done.text and "Not possible this cycle" in done.text


def test_a_review_needs_a_reason_and_the_doctors_name(
    service_client: TestClient, service_clinic: Any, checked_in: Any
) -> None:
    sign_in(service_client, service_clinic, "doctor")
    url = f"/staff/screening/{checked_in.registration_id}"
    review = {**GOOD, "intercourse_during_period": "on", "hcg": "negative"}
    first = service_client.post(url, data={**review, "doctor_name": "", "action": "record"}, headers=EN)
    assert first.status_code == 422 and "ELIG-ABSTAIN" in first.text
    assert 'name="reason_ELIG-ABSTAIN"' in first.text and "Please fill this in." in first.text
    assert 'value="36.6"' in first.text and 'value="2026-11-18"' in first.text  # kept what was typed
    done = service_client.post(
        url, data={**review, "reason_ELIG-ABSTAIN": "hCG negative today", "action": "record"}, headers=EN
    )
    assert done.status_code == 200 and "Application form issued" in done.text
    assert "hCG negative today" in done.text and "badge-review" in done.text


def test_unreadable_answers_are_explained_and_kept(
    service_client: TestClient, service_clinic: Any, checked_in: Any
) -> None:
    sign_in(service_client, service_clinic, "doctor")
    url = f"/staff/screening/{checked_in.registration_id}"
    r = service_client.post(
        url, data={**GOOD, "temperature_c": "hot", "cleanliness": "", "action": "check"}, headers=EN
    )
    assert r.status_code == 422 and 'value="hot"' in r.text and "Please choose one." in r.text
    future = service_client.post(url, data={**GOOD, "period_end": "2026-12-01", "period_start": ""}, headers=EN)
    assert future.status_code == 422 and "in the future" in future.text


def test_live_preview_answers_json(service_client: TestClient, service_clinic: Any, checked_in: Any) -> None:
    sign_in(service_client, service_clinic, "doctor", "zh-CN")
    r = service_client.post("/staff/screening/preview", data={**GOOD, "temperature_c": "38.0"}, headers=ZH)
    data = r.json()
    assert data["complete"] and data["outcome"] == "BLOCK"
    assert any(f["rule"] == "ELIG-TEMP" and f["outcome"] == "BLOCK" for f in data["findings"])
    partial = service_client.post("/staff/screening/preview", data={"period_end": "2026-11-18"}, headers=ZH).json()
    assert partial == {"complete": False, "findings": []}


def test_the_desk_nurse_cannot_screen(service_client: TestClient, service_clinic: Any, checked_in: Any) -> None:
    sign_in(service_client, service_clinic, "registrar")
    assert service_client.get(f"/staff/screening/{checked_in.registration_id}", headers=EN).status_code == 403
    unknown = service_client.get("/staff/screening/99999", headers=EN)
    assert unknown.status_code == 403
