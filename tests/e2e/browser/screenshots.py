"""Save a screenshot of each main page, in zh-CN and en, at phone (390 px) and desktop (1280 px) width.

    .venv/bin/python tests/e2e/browser/screenshots.py [output-dir] [--only patient|staff]   # default: docs/screenshots/

Runs the real app (bootstrap on a fresh SQLite file, fixed clock) and Debian's chromium. The patient's pages come
first; then ``_staff_pages`` fills the clinic through the services (numbers, screenings, bookings, a procedure,
a signed report), moves the clock from Fri 20 to Sun 22 and Mon 23 Nov 2026 and photographs the desk, radiologist,
My visit and kiosk pages as the people using them see them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import CHROMIUM, CHROMIUM_ARGS, serve

from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

ROOT = Path(__file__).resolve().parents[3]
WIDTHS = {"phone": 390, "desktop": 1280}
LANGS = ("zh-CN", "en")


def _take_number(n: int) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + "/number")
        page.fill("#f-name", synthetic_name(n))
        page.fill("#f-id_number", synthetic_resident_id(n))
        page.fill("#f-phone", synthetic_phone(n))
        page.click("form[action='/number'] button[type=submit]")
        page.wait_for_selector(".ticket-no")

    return run


def _goto(path: str) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + path)

    return run


def _number_filled(page: Any, base: str) -> None:
    page.goto(base + "/number")
    page.fill("#f-name", synthetic_name(90))
    page.type("#f-id_number", synthetic_resident_id(90)[:15])


PAGES: list[tuple[str, Callable[[Any, str], None]]] = [
    ("home", _goto("/")),
    ("plan-form", _goto("/plan")),
    ("plan-dates", _goto("/plan?period_end=2026-11-18&age=32")),
    ("plan-next-cycle", _goto("/plan?period_end=2026-11-05&cycle_length=30")),
    ("about", _goto("/about")),
    ("number", _number_filled),
    ("number-error", _goto("/plan?period_end=2026-13-01")),
    ("my-visit", _goto("/my-visit")),
    ("kiosk", _goto("/kiosk")),
    ("staff-login", _goto("/staff/login")),
    ("not-found", _goto("/no-such-page")),
]


def main(out: Path, only: str | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as (base, clinic), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        if only != "staff":
            saved += _patient_pages(browser, base, out)
        if only != "patient":
            saved += _staff_pages(browser, base, clinic, out)
        browser.close()
    return saved


def _patient_pages(browser: Any, base: str, out: Path) -> list[Path]:
    saved: list[Path] = []
    counter = 100
    for lang in LANGS:
        for size, width in WIDTHS.items():
            counter += 1
            pages = [*PAGES, ("number-taken", _take_number(counter))]
            for name, action in pages:
                ctx = browser.new_context(
                    viewport={"width": width, "height": 844 if size == "phone" else 900},
                    locale=lang,
                    extra_http_headers={"Accept-Language": lang},
                    device_scale_factor=1,
                )
                page = ctx.new_page()
                action(page, base)
                page.wait_for_load_state("networkidle")
                path = out / f"{name}--{lang}--{size}.png"
                page.screenshot(path=str(path), full_page=True)
                saved.append(path)
                ctx.close()
    return saved


# -- staff pages ----------------------------------------------------------------------------------------------------
PASSWORD = "screenshot-password-1"
SHANGHAI = ZoneInfo("Asia/Shanghai")
FRI, SUN, MON = (dt.datetime(2026, 11, d, h, m, tzinfo=SHANGHAI) for d, h, m in ((20, 7, 30), (22, 9, 10), (23, 8, 0)))


def fill_clinic(clinic: Any) -> dict[str, Any]:
    """Fri 20 Nov, through the services: a queue with a patient at every step, three paid bookings on Sun 22 Nov."""
    from hsgclinic.domain.cycle import CycleFacts
    from hsgclinic.domain.eligibility import ScreeningInput
    from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
    from hsgclinic.services import booking, payments, registration, screening
    from hsgclinic.services import staff as staff_service
    from hsgclinic.services.context import Actor, Role

    ctx = clinic.ctx
    ctx.clock.set(FRI)
    admin = Actor(Role.ADMIN, "admin", "10.0.0.5")
    for username, name, role in (
        ("nurse.wang", "王护士", "registrar"),
        ("dr.li", "李医生", "doctor"),
        ("dr.zhao", "赵医生", "radiologist"),
    ):
        staff_service.create_user(ctx, admin, username=username, display_name=name, role=role, password=PASSWORD)
    nurse, doctor = Actor(Role.REGISTRAR, "nurse.wang"), Actor(Role.DOCTOR, "dr.li")
    day = FRI.date()
    numbers = [
        registration.take_number(
            ctx,
            Actor.public("203.0.113.7"),
            day=day,
            name=synthetic_name(n),
            id_number=synthetic_resident_id(n),
            phone=synthetic_phone(n),
        ).number
        for n in range(201, 210)
    ]
    for number in numbers[:8]:
        registration.check_in(ctx, nurse, number.registration_id)
    good = ScreeningInput(
        visit_date=day,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False),
    )

    def screened(number: Any, **changes: Any) -> Any:
        view = screening.record_screening(
            ctx,
            doctor,
            patient_id=number.patient_id,
            screening=dataclasses.replace(good, **changes),
            doctor_name="李医生",
            registration_id=number.registration_id,
            issue_form=True,
        )
        return (
            screening.issue_application_form(ctx, doctor, view.screening_id) if view.application_form_number else None
        )

    appointments = []
    for number, method in zip(numbers[:3], ("wechat", "alipay", "cash"), strict=True):  # booked Sun 22, paid
        appt = booking.book(ctx, nurse, screened(number).form_id, dt.date(2026, 11, 22))
        payments.record_payment(ctx, nurse, appt.appointment_id, method)
        appointments.append(appt.appointment_id)
    booking.book(ctx, nurse, screened(numbers[3]).form_id, dt.date(2026, 11, 21))  # booked Sat 21, unpaid
    to_book = screened(numbers[4])  # form issued, to book
    screened(numbers[5], temperature_c=Decimal("37.6"))  # ELIG-TEMP: blocked
    # numbers[6], numbers[7]: checked in, waiting for the doctor; numbers[8]: not here yet
    return {
        "to_screen": numbers[6].registration_id,
        "to_book": to_book.form_id,
        "paid": appointments[0],
        "to_record": appointments[2],
        "done": appointments[:2],
        "code": numbers[0].access_code,
        "last4": synthetic_resident_id(201)[-4:],
    }


def sunday_procedures(clinic: Any, ids: dict[str, Any]) -> None:
    """Sun 22 Nov: two procedures recorded, the first one's report written and signed (aftercare made)."""
    from hsgclinic.domain.eligibility import HcgResult
    from hsgclinic.domain.report import (
        CavityFinding,
        ContrastKind,
        ObstructionLevel,
        Patency,
        ReportFindings,
        Spill,
        TubeFinding,
    )
    from hsgclinic.services import procedure
    from hsgclinic.services.context import Actor, Role

    ctx = clinic.ctx
    ctx.clock.set(SUN)
    radiologist = Actor(Role.RADIOLOGIST, "dr.zhao")
    started = dt.datetime(2026, 11, 22, 8, 0, tzinfo=SHANGHAI).astimezone(dt.UTC)
    done = []
    for appointment_id in ids["done"]:
        proc = procedure.record_procedure(
            ctx,
            radiologist,
            appointment_id,
            procedure.ProcedureInput(
                hcg_result=HcgResult.NEGATIVE,
                operator="赵医生",
                started_at=started,
                ended_at=started + dt.timedelta(minutes=6),
                contrast_agent="碘海醇 iohexol 300",
                contrast_kind=ContrastKind.WATER,
                volume_ml=Decimal("10"),
                fluoroscopy_s=Decimal("48"),
                dap_gy_cm2=Decimal("1.2"),
            ),
        )
        done.append(proc.procedure_id)
        started += dt.timedelta(minutes=30)
    patent = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
    findings = ReportFindings(
        CavityFinding("normal", False, False, False), patent, patent, "宫腔形态正常；双侧输卵管通畅，造影剂弥散良好。"
    )
    report = procedure.write_report(ctx, radiologist, done[0], findings)
    procedure.sign_report(ctx, radiologist, report.report_id)
    procedure.produce_aftercare(ctx, radiologist, done[0])
    ids["signed"], ids["to_report"] = done


def people(browser: Any, base: str, username: str | None = None) -> dict[str, Any]:
    """One browser page per language (its locale and Accept-Language), signed in as ``username`` if given."""
    pages = {}
    for lang in LANGS:
        ctx = browser.new_context(locale=lang, extra_http_headers={"Accept-Language": lang}, device_scale_factor=1)
        pages[lang] = page = ctx.new_page()
        if username:
            _sign_in(page, base, username)
    return pages


def _sign_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/staff/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_load_state()


def screening_checked(page: Any, base: str, registration_id: int) -> None:
    """The screening form filled in with a pH of 4.8, checked: every rule's outcome and the review box."""
    page.goto(f"{base}/staff/screening/{registration_id}")
    for name, value in (
        ("period_end", "2026-11-18"),
        ("period_start", "2026-11-14"),
        ("shortest_cycle", "28"),
        ("longest_cycle", "30"),
        ("temperature_c", "36.7"),
        ("wbc_per_hpf", "8"),
        ("ph", "4.8"),
    ):
        page.fill(f"#f-{name}", value)
    for name in ("respiratory_illness", "lower_abdominal_pain", "intercourse_since_period_end"):
        page.check(f"input[name={name}][value=no]")
    page.select_option("#f-cleanliness", "2")
    for name in ("trichomonas", "yeast", "clue_cells"):
        page.select_option(f"#f-{name}", "negative")
    page.click("button[name=action][value=check]")
    page.wait_for_selector("[name='reason_ELIG-LEUK']")


def _kiosk(code: str, last4: str) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + "/kiosk")
        page.fill("#f-code", code)
        page.fill("#f-last4", last4)
        page.press("#f-last4", "Enter")
        page.wait_for_selector(".callout")

    return run


def _my_visit(code: str, last4: str) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(f"{base}/my-visit?code={code}")
        page.fill("#f-last4", last4)
        page.click("form[action='/my-visit'] button[type=submit]")
        page.wait_for_selector("[data-visit-steps]")

    return run


def _search(query: str) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + "/staff/search")
        page.fill("#f-q", query)
        page.click("form[action='/staff/search'] button[type=submit]")
        page.wait_for_selector("[data-search-results]")

    return run


def _shoot(pages: dict[str, Any], base: str, out: Path, name: str, action: Callable[[Any, str], None]) -> list[Path]:
    saved = []
    for lang, page in pages.items():
        for size, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 844 if size == "phone" else 900})
            action(page, base)
            page.wait_for_load_state("networkidle")
            path = out / f"{name}--{lang}--{size}.png"
            page.screenshot(path=str(path), full_page=True)
            saved.append(path)
    return saved


def _staff_pages(browser: Any, base: str, clinic: Any, out: Path) -> list[Path]:
    ids = fill_clinic(clinic)
    saved: list[Path] = []
    nurse, doctor = people(browser, base, "nurse.wang"), people(browser, base, "dr.li")
    saved += _shoot(nurse, base, out, "staff-queue", _goto("/staff/desk"))
    saved += _shoot(doctor, base, out, "staff-screening", lambda p, b: screening_checked(p, b, ids["to_screen"]))
    saved += _shoot(nurse, base, out, "staff-booking", _goto(f"/staff/booking/{ids['to_book']}"))
    saved += _shoot(nurse, base, out, "staff-payment", _goto(f"/staff/payment/{ids['paid']}"))
    saved += _shoot(nurse, base, out, "staff-schedule", _goto("/staff/schedule?day=2026-11-22"))
    saved += _shoot(nurse, base, out, "staff-move", _goto(f"/staff/appointment/{ids['paid']}/move"))
    saved += _shoot(nurse, base, out, "staff-refund", _goto(f"/staff/payment/{ids['paid']}/refund"))
    saved += _shoot(nurse, base, out, "staff-search", _search(ids["last4"]))
    saved += _shoot(nurse, base, out, "staff-print-room", _goto("/staff/print/room?day=2026-11-22"))
    sunday_procedures(clinic, ids)
    radiologist = people(browser, base, "dr.zhao")
    saved += _shoot(radiologist, base, out, "staff-worklist", _goto("/staff/radiology"))
    saved += _shoot(radiologist, base, out, "staff-procedure", _goto(f"/staff/procedure/{ids['to_record']}"))
    saved += _shoot(radiologist, base, out, "staff-report", _goto(f"/staff/report/{ids['to_report']}"))
    saved += _shoot(radiologist, base, out, "staff-report-signed", _goto(f"/staff/report/{ids['signed']}?signed=1"))
    kiosk = people(browser, base)
    saved += _shoot(kiosk, base, out, "my-visit-aftercare", _my_visit(ids["code"], ids["last4"]))
    saved += _shoot(kiosk, base, out, "kiosk-ready-from", _kiosk(ids["code"], ids["last4"]))
    clinic.ctx.clock.set(MON)
    saved += _shoot(kiosk, base, out, "kiosk-ready", _kiosk(ids["code"], ids["last4"]))
    for pages in (nurse, doctor, radiologist, kiosk):
        for page in pages.values():
            page.context.close()
    return saved


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--only")]
    only = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--only=")), None)
    target = Path(args[0]) if args else ROOT / "docs" / "screenshots"
    for saved_path in main(target, only):
        print(saved_path.relative_to(ROOT) if saved_path.is_relative_to(ROOT) else saved_path)
