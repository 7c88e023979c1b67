"""The whole pathway in real Chromium, once in each language, as the people in it would do it.

Fri 20 Nov 2026 07:30 (the fixed clinic clock; numbers were released at 07:00):
  1. Patient A plans her visit (her period ended on Wed 18 Nov) and takes a number; B and C take numbers too.
  2. The nurse signs in and checks all three in.
  3. The doctor screens them: A passes (application form issued), B has 37.6 °C (ELIG-TEMP blocks, no form),
     C has pH 4.8 (ELIG-LEUK asks for review; the doctor gives a reason and her name, and the form is issued).
  4. The nurse books A on one of the offered dates (only Sat 21 and Sun 22 Nov: BOOK-LEAD) and records payment.
Sun 22 Nov 07:50 (the clock moves; nothing sleeps):
  5. The radiologist records A's procedure (hCG negative), writes the structured report and signs it.
     Before signing, a draft report is "being written" (no date, no print) on My visit and the kiosk.
  6. A's *My visit* shows her aftercare dates; the kiosk (code + last 4) says the signed report prints from Mon 23 Nov.
Mon 23 Nov 08:00:
  7. The kiosk prints the report: the print button's address answers with a PDF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import csp_guard
import pytest
from live_server import serve

from hsgclinic.domain.identity import check_digit
from hsgclinic.services import staff as staff_service
from hsgclinic.services.context import Actor, Role

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Every date the pages show, written the way each language writes it.
DATES = {
    "zh-CN": {
        "fri20": "2026年11月20日（周五）",
        "sat21": "2026年11月21日（周六）",
        "sun22": "2026年11月22日（周日）",
        "mon23": "2026年11月23日（周一）",
        "bleed_by": "11月29日（周日）",  # D+7
        "abstain_through": "12月6日（周日）",  # D+14
    },
    "en": {
        "fri20": "Fri 20 Nov 2026",
        "sat21": "Sat 21 Nov 2026",
        "sun22": "Sun 22 Nov 2026",
        "mon23": "Mon 23 Nov 2026",
        "bleed_by": "Sun 29 Nov",
        "abstain_through": "Sun 6 Dec",
    },
}
WORDS = {
    "zh-CN": {
        "dates": "您本周期的日期",
        "checked_in": "已签到。",
        "ok": "通过",
        "review": "需医生确认",
        "block": "不可行",
        "form_issued": "已开具申请单",
        "not_this_cycle": "本周期无法进行",
        "confirmed": "医生已确认",
        "places": "剩余",
        "booked": "已预约。",
        "paid": "已缴费",
        "recorded": "造影记录已保存",
        "saved": "报告已保存",
        "signed": "已签发",
        "ready_from": "您的报告已签发，{day} 起可打印。",
        "ready": "您的报告已可打印。",
        "writing": "您的报告正在书写中；报告可打印时我们会通知您。",
    },
    "en": {
        "dates": "Your dates this cycle",
        "checked_in": "Checked in.",
        "ok": "OK",
        "review": "Doctor to confirm",
        "block": "Not possible",
        "form_issued": "Application form issued",
        "not_this_cycle": "Not possible this cycle",
        "confirmed": "Confirmed by the doctor",
        "places": "places left",
        "booked": "Booked.",
        "paid": "Paid",
        "recorded": "Procedure recorded",
        "saved": "Report saved",
        "signed": "Signed.",
        "ready_from": "Your report is signed and can be printed from {day}.",
        "ready": "Your report is ready.",
        "writing": "Your report is being written; we will tell you when it is ready.",
    },
}


def resident_id(n: int) -> str:
    """A synthetic resident ID (region 999999 does not exist) for a woman born 1993, valid GB 11643 check digit."""
    first17 = f"99999919930{n % 9 + 1}1{n % 10}{(n * 2) % 1000:03d}"
    return first17 + check_digit(first17)


PATIENTS = {
    "A": {"name": "林晓雯", "id": resident_id(11), "phone": "13900000011"},
    "B": {"name": "陈思雨", "id": resident_id(12), "phone": "13900000012"},
    "C": {"name": "王佳怡", "id": resident_id(13), "phone": "13900000013"},
}
SCREENING = {  # a screening that passes every rule (for a period that ended on Wed 18 Nov)
    "#f-period_end": "2026-11-18",
    "#f-period_start": "2026-11-14",
    "#f-shortest_cycle": "28",
    "#f-longest_cycle": "30",
    "#f-temperature_c": "36.6",
}


def at(clinic: Any, *args: int) -> None:
    """Move the clinic's clock (the live server reads the same clock object) to a local Beijing time."""
    clinic.ctx.clock.set(dt.datetime(*args, tzinfo=SHANGHAI))


@pytest.fixture
def browser(browser: Any) -> Iterator[Any]:
    """The session's browser; every context the test opens is closed afterwards."""
    CSP_VIOLATIONS.clear()
    yield browser
    for ctx in browser.contexts:
        ctx.close()
    found = [v for per_context in CSP_VIOLATIONS for v in per_context]
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


CSP_VIOLATIONS: list[list[str]] = []  # one list per browser context the test opened


def new_page(browser: Any, lang: str, viewport: dict[str, int]) -> Any:
    ctx = browser.new_context(viewport=viewport, locale=lang, extra_http_headers={"Accept-Language": lang})
    CSP_VIOLATIONS.append(csp_guard.watch(ctx))
    return ctx.new_page()


def text(page: Any, selector: str = "main") -> str:
    return str(page.locator(selector).first.inner_text())


def staff_sign_in(browser: Any, base: str, clinic: Any, lang: str, username: str, role: str) -> Any:
    staff_service.create_user(
        clinic.ctx,
        Actor(Role.ADMIN, "admin", "10.0.0.5"),
        username=username,
        display_name=username.title(),
        role=role,
        password=PASSWORD,
    )
    page = new_page(browser, lang, DESKTOP)
    page.goto(base + "/staff/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_load_state()
    assert "/staff/login" not in page.url, text(page)
    return page


def take_number(page: Any, base: str, who: dict[str, str]) -> tuple[str, str]:
    page.goto(base + "/number")
    page.fill("#f-name", who["name"])
    page.fill("#f-id_number", who["id"])
    page.fill("#f-phone", who["phone"])
    page.click("form[action='/number'] button[type=submit]")
    page.wait_for_selector(".ticket-no")
    assert who["id"] not in page.content()  # REG-REALNAME: never the full ID back
    return page.locator(".ticket-no").inner_text().strip(), page.locator(".access-code").inner_text().strip()


def fill_screening(page: Any, **changes: str) -> None:
    for selector, value in {**SCREENING, **changes}.items():
        page.fill(selector, value)
    for name in ("respiratory_illness", "lower_abdominal_pain", "intercourse_since_period_end"):
        page.check(f"input[name={name}][value=no]")
    page.select_option("#f-cleanliness", "2")
    for name in ("trichomonas", "yeast", "clue_cells"):
        page.select_option(f"#f-{name}", "negative")


def open_screening(doctor: Any, base: str, queue_no: str) -> None:
    doctor.goto(base + "/staff/desk")
    doctor.click(f"#n{queue_no} a[href^='/staff/screening/']")
    doctor.wait_for_selector("form[data-screening-form]")


def live_outcome(page: Any, rule: str, label: str) -> str:
    """Wait for the form's script to show ``rule`` with the outcome ``label`` (as the doctor types), return it all."""
    box = page.locator("[data-live-outcome]")
    box.locator(".finding", has_text=rule).locator(".badge", has_text=label).wait_for()
    return str(box.inner_text())


def test_the_whole_pathway(browser: Any, lang: str, tmp_path: Path) -> None:
    d, w = DATES[lang], WORDS[lang]
    with serve(tmp_path) as (base, clinic):
        # -- 1. Fri 20 Nov 07:30: patient A plans her visit on her phone and takes a number ----------------------
        patient = new_page(browser, lang, PHONE)
        patient.goto(base + "/plan")
        assert patient.locator("html").get_attribute("lang") == lang
        patient.fill("#f-period_end", "2026-11-18")
        patient.click("form[action='/plan#result'] button[type=submit]")
        patient.wait_for_selector("svg.timeline")
        plan = text(patient, "#result")
        assert w["dates"] in plan and d["fri20"] in plan  # today is her recommended visit day (ELIG-VISIT-DAY)
        patient.click("#result a[href='/number']")
        patient.wait_for_selector("form[action='/number']")
        queue_a, code_a = take_number(patient, base, PATIENTS["A"])
        assert queue_a == "1" and re.fullmatch(r"[2-9A-Z]{8}", code_a)
        queue_b, _ = take_number(new_page(browser, lang, PHONE), base, PATIENTS["B"])
        queue_c, _ = take_number(new_page(browser, lang, PHONE), base, PATIENTS["C"])
        assert (queue_b, queue_c) == ("2", "3")

        # -- 2. the nurse checks them in --------------------------------------------------------------------------
        nurse = staff_sign_in(browser, base, clinic, lang, "nurse.wang", "registrar")
        assert nurse.url.endswith("/staff/desk") and d["fri20"] in text(nurse, "h1")
        for queue_no in (queue_a, queue_b, queue_c):
            nurse.click(f"#n{queue_no} form[action^='/staff/desk/check-in/'] button")
            nurse.wait_for_load_state()
            assert w["checked_in"] in text(nurse, ".callout.ok")
        assert all(PATIENTS[p]["id"][-4:] in text(nurse) for p in "ABC")

        # -- 3. the doctor screens: A passes, B has a fever, C needs a review -------------------------------------
        doctor = staff_sign_in(browser, base, clinic, lang, "dr.li", "doctor")
        open_screening(doctor, base, queue_a)
        fill_screening(doctor)
        shown = live_outcome(doctor, "ELIG-TEMP", w["ok"])  # the outcome appears as she fills the form in
        assert "ELIG-LEUK" in shown and "ELIG-VISIT-DAY" in shown
        doctor.click("button[name=action][value=record]")
        doctor.wait_for_selector("h1")
        done = text(doctor)
        assert w["form_issued"] in done and re.search(r"[A-Z0-9-]{6,}", text(doctor, ".callout.ok code"))
        booking_url = doctor.locator("a[href^='/staff/booking/']").get_attribute("href")

        open_screening(doctor, base, queue_b)
        fill_screening(doctor, **{"#f-temperature_c": "37.6"})
        live_outcome(doctor, "ELIG-TEMP", w["block"])
        doctor.click("button[name=action][value=record]")
        doctor.wait_for_selector("h1")
        blocked = text(doctor)
        assert "ELIG-TEMP" in blocked and w["not_this_cycle"] in blocked and w["form_issued"] not in blocked
        assert doctor.locator(".finding-block", has_text="ELIG-TEMP").count() == 1
        assert doctor.locator("a[href^='/staff/booking/']").count() == 0

        open_screening(doctor, base, queue_c)
        fill_screening(doctor, **{"#f-ph": "4.8"})
        live_outcome(doctor, "ELIG-LEUK", w["review"])
        doctor.click("button[name=action][value=check]")  # the page asks for the doctor's reason
        doctor.wait_for_selector("#f-reason_ELIG-LEUK")
        doctor.fill("#f-reason_ELIG-LEUK", "pH 4.8 only; no symptoms, smear clean")
        doctor.fill("#f-doctor_name", "Dr Li Hong")
        doctor.click("button[name=action][value=record]")
        doctor.wait_for_selector("h1")
        reviewed = text(doctor)
        assert w["form_issued"] in reviewed and w["confirmed"] in reviewed
        assert "ELIG-LEUK" in reviewed and "pH 4.8 only; no symptoms, smear clean" in reviewed
        assert "Dr Li Hong" in reviewed

        # -- 4. the nurse books A on an offered date and takes the payment ------------------------------------------
        nurse.goto(base + "/staff/desk")
        nurse.click(f"#n{queue_a} a[href='{booking_url}']")
        nurse.wait_for_selector("input[name=day]")
        offered = [nurse.locator("input[name=day]").nth(i).get_attribute("value") for i in range(2)]
        assert nurse.locator("input[name=day]").count() == 2 and offered == ["2026-11-21", "2026-11-22"]
        dates_card = text(nurse, "#f-day")
        assert d["sat21"] in dates_card and d["sun22"] in dates_card and w["places"] in dates_card
        nurse.check("input[name=day][value='2026-11-22']")
        nurse.click("form[action^='/staff/booking/'] button[type=submit]")
        nurse.wait_for_selector("#f-method")
        assert w["booked"] in text(nurse, ".callout.ok") and d["sun22"] in text(nurse, ".facts")
        nurse.select_option("#f-method", "wechat")
        nurse.click("button[name=action][value=pay]")
        nurse.wait_for_selector(".receipt-no")
        assert re.fullmatch(r"R20261120\d+", nurse.locator(".receipt-no").inner_text().strip())
        assert w["paid"] in text(nurse, ".facts")
        nurse.goto(base + "/staff/schedule?day=2026-11-22")
        schedule = text(nurse)
        assert d["sun22"] in schedule and PATIENTS["A"]["name"] in schedule and "08:00" in schedule

        # -- 5. Sun 22 Nov 07:50: the radiologist records the procedure, writes and signs the report ------------------
        at(clinic, 2026, 11, 22, 7, 50)
        radiologist = staff_sign_in(browser, base, clinic, lang, "dr.zhao", "radiologist")
        assert radiologist.url.endswith("/staff/radiology") and d["sun22"] in text(radiologist, "h1")
        radiologist.click("a[href^='/staff/procedure/']")
        radiologist.wait_for_selector("#f-hcg_result")
        at(clinic, 2026, 11, 22, 8, 10)  # she records it once it has ended (times later than now are refused)
        radiologist.select_option("#f-hcg_result", "negative")
        for field, value in {
            "#f-started_at": "08:00",
            "#f-ended_at": "08:05",
            "#f-contrast_agent": "iohexol",
            "#f-volume_ml": "10",
            "#f-fluoroscopy_s": "45",
            "#f-dap_gy_cm2": "1.2",
        }.items():
            radiologist.fill(field, value)
        radiologist.click("form[action^='/staff/procedure/'] button[type=submit]")
        radiologist.wait_for_selector("#f-impression")
        assert w["recorded"] in text(radiologist, ".callout.ok")
        for side in ("left", "right"):
            radiologist.select_option(f"#f-{side}_patency", "patent")
            radiologist.select_option(f"#f-{side}_spill", "free")
        radiologist.fill("#f-impression", "Both tubes patent, free spill.")
        radiologist.click("button[name=action][value=save]")
        radiologist.wait_for_selector("form[action$='/sign']")
        assert w["saved"] in text(radiologist, ".callout.ok")
        # A draft is not ready: My visit and the kiosk say it is being written, with no date and no print button.
        patient.goto(base + f"/my-visit?code={code_a}")
        patient.fill("#f-last4", PATIENTS["A"]["id"][-4:])
        patient.click("form[action='/my-visit'] button[type=submit]")
        patient.wait_for_selector("[data-report-stage]")
        draft_step = text(patient, "[data-report-stage]")
        assert patient.locator("[data-report-stage]").get_attribute("data-report-stage") == "writing"
        assert w["writing"] in draft_step and d["mon23"] not in draft_step
        assert patient.locator("a[href$='report.pdf?lang=en']").count() == 0
        kiosk = new_page(browser, lang, DESKTOP)
        kiosk.goto(base + "/kiosk")
        kiosk.fill("#f-code", code_a)
        kiosk.fill("#f-last4", PATIENTS["A"]["id"][-4:])
        kiosk.press("#f-last4", "Enter")
        kiosk.wait_for_selector(".callout")
        assert w["writing"] in text(kiosk, ".callout") and d["mon23"] not in text(kiosk, ".callout")
        assert kiosk.locator("[data-print-url]").count() == 0
        radiologist.click("form[action$='/sign'] button[type=submit]")
        radiologist.wait_for_selector(".callout.ok code.rule-id")
        signed = text(radiologist, ".callout.ok")
        assert w["signed"] in signed and d["mon23"] in signed and "REPORT-READY" in signed
        radiologist.goto(base + "/staff/radiology")
        assert radiologist.locator(".badge-done").count() == 1

        # -- 6. A looks up her visit: the dated aftercare plan; the kiosk says when the report is ready --------------
        at(clinic, 2026, 11, 22, 10, 0)
        patient.goto(base + f"/my-visit?code={code_a}")
        patient.fill("#f-last4", PATIENTS["A"]["id"][-4:])
        patient.click("form[action='/my-visit'] button[type=submit]")
        patient.wait_for_selector("[data-visit-steps]")
        visit = text(patient, "[data-visit-steps]")
        assert d["sun22"] in visit and "08:00" in visit and re.search(r"R20261120\d+", visit)
        assert d["mon23"] in visit and "REPORT-READY" in visit
        aftercare = patient.locator("[data-visit-steps] > li").last
        bleed = aftercare.locator(".finding", has_text="CARE-BLEED").first.inner_text()
        abstain = aftercare.locator(".finding", has_text="CARE-ABSTAIN").first.inner_text()
        assert d["bleed_by"] in bleed and d["abstain_through"] in abstain
        assert patient.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        kiosk.goto(base + "/kiosk")
        kiosk.fill("#f-code", code_a)
        kiosk.fill("#f-last4", PATIENTS["A"]["id"][-4:])
        kiosk.press("#f-last4", "Enter")
        kiosk.wait_for_selector(".callout")
        assert w["ready_from"].format(day=d["mon23"]) in text(kiosk, ".callout")
        assert kiosk.locator("[data-print-url]").count() == 0

        # -- 7. Mon 23 Nov 08:00: the kiosk prints the report ----------------------------------------------------
        at(clinic, 2026, 11, 23, 8, 0)
        kiosk.fill("#f-code", code_a)
        kiosk.fill("#f-last4", PATIENTS["A"]["id"][-4:])
        kiosk.press("#f-last4", "Enter")
        kiosk.wait_for_selector("[data-print-url]")
        assert w["ready"] in text(kiosk, ".callout.ok")
        pdf_url = kiosk.locator("[data-print-url]").get_attribute("data-print-url")
        assert pdf_url.startswith("/kiosk/print/") and code_a not in pdf_url  # a signed link, not the code
        # The button loads this address into a hidden frame and prints it. Clicking it here would open Chromium's
        # PDF viewer in that frame, which crashes the Playwright driver ("Frame has been detached"), so the test
        # asks for the same address with the kiosk's own request context (same cookies and language).
        pdf = kiosk.request.get(base + pdf_url)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")


def test_every_staff_page_fits_a_phone(browser: Any, tmp_path: Path) -> None:
    """At 390 px nothing on a staff page sticks out sideways, in either language (the clinic the screenshots use)."""
    from screenshots import fill_clinic, people, screening_checked, sunday_procedures

    def fits(pages: dict[str, Any], *paths: str) -> None:
        for lang, page in pages.items():
            page.set_viewport_size(PHONE)
            for path in paths:
                if path.startswith("/"):
                    page.goto(base + path)
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"{page.url} ({lang}) is {wide} px wide"

    with serve(tmp_path) as (base, clinic):
        ids = fill_clinic(clinic)
        nurse, doctor = people(browser, base, "nurse.wang"), people(browser, base, "dr.li")
        fits(
            nurse,
            "/staff/desk",
            f"/staff/booking/{ids['to_book']}",
            f"/staff/payment/{ids['paid']}",
            "/staff/schedule?day=2026-11-22",
        )
        for page in doctor.values():
            screening_checked(page, base, ids["to_screen"])
        fits(doctor, "the screening form with every rule's outcome")
        sunday_procedures(clinic, ids)
        radiologist = people(browser, base, "dr.zhao")
        fits(
            radiologist,
            "/staff/radiology",
            f"/staff/procedure/{ids['to_record']}",
            f"/staff/report/{ids['to_report']}",
            f"/staff/report/{ids['signed']}?signed=1",
        )


ADMIN_PAGES = (
    "/staff/admin",
    "/staff/admin/settings",
    "/staff/admin/calendar",
    "/staff/admin/capacity",
    "/staff/admin/staff",
    "/staff/admin/dicom",
    "/staff/admin/audit",
)


def test_the_admin_pages_and_their_tabs_fit_a_phone(browser: Any, tmp_path: Path) -> None:
    """At 390 px every admin page stays within the screen and every tab of the sub-navigation is wholly visible."""
    from screenshots import PASSWORD, fill_clinic, people

    from hsgclinic.services import staff as staff_service
    from hsgclinic.services.context import Actor, Role

    with serve(tmp_path) as (base, clinic):
        fill_clinic(clinic)
        staff_service.create_user(
            clinic.ctx,
            Actor(Role.ADMIN, "admin", "10.0.0.5"),
            username="admin.chen",
            display_name="陈主任",
            role="admin",
            password=PASSWORD,
        )
        for lang, page in people(browser, base, "admin.chen").items():
            page.set_viewport_size(PHONE)
            for path in ADMIN_PAGES:
                page.goto(base + path)
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= PHONE["width"], f"{path} ({lang}) is {wide} px wide"
                tabs = page.evaluate(
                    "[...document.querySelectorAll('.admin-tabs a')].map(a => {"
                    " const r = a.getBoundingClientRect(); return [a.textContent, r.left, r.right]; })"
                )
                assert len(tabs) == len(ADMIN_PAGES)
                for label, left, right in tabs:
                    assert left >= 0 and right <= PHONE["width"], f"tab {label!r} cut on {path} ({lang})"
            page.goto(base + "/staff/admin/audit")
            page.screenshot(path=str(tmp_path / f"admin-tabs-{lang}.png"), full_page=False)
