"""A TestClient that posts page forms the way the clinic's own pages do: with the browser's ``hsg_csrf`` cookie
and the matching CSRF token (sent as the ``X-CSRF-Token`` header, which the middleware accepts like the hidden
``csrf_token`` field). Tests of the CSRF protection itself use a plain ``TestClient``."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi.testclient import TestClient

from hsgclinic.web.security import API_PREFIXES, CSRF_COOKIE, SESSION_COOKIE, UNSAFE_METHODS, csrf_token


def _secret_of(app: Any) -> str:
    state = app.state
    clinic = getattr(getattr(state, "hsg_ui", None), "clinic", None) or getattr(state, "clinic", None)
    return str(clinic.settings.secret_key)


def _cookie(client: TestClient, name: str) -> str | None:
    values = [c.value for c in client.cookies.jar if c.name == name]
    return values[-1] if values else None


class PageClient(TestClient):
    def request(self, method: str, url: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        path = str(url)
        if method.upper() in UNSAFE_METHODS and not path.startswith(API_PREFIXES):
            cookie = _cookie(self, CSRF_COOKIE)
            if cookie is None:
                cookie = secrets.token_urlsafe(32)
                self.cookies.set(CSRF_COOKIE, cookie)
            token = csrf_token(_secret_of(self.app), cookie, _cookie(self, SESSION_COOKIE))
            headers = dict(kwargs.pop("headers", None) or {})
            headers.setdefault("X-CSRF-Token", token)
            kwargs["headers"] = headers
        return super().request(method, url, **kwargs)
