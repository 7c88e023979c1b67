"""Save a screenshot of each main page, in zh-CN and en, at phone (390 px) and desktop (1280 px) width.

    .venv/bin/python tests/e2e/browser/screenshots.py [output-dir]   # default: docs/screenshots/

Runs the real app (bootstrap on a fresh SQLite file, fixed clock) and Debian's chromium.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def main(out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp, serve(Path(tmp)) as (base, _clinic), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
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
        browser.close()
    return saved


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    for saved_path in main(target):
        print(saved_path.relative_to(ROOT) if saved_path.is_relative_to(ROOT) else saved_path)
