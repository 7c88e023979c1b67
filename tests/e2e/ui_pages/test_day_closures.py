"""Closing a day that already has bookings (issue 8): the administrator sees who is affected before saving; saving
tells them; the desk lists them as "needs a new date" with a one-click rebook to the next offered date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from e2e.ui_pages.staff_helpers import sign_in
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.persistence.models import OutboxMessage, ProcedureAppointment
from hsgclinic.services import admin as admin_service
from hsgclinic.services import booking, closures, payments
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import RuleRefused
from page_client import PageClient

HEADERS = {"en": {"Accept-Language": "en"}, "zh-CN": {"Accept-Language": "zh-CN"}}
DESK = Actor(Role.REGISTRAR, "nurse.wang")
ADMIN = Actor(Role.ADMIN, "boss")


def booked(clinic: Any) -> Any:
    form = screened(clinic)
    appt = booking.book(clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    return form, appt


def messages(clinic: Any) -> list[tuple[str, str]]:
    with clinic.ctx.read() as uow:
        rows = uow.session.execute(select(OutboxMessage).where(OutboxMessage.channel == "sms")).scalars()
        return [(m.template, m.status) for m in rows]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_closing_a_booked_day_lists_her_then_the_desk_rebooks_her(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    form, appt = booked(service_clinic)
    h = HEADERS[lang]
    sign_in(service_client, service_clinic, "admin", lang)
    data = {"day": "2026-11-22", "kind": "clinic_closed", "name_en": "Staff training", "name_zh": "业务培训"}
    first = service_client.post("/staff/admin/calendar/override", data=data, headers=h, follow_redirects=False)
    assert first.status_code == 200 and "data-closing" in first.text and "CAL-SOURCE" in first.text
    name = "Sun 22 Nov" if lang == "en" else "11月22日"
    assert name in first.text and 'name="confirm" value="1"' in first.text
    assert admin_service.list_overrides(service_clinic.ctx) == []  # nothing saved yet
    assert ("procedure_eve", "pending") in messages(service_clinic)
    saved = service_client.post(
        "/staff/admin/calendar/override", data={**data, "confirm": "1"}, headers=h, follow_redirects=False
    )
    assert saved.status_code == 303 and "n=1" in saved.headers["location"]
    shown = service_client.get(saved.headers["location"], headers=h).text
    assert ("1 people were told" if lang == "en" else "已通知 1 人") in shown
    sent = messages(service_clinic)
    assert ("day_closed", "pending") in sent and ("procedure_eve", "withdrawn") in sent  # told; no "tomorrow"

    desk = PageClient(service_client.app)
    sign_in(desk, service_clinic, "registrar", lang)
    page = desk.get("/staff/desk", headers=h).text
    assert "data-needs-new-date" in page and ("Needs a new date" if lang == "en" else "需要改期") in page
    assert f'action="/staff/closures/rebook/{appt.appointment_id}"' in page
    assert ("Rebook to Sat 21 Nov" if lang == "en" else "改约到 11月21日") in page
    done = desk.post(f"/staff/closures/rebook/{appt.appointment_id}", headers=h)
    assert done.status_code == 200 and "data-needs-new-date" not in done.text
    with service_clinic.ctx.read() as uow:
        live = uow.session.execute(
            select(ProcedureAppointment).where(
                ProcedureAppointment.application_form_id == form.form_id, ProcedureAppointment.active.is_(True)
            )
        ).scalar_one()
        assert live.day == dt.date(2026, 11, 21) and live.status == "booked"
    assert ("appointment_rescheduled", "pending") in messages(service_clinic)
    assert closures.needs_new_date(service_clinic.ctx, DESK) == []


def test_a_loaded_notice_that_closes_a_booked_day_shows_her_before_loading(
    service_client: TestClient, service_clinic: Any
) -> None:
    booked(service_clinic)
    sign_in(service_client, service_clinic, "admin")
    notice = (
        b'{"year": 2026, "breaks": [{"name_zh": "\\u6d4b\\u8bd5", "name_en": "Test break", '
        b'"from": "2026-11-22", "to": "2026-11-22"}], "workdays": []}'
    )
    r = service_client.post(
        "/staff/admin/calendar/notice",
        files={"notice": ("2026.json", notice, "application/json")},
        headers=HEADERS["en"],
    )
    assert r.status_code == 200, r.text[:600]
    assert "data-closing" in r.text and "Sun 22 Nov" in r.text and "will be told" in r.text


def test_a_closure_of_an_empty_day_saves_at_once(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "admin")
    data = {"day": "2026-12-03", "kind": "clinic_closed", "name_en": "Training"}
    r = service_client.post("/staff/admin/calendar/override", data=data, headers=HEADERS["en"], follow_redirects=False)
    assert r.status_code == 303 and "n=" not in r.headers["location"]


def test_no_date_left_is_refused_with_book_next(service_clinic: Any) -> None:
    _form, appt = booked(service_clinic)
    for day in ("2026-11-21", "2026-11-22"):
        admin_service.set_override(service_clinic.ctx, ADMIN, dt.date.fromisoformat(day), "clinic_closed")
    assert [a.record_id for a in closures.needs_new_date(service_clinic.ctx, DESK)] == [appt.appointment_id]
    with pytest.raises(RuleRefused) as refused:
        closures.rebook_next(service_clinic.ctx, DESK, appt.appointment_id)
    assert "BOOK-NEXT" in refused.value.rules
