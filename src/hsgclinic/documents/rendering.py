"""HTML from the Jinja2 templates, one language per document, and PDF through WeasyPrint.

Every word goes through the :class:`~hsgclinic.i18n.Translator`: templates call ``_("English msgid", name=value)``
(the Translator's ``{name}`` formatting) and the ``jinja2.ext.i18n`` extension is installed with the
Translator's ``gettext``/``ngettext`` for ``{% trans %}`` blocks. WeasyPrint is imported only when a PDF is made.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from hsgclinic.domain.messages import Localized, Message
from hsgclinic.i18n import Translator, translator

if TYPE_CHECKING:
    from hsgclinic.config import SiteProfile

TEMPLATES_DIR = Path(__file__).parent / "templates"


class DocumentError(ValueError):
    """A document cannot be made from these values (a programming or data error, not a patient's)."""


def lang_of(lang: str) -> Translator:
    """The Translator for a document language: 'zh_CN' (also 'zh', 'zh-CN') or 'en'."""
    low = lang.strip().lower().replace("-", "_")
    if low not in ("zh", "zh_cn", "zh_hans", "zh_hans_cn", "en", "en_gb", "en_us"):
        raise DocumentError(f"unsupported document language {lang!r}; use 'zh_CN' or 'en'")
    return translator(low)


def css_string(text: str) -> str:
    """``text`` as a CSS string literal (for ``content:`` in page margin boxes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ").replace("<", "\\3C ")
    return f'"{escaped}"'


def css_content(template: str, **counters: str) -> str:
    """A translated sentence with ``{page}``-style placeholders as a CSS ``content`` value with counters."""
    parts: list[str] = []
    rest = template
    while rest:
        positions = [(rest.find("{" + k + "}"), k) for k in counters if "{" + k + "}" in rest]
        if not positions:
            parts.append(css_string(rest))
            break
        pos, key = min(positions)
        if pos:
            parts.append(css_string(rest[:pos]))
        parts.append(counters[key])
        rest = rest[pos + len(key) + 2 :]
    return " ".join(parts) or '""'


def qr_svg(payload: str) -> bytes:
    """A QR code (error correction M) as an SVG document (the ticket page's image)."""
    import io

    import segno

    out = io.BytesIO()
    segno.make(payload, error="m", micro=False).save(out, kind="svg", scale=6, border=2, dark="#111")
    return out.getvalue()


def qr_svg_data_uri(payload: str) -> str:
    """A QR code (error correction M) as an SVG data URI; segno is pure Python."""
    import segno

    return str(segno.make(payload, error="m", micro=False).svg_data_uri(scale=4, border=2, dark="#111"))


class SiteText:
    """The site profile's words in the document's language."""

    def __init__(self, site: SiteProfile, t: Translator) -> None:
        self._site = site
        self._suffix = "zh" if t.is_zh else "en"
        self.phone = site.phone

    def __getattr__(self, name: str) -> str:
        return str(getattr(self._site, f"{name}_{self._suffix}"))

    @property
    def other_name(self) -> str:
        """The clinic's name in the other language (a second line under the header)."""
        return str(self._site.name_en if self._suffix == "zh" else self._site.name_zh)


def _formatter(t: Translator) -> Mapping[str, object]:
    def fmt_date(d: dt.date | None) -> str:
        return t.date(d) if d is not None else "—"

    def fmt_short(d: dt.date | None) -> str:
        return t.short_date(d) if d is not None else "—"

    def fmt_time(v: dt.time | None) -> str:
        return t.time(v) if v is not None else "—"

    def fmt_datetime(v: dt.datetime | None) -> str:
        return t.datetime(v) if v is not None else "—"

    def fmt_money(v: Decimal) -> str:
        return t.money(v)

    def fmt_value(v: object) -> str:
        return t.value(v)

    def fmt_number(v: Decimal | int | float) -> str:
        if isinstance(v, Decimal):
            return format(v.normalize(), "f") if v == v.to_integral() else format(v, "f")
        return t.value(v)

    def fmt_message(m: Message | Localized) -> str:
        return t.value(m)

    return {
        "date": fmt_date,
        "short_date": fmt_short,
        "time": fmt_time,
        "datetime": fmt_datetime,
        "money": fmt_money,
        "value": fmt_value,
        "number": fmt_number,
        "msg": fmt_message,
        "css": lambda text: Markup(css_string(str(text))),  # noqa: S704 - css_string escapes " \\ < and newlines
    }


@cache
def environment(locale: str) -> jinja2.Environment:
    """The Jinja2 environment of one language (cached: two in all)."""
    t = translator(locale)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(t.gettext, t.ngettext, newstyle=False)  # type: ignore[attr-defined]
    # `_("…", name=value)` uses the Translator's own `{name}` formatting (dates in the language's style).
    env.globals["_"] = t
    env.globals["t"] = t
    env.globals["colon"] = "：" if t.is_zh else ": "  # between a label and its value
    env.globals["css_content"] = lambda text, **kw: Markup(css_content(text, **kw))  # noqa: S704 - escaped
    env.filters.update(_formatter(t))
    return env


def render_html(template: str, t: Translator, site: SiteProfile, printed_at: dt.datetime, **context: object) -> str:
    """One document as a complete HTML page in ``t``'s language."""
    env = environment(t.locale)
    return env.get_template(template).render(
        site=SiteText(site, t),
        printed_at=printed_at,
        lang_tag=t.lang_tag,
        **context,
    )


def html_to_pdf(html: str) -> bytes:
    """A4 PDF bytes from a document's HTML (WeasyPrint imported here, not at module import). Refused with
    :class:`~hsgclinic.documents.fonts.ChineseFontMissing` when it has Chinese text and no Chinese font exists."""
    import weasyprint

    from hsgclinic.documents.fonts import require_font_for

    require_font_for(html)

    pdf = weasyprint.HTML(string=html, base_url=str(TEMPLATES_DIR)).write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise DocumentError("WeasyPrint returned no PDF")
    return pdf
