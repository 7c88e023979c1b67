"""The desk's corrections in real Chromium, once in each language (issue 8):

Fri 20 Nov 2026 07:30:
  1. A and B take numbers; the nurse checks both in, undoes B's check-in (a mistake), then cancels B's number
     because her cycle changed (never a no-show).
  2. The doctor screens A; the nurse books her on Sun 22, takes the payment, moves her to Sat 21 from the page,
     refunds the payment with a reason and takes it again (a new receipt number).
  3. The administrator closes Sat 21: the page lists A before saving; after saving, the desk lists her under
     "Needs a new date" and one click rebooks her to Sun 22.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from live_server import serve
from test_staff_pathway import (
    DATES,
    DESKTOP,
    PATIENTS,
    browser,  # noqa: F401 (the fixture that closes contexts and checks the CSP)
    fill_screening,
    new_page,
    open_screening,
    staff_sign_in,
    take_number,
    text,
)

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {
        "undone": "已撤销签到",
        "cancelled": "号码已取消",
        "moved": "已改约到新日期",
        "refunded": "已退费",
        "needs": "需要改期",
        "rebooked": "已改约到下一个可约日期",
    },
    "en": {
        "undone": "Check-in undone",
        "cancelled": "Number cancelled",
        "moved": "Moved to the new date",
        "refunded": "Refunded.",
        "needs": "Needs a new date",
        "rebooked": "Rebooked to the next offered date",
    },
}


def confirm(page: Any) -> None:
    """Every correction says what will happen first; then the confirm button does it."""
    page.wait_for_selector("[data-correction-page] [data-effects] li")
    with page.expect_navigation():
        page.click("[data-correction-page] form button[type=submit]")


def test_cancel_undo_reschedule_refund_and_a_closure_from_the_pages(
    browser: Any,  # noqa: F811
    lang: str,
    tmp_path: Path,
) -> None:
    d, w = DATES[lang], WORDS[lang]
    with serve(tmp_path) as (base, clinic):
        queue_a, _ = take_number(new_page(browser, lang, DESKTOP), base, PATIENTS["A"])
        queue_b, _ = take_number(new_page(browser, lang, DESKTOP), base, PATIENTS["B"])
        nurse = staff_sign_in(browser, base, clinic, lang, "nurse.wang", "registrar")
        for q in (queue_a, queue_b):
            nurse.click(f"#n{q} form[action^='/staff/desk/check-in/'] button")
            nurse.wait_for_load_state()

        # -- 1. undo B's check-in, then cancel her number (cycle changed) --------------------------------------
        nurse.click(f"#n{queue_b} a[data-correction=undo-check-in]")
        confirm(nurse)
        assert w["undone"] in text(nurse, ".callout.ok")
        nurse.click(f"#n{queue_b} a[data-correction=cancel]")
        nurse.wait_for_selector("[data-correction-page=cancel_number]")
        assert "REG-NOSHOW" in text(nurse)
        nurse.check("input[name=reason][value=cycle_changed]")
        confirm(nurse)
        assert w["cancelled"] in text(nurse, ".callout.ok")
        assert nurse.locator(f"#n{queue_b} .badge-cancelled").count() == 1

        # -- 2. A: screened, booked Sun 22, paid, moved to Sat 21, refunded, paid again ------------------------
        doctor = staff_sign_in(browser, base, clinic, lang, "dr.li", "doctor")
        open_screening(doctor, base, queue_a)
        fill_screening(doctor)
        doctor.click("button[name=action][value=record]")
        doctor.wait_for_selector("a[href^='/staff/booking/']")
        booking_url = doctor.locator("a[href^='/staff/booking/']").get_attribute("href")
        nurse.goto(base + booking_url)
        nurse.check("input[name=day][value='2026-11-22']")
        nurse.click("form[action^='/staff/booking/'] button[type=submit]")
        nurse.wait_for_selector("#f-method")
        nurse.select_option("#f-method", "wechat")
        nurse.click("button[name=action][value=pay]")
        nurse.wait_for_selector(".receipt-no")
        receipt = nurse.locator(".receipt-no").inner_text().strip()
        nurse.click("a[href$='/move']")
        nurse.wait_for_selector("[data-correction-page=move] input[name=day][value='2026-11-21']")
        confirm(nurse)
        assert w["moved"] in text(nurse, ".callout.ok") and d["sat21"] in text(nurse, ".facts")
        nurse.click("a[href$='/refund']")
        nurse.wait_for_selector("#f-reason")
        nurse.fill("#f-reason", "Paid at the wrong window")
        confirm(nurse)
        assert w["refunded"] in text(nurse, ".callout.ok")
        assert "Paid at the wrong window" in text(nurse, "[data-refund-reason]")
        nurse.select_option("#f-method", "cash")
        nurse.click("button[name=action][value=pay]")
        nurse.wait_for_selector(".receipt-no")
        assert nurse.locator(".receipt-no").inner_text().strip() == f"{receipt}-2"

        # -- 3. the administrator closes Sat 21: A is listed before saving; the desk rebooks her -------------------
        admin = staff_sign_in(browser, base, clinic, lang, "boss", "admin")
        admin.goto(base + "/staff/admin/calendar")
        admin.fill("#f-day", "2026-11-21")
        admin.select_option("#f-kind", "clinic_closed")
        admin.click("#change-day button[type=submit]")
        admin.wait_for_selector("[data-closing]")
        assert PATIENTS["A"]["name"] in text(admin, "[data-closing]")
        with admin.expect_navigation():
            admin.click("#change-day button.danger")
        admin.wait_for_selector(".callout.ok")
        nurse.goto(base + "/staff/desk")
        assert w["needs"] in text(nurse, "[data-needs-new-date]")
        assert PATIENTS["A"]["name"] in text(nurse, "[data-needs-new-date]")
        with nurse.expect_navigation():
            nurse.click("[data-needs-new-date] form[action^='/staff/closures/rebook/'] button")
        assert w["rebooked"] in text(nurse, ".callout.ok")
        assert nurse.locator("[data-needs-new-date]").count() == 0
        nurse.goto(base + "/staff/schedule?day=2026-11-22")
        assert PATIENTS["A"]["name"] in text(nurse) and re.search(r"\d{2}:\d{2}", text(nurse))
