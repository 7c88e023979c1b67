"""REG-LINE in real Chromium, both languages, phone width: the sold-out day offers the waiting line, she joins,
sees her place, a cancellation makes the number hers. ``HSGCLINIC_SCREENSHOTS=dir`` saves the pages there
(docs/screenshots/number-line-*.png were made so)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from hsgclinic.services import registration
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"join": "加入候补排队", "place": "您排在第", "served": "有号退回，已给您", "left": "您已退出候补排队"},
    "en": {
        "join": "Join the waiting line",
        "place": "You are number",
        "served": "A number came back and it is yours",
        "left": "You have left the waiting line",
    },
}
DESK = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")


def shot(page: Any, name: str, lang: str) -> None:
    out = os.environ.get("HSGCLINIC_SCREENSHOTS")
    if out:
        page.screenshot(path=str(Path(out) / f"{name}--{lang}--phone.png"), full_page=True)


def test_she_joins_the_line_of_a_sold_out_day_and_gets_a_returned_number(
    live: tuple[str, Any], page: Any, lang: str
) -> None:
    base, clinic = live
    day = clinic.ctx.today()
    quota = clinic.ctx.effective().daily_numbers
    public = Actor.public("203.0.113.9")
    held = [
        registration.take_number(
            clinic.ctx,
            public,
            day=day,
            name=synthetic_name(n),
            id_number=synthetic_resident_id(n),
            phone=synthetic_phone(n),
        ).number
        for n in range(quota)
    ]
    page.goto(base + "/number")
    join = page.locator(f"form[action='/number/line'] button:has-text('{WORDS[lang]['join']}')")
    assert join.count() == 1
    n = 500 if lang == "en" else 501
    page.fill("#f-name", synthetic_name(n))
    page.fill("#f-id_number", synthetic_resident_id(n))
    page.fill("#f-phone", synthetic_phone(n))
    shot(page, "number-sold-out-line", lang)
    join.click()
    page.wait_for_selector(".ticket-no")
    assert WORDS[lang]["place"] in page.content()
    assert page.locator(".ticket-no").inner_text().strip() == "1"
    code = page.locator(".access-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{8}", code)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "number-line-waiting", lang)

    registration.cancel_number(clinic.ctx, DESK, held[6].registration_id, reason="staff")
    page.goto(f"{base}/number/line/{code}")
    assert WORDS[lang]["served"] in page.content()
    assert page.locator(".ticket-no").inner_text().strip() == "7"
    shot(page, "number-line-served", lang)


def test_she_can_leave_the_line(live: tuple[str, Any], page: Any, lang: str) -> None:
    base, clinic = live
    day = clinic.ctx.today()
    public = Actor.public("203.0.113.9")
    for n in range(clinic.ctx.effective().daily_numbers):
        registration.take_number(
            clinic.ctx,
            public,
            day=day,
            name=synthetic_name(n),
            id_number=synthetic_resident_id(n),
            phone=synthetic_phone(n),
        )
    page.goto(base + "/number")
    page.fill("#f-name", synthetic_name(600))
    page.fill("#f-id_number", synthetic_resident_id(600))
    page.fill("#f-phone", synthetic_phone(600))
    page.click("form[action='/number/line'] button[type=submit]")
    page.wait_for_selector(".ticket-no")
    page.click("form[action$='/leave'] button[type=submit]")
    page.wait_for_load_state()
    assert WORDS[lang]["left"] in page.content()
