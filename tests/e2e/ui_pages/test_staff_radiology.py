"""Radiologist pages on the real services: worklist, procedure record (hCG first), the structured report with its
consistency checks, sign-off (aftercare produced), correction with a reason and its history."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.services import booking, payments
from hsgclinic.services.context import Actor, Role
from hsgtest import SHANGHAI

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
DESK = Actor(Role.REGISTRAR, "nurse.wang")
PROC = {
    "hcg_result": "negative",
    "operator": "Dr Zhao",
    "started_at": "08:00",
    "ended_at": "08:05",
    "contrast_agent": "iohexol",
    "contrast_kind": "water",
    "volume_ml": "10",
    "fluoroscopy_s": "45",
    "dap_gy_cm2": "1.2",
}
REPORT = {
    "cavity_shape": "normal",
    "left_patency": "patent",
    "left_obstruction_level": "none",
    "left_spill": "free",
    "right_patency": "patent",
    "right_obstruction_level": "none",
    "right_spill": "free",
    "impression": "Both tubes patent.",
    "action": "save",
}


@pytest.fixture
def appointment(service_clinic: Any, service_client: TestClient) -> int:
    form = screened(service_clinic)
    appt = booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(service_clinic.ctx, DESK, appt.appointment_id, "cash")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 8, 10, tzinfo=SHANGHAI))  # after the 08:00–08:05 HSG
    sign_in(service_client, service_clinic, "radiologist")
    return int(appt.appointment_id)


def test_worklist_and_procedure_then_report_and_sign(
    service_client: TestClient, service_clinic: Any, appointment: int
) -> None:
    work = service_client.get("/staff/radiology", headers=ZH)
    assert work.status_code == 200 and f'href="/staff/procedure/{appointment}"' in work.text and "08:00" in work.text
    r = service_client.post(f"/staff/procedure/{appointment}", data=PROC, headers=EN)
    assert r.status_code == 200 and "Procedure recorded" in r.text
    procedure_id = re.search(r'action="/staff/report/(\d+)"', r.text)
    assert procedure_id
    bad = {**REPORT, "left_patency": "obstructed", "left_obstruction_level": "proximal"}  # with free spill
    refused = service_client.post(f"/staff/report/{procedure_id[1]}", data=bad, headers=EN)
    assert refused.status_code == 422 and "REPORT-FIELDS" in refused.text and "badge-block" in refused.text
    assert 'value="obstructed" selected' in refused.text  # kept
    saved = service_client.post(f"/staff/report/{procedure_id[1]}", data=REPORT, headers=EN)
    assert saved.status_code == 200 and "Report saved" in saved.text and "Sign the report" in saved.text
    signed = service_client.post(f"/staff/report/{procedure_id[1]}/sign", headers=EN)
    assert signed.status_code == 200 and "Mon 23 Nov 2026" in signed.text and "REPORT-READY" in signed.text
    no_reason = service_client.post(f"/staff/report/{procedure_id[1]}", data=REPORT, headers=EN)
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.text
    fixed = service_client.post(
        f"/staff/report/{procedure_id[1]}", data={**REPORT, "impression": "Both patent.", "reason": "typo"}, headers=EN
    )
    assert fixed.status_code == 200 and "Correction history" in fixed.text and "typo" in fixed.text
    assert "Version 2" in fixed.text and "Draft" in fixed.text


def test_missing_dose_is_explained_and_the_form_kept(
    service_client: TestClient, service_clinic: Any, appointment: int
) -> None:
    r = service_client.post(
        f"/staff/procedure/{appointment}", data={**PROC, "dap_gy_cm2": "", "ended_at": "7:61"}, headers=EN
    )
    assert r.status_code == 422 and "Record the dose" in r.text and "hours:minutes" in r.text
    assert 'value="iohexol"' in r.text


def test_positive_hcg_stops_the_procedure(service_client: TestClient, service_clinic: Any, appointment: int) -> None:
    r = service_client.post(
        f"/staff/procedure/{appointment}", data={"hcg_result": "positive", "operator": "Dr Zhao"}, headers=EN
    )
    assert r.status_code == 200 and "ELIG-PREG" in r.text and "stopped" in r.text
    work = service_client.get("/staff/radiology", headers=EN).text
    assert "badge-block" in work


def test_the_desk_cannot_open_the_worklist(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "registrar")
    assert service_client.get("/staff/radiology", headers=EN).status_code == 403


def test_the_report_page_names_the_patient_and_shows_clinic_times(
    service_client: TestClient, service_clinic: Any, appointment: int
) -> None:
    """Wrong-patient safety: the report form says whose report it is; times are Beijing time, not UTC."""
    r = service_client.post(f"/staff/procedure/{appointment}", data=PROC, headers=EN)
    procedure_id = re.search(r'action="/staff/report/(\d+)"', r.text)
    assert procedure_id
    page = service_client.get(f"/staff/report/{procedure_id[1]}", headers=EN)
    title = re.search(r"<h1>([^<]*)</h1>", page.text)
    assert title and title[1].startswith("HSG report: ") and len(title[1]) > len("HSG report: ")
    assert re.search(r"\*{10,}\w{4}", page.text)  # the masked ID, never the full number
    service_client.post(f"/staff/report/{procedure_id[1]}", data=REPORT, headers=EN)
    signed = service_client.post(f"/staff/report/{procedure_id[1]}/sign", headers=EN)
    assert "22 Nov 2026 08:10" in signed.text  # signed at 08:10 clinic time (00:10 UTC)
    assert "UTC" not in signed.text
    assert service_client.get("/staff/report/999999", headers=EN).status_code == 404
