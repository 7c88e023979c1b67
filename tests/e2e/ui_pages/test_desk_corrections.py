"""The desk's corrections on the pages (issue 8): each one says what will happen first, then does it with its rule
and an audit row; refusals name the rule and change nothing. Both languages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from e2e.ui_pages.staff_helpers import sign_in, take_number
from e2e.ui_pages.test_staff_booking import screened
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.persistence.models import AuditEvent, OutboxMessage, RegistrationNumber
from hsgclinic.services import booking, payments, procedure, registration
from hsgclinic.services.context import Actor, Role
from hsgtest import SHANGHAI

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
HEADERS = {"en": EN, "zh-CN": ZH}
DESK = Actor(Role.REGISTRAR, "nurse.wang")


def audit_rows(clinic: Any, action: str) -> list[AuditEvent]:
    with clinic.ctx.read() as uow:
        return list(uow.session.execute(select(AuditEvent).where(AuditEvent.action == action)).scalars())


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_cancel_a_number_says_what_happens_then_does_it(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    number = take_number(service_clinic)
    sign_in(service_client, service_clinic, "registrar", lang)
    queue = service_client.get("/staff/desk", headers=HEADERS[lang]).text
    assert f'href="/staff/desk/cancel/{number.registration_id}"' in queue
    page = service_client.get(f"/staff/desk/cancel/{number.registration_id}", headers=HEADERS[lang])
    assert page.status_code == 200 and 'data-correction-page="cancel_number"' in page.text and "REG-NOSHOW" in page.text
    assert ("never counted as a no-show" if lang == "en" else "不计为爽约") in page.text
    assert number.name in page.text and "csrf_token" in page.text
    missing = service_client.post(f"/staff/desk/cancel/{number.registration_id}", data={}, headers=HEADERS[lang])
    assert missing.status_code == 422 and ("Please choose one." if lang == "en" else "请选择") in missing.text
    done = service_client.post(
        f"/staff/desk/cancel/{number.registration_id}", data={"reason": "cycle_changed"}, headers=HEADERS[lang]
    )
    assert done.status_code == 200 and ("Number cancelled" if lang == "en" else "号码已取消") in done.text
    with service_clinic.ctx.read() as uow:
        reg = uow.session.get(RegistrationNumber, number.registration_id)
        assert reg is not None and reg.status == "cancelled" and reg.cancel_reason == "cycle_changed"
        assert not reg.counts_as_noshow
        notice = uow.session.execute(
            select(OutboxMessage).where(OutboxMessage.template == "appointment_cancelled")
        ).scalars()
        assert list(notice)  # she is told
    (row,) = audit_rows(service_clinic, "registration.cancel")
    assert row.detail["reason"] == "cycle_changed"
    again = service_client.post(
        f"/staff/desk/cancel/{number.registration_id}", data={"reason": "patient"}, headers=HEADERS[lang]
    )
    assert again.status_code == 409 and "REG-SEQ" in again.text


def test_a_cycle_or_screening_cancellation_never_counts_as_a_no_show(service_clinic: Any) -> None:
    a, b, c = (take_number(service_clinic, n) for n in (1, 2, 3))
    registration.cancel_number(service_clinic.ctx, DESK, a.registration_id, "cycle_changed")
    registration.cancel_number(service_clinic.ctx, DESK, b.registration_id, "screening_failed")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI))
    assert registration.mark_no_shows(service_clinic.ctx, DESK, dt.date(2026, 11, 20)) == 1  # only c
    with service_clinic.ctx.read() as uow:
        counted = {r.id: r.counts_as_noshow for r in uow.session.execute(select(RegistrationNumber)).scalars()}
    assert counted == {a.registration_id: False, b.registration_id: False, c.registration_id: True}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_undo_a_check_in_until_a_screening_is_recorded(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    number = take_number(service_clinic)
    registration.check_in(service_clinic.ctx, DESK, number.registration_id)
    sign_in(service_client, service_clinic, "registrar", lang)
    queue = service_client.get("/staff/desk", headers=HEADERS[lang]).text
    assert f'href="/staff/desk/undo-check-in/{number.registration_id}"' in queue
    page = service_client.get(f"/staff/desk/undo-check-in/{number.registration_id}", headers=HEADERS[lang])
    assert page.status_code == 200 and "REG-SEQ" in page.text
    done = service_client.post(f"/staff/desk/undo-check-in/{number.registration_id}", headers=HEADERS[lang])
    assert done.status_code == 200 and ("Check-in undone" if lang == "en" else "已撤销签到") in done.text
    assert registration.get_number(service_clinic.ctx, DESK, number.registration_id).status == "taken"
    assert len(audit_rows(service_clinic, "registration.undo_check_in")) == 1
    # Once screened, the check-in stays.
    screened(service_clinic, 2)
    second = next(n for n in registration.list_day(service_clinic.ctx, DESK, number.day) if n.queue_number == 2)
    refused = service_client.post(f"/staff/desk/undo-check-in/{second.registration_id}", headers=HEADERS[lang])
    assert refused.status_code == 409 and "REG-SEQ" in refused.text
    assert ("Nothing was changed." if lang == "en" else "未做任何更改。") in refused.text


def _booked(clinic: Any, day: str = "2026-11-22", pay: bool = True) -> Any:
    form = screened(clinic)
    appt = booking.book(clinic.ctx, DESK, form.form_id, dt.date.fromisoformat(day))
    if pay:
        payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    return form, appt


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_cancel_a_booking_puts_the_place_back_at_once(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    form, appt = _booked(service_clinic)
    sign_in(service_client, service_clinic, "registrar", lang)
    pay_page = service_client.get(f"/staff/payment/{appt.appointment_id}", headers=HEADERS[lang]).text
    assert f'href="/staff/appointment/{appt.appointment_id}/cancel"' in pay_page
    page = service_client.get(f"/staff/appointment/{appt.appointment_id}/cancel", headers=HEADERS[lang]).text
    assert "BOOK-OPEN" in page and ("refund her separately" if lang == "en" else "单独退费") in page
    assert (
        service_client.post(
            f"/staff/appointment/{appt.appointment_id}/cancel", data={"reason": ""}, headers=HEADERS[lang]
        ).status_code
        == 422
    )
    done = service_client.post(
        f"/staff/appointment/{appt.appointment_id}/cancel", data={"reason": "She moved away"}, headers=HEADERS[lang]
    )
    assert done.status_code == 200 and ("Booking cancelled" if lang == "en" else "预约已取消") in done.text
    sunday = next(o for o in booking.options(service_clinic.ctx, DESK, form.form_id).offers if o.day.day == 22)
    assert sunday.places_left == 20  # back in the pool
    (row,) = audit_rows(service_clinic, "booking.cancel")
    assert row.detail["reason"] == "She moved away"
    assert f'href="/staff/payment/{appt.appointment_id}/refund"' in done.text  # still paid: refund is offered


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_move_a_booking_to_another_offered_date(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    form, appt = _booked(service_clinic)
    sign_in(service_client, service_clinic, "registrar", lang)
    page = service_client.get(f"/staff/appointment/{appt.appointment_id}/move", headers=HEADERS[lang])
    assert page.status_code == 200 and "BOOK-LEAD" in page.text
    assert re.findall(r'name="day" value="([0-9-]+)"', page.text) == ["2026-11-21"]  # not the day she has
    bad = service_client.post(
        f"/staff/appointment/{appt.appointment_id}/move", data={"day": "2026-11-30"}, headers=HEADERS[lang]
    )
    assert bad.status_code == 422
    moved = service_client.post(
        f"/staff/appointment/{appt.appointment_id}/move", data={"day": "2026-11-21"}, headers=HEADERS[lang]
    )
    assert moved.status_code == 200 and ("Moved to the new date." if lang == "en" else "已改约到新日期。") in moved.text
    assert ("Sat 21 Nov 2026" if lang == "en" else "2026年11月21日") in moved.text
    assert ("Paid" if lang == "en" else "已缴费") in moved.text  # the payment moved with it
    offers = {o.day.day: o.places_left for o in booking.options(service_clinic.ctx, DESK, form.form_id).offers}
    assert offers == {21: 19, 22: 20}


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_refund_needs_a_reason_and_a_mistaken_refund_can_be_paid_again(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    _form, appt = _booked(service_clinic)
    receipt = payments.get_payment(service_clinic.ctx, DESK, appt.appointment_id).receipt_number
    sign_in(service_client, service_clinic, "registrar", lang)
    old_button = service_client.post(
        f"/staff/payment/{appt.appointment_id}",
        data={"action": "refund"},
        headers=HEADERS[lang],
        follow_redirects=False,
    )
    assert old_button.status_code == 303 and old_button.headers["location"].endswith("/refund")  # no refund yet
    assert payments.get_payment(service_clinic.ctx, DESK, appt.appointment_id).status == "paid"
    page = service_client.get(f"/staff/payment/{appt.appointment_id}/refund", headers=HEADERS[lang]).text
    assert receipt in page and "BOOK-PRICE" in page
    assert ("must be paid again" if lang == "en" else "重新缴费") in page
    assert (
        service_client.post(f"/staff/payment/{appt.appointment_id}/refund", data={}, headers=HEADERS[lang]).status_code
        == 422
    )
    done = service_client.post(
        f"/staff/payment/{appt.appointment_id}/refund", data={"reason": "Paid twice"}, headers=HEADERS[lang]
    )
    assert done.status_code == 200 and "data-refund-reason" in done.text and "Paid twice" in done.text
    assert ("Refunded by mistake?" if lang == "en" else "误退费") in done.text
    again = service_client.post(f"/staff/payment/{appt.appointment_id}", data={"method": "cash"}, headers=HEADERS[lang])
    assert again.status_code == 200 and f'class="receipt-no">{receipt}-2<' in again.text
    (repay,) = audit_rows(service_clinic, "payment.repay")
    assert repay.detail["refunded_receipt"] == receipt
    (refund,) = audit_rows(service_clinic, "payment.refund")
    assert refund.detail["reason"] == "Paid twice"


def test_refund_after_a_stopped_procedure(service_client: TestClient, service_clinic: Any) -> None:
    _form, appt = _booked(service_clinic)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))
    procedure.record_procedure(
        service_clinic.ctx,
        Actor(Role.RADIOLOGIST, "dr.zhao"),
        appt.appointment_id,
        procedure.ProcedureInput(HcgResult.POSITIVE, "Dr Zhao"),
    )
    sign_in(service_client, service_clinic, "registrar")
    page = service_client.get(f"/staff/payment/{appt.appointment_id}", headers=EN).text
    assert "ELIG-PREG" in page and f'href="/staff/payment/{appt.appointment_id}/refund"' in page
    assert f'href="/staff/appointment/{appt.appointment_id}/move"' not in page
    done = service_client.post(
        f"/staff/payment/{appt.appointment_id}/refund", data={"reason": "hCG positive"}, headers=EN
    )
    assert done.status_code == 200 and "Refunded." in done.text
    assert "Take the payment again" not in done.text  # a stopped booking is not paid again
    refused = service_client.post(f"/staff/payment/{appt.appointment_id}", data={"method": "cash"}, headers=EN)
    assert refused.status_code == 409 and "BOOK-PRICE" in refused.text


def test_chinese_headings_use_the_full_width_colon(service_client: TestClient, service_clinic: Any) -> None:
    _form, appt = _booked(service_clinic)
    sign_in(service_client, service_clinic, "registrar", "zh-CN")
    zh = service_client.get(f"/staff/payment/{appt.appointment_id}", headers=ZH).text
    h1 = zh.split("<h1>", 1)[1].split("</h1>", 1)[0]
    assert "：" in h1 and ": " not in h1
    en = service_client.get(f"/staff/payment/{appt.appointment_id}", headers=EN).text
    assert "Payment: " in en.split("<h1>", 1)[1].split("</h1>", 1)[0]
