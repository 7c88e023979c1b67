"""The reader's language: the 中文/English switch's cookie first, otherwise the browser's Accept-Language."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from hsgclinic.i18n import SUPPORTED, Translator, negotiate, normalise

LANG_COOKIE = "hsg_lang"


def locale_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen and normalise(chosen) in SUPPORTED:
        return normalise(chosen)
    return negotiate(request.headers.get("accept-language"))


def translator_for(request: Request) -> Translator:
    cached = getattr(request.state, "translator", None)
    if isinstance(cached, Translator):
        return cached
    t = Translator(locale_of(request))
    request.state.translator = t
    return t


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths are followed after switching language (no open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
