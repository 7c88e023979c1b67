"""The Jinja2 environment of the pages: one environment, the reader's :class:`Translator` per request.

``jinja2.ext.i18n`` is installed with new-style gettext callables that look the request's translator up in the
template context (``t``), so ``{{ _("…") }}`` and ``{% trans %}`` blocks are translated in the reader's language
without a per-request environment.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup

from hsgclinic.domain.findings import Finding
from hsgclinic.domain.messages import Localized, Message
from hsgclinic.i18n import Translator
from hsgclinic.web.security import csrf_field

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


@pass_context
def _gettext(ctx: Context, message: str) -> str:
    t: Translator = ctx["t"]
    return t.gettext(message)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int) -> str:
    t: Translator = ctx["t"]
    return t.ngettext(singular, plural, n)


@pass_context
def _date(ctx: Context, value: dt.date | None, style: str = "long") -> str:
    if value is None:
        return "—"
    t: Translator = ctx["t"]
    if isinstance(value, dt.datetime):
        return t.datetime(value)
    return t.short_date(value) if style == "short" else t.date(value)


@pass_context
def _instant(ctx: Context, value: str | dt.datetime | None) -> str:
    """A stored instant (an aware datetime or its ISO text, UTC) in clinic time and the reader's language."""
    if not value:
        return "—"
    t: Translator = ctx["t"]
    at = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return t.datetime(at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC))


@pass_context
def _time(ctx: Context, value: dt.time | dt.datetime | None) -> str:
    if value is None:
        return "—"
    t: Translator = ctx["t"]
    return t.time(value)


@pass_context
def _money(ctx: Context, value: Decimal | None) -> str:
    if value is None:
        return "—"
    t: Translator = ctx["t"]
    return t.money(Decimal(value))


@pass_context
def _say(ctx: Context, value: Message | Localized | Finding | str | None) -> str:
    """A domain message, a bilingual value or a finding's sentence in the reader's language."""
    if value is None:
        return ""
    t: Translator = ctx["t"]
    if isinstance(value, Finding):
        return t.render(value.message)
    if isinstance(value, str):
        return t.gettext(value)
    return t.value(value)


@pass_context
def _daymonth(ctx: Context, value: dt.date) -> str:
    t: Translator = ctx["t"]
    return f"{value.month}/{value.day}" if t.is_zh else f"{value.day}/{value.month}"


_WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pass_context
def _weekday(ctx: Context, value: dt.date) -> str:
    t: Translator = ctx["t"]
    return (_WEEKDAYS_ZH if t.is_zh else _WEEKDAYS_EN)[value.weekday()]


def _iso(value: dt.date | None) -> str:
    return "" if value is None else value.isoformat()


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "svg", "xml"], default_for_string=True, default=True),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["date"] = _date
    env.filters["time"] = _time
    env.filters["money"] = _money
    env.filters["say"] = _say
    env.filters["iso"] = _iso
    env.filters["instant"] = _instant
    env.filters["daymonth"] = _daymonth
    env.filters["weekday"] = _weekday
    env.globals["Markup"] = Markup
    env.globals["csrf_field"] = csrf_field
    return env


class Pages:
    """Renders a page for a request: adds the translator, the site and the common context."""

    def __init__(self, env: Environment, common: Any) -> None:
        self.env = env
        self.common = common  # callable(request) -> dict

    def render(self, request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        ctx = self.common(request)
        ctx.update(context)
        html = self.env.get_template(name).render(ctx)
        headers = {"Content-Language": ctx["t"].lang_tag, "Vary": "Accept-Language, Cookie"}
        return HTMLResponse(html, status_code=status_code, headers=headers)
