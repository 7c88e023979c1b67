"""Browser fixtures: Debian's chromium driven by Playwright, and a live clinic app."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import csp_guard
from live_server import CHROMIUM, CHROMIUM_ARGS, serve

from hsgtest import require_all


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        if require_all():
            pytest.fail("HSGCLINIC_REQUIRE_ALL is set but Debian's chromium is not installed (/usr/bin/chromium)")
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    with serve(tmp_path) as running:
        yield running


@pytest.fixture(params=["zh-CN", "en"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, lang: str) -> Iterator[Any]:
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, locale=lang, extra_http_headers={"Accept-Language": lang}
    )
    violations = csp_guard.watch(ctx)  # a page that breaks the Content-Security-Policy fails its test
    pg = ctx.new_page()
    yield pg
    ctx.close()
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)
