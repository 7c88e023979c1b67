from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from hsgclinic.web.ui.catalogue import missing_translations


def test_every_word_on_every_page_has_chinese() -> None:
    assert missing_translations() == []


def test_language_follows_accept_language_and_the_switch_cookie(client: TestClient, html: Callable[..., str]) -> None:
    assert '<html lang="zh-CN">' in html(client, "/", "zh-CN,zh;q=0.9")
    assert '<html lang="en">' in html(client, "/", "en-GB,en;q=0.8")
    r = client.get("/lang/en?next=/about", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/about"
    client.cookies.set("hsg_lang", r.cookies["hsg_lang"])
    page = html(client, "/about", "zh-CN")
    assert '<html lang="en">' in page and "About the painless HSG" in page


def test_language_switch_never_redirects_off_site(client: TestClient) -> None:
    r = client.get("/lang/zh?next=https://evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/"


def test_home_shows_the_clinic_name_and_a_skip_link(client: TestClient, html: Callable[..., str]) -> None:
    page = html(client, "/", "zh-CN")
    assert "妇产医院西院区 影像介入门诊" in page
    assert 'href="#main"' in page and 'id="main"' in page
    assert "010-52277602" in page


def test_plan_shows_her_dates_from_the_worked_example(client: TestClient, html: Callable[..., str]) -> None:
    page = html(client, "/plan?period_end=2026-11-18")
    assert "Fri 20 Nov 2026" in page and "Sat 21 Nov 2026" in page  # visit E+2, E+3
    assert "<svg" in page and 'class="timeline"' in page
    assert "ELIG-VISIT-DAY" in page and "BOOK-WINDOW" in page
    assert "/plan/my-hsg-dates.ics?period_end=2026-11-18" in page


def test_plan_in_chinese_writes_dates_the_chinese_way(client: TestClient, html: Callable[..., str]) -> None:
    page = html(client, "/plan?period_end=2026-11-18", "zh-CN")
    assert "2026年11月20日" in page and "您本周期的日期" in page


def test_plan_says_plainly_when_this_cycle_cannot_work(client: TestClient, html: Callable[..., str]) -> None:
    page = html(client, "/plan?period_end=2026-11-05")
    assert "This cycle will not work" in page
    assert "Next period expected" in page and "BOOK-NEXT" in page


def test_plan_from_a_period_too_old_says_so_instead_of_past_dates(client: TestClient, html: Callable[..., str]) -> None:
    """BOOK-NEXT / ELIG-PREG (issue 11 a, b): a period that ended 80 days ago gives no next-cycle dates (they would be
    in the past) but a plain sentence, in both languages; the calendar file still downloads."""
    page = html(client, "/plan?period_end=2026-09-01")
    assert "This cycle will not work" in page and "Next period expected" not in page
    assert "too old to plan from" in page and "BOOK-NEXT" in page and "ELIG-PREG" in page
    assert "无法据此安排" in html(client, "/plan?period_end=2026-09-01", "zh-CN")
    r = client.get("/plan/my-hsg-dates.ics?period_end=2026-09-01", headers={"Accept-Language": "en"})
    assert r.status_code == 200


def test_plan_shows_holidays_by_name(clinic: Any, client: TestClient, html: Callable[..., str]) -> None:
    import datetime as dt

    clinic.clock.instant = dt.datetime(2026, 9, 25, 1, 0, tzinfo=dt.UTC)
    page = html(client, "/plan?period_end=2026-09-24")
    assert "National Day" in page and "Mid-Autumn Festival" in page


def test_plan_form_keeps_what_was_typed_on_error(client: TestClient) -> None:
    r = client.get("/plan?period_end=2026-13-45&cycle_length=7&age=33", headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert 'value="2026-13-45"' in r.text and 'value="7"' in r.text and 'value="33"' in r.text
    assert "Please enter a date as year-month-day" in r.text
    assert "Please enter a number from 15 to 90." in r.text


def test_plan_rejects_a_future_period_end_in_her_language(client: TestClient) -> None:
    r = client.get("/plan?period_end=2026-12-30", headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422 and 'value="2026-12-30"' in r.text


def test_ics_download_has_her_dates(client: TestClient) -> None:
    r = client.get("/plan/my-hsg-dates.ics?period_end=2026-11-18", headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert "DTSTART;VALUE=DATE:20261120" in r.text
    assert "BEGIN:VEVENT" in r.text


def test_about_has_the_leaflet_contacts_in_both_languages(client: TestClient, html: Callable[..., str]) -> None:
    en = html(client, "/about", "en")
    zh = html(client, "/about", "zh-CN")
    assert "Room 249" in en and "010-52277602" in en and "What to bring" in en
    assert "249 室" in zh and "What to bring" not in zh


def test_unknown_page_is_a_404_in_her_language_without_a_trace(client: TestClient) -> None:
    r = client.get("/no/such/page", headers={"Accept-Language": "zh-CN", "Accept": "text/html"})
    assert r.status_code == 404 and "找不到该页面" in r.text and "Traceback" not in r.text
    assert re.search(r'href="/plan"', r.text)
