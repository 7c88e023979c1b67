"""The browser protections (docs/security.md): the CSRF token and the Origin check on every unsafe request, the
security headers on every answer, the cookie flags, and templates without inline script or a form without its
token. These tests use a plain TestClient (no automatic token), as a forging site would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import PASSWORD, make_user, take_number
from hsgclinic.config import Settings
from hsgclinic.web.app import create_app
from hsgclinic.web.security import CSRF_COOKIE, csrf_token
from hsgclinic.web.ui import mount_ui
from hsgclinic.web.ui.rendering import TEMPLATES_DIR

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
TOKEN_FIELD = re.compile(r'<input type="hidden" name="csrf_token" value="([A-Za-z0-9_-]{43})">')


@pytest.fixture
def browser(service_clinic: Any) -> TestClient:
    """The whole app (API and pages) as a browser sees it: cookies kept, no token added by the client."""
    return TestClient(create_app(service_clinic.settings, clinic=service_clinic), raise_server_exceptions=False)


def token_on(page: str) -> str:
    found = TOKEN_FIELD.findall(page)
    assert found, "no csrf_token field on the page"
    return str(found[0])


def login_form(client: TestClient) -> str:
    page = client.get("/staff/login", headers=EN)
    assert page.status_code == 200
    return token_on(page.text)


def test_the_sign_in_form_carries_a_token_bound_to_a_http_only_cookie(browser: TestClient) -> None:
    page = browser.get("/staff/login", headers=EN)
    set_cookie = page.headers["set-cookie"]
    assert set_cookie.startswith(f"{CSRF_COOKIE}=") and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie
    assert "Secure" not in set_cookie  # development: plain http on the desk's own machine
    cookie = browser.cookies[CSRF_COOKIE]
    assert token_on(page.text) == csrf_token(browser.app.state.clinic.settings.secret_key, cookie, None)  # type: ignore[attr-defined]
    # the same browser keeps its cookie: a second page neither sets a new one nor changes the token
    again = browser.get("/staff/login", headers=EN)
    assert "set-cookie" not in again.headers and token_on(again.text) == token_on(page.text)


def test_a_form_post_without_its_token_is_refused_in_the_readers_language(
    browser: TestClient, service_clinic: Any
) -> None:
    make_user(service_clinic, "nurse.wang", "registrar")
    login_form(browser)
    form = {"username": "nurse.wang", "password": PASSWORD}
    missing = browser.post("/staff/login", data=form, headers=ZH, follow_redirects=False)
    assert missing.status_code == 403 and missing.headers["content-type"].startswith("text/html")
    assert "未受理" in missing.text and "请刷新页面后重新提交" in missing.text and "SEC-CSRF" in missing.text
    assert "hsg_session" not in missing.headers.get("set-cookie", "")
    wrong = browser.post("/staff/login", data={**form, "csrf_token": "x" * 43}, headers=EN, follow_redirects=False)
    assert wrong.status_code == 403 and "Reload the page and send it again" in wrong.text
    assert "SEC-CSRF" in wrong.text and "hsg_session" not in wrong.headers.get("set-cookie", "")
    right = browser.post(
        "/staff/login", data={**form, "csrf_token": login_form(browser)}, headers=EN, follow_redirects=False
    )
    assert right.status_code == 303 and "hsg_session" in right.headers["set-cookie"]


def test_a_token_without_its_cookie_is_refused(browser: TestClient, service_clinic: Any) -> None:
    """Another browser's token (an attacker copies his own) does not fit the victim's cookie."""
    make_user(service_clinic, "nurse.wang", "registrar")
    attacker_token = login_form(browser)
    browser.cookies.clear()
    login_form(browser)  # the victim's browser has its own cookie
    r = browser.post(
        "/staff/login",
        data={"username": "nurse.wang", "password": PASSWORD, "csrf_token": attacker_token},
        headers=EN,
        follow_redirects=False,
    )
    assert r.status_code == 403 and "SEC-CSRF" in r.text
    browser.cookies.clear()
    nocookie = browser.post(
        "/staff/login",
        data={"username": "nurse.wang", "password": PASSWORD, "csrf_token": attacker_token},
        headers=EN,
        follow_redirects=False,
    )
    assert nocookie.status_code == 403


def test_a_cross_site_form_post_is_refused_even_with_a_valid_token(browser: TestClient, service_clinic: Any) -> None:
    make_user(service_clinic, "nurse.wang", "registrar")
    form = {"username": "nurse.wang", "password": PASSWORD, "csrf_token": login_form(browser)}
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Referer": "https://evil.example/forms/hsg.html"},
        {"Origin": "http://testserver.evil.example"},
    ):
        r = browser.post("/staff/login", data=form, headers={**ZH, **headers}, follow_redirects=False)
        assert r.status_code == 403, headers
        assert "该表单来自其他网站" in r.text and "SEC-ORIGIN" in r.text, headers
    en = browser.post("/staff/login", data=form, headers={**EN, "Origin": "https://evil.example"})
    assert en.status_code == 403 and "sent from another website" in en.text
    # the clinic's own origin (as the browser sends it on its own form) is accepted
    ok = browser.post("/staff/login", data=form, headers={**EN, "Origin": "http://testserver"}, follow_redirects=False)
    assert ok.status_code == 303


def test_a_state_change_by_a_signed_in_nurse_needs_the_token_of_her_session(
    browser: TestClient, service_clinic: Any
) -> None:
    number = take_number(service_clinic, 1)
    make_user(service_clinic, "nurse.wang", "registrar")
    before = login_form(browser)
    browser.post(
        "/staff/login",
        data={"username": "nurse.wang", "password": PASSWORD, "csrf_token": before},
        headers=EN,
        follow_redirects=False,
    )
    desk = browser.get("/staff/desk", headers=EN)
    now = token_on(desk.text)
    assert now != before  # a new sign-in, a new token
    url = f"/staff/desk/check-in/{number.registration_id}"
    forged = browser.post(url, headers={**EN, "Origin": "https://evil.example"}, data={"csrf_token": now})
    assert forged.status_code == 403
    stale = browser.post(url, headers=EN, data={"csrf_token": before})
    assert stale.status_code == 403 and "SEC-CSRF" in stale.text
    assert "Checked in: 0" in browser.get("/staff/desk", headers=EN).text
    done = browser.post(url, headers=EN, data={"csrf_token": now})
    assert done.status_code == 200 and "Checked in: 1" in done.text, done.text[:300]
    signout = browser.post("/staff/logout", headers=EN, data={}, follow_redirects=False)
    assert signout.status_code == 403  # even signing out needs the token: nobody signs the desk out from afar


def test_the_api_exempts_bearer_tokens_and_guards_its_cookie(browser: TestClient, service_clinic: Any) -> None:
    make_user(service_clinic, "nurse.wang", "registrar")
    login = browser.post("/api/v1/auth/login", json={"username": "nurse.wang", "password": PASSWORD})
    assert login.status_code == 200 and "hsg_session" in browser.cookies
    bearer = {"Authorization": f"Bearer {login.json()['token']}", **EN}
    # the session cookie alone, as a cross-site form would send it (no JSON): refused
    form_like = browser.post("/api/v1/appointments/1/cancel", headers=EN, data={"x": "1"})
    assert form_like.status_code == 403 and form_like.json()["error"]["code"] == "csrf_failed"
    assert form_like.json()["error"]["rule"] == "SEC-CSRF"
    # JSON needs a CORS preflight cross-site (never granted): accepted, and so is a bearer token
    assert browser.post("/api/v1/appointments/1/cancel", headers=EN, json={}).status_code == 404
    browser.cookies.clear()
    assert browser.post("/api/v1/appointments/1/cancel", headers=bearer).status_code == 404
    cross = browser.post("/api/v1/registrations", headers={**EN, "Origin": "https://evil.example"}, json={})
    assert cross.status_code == 403 and cross.json()["error"]["rule"] == "SEC-ORIGIN"


def _assert_secured(path: str, r: Any) -> None:
    h = r.headers
    csp = h.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
    if h.get("content-type", "").startswith("text/html"):
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'"):
            assert directive in csp, (path, directive)
    assert h.get("x-frame-options") == "DENY", path
    assert h.get("x-content-type-options") == "nosniff", path
    assert h.get("referrer-policy") == "same-origin", path
    assert h.get("cache-control") == "no-store" or path.startswith("/static/"), path
    assert "strict-transport-security" not in h, path  # development


def _routes(routes: Any, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for r in routes:
        included = getattr(r, "original_router", None)
        if included is not None:
            yield from _routes(included.routes, prefix + r.include_context.prefix)
        elif getattr(r, "methods", None):
            yield prefix + r.path, set(r.methods)


def _get_pages(app: FastAPI) -> list[str]:
    """Every GET address without a path parameter (the pages, the API's lists, the docs)."""
    return sorted({p for p, methods in _routes(app.routes) if "GET" in methods and "{" not in p})


def test_every_page_and_answer_carries_the_headers(browser: TestClient, service_clinic: Any) -> None:
    paths = _get_pages(browser.app)  # type: ignore[arg-type]
    assert {"/", "/plan", "/number", "/my-visit", "/kiosk", "/staff/login", "/staff/desk", "/staff/admin"} <= set(paths)
    extra = ["/no-such-page", "/static/clinic.css", "/api/v1/no-such", "/openapi.json", "/staff/desk/check-in/1"]
    make_user(service_clinic, "admin.one", "admin")
    for signed_in in (False, True):
        if signed_in:
            browser.post(
                "/staff/login",
                data={"username": "admin.one", "password": PASSWORD, "csrf_token": login_form(browser)},
                follow_redirects=False,
            )
        for path in [*paths, *extra]:
            r = browser.get(path, headers={**EN, "Accept": "text/html"}, follow_redirects=False)
            assert r.status_code < 500, (path, r.status_code)
            _assert_secured(path, r)
    refused = browser.post("/staff/admin/settings", headers=EN, data={})
    assert refused.status_code == 403
    _assert_secured("/staff/admin/settings (refused)", refused)


def test_production_adds_hsts_and_secure_cookies() -> None:
    import datetime as dt

    from e2e.ui_pages.conftest import StubClinic, StubClock

    settings = Settings.model_construct(
        environment="production", secret_key="p" * 40, base_url="https://hsg.hospital.example"
    )  # only what the pages and the middleware read (a real production setup also needs its keys and database)
    clinic = StubClinic(StubClock(dt.datetime(2026, 11, 19, 1, 0, tzinfo=dt.UTC)), settings)
    app = FastAPI()
    mount_ui(app, clinic)
    client = TestClient(app, base_url="https://hsg.hospital.example")
    r = client.get("/staff/login", headers=EN)
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    lang = client.get("/lang/en?next=/", follow_redirects=False)
    assert "hsg_lang=en" in lang.headers["set-cookie"]
    assert all(flag in lang.headers["set-cookie"] for flag in ("Secure", "HttpOnly", "SameSite=lax"))


def test_the_kiosk_report_pdf_may_be_framed_by_the_kiosk_only(client: TestClient) -> None:
    r = client.get("/kiosk/print/nothing-here.pdf")
    assert r.headers["x-frame-options"] in ("SAMEORIGIN", "DENY")
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp or "frame-ancestors 'none'" in csp


# -- the templates -------------------------------------------------------------------------------------------
def templates() -> list[Path]:
    return sorted(TEMPLATES_DIR.rglob("*.html"))


def test_every_post_form_in_the_templates_carries_the_token() -> None:
    missing = []
    for path in templates():
        text = path.read_text(encoding="utf-8")
        for form in re.finditer(r"<form\b[^>]*>(.*?)</form>", text, re.S | re.I):
            if re.search(r'method="post"', form.group(0)[:300], re.I) and "csrf_field()" not in form.group(1):
                missing.append(f"{path.relative_to(TEMPLATES_DIR)}: {form.group(0)[:90]}")
    assert not missing, "\n".join(missing)


def test_no_template_has_inline_script_style_or_event_handlers() -> None:
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+\s*=", re.I)
    found = [
        f"{path.relative_to(TEMPLATES_DIR)}:{text[: m.start()].count(chr(10)) + 1}: {m.group(0)}"
        for path in templates()
        for text in [path.read_text(encoding="utf-8")]
        for m in inline.finditer(text)
    ]
    assert not found, "\n".join(found)


def test_the_api_docs_page_allows_exactly_its_own_inline_script(browser: TestClient) -> None:
    import base64
    import hashlib

    r = browser.get("/api/docs")
    (script,) = re.findall(r"<script>(.*?)</script>", r.text, re.S)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    csp = r.headers["content-security-policy"]
    assert f"'sha256-{digest}'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert r.headers["content-length"] == str(len(r.content))


def test_a_control_character_in_a_page_form_is_a_sentence_not_a_server_error(browser: TestClient) -> None:
    token = login_form(browser)
    r = browser.post(
        "/staff/login", data={"username": "nurse\x00wang", "password": "x", "csrf_token": token}, headers=ZH
    )
    assert r.status_code == 422 and "请删除这段文字中不可见的控制字符" in r.text
