"""Browser-facing protections of every response (see docs/security.md): the CSRF token and the Origin check on
unsafe requests, the security headers and the cookie flags.

One pure ASGI middleware, wrapped around the whole application (outside Starlette's error middleware, so error
pages carry the headers too):

- **Origin check (SEC-ORIGIN)**: a POST/PUT/PATCH/DELETE whose ``Origin`` (or, without one, ``Referer``) names
  another site — or ``Origin: null`` — is refused with 403. Requests that carry neither header (scripts, API
  clients) pass this check; browsers always send ``Origin`` on a cross-origin unsafe request.
- **CSRF token (SEC-CSRF)** on every unsafe request to a page: the form field ``csrf_token`` (written by the
  Jinja global ``csrf_field()``) or the ``X-CSRF-Token`` header must equal HMAC(secret key, the browser's
  ``hsg_csrf`` cookie + its staff session). The cookie is random per browser session; binding the token to the
  session means a new sign-in gets a new token.
- **JSON API** (``/api/``, ``/fhir``): a request with ``Authorization: Bearer …`` is exempt — a browser never
  attaches that header to a cross-site request by itself, so a forged request cannot carry it. A request that
  instead relies on the ``hsg_session`` cookie must be ``Content-Type: application/json`` (a cross-site page
  cannot send that without a CORS preflight, which this app never grants) or carry ``X-CSRF-Token``.
- **Headers** on every response: Content-Security-Policy (pages: scripts, styles, images, fonts and
  connections from this origin only, no inline script or style, ``frame-ancestors 'none'``; other responses:
  ``default-src 'none'``), X-Frame-Options, Referrer-Policy ``same-origin``, X-Content-Type-Options ``nosniff``,
  Cross-Origin-Opener-Policy and -Resource-Policy, Permissions-Policy, ``Cache-Control: no-store`` on anything but
  ``/static`` (pages hold personal data; a shared desk PC's back button must not show them), and in production
  Strict-Transport-Security.
- **Cookies**: every ``Set-Cookie`` the app sends is made ``HttpOnly`` and ``SameSite`` (``Lax`` unless the code
  chose), and ``Secure`` in production.

The only page that may be framed is the kiosk's report PDF (``/kiosk/print/…``): the kiosk page prints it through
a hidden same-origin iframe, so it gets ``frame-ancestors 'self'``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from hsgclinic.domain.messages import N_, Message

Scope = MutableMapping[str, Any]
Message_ = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message_]]
Send = Callable[[Message_], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "hsg_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SESSION_COOKIE = "hsg_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIXES = ("/api/", "/fhir")
FRAMEABLE_PREFIXES = ("/kiosk/print/",)
MAX_FORM_BYTES = 16 * 1024 * 1024  # the largest page form is a holiday-notice upload (a small JSON file)
_COOKIE_VALUE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_STATE_COOKIE = "hsg_csrf_cookie"
_STATE_TOKEN = "hsg_csrf_token"
_STATE_USED = "hsg_csrf_used"

PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-src 'self'; "
    "frame-ancestors 'none'"
)
OTHER_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PDF_CSP = "frame-ancestors 'none'"  # a stricter policy would stop the browser's own PDF viewer
FRAMEABLE_PDF_CSP = "frame-ancestors 'self'"
HSTS = "max-age=31536000"
DOCS_PATH = "/api/docs"  # FastAPI's Swagger UI: its script and styles come from a CDN, with one inline script
DOCS_CSP = (
    "default-src 'self'; script-src 'self' https://cdn.jsdelivr.net {hashes}; "
    "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
COMMON_HEADERS = (
    ("referrer-policy", "same-origin"),
    ("x-content-type-options", "nosniff"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"),
)

REFUSED_ORIGIN: Message = N_(
    "This form was sent from another website, so the clinic did not accept it. Open the clinic's own page and "
    "send it from there."
)
REFUSED_TOKEN: Message = N_(
    "This form has expired or did not come from the clinic's own page. Reload the page and send it again."
)


def csrf_token(secret: str, cookie: str, session: str | None) -> str:
    """The form token for a browser's ``hsg_csrf`` cookie and its staff session (empty when signed out)."""
    mac = hmac.new(secret.encode(), b"hsg-csrf\0" + cookie.encode() + b"\0" + (session or "").encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


@pass_context
def csrf_field(ctx: Context) -> Markup:
    """``{{ csrf_field() }}``: the hidden input every state-changing form carries."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(CSRF_FIELD, request_csrf_token(ctx["request"]))


def request_csrf_token(request: Request) -> str:
    """This request's token (the middleware then sends the cookie it is bound to)."""
    state = request.scope.get("state")
    if not isinstance(state, dict) or _STATE_TOKEN not in state:
        raise RuntimeError("csrf_field() needs the security middleware (hsgclinic.web.security.install_security)")
    state[_STATE_USED] = True
    token: str = state[_STATE_TOKEN]
    return token


def _cookies(headers: Headers) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for raw in headers.getlist("cookie"):
        try:
            jar.load(raw)
        except Exception:  # noqa: S112 - a malformed cookie header is ignored like a missing one
            continue
    return {k: m.value for k, m in jar.items()}


def _host_of(url: str) -> str | None:
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return _normal_host(parts.netloc, parts.scheme)


def _normal_host(netloc: str, scheme: str | None = None) -> str:
    host = netloc.lower().rsplit("@", 1)[-1]
    for default in (":80", ":443"):
        if host.endswith(default) and (scheme is None or default == (":443" if scheme == "https" else ":80")):
            host = host[: -len(default)]
    return host


class SecurityMiddleware:
    """See the module docstring. ``render_refusal(request, message, rule)`` builds the 403 page (the UI's)."""

    def __init__(self, app: ASGIApp, *, settings: Any, render_refusal: Callable[..., Response] | None) -> None:
        self.app = app
        self.secret = str(settings.secret_key)
        self.production = getattr(settings, "environment", "development") == "production"
        base = _host_of(str(getattr(settings, "base_url", "") or ""))
        self.own_hosts = frozenset({base} if base else set())
        self.render_refusal = render_refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        cookies = _cookies(headers)
        cookie = cookies.get(CSRF_COOKIE, "")
        fresh = not _COOKIE_VALUE.match(cookie)
        if fresh:
            cookie = secrets.token_urlsafe(32)
        state = scope.setdefault("state", {})
        state[_STATE_COOKIE] = cookie
        state[_STATE_TOKEN] = csrf_token(self.secret, cookie, cookies.get(SESSION_COOKIE))
        path: str = scope.get("path", "")

        if scope["method"] in UNSAFE_METHODS:
            refusal = self._origin_refusal(scope, headers)
            if refusal is None:
                receive, refusal = await self._token_refusal(scope, receive, headers, cookies, fresh)
            if refusal is not None:
                response = self._refuse(scope, refusal)
                await self._send_secured(response, scope, receive, send, path, cookie, fresh)
                return

        async def secured_send(message: Message_) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._secure_headers(message.get("headers", []), scope, path, cookie, fresh)
            await send(message)

        if path == DOCS_PATH:
            await self.app(scope, receive, _docs_policy(secured_send))
            return
        await self.app(scope, receive, secured_send)

    # -- the checks ------------------------------------------------------------------------------------------
    def _origin_refusal(self, scope: Scope, headers: Headers) -> str | None:
        if "authorization" in headers:
            return None
        own = set(self.own_hosts)
        host = headers.get("host")
        if host:
            own.add(_normal_host(host))
        origin = headers.get("origin")
        if origin is not None:
            claimed = _host_of(origin.strip())
            return None if claimed is not None and claimed in own else "SEC-ORIGIN"
        referer = headers.get("referer")
        if referer:
            claimed = _host_of(referer.strip())
            return None if claimed is not None and claimed in own else "SEC-ORIGIN"
        return None

    async def _token_refusal(
        self, scope: Scope, receive: Receive, headers: Headers, cookies: dict[str, str], fresh: bool
    ) -> tuple[Receive, str | None]:
        path: str = scope.get("path", "")
        expected: str = scope["state"][_STATE_TOKEN]
        sent = headers.get(CSRF_HEADER)
        if path.startswith(API_PREFIXES):
            if "authorization" in headers or SESSION_COOKIE not in cookies:
                return receive, None
            content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            if content_type == "application/json" or (sent and not fresh and _same(sent, expected)):
                return receive, None
            return receive, "SEC-CSRF"
        if sent is None:
            body, too_large = await _read_body(receive)
            receive = _replay(body)
            sent = None if too_large else await _form_value(scope, body, CSRF_FIELD)
        if fresh or not sent or not _same(sent, expected):
            return receive, "SEC-CSRF"
        return receive, None

    def _refuse(self, scope: Scope, rule: str) -> Response:
        message = REFUSED_ORIGIN if rule == "SEC-ORIGIN" else REFUSED_TOKEN
        request = Request(scope)
        path: str = scope.get("path", "")
        if self.render_refusal is not None and not path.startswith(API_PREFIXES):
            try:
                return self.render_refusal(request, message, rule)
            except Exception:  # noqa: S110 - the plain answer below still refuses the request
                pass
        from hsgclinic.web.errors import error_body, translator_for

        t = translator_for(request)
        return JSONResponse(error_body(t, "csrf_failed", message, rule=rule), status_code=403)

    # -- the answer ------------------------------------------------------------------------------------------
    async def _send_secured(
        self, response: Response, scope: Scope, receive: Receive, send: Send, path: str, cookie: str, fresh: bool
    ) -> None:
        async def secured_send(message: Message_) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = self._secure_headers(message.get("headers", []), scope, path, cookie, fresh)
            await send(message)

        await response(scope, receive, secured_send)

    def _secure_headers(
        self, raw: list[tuple[bytes, bytes]], scope: Scope, path: str, cookie: str, fresh: bool
    ) -> list[tuple[bytes, bytes]]:
        out: list[tuple[bytes, bytes]] = []
        present: set[str] = set()
        content_type = ""
        for name, value in raw:
            lname = name.decode("latin-1").lower()
            if lname == "set-cookie":
                value = self._cookie_flags(value.decode("latin-1")).encode("latin-1")
            elif lname == "content-type":
                content_type = value.decode("latin-1").lower()
            present.add(lname)
            out.append((name, value))

        def add(name: str, value: str) -> None:
            if name not in present:
                out.append((name.encode(), value.encode()))
                present.add(name)

        frameable = path.startswith(FRAMEABLE_PREFIXES)
        if content_type.startswith("text/html"):
            add("content-security-policy", PAGE_CSP)
        elif content_type.startswith("application/pdf"):
            add("content-security-policy", FRAMEABLE_PDF_CSP if frameable else PDF_CSP)
        else:
            add("content-security-policy", OTHER_CSP)
        add("x-frame-options", "SAMEORIGIN" if frameable else "DENY")
        for common_name, common_value in COMMON_HEADERS:
            add(common_name, common_value)
        if not path.startswith("/static/"):
            add("cache-control", "no-store")
        if self.production:
            add("strict-transport-security", HSTS)
        state = scope.get("state", {})
        if fresh and state.get(_STATE_USED):
            attrs = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.production else "")
            out.append((b"set-cookie", f"{CSRF_COOKIE}={cookie}{attrs}".encode()))
        return out

    def _cookie_flags(self, header: str) -> str:
        attrs = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
        if "httponly" not in attrs:
            header += "; HttpOnly"
        if "samesite" not in attrs:
            header += "; SameSite=Lax"
        if self.production and "secure" not in attrs:
            header += "; Secure"
        return header


def _docs_policy(send: Send) -> Send:
    """The API docs page: its own policy, allowing its CDN and exactly its inline script (by hash)."""
    start: Message_ | None = None
    chunks: list[bytes] = []

    async def docs_send(message: Message_) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
            return
        if message["type"] != "http.response.body" or start is None:
            await send(message)
            return
        chunks.append(message.get("body", b""))
        if message.get("more_body", False):
            return
        body = b"".join(chunks)
        hashes = " ".join(
            "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
            for m in _INLINE_SCRIPT.finditer(body)
        )
        policy = DOCS_CSP.format(hashes=hashes).encode()
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-security-policy"]
        await send({**start, "headers": [*headers, (b"content-security-policy", policy)]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    return docs_send


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8", "replace"), b.encode("utf-8", "replace"))


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_FORM_BYTES:
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks), size > MAX_FORM_BYTES


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message_:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


async def _form_value(scope: Scope, body: bytes, name: str) -> str | None:
    content_type = Headers(scope=scope).get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        try:
            values = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=2000)
        except ValueError:
            return None
        found = values.get(name)
        return found[0] if found else None
    if content_type == "multipart/form-data":
        request = Request({k: v for k, v in scope.items() if k != "app"}, _replay(body))
        try:
            form = await request.form(max_files=20, max_fields=2000)
        except Exception:
            return None
        value = form.get(name)
        await form.close()
        return value if isinstance(value, str) else None
    return None


def install_security(app: Any, settings: Any) -> None:
    """Wrap ``app``'s whole middleware stack in :class:`SecurityMiddleware` (once per app)."""
    if getattr(app.state, "hsg_security", False):
        return
    app.state.hsg_security = True
    build = app.build_middleware_stack

    def render_refusal(request: Request, message: Message, rule: str) -> Response:
        ui = getattr(app.state, "hsg_ui", None)
        if ui is None:
            raise LookupError("no pages")
        response: Response = ui.pages.render(
            request, "errors/refused.html", status_code=403, code=403, message=message, rule=rule
        )
        return response

    def build_secured() -> ASGIApp:
        return SecurityMiddleware(build(), settings=settings, render_refusal=render_refusal)

    app.build_middleware_stack = build_secured
