"""The patient's pages in real Chromium, in both languages: plan, take a number, keyboard use."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "plan": "查看我的日期",
        "dates": "您本周期的日期",
        "take": "挂号",
        "ok": "证件号码格式正确",
        "check": "校验位",
    },
    "en": {
        "plan": "Show my dates",
        "dates": "Your dates this cycle",
        "take": "Take a number",
        "ok": "looks right",
        "check": "check digit",
    },
}


def test_plan_my_visit_shows_her_dates_and_timeline(live: tuple[str, Any], page: Any, lang: str) -> None:
    base, _ = live
    page.goto(base + "/plan")
    assert page.locator("html").get_attribute("lang") == lang
    page.fill("#f-period_end", "2026-11-18")
    page.click(f"button:has-text('{WORDS[lang]['plan']}')")
    page.wait_for_selector("svg.timeline")
    assert WORDS[lang]["dates"] in page.content()
    assert page.locator("svg.timeline .tl-row").count() >= 10
    assert page.locator("a[href^='/plan/my-hsg-dates.ics']").count() >= 1
    # phone width: nothing sticks out sideways
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_plan_error_keeps_what_she_typed(live: tuple[str, Any], page: Any, lang: str) -> None:
    base, _ = live
    page.goto(base + "/plan?period_end=2026-11-18&cycle_length=5")
    assert page.locator("#f-cycle_length").input_value() == "5"
    assert page.locator("#form-errors").is_visible()
    assert page.evaluate("document.activeElement.id") == "form-errors"


def test_take_a_number_with_live_id_check(live: tuple[str, Any], page: Any, lang: str) -> None:
    base, _ = live
    n = 7 if lang == "en" else 8
    good = synthetic_resident_id(n)
    page.goto(base + "/number")
    page.fill("#f-name", synthetic_name(n))
    page.type("#f-id_number", good[:17] + ("0" if good[17] != "0" else "1"))
    assert WORDS[lang]["check"] in page.locator("#id-status").inner_text()
    page.fill("#f-id_number", "")
    page.type("#f-id_number", good)
    assert WORDS[lang]["ok"] in page.locator("#id-status").inner_text()
    page.fill("#f-phone", synthetic_phone(n))
    page.click("form[action='/number'] button[type=submit]")
    page.wait_for_selector(".ticket-no")
    assert page.locator(".ticket-no").inner_text().strip() == "1"
    assert re.fullmatch(r"[2-9A-Z]{8}", page.locator(".access-code").inner_text().strip())
    assert good not in page.content()


def test_language_switch_and_keyboard(live: tuple[str, Any], page: Any, lang: str) -> None:
    base, _ = live
    page.goto(base + "/about")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    other = "en" if lang == "zh-CN" else "zh-CN"
    page.click(f".lang-switch a[lang='{other}']")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == other
    assert page.url.endswith("/about")
