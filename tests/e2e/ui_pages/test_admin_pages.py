"""The administrator's pages on the real services (bootstrap on SQLite): dashboard, settings, calendar and the
year's holiday notice, staff accounts, the audit log; zh-CN and en; everyone else refused."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import PASSWORD, sign_in, take_number
from hsgclinic.services import admin as admin_service
from hsgclinic.services.staff import list_users

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PAGES = ("/staff/admin", "/staff/admin/settings", "/staff/admin/calendar", "/staff/admin/staff", "/staff/admin/audit")
NOTICE = {
    "year": 2027,
    "breaks": [
        {"name_zh": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-03"},
        {"name_zh": "春节", "name_en": "Spring Festival", "from": "2027-02-05", "to": "2027-02-13"},
    ],
    "workdays": ["2027-02-14", "2027-02-20"],
}


@pytest.fixture
def admin(service_client: TestClient, service_clinic: Any) -> TestClient:
    sign_in(service_client, service_clinic, "admin")
    return service_client


@pytest.mark.parametrize("role", ["registrar", "doctor", "radiologist"])
def test_only_the_administrator_reaches_the_admin_pages(
    service_client: TestClient, service_clinic: Any, role: str
) -> None:
    sign_in(service_client, service_clinic, role, "zh-CN")
    for path in PAGES:
        r = service_client.get(path, headers=ZH)
        assert r.status_code == 403 and "无权访问" in r.text, path
        assert "/staff/admin/" not in r.text.split("<main", 1)[1]  # no admin content
    r = service_client.post("/staff/admin/settings", data={"daily_numbers": "5"}, headers=EN)
    assert r.status_code == 403 and "Not allowed" in r.text
    assert admin_service.list_overrides(service_clinic.ctx) == []


def test_nobody_signed_in_is_sent_to_sign_in(service_client: TestClient) -> None:
    r = service_client.get("/staff/admin/audit?action=staff.login", headers=EN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login?next=/staff/admin/audit")


@pytest.mark.parametrize(
    ("lang", "words"), [("en", ("Dashboard", "Numbers taken vs quota")), ("zh-CN", ("概览", "挂号数与限额"))]
)
def test_every_admin_page_opens_in_both_languages(admin: TestClient, lang: str, words: tuple[str, ...]) -> None:
    for path in PAGES:
        r = admin.get(path, headers={"Accept-Language": lang})
        assert r.status_code == 200, (path, r.text[:300])
        assert f'<html lang="{lang}"' in r.text
    page = admin.get("/staff/admin", headers={"Accept-Language": lang}).text
    assert all(w in page for w in words)


def test_the_403_page_is_in_the_readers_language(service_client: TestClient, service_clinic: Any) -> None:
    sign_in(service_client, service_clinic, "registrar", "zh-CN")
    r = service_client.get("/staff/admin/settings", headers=ZH)
    assert r.status_code == 403 and '<html lang="zh-CN"' in r.text and "无权访问" in r.text
    en = service_client.get("/staff/admin/settings", headers=EN)
    assert en.status_code == 403 and '<html lang="en"' in en.text and "Not allowed" in en.text


# -- dashboard -------------------------------------------------------------------------------------------------------


def test_the_dashboard_draws_four_labelled_plots(admin: TestClient, service_clinic: Any) -> None:
    take_number(service_clinic, 1)
    take_number(service_clinic, 2)
    page = admin.get("/staff/admin", headers=EN).text
    assert page.count('<svg class="dash-chart"') == 4 and 'role="img"' in page
    for words in ("Numbers taken vs quota", "Procedures per day", "No-shows per day", "Days to report"):
        assert f">{words}</title>" in page
    assert "Clinic day, 6 Nov – 26 Nov" in page and "legend-label" in page and ">Today<" in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # no chart JS
    assert '<tr class="is-today">' in page  # the same figures as a table
    zh = admin.get("/staff/admin", headers=ZH).text
    for words in ("挂号数与限额", "每日造影数", "每日爽约数", "出报告天数", "门诊日：11月6日 – 11月26日", "今天"):
        assert words in zh


def test_the_dashboard_range_is_checked(admin: TestClient) -> None:
    r = admin.get("/staff/admin?from=2026-11-30&to=2026-11-01", headers=EN)
    assert r.status_code == 422 and "The end date must not be before the start date." in r.text
    assert 'value="2026-11-30"' in r.text  # kept as typed
    r = admin.get("/staff/admin?from=2026-11-01&to=2026-11-07", headers=ZH)
    assert r.status_code == 200 and "2026年11月1日" in r.text
    assert admin.get("/staff/admin?from=soon", headers=EN).status_code == 422


# -- settings --------------------------------------------------------------------------------------------------------


def test_settings_are_saved_and_audited(admin: TestClient, service_clinic: Any) -> None:
    page = admin.get("/staff/admin/settings", headers=EN).text
    assert 'value="3"' in page and 'value="07:00"' in page and 'value="1000.00"' in page and "010-52277602" in page
    data = {
        "daily_numbers": "45",
        "procedure_capacity": "18",
        "release_time": "07:30",
        "booking_horizon_days": "2",
        "price_cny": "980.50",
    }
    r = admin.post("/staff/admin/settings", data=data, headers=EN, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/staff/admin/settings?saved=1"
    eff = service_clinic.ctx.effective()
    assert (eff.daily_numbers, eff.procedure_capacity, eff.booking_horizon_days) == (45, 18, 2)
    assert str(eff.price_cny) == "980.50" and eff.release_time.strftime("%H:%M") == "07:30"
    saved = admin.get("/staff/admin/settings?saved=1", headers=ZH).text
    assert "设置已保存" in saved and 'value="45"' in saved
    events = admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic), action="settings.update")
    assert events and events[0].actor == "admin.one" and events[0].detail["daily_numbers"] == "45"


def test_settings_errors_are_per_field_and_keep_what_was_typed(admin: TestClient, service_clinic: Any) -> None:
    data = {
        "daily_numbers": "forty",
        "procedure_capacity": "0",
        "release_time": "7h",
        "booking_horizon_days": "",
        "price_cny": "12.345",
    }
    r = admin.post("/staff/admin/settings", data=data, headers=EN)
    assert r.status_code == 422
    assert 'value="forty"' in r.text and 'value="7h"' in r.text and 'value="12.345"' in r.text
    assert "Please enter a whole number." in r.text
    assert "Please enter a number from 1 to 500." in r.text
    assert "Please enter a time as hours:minutes, e.g. 07:00." in r.text
    assert "Please enter a number." in r.text
    assert "Give the price in yuan with at most 2 decimals, e.g. 1000.00." in r.text
    assert r.text.count('aria-invalid="true"') == 5
    zh = admin.post("/staff/admin/settings", data=data, headers=ZH)
    assert zh.status_code == 422 and "放号时间：请按“时:分”填写时间" in zh.text and "未保存" in zh.text
    assert service_clinic.ctx.effective().daily_numbers == 3  # nothing saved


# -- calendar --------------------------------------------------------------------------------------------------------


def test_a_training_day_closes_the_clinic_and_can_be_removed(admin: TestClient, service_clinic: Any) -> None:
    data = {"day": "2026-12-03", "kind": "clinic_closed", "name_zh": "业务培训", "name_en": "Staff training"}
    r = admin.post("/staff/admin/calendar/override", data=data, headers=EN, follow_redirects=False)
    assert r.status_code == 303
    page = admin.get(r.headers["location"], headers=EN).text
    assert "Saved the change for Thu 3 Dec 2026." in page and "Staff training" in page
    assert not service_clinic.calendar.for_day(dt.date(2026, 12, 3)).is_open(dt.date(2026, 12, 3))
    zh = admin.get("/staff/admin/calendar", headers=ZH).text
    assert "业务培训" in zh and "门诊停诊（仍为工作日）" in zh
    r = admin.post("/staff/admin/calendar/override/2026-12-03/delete", headers=EN, follow_redirects=False)
    assert r.status_code == 303 and admin_service.list_overrides(service_clinic.ctx) == []
    actions = [e.action for e in admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic))]
    assert "calendar.override" in actions and "calendar.override_delete" in actions


def test_a_bad_override_keeps_what_was_typed(admin: TestClient) -> None:
    r = admin.post("/staff/admin/calendar/override", data={"day": "3 Dec", "kind": "party", "name_en": "x"}, headers=EN)
    assert r.status_code == 422 and 'value="3 Dec"' in r.text and "year-month-day" in r.text
    assert "Please choose one of the options." in r.text and 'value="x"' in r.text


def test_the_notice_upload_shows_what_it_will_load_then_loads_it(admin: TestClient, service_clinic: Any) -> None:
    files = {"notice": ("2027.json", json.dumps(NOTICE, ensure_ascii=False).encode(), "application/json")}
    r = admin.post("/staff/admin/calendar/notice", files=files, headers=EN)
    assert r.status_code == 200, r.text[:500]
    assert "the 2027 notice has 2 breaks (12 days closed) and 2 make-up working days" in r.text
    assert "Spring Festival" in r.text and "Fri 5 Feb – Sat 13 Feb" in r.text and "9 days" in r.text
    assert "Sun 14 Feb 2027" in r.text and "Load these 14 days" in r.text
    assert admin_service.list_overrides(service_clinic.ctx) == []  # nothing written yet
    assert "which the notice does not list" in r.text and "Sat 1 May – Tue 4 May" in r.text  # Labour Day
    zh = admin.post("/staff/admin/calendar/notice", files=files, headers=ZH)
    assert "春节" in zh.text and "9 天" in zh.text and "2027年2月14日" in zh.text and "调休上班日" in zh.text
    notice_json = zh.text.split('name="notice_json" value="', 1)[1].split('"', 1)[0]
    import html as html_lib

    r = admin.post(
        "/staff/admin/calendar/notice/load",
        data={"notice_json": html_lib.unescape(notice_json)},
        headers=EN,
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = admin.get(r.headers["location"], headers=EN).text
    assert "Loaded the 2027 notice: 14 days." in page
    assert (
        "2027 notice" in page and "Loaded by admin.one" in page and "/staff/admin/calendar/notice/2027/delete" in page
    )
    assert "Up to and including 2026: the holiday library (official)." in page
    assert admin_service.list_overrides(service_clinic.ctx) == []  # the notice is stored whole, not as overrides
    cal = service_clinic.calendar.for_day(dt.date(2027, 2, 14))
    assert not cal.is_provisional(dt.date(2027, 2, 14))
    assert cal.is_working_day(dt.date(2027, 2, 14)) and not cal.is_open(dt.date(2027, 2, 8))
    assert cal.is_open(dt.date(2027, 5, 3))  # Labour Day as the package guesses it: this notice does not list it
    events = admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic), action="calendar.notice_load")
    assert len(events) == 1 and events[0].record_id == "2027" and events[0].detail["holiday_days"] == 12
    assert "载入的 2027 年通知" in admin.post("/staff/admin/calendar/notice", files=files, headers=ZH).text

    r = admin.post("/staff/admin/calendar/notice/2027/delete", headers=EN, follow_redirects=False)
    assert r.status_code == 303
    page = admin.get(r.headers["location"], headers=ZH).text
    assert "已移除 2027 年通知" in page and "尚未在此载入任何通知" in page
    cal = service_clinic.calendar.for_day(dt.date(2027, 2, 14))
    assert cal.is_provisional(dt.date(2027, 2, 14)) and not cal.is_open(dt.date(2027, 5, 3))
    events = admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic), action="calendar.notice_remove")
    assert len(events) == 1 and events[0].record_id == "2027"
    r = admin.post("/staff/admin/calendar/notice/2027/delete", headers=EN)
    assert r.status_code == 404 and "No notice is loaded for 2027." in r.text


@pytest.mark.parametrize(
    ("content", "en", "zh"),
    [
        (b"{not json", "The file is not valid JSON (line 1", "文件不是有效的 JSON（第 1 行"),
        (b'{"year": 2027}', "This is not a holiday notice we can load", "无法载入此放假通知"),
        (
            b'{"year": 2027, "breaks": [{"name_zh": "x", "name_en": "X", "from": "2027-02-10", "to": "2027-02-01"}]}',
            "ends before it starts",
            "无法载入此放假通知",
        ),
        (b"[1, 2]", "The file must hold one notice with a year and its breaks.", "文件中应为一份通知"),
        (b'{"year": 2027, "breaks": []}', "The notice lists no holiday breaks.", "该通知没有列出任何假期"),
        (b"", "Choose the year's notice file (.json) first.", "请先选择该年度的通知文件"),
    ],
)
def test_a_malformed_notice_is_refused_with_a_clear_message(
    admin: TestClient, service_clinic: Any, content: bytes, en: str, zh: str
) -> None:
    files = {"notice": ("notice.json", content, "application/json")}
    r = admin.post("/staff/admin/calendar/notice", files=files, headers=EN)
    assert r.status_code == 422 and en in r.text.replace("&#39;", "'"), r.text[:2000]
    assert 'aria-invalid="true"' in r.text
    assert zh in admin.post("/staff/admin/calendar/notice", files=files, headers=ZH).text
    assert admin_service.list_overrides(service_clinic.ctx) == []


# -- staff accounts --------------------------------------------------------------------------------------------------


def _user_id(clinic: Any, username: str) -> int:
    return next(u.user_id for u in list_users(clinic.ctx) if u.username == username)


def test_create_an_account_then_change_its_role_deactivate_and_reset(admin: TestClient, service_clinic: Any) -> None:
    data = {"username": "nurse.li", "display_name": "Li Na", "role": "registrar", "password": "long-enough-pw"}
    r = admin.post("/staff/admin/staff", data=data, headers=EN, follow_redirects=False)
    assert r.status_code == 303
    page = admin.get(r.headers["location"], headers=EN).text
    assert "Account nurse.li created." in page and "Li Na" in page
    uid = _user_id(service_clinic, "nurse.li")
    r = admin.post(f"/staff/admin/staff/{uid}/role", data={"value": "doctor"}, headers=EN, follow_redirects=False)
    assert r.status_code == 303 and next(u for u in list_users(service_clinic.ctx) if u.user_id == uid).role == "doctor"
    r = admin.post(f"/staff/admin/staff/{uid}/password", data={"value": "short"}, headers=EN)
    assert r.status_code == 422 and "A password needs at least 10 characters." in r.text
    r = admin.post(f"/staff/admin/staff/{uid}/password", data={"value": "another-long-pw"}, headers=EN)
    assert r.status_code == 200 and "New password set for nurse.li" in r.text
    r = admin.post(f"/staff/admin/staff/{uid}/active", data={"value": "0"}, headers=ZH)
    assert r.status_code == 200 and "已停用" in r.text
    assert not next(u for u in list_users(service_clinic.ctx) if u.user_id == uid).active
    actions = {e.action for e in admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic))}
    assert {"staff.create", "staff.role", "staff.password_reset", "staff.deactivate"} <= actions


def test_account_form_errors_keep_what_was_typed(admin: TestClient, service_clinic: Any) -> None:
    data = {"username": "Bad Name!", "display_name": "Wang Fang", "role": "doctor", "password": "short"}
    r = admin.post("/staff/admin/staff", data=data, headers=EN)
    assert r.status_code == 422 and 'value="Bad Name!"' in r.text and 'value="Wang Fang"' in r.text
    assert "A password needs at least 10 characters." in r.text and "short" not in r.text.split("<main", 1)[1]
    data = {"username": "admin.one", "display_name": "X", "role": "doctor", "password": "long-enough-pw"}
    r = admin.post("/staff/admin/staff", data=data, headers=ZH)
    assert r.status_code == 422 and "用户名" in r.text and 'value="admin.one"' in r.text


def test_an_administrator_cannot_lock_themselves_out(admin: TestClient, service_clinic: Any) -> None:
    me = _user_id(service_clinic, "admin.one")
    r = admin.post(f"/staff/admin/staff/{me}/active", data={"value": "0"}, headers=EN)
    assert r.status_code == 422 and "You cannot deactivate your own account." in r.text
    r = admin.post(f"/staff/admin/staff/{me}/role", data={"value": "doctor"}, headers=ZH)
    assert r.status_code == 422 and "不能取消自己的管理员角色" in r.text


# -- audit log -------------------------------------------------------------------------------------------------------


def test_the_audit_log_filters_by_action_actor_record_and_date(admin: TestClient, service_clinic: Any) -> None:
    take_number(service_clinic, 1)
    page = admin.get("/staff/admin/audit", headers=EN).text
    assert "staff.login" in page and "admin.one" in page and "registration_number:" in page
    only_logins = admin.get("/staff/admin/audit?action=staff.login", headers=EN).text
    assert "staff.login" in only_logins and "staff.create" not in only_logins.split('class="audit-list"', 1)[-1]
    by_actor = admin.get("/staff/admin/audit?actor=public", headers=EN).text.split('class="audit-list"', 1)[-1]
    assert "admin.one" not in by_actor
    by_record = admin.get("/staff/admin/audit?record=staff_user:1", headers=EN).text.split('class="audit-list"', 1)[-1]
    assert "staff_user:1" in by_record and "staff_user:2" not in by_record
    later = admin.get("/staff/admin/audit?from=2026-11-21&to=2026-11-30", headers=EN).text
    assert "No events match this filter." in later
    today = admin.get("/staff/admin/audit?from=2026-11-20&to=2026-11-20", headers=ZH).text
    assert "staff.login" in today and "共" in today
    bad = admin.get("/staff/admin/audit?from=2026-11-22&to=2026-11-20&action=staff.login", headers=EN)
    assert bad.status_code == 422 and "The end date must not be before the start date." in bad.text
    assert 'value="2026-11-22"' in bad.text


def test_the_audit_log_names_each_action_in_the_readers_language(admin: TestClient, service_clinic: Any) -> None:
    take_number(service_clinic, 1)
    zh = admin.get("/staff/admin/audit?action=registration.take", headers=ZH).text.split('class="audit-list"', 1)[-1]
    assert "<strong>已挂号</strong>" in zh and '<code class="small">registration.take</code>' in zh
    assert "Number taken" not in zh
    en = admin.get("/staff/admin/audit?action=registration.take", headers=EN).text
    assert "<strong>Number taken</strong>" in en.split('class="audit-list"', 1)[-1]
    assert ">Number taken · registration.take</option>" in en


def test_the_audit_log_paginates_and_keeps_the_filter(admin: TestClient, service_clinic: Any) -> None:
    for day in range(1, 61):
        admin_service.set_override(
            service_clinic.ctx, admin_actor(service_clinic), dt.date(2027, 3, 1) + dt.timedelta(day), "clinic_closed"
        )
    first = admin.get("/staff/admin/audit?action=calendar.override", headers=EN).text
    assert "60 events · page 1 of 2" in first
    assert 'href="?action=calendar.override&amp;page=2"' in first and 'rel="prev"' not in first
    second = admin.get("/staff/admin/audit?action=calendar.override&page=2", headers=EN).text
    assert "page 2 of 2" in second and second.count('class="audit-event"') == 10 and 'rel="next"' not in second
    reads = admin_service.list_audit(service_clinic.ctx, admin_actor(service_clinic), action="audit.search")
    assert len(reads) >= 2  # reading the log is recorded


def admin_actor(clinic: Any) -> Any:
    from hsgclinic.services.context import Actor, Role

    return Actor(Role.ADMIN, "admin.one", "testclient", user_id=_user_id(clinic, "admin.one"))


def test_the_dashboard_counts_numbers_no_shows_and_closed_days(admin: TestClient, service_clinic: Any) -> None:
    from hsgclinic.services import dashboard, registration
    from hsgtest import SHANGHAI

    take_number(service_clinic, 1)
    take_number(service_clinic, 2)
    admin_service.set_override(service_clinic.ctx, admin_actor(service_clinic), dt.date(2026, 11, 24), "clinic_closed")
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI))
    registration.mark_no_shows(service_clinic.ctx, admin_actor(service_clinic), dt.date(2026, 11, 20))
    board = dashboard.dashboard(service_clinic.ctx, dt.date(2026, 11, 19), dt.date(2026, 11, 25))
    day = {d.day: d for d in board.days}
    assert (day[dt.date(2026, 11, 20)].taken, day[dt.date(2026, 11, 20)].no_shows) == (2, 2)
    assert day[dt.date(2026, 11, 20)].quota == 3 and day[dt.date(2026, 11, 24)].quota == 0
    assert not day[dt.date(2026, 11, 24)].open and board.total("no_shows", past_only=True) == 2
    r = admin.post(
        "/staff/login", data={"username": "admin.one", "password": PASSWORD}, headers=EN, follow_redirects=False
    )
    assert r.status_code == 303  # the session of yesterday has expired
    page = admin.get("/staff/admin?from=2026-11-19&to=2026-11-25", headers=EN).text
    assert page.count('class="closed-day"') == 4 and "Clinic closed" in page  # one closed day in each plot


@pytest.mark.parametrize(
    ("role", "home"), [("admin", "/staff/admin"), ("registrar", "/staff/desk"), ("radiologist", "/staff/radiology")]
)
def test_each_role_lands_on_its_own_home_after_sign_in(
    service_client: TestClient, service_clinic: Any, role: str, home: str
) -> None:
    assert sign_in(service_client, service_clinic, role).headers["location"] == home


def test_closures_in_a_year_without_official_data_are_marked_provisional(admin: TestClient) -> None:
    """CAL-SOURCE: 2027's closures come from the library's guess until a notice is loaded."""
    page = admin.get("/staff/admin/calendar", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    new_year = page.text.split("2027年1月1日", 1)[1].split("</li>", 1)[0]
    assert "暂定" in new_year and "CAL-SOURCE" in new_year
