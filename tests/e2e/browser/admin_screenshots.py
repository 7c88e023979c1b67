"""Screenshots of the administrator's pages, in zh-CN and en, at phone (390 px) and desktop (1280 px) width.

    .venv/bin/python tests/e2e/browser/admin_screenshots.py [output-dir]   # default: docs/screenshots/

Runs the real app (bootstrap on a fresh SQLite file, fixed clock Fri 2026-11-20 07:30) with two weeks of synthetic
clinic days behind it (numbers, no-shows, procedures, signed reports), signs an administrator in and saves
``admin-<page>--<lang>--<phone|desktop>.png``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_server import CHROMIUM, CHROMIUM_ARGS, serve

from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.report import ContrastKind, ReportFindings
from hsgclinic.services import admin, booking, payments, procedure, registration, screening, staff
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.demo import BLOCKED, PATENT, _at, _screening
from hsgclinic.services.errors import ServiceError
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

ROOT = Path(__file__).resolve().parents[3]
WIDTHS = {"phone": 390, "desktop": 1280}
LANGS = ("zh-CN", "en")
PASSWORD = "screenshot-admin-pw"
NOTICE = {
    "year": 2027,
    "breaks": [
        {"name_zh": "元旦", "name_en": "New Year's Day", "from": "2027-01-01", "to": "2027-01-03"},
        {"name_zh": "春节", "name_en": "Spring Festival", "from": "2027-02-05", "to": "2027-02-13"},
        {"name_zh": "清明节", "name_en": "Qingming Festival", "from": "2027-04-03", "to": "2027-04-05"},
        {"name_zh": "劳动节", "name_en": "Labour Day", "from": "2027-05-01", "to": "2027-05-05"},
        {"name_zh": "端午节", "name_en": "Dragon Boat Festival", "from": "2027-06-09", "to": "2027-06-11"},
        {
            "name_zh": "国庆节、中秋节",
            "name_en": "National Day and Mid-Autumn",
            "from": "2027-10-01",
            "to": "2027-10-07",
        },
    ],
    "workdays": ["2027-02-14", "2027-02-20"],
}


def seed(clinic: Any) -> None:
    """Two weeks of clinic days: numbers, check-ins, no-shows, procedures and reports signed 1–3 days later."""
    ctx = clinic.ctx
    boss = Actor(Role.ADMIN, "admin")
    staff.create_user(ctx, boss, username="admin", display_name="管理员", role="admin", password=PASSWORD)
    for username, role, name in (
        ("nurse.wang", "registrar", "王护士"),
        ("dr.li", "doctor", "李医生"),
        ("dr.zhao", "radiologist", "赵医生"),
        ("nurse.chen", "registrar", "陈护士"),
    ):
        staff.create_user(ctx, boss, username=username, display_name=name, role=role, password=PASSWORD)
    nurse, doctor, rad = (
        Actor(Role.REGISTRAR, "nurse.wang"),
        Actor(Role.DOCTOR, "dr.li"),
        Actor(Role.RADIOLOGIST, "dr.zhao"),
    )
    admin.set_override(ctx, boss, dt.date(2026, 12, 3), "clinic_closed", "业务培训", "Staff training")
    today = ctx.today()
    n = 0
    for back in range(14, -1, -1):
        day = today - dt.timedelta(days=back)
        if not ctx.calendar_for(day).is_open(day):
            continue
        count = 6 + (back * 7) % 9 if back else 9
        ids = []
        for _ in range(count):
            n += 1
            taken = registration.take_number(
                _at(ctx, day, 7, 1 + n % 50),
                Actor.public("demo"),
                day=day,
                name=synthetic_name(5000 + n),
                id_number=synthetic_resident_id(5000 + n),
                phone=synthetic_phone(5000 + n),
            )
            ids.append(taken.number)
        if back == 0:
            for number in ids[:4]:
                registration.check_in(_at(ctx, day, 8), nurse, number.registration_id)
            continue
        shows = ids[: max(1, count - 1 - back % 3)]
        for i, number in enumerate(shows):
            registration.check_in(_at(ctx, day, 8), nurse, number.registration_id)
            if i % 2:
                continue
            try:
                c = _at(ctx, day, 9)
                view = screening.record_screening(
                    c,
                    doctor,
                    patient_id=number.patient_id,
                    doctor_name="李医生",
                    issue_form=True,
                    screening=_screening(day),
                )
                form = screening.issue_application_form(c, doctor, view.screening_id)
                offers = booking.options(c, nurse, form.form_id)
                if not offers.offers:
                    continue
                appt = booking.book(c, nurse, form.form_id, offers.offers[0].day)
                payments.record_payment(c, nurse, appt.appointment_id, "wechat")
                if appt.day >= today:
                    continue
                p = _at(ctx, appt.day, 9, 10)
                proc = procedure.record_procedure(
                    p,
                    rad,
                    appt.appointment_id,
                    procedure.ProcedureInput(
                        hcg_result=HcgResult.NEGATIVE,
                        operator="赵医生",
                        started_at=p.now(),
                        ended_at=p.now() + dt.timedelta(minutes=5),
                        contrast_agent="碘海醇 iohexol",
                        contrast_kind=ContrastKind.WATER,
                        volume_ml=Decimal("10"),
                        fluoroscopy_s=Decimal(40 + n % 30),
                        dap_gy_cm2=Decimal("1.5"),
                    ),
                )
                findings = ReportFindings(_cavity(), PATENT, BLOCKED if i % 3 else PATENT, "双侧输卵管通畅。")
                report = procedure.write_report(p, rad, proc.procedure_id, findings)
                signed_on = min(appt.day + dt.timedelta(days=1 + (n + i) % 3), today)
                procedure.sign_report(_at(ctx, signed_on, 16), rad, report.report_id)
            except ServiceError:
                continue
        registration.mark_no_shows(_at(ctx, day + dt.timedelta(days=1), 7), nurse, day)


def _cavity() -> Any:
    from hsgclinic.domain.report import CavityFinding

    return CavityFinding("normal", False, False, False)


def _goto(path: str) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + path)

    return run


def _settings_error(page: Any, base: str) -> None:
    page.goto(base + "/staff/admin/settings")
    page.fill("#f-daily_numbers", "0")
    page.fill("#f-price_cny", "12.345")
    page.fill("#f-release_time", "7h")
    page.click("form[action='/staff/admin/settings'] button[type=submit]")
    page.wait_for_selector("#form-errors")


def _notice_preview(notice_file: Path) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + "/staff/admin/calendar")
        page.set_input_files("#f-notice", str(notice_file))
        page.click("form[action='/staff/admin/calendar/notice'] button[type=submit]")
        page.wait_for_selector("#notice-preview")

    return run


def _notice_error(bad_file: Path) -> Callable[[Any, str], None]:
    def run(page: Any, base: str) -> None:
        page.goto(base + "/staff/admin/calendar")
        page.set_input_files("#f-notice", str(bad_file))
        page.click("form[action='/staff/admin/calendar/notice'] button[type=submit]")
        page.wait_for_selector(".field-error")

    return run


def main(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as (base, clinic), sync_playwright() as p:
        seed(clinic)
        notice_file = Path(tmp) / "2027.json"
        notice_file.write_text(json.dumps(NOTICE, ensure_ascii=False), encoding="utf-8")
        bad_file = Path(tmp) / "bad.json"
        bad_file.write_text('{"year": 2027, "breaks": [{"name_zh": "春节", "from": "2027-02-05"}]', encoding="utf-8")
        pages: list[tuple[str, Callable[[Any, str], None]]] = [
            ("dashboard", _goto("/staff/admin")),
            ("settings", _goto("/staff/admin/settings")),
            ("settings-error", _settings_error),
            ("calendar", _goto("/staff/admin/calendar")),
            ("calendar-notice-preview", _notice_preview(notice_file)),
            ("calendar-notice-error", _notice_error(bad_file)),
            ("staff", _goto("/staff/admin/staff")),
            ("audit", _goto("/staff/admin/audit")),
            ("refused", _goto("/staff/admin/settings")),
        ]
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for lang in LANGS:
            for size, width in WIDTHS.items():
                for name, action in pages:
                    who = "nurse.chen" if name == "refused" else "admin"
                    login = staff.login(clinic.ctx, username=who, password=PASSWORD, address="127.0.0.1")
                    ctx = browser.new_context(
                        viewport={"width": width, "height": 844 if size == "phone" else 900},
                        locale=lang,
                        extra_http_headers={"Accept-Language": lang},
                        device_scale_factor=1,
                    )
                    ctx.add_cookies([{"name": "hsg_session", "value": login.token, "url": base}])
                    page = ctx.new_page()
                    action(page, base)
                    page.wait_for_load_state("networkidle")
                    path = out / f"admin-{name}--{lang}--{size}.png"
                    page.screenshot(path=str(path), full_page=True)
                    saved.append(path)
                    ctx.close()
        browser.close()
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    for saved_path in main(target):
        print(saved_path.relative_to(ROOT) if saved_path.is_relative_to(ROOT) else saved_path)
