"""Staff sign-in and the desk's queue (check-in, no-shows) on the real services (bootstrap on SQLite)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import PASSWORD, make_user, sign_in, take_number
from hsgclinic.services.synthetic import synthetic_name, synthetic_resident_id
from hsgtest import SHANGHAI

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}


def test_the_desk_needs_a_sign_in_and_comes_back_after_it(service_client: TestClient, service_clinic: Any) -> None:
    r = service_client.get("/staff/desk", headers=EN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?next=/staff/desk"
    page = service_client.get(r.headers["location"], headers=EN)
    assert 'name="next" value="/staff/desk"' in page.text
    make_user(service_clinic, "nurse.wang", "registrar")
    r = service_client.post(
        "/staff/login",
        data={"username": "nurse.wang", "password": PASSWORD, "next": "/staff/desk"},
        headers=EN,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/staff/desk"
    assert "hsg_session" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    desk = service_client.get("/staff/desk", headers=EN)
    assert desk.status_code == 200 and "Fri 20 Nov 2026" in desk.text and "Sign out" in desk.text


def test_a_wrong_password_keeps_the_user_name_and_says_what_to_do(
    service_client: TestClient, service_clinic: Any
) -> None:
    make_user(service_clinic, "nurse.wang", "registrar")
    r = service_client.post("/staff/login", data={"username": "nurse.wang", "password": "nope"}, headers=ZH)
    assert r.status_code == 401 and 'value="nurse.wang"' in r.text and "管理员" in r.text
    empty = service_client.post("/staff/login", data={"username": ""}, headers=EN)
    assert empty.status_code == 422 and "Please fill this in." in empty.text


def test_a_radiologist_may_not_open_the_desk(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "radiologist")
    r = service_client.get("/staff/desk", headers=EN)
    assert r.status_code == 403 and "Not allowed" in r.text


def test_check_in_from_the_queue(service_client: TestClient, service_clinic: Any) -> None:
    first, second = take_number(service_clinic, 1), take_number(service_clinic, 2)
    sign_in(service_client, service_clinic, "registrar", "zh-CN")
    page = service_client.get("/staff/desk", headers=ZH).text
    assert synthetic_name(1) in page and synthetic_name(2) in page and "候诊" in page
    assert synthetic_resident_id(1) not in page and synthetic_resident_id(1)[-4:] in page  # masked
    r = service_client.post(f"/staff/desk/check-in/{first.registration_id}", headers=ZH)
    assert r.status_code == 200 and "已签到" in r.text
    again = service_client.post(f"/staff/desk/check-in/{first.registration_id}", headers=EN)
    assert again.status_code == 409 and "no longer active" in again.text and "REG-SEQ" in again.text
    assert second.registration_id  # still waiting
    assert f'action="/staff/desk/check-in/{second.registration_id}"' in again.text


def test_no_shows_only_once_the_day_is_over(service_client: TestClient, service_clinic: Any) -> None:
    take_number(service_clinic, 1)
    sign_in(service_client, service_clinic, "registrar")
    early = service_client.post("/staff/desk/no-shows", data={"day": "2026-11-20"}, headers=EN)
    assert early.status_code == 409 and "REG-NOSHOW" in early.text
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI))
    service_client.cookies.clear()  # the session has expired overnight
    sign_in(service_client, service_clinic, "doctor")
    page = service_client.get("/staff/desk?day=2026-11-20", headers=EN).text
    assert "Mark the 1 not checked in as no-shows" in page
    r = service_client.post("/staff/desk/no-shows", data={"day": "2026-11-20"}, headers=EN)
    assert r.status_code == 200 and "Marked as no-show: 1." in r.text and "badge-noshow" in r.text


def test_a_bad_day_in_the_address_is_an_answer_not_a_crash(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "doctor")
    r = service_client.get("/staff/desk?day=tomorrow", headers=EN)
    assert r.status_code == 422 and "year-month-day" in r.text


def test_sign_out(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "admin")
    r = service_client.post("/staff/logout", headers=EN, follow_redirects=False)
    assert r.status_code == 303
    service_client.cookies.clear()
    assert service_client.get("/staff/desk", headers=EN, follow_redirects=False).status_code == 303
