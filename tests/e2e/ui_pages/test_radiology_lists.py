"""The radiologist's worklist (issue 8): a day switch, the standing list across days (unsigned, overdue,
REPORT-DOSE-flagged), the dose flag on the report form and the admin dashboard, times later than now refused,
and the printable room schedule and desk queue. Both languages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.domain.report import CavityFinding, ObstructionLevel, Patency, ReportFindings, Spill, TubeFinding
from hsgclinic.services import booking, payments, procedure
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import InvalidInput
from hsgtest import SHANGHAI, water_contrast_procedure

HEADERS = {"en": {"Accept-Language": "en"}, "zh-CN": {"Accept-Language": "zh-CN"}}
DESK = Actor(Role.REGISTRAR, "nurse.wang")
RAD = Actor(Role.RADIOLOGIST, "dr.zhao", display_name="赵医生")
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
FINDINGS = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")


def done_procedure(clinic: Any, n: int, fluoroscopy_s: str = "60") -> int:
    form = screened(clinic, n)
    appt = booking.book(clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "cash")
    clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))
    started = dt.datetime(2026, 11, 22, 0, 50, tzinfo=dt.UTC)
    view = procedure.record_procedure(
        clinic.ctx, RAD, appt.appointment_id, water_contrast_procedure(started, fluoroscopy_s=fluoroscopy_s)
    )
    clinic.ctx.clock.set(dt.datetime(2026, 11, 20, 7, 30, tzinfo=SHANGHAI))
    return view.procedure_id


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_standing_list_shows_unsigned_overdue_and_dose_flagged(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    draft = done_procedure(service_clinic, 1)
    flagged = done_procedure(service_clinic, 2, fluoroscopy_s="400")  # over the 240 s limit: REPORT-DOSE
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 11, 0, tzinfo=SHANGHAI))
    procedure.write_report(service_clinic.ctx, RAD, draft, FINDINGS)
    report = procedure.write_report(service_clinic.ctx, RAD, flagged, FINDINGS)
    procedure.sign_report(service_clinic.ctx, RAD, report.report_id)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))  # ready Mon 23: overdue now
    h = HEADERS[lang]
    sign_in(service_client, service_clinic, "radiologist", lang)
    page = service_client.get("/staff/radiology", headers=h).text
    standing = page.split("data-standing-list", 1)[1]
    assert f'data-study="{draft}"' in standing and f'data-study="{flagged}"' in standing
    draft_row = standing.split(f'data-study="{draft}"', 1)[1].split("</li>", 1)[0]
    assert "data-overdue" in draft_row and ("Overdue" if lang == "en" else "已逾期") in draft_row
    flagged_row = standing.split(f'data-study="{flagged}"', 1)[1].split("</li>", 1)[0]
    assert "data-dose-flag" in flagged_row and "REPORT-DOSE" in flagged_row and "data-overdue" not in flagged_row
    day = service_client.get("/staff/radiology?day=2026-11-22", headers=h).text
    assert ("Sun 22 Nov 2026" if lang == "en" else "2026年11月22日") in day
    assert day.split("data-worklist", 1)[1].split("data-standing-list", 1)[0].count("data-dose-flag") == 1
    assert 'href="/staff/radiology?day=2026-11-21"' in day and 'href="/staff/radiology?day=2026-11-23"' in day
    assert service_client.get("/staff/radiology?day=soon", headers=h).status_code == 422
    form = service_client.get(f"/staff/report/{flagged}", headers=h).text
    assert "data-dose-flag" in form and ("over 240 s" if lang == "en" else "240") in form
    assert "data-dose-flag" not in service_client.get(f"/staff/report/{draft}", headers=h).text
    signed_by = service_client.get(f"/staff/report/{flagged}", headers=h).text
    assert "赵医生" in signed_by  # the display name, not the username


def test_the_dashboard_counts_flagged_doses(service_client: TestClient, service_clinic: Any) -> None:
    done_procedure(service_clinic, 1, fluoroscopy_s="400")
    sign_in(service_client, service_clinic, "admin")
    page = service_client.get("/staff/admin", headers=HEADERS["en"]).text
    kpi = page.split("data-dose-flagged", 1)[1].split("</li>", 1)[0]
    assert ">1<" in kpi and "REPORT-DOSE" in kpi


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_times_later_than_now_are_refused(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    form = screened(service_clinic)
    appt = booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(service_clinic.ctx, DESK, appt.appointment_id, "cash")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 8, 3, tzinfo=SHANGHAI))
    sign_in(service_client, service_clinic, "radiologist", lang)
    data = {
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
    r = service_client.post(f"/staff/procedure/{appt.appointment_id}", data=data, headers=HEADERS[lang])
    assert r.status_code == 422 and ("later than now (08:03)" if lang == "en" else "晚于现在（08:03）") in r.text
    with pytest.raises(InvalidInput) as refused:
        procedure.record_procedure(
            service_clinic.ctx,
            RAD,
            appt.appointment_id,
            water_contrast_procedure(dt.datetime(2026, 11, 22, 0, 30, tzinfo=dt.UTC)),  # 08:30, later than now
        )
    assert refused.value.rules == ["PROC"]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_printable_room_schedule_and_queue(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    form = screened(service_clinic)
    booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    sign_in(service_client, service_clinic, "registrar", lang)
    h = HEADERS[lang]
    room = service_client.get("/staff/print/room?day=2026-11-22", headers=h)
    assert room.status_code == 200 and 'data-print-list="room"' in room.text and "08:00" in room.text
    assert "/static/print.css" in room.text and ("Unpaid" if lang == "en" else "未缴费") in room.text
    queue = service_client.get("/staff/print/queue?day=2026-11-20", headers=h)
    assert queue.status_code == 200 and 'data-print-list="queue"' in queue.text
    assert ("Checked in" if lang == "en" else "已签到") in queue.text
    assert 'href="/staff/print/queue?day=2026-11-20"' in service_client.get("/staff/desk", headers=h).text


def test_forms_default_to_the_signed_in_persons_display_name(service_client: TestClient, service_clinic: Any) -> None:
    form = screened(service_clinic)
    appt = booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(service_clinic.ctx, DESK, appt.appointment_id, "cash")
    sign_in(service_client, service_clinic, "radiologist")  # display name "Radiologist.One" (staff_helpers)
    page = service_client.get(f"/staff/procedure/{appt.appointment_id}", headers=HEADERS["en"]).text
    assert 'name="operator" type="text" value="Radiologist.One"' in page
    assert "Radiologist.One ·" in page  # the navigation names her, not her username
