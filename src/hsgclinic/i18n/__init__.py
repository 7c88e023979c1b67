"""Translation (zh-CN first, English) of the domain's messages and every page's words.

Catalogues are gettext ``.po`` files under ``locales/zh_CN/LC_MESSAGES/`` — one per area (``domain.po``,
``web.po``, ``documents.po``, …), merged at load time so that areas can be edited independently. English
is the message id itself. Read at first use with Babel; no compile step.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from hsgclinic.domain.messages import Localized, Message

LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("zh_CN", "en")
DEFAULT = "zh_CN"
_DATE_PATTERNS = {"zh_CN": "yyyy年M月d日（EEE）", "en": "EEE d MMM yyyy"}
_SHORT_DATE = {"zh_CN": "M月d日（EEE）", "en": "EEE d MMM"}
# All clinic times are shown in the clinic's local time (domain.md: Asia/Shanghai, no DST); stored instants are UTC.
CLINIC_TZ = ZoneInfo("Asia/Shanghai")


def normalise(lang: str | None) -> str:
    """Map 'zh', 'zh-CN', 'zh_Hans_CN', 'en-GB', … to a supported locale (default zh_CN)."""
    if not lang:
        return DEFAULT
    low = lang.strip().lower().replace("-", "_")
    if low.startswith("en"):
        return "en"
    return "zh_CN"


def negotiate(accept_language: str | None) -> str:
    """The best supported locale for an HTTP ``Accept-Language`` header (zh-CN when nothing matches)."""
    if not accept_language:
        return DEFAULT
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        tag = tag.strip().lower()
        if tag.startswith(("zh", "en")) and q > 0:
            ranked.append((-q, i, tag))
    if not ranked:
        return DEFAULT
    return normalise(sorted(ranked)[0][2])


def catalog_files(locale: str = "zh_CN") -> list[Path]:
    return sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"))


def load_catalog(locale: str = "zh_CN") -> Catalog:
    """All ``.po`` files of ``locale`` merged into one catalogue."""
    merged = Catalog(locale=locale)
    for path in catalog_files(locale):
        with path.open("rb") as fh:
            part = read_po(fh, locale=locale)
        for msg in part:
            if msg.id and msg.string and not msg.fuzzy:
                merged.add(msg.id, msg.string, context=msg.context)
    return merged


@cache
def _translations(locale: str) -> gettext.NullTranslations:
    if locale == "en":
        return gettext.NullTranslations()
    buf = io.BytesIO()
    write_mo(buf, load_catalog(locale))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


class Translator:
    """Words, dates and numbers for one reader's language."""

    def __init__(self, locale: str, tz: dt.tzinfo = CLINIC_TZ) -> None:
        self.locale = normalise(locale)
        self.tz = tz
        self._t = _translations(self.locale)
        self._babel = Locale.parse("zh_Hans_CN" if self.locale == "zh_CN" else "en_US")

    @property
    def lang_tag(self) -> str:
        """The BCP 47 tag for ``<html lang>``."""
        return "zh-CN" if self.locale == "zh_CN" else "en"

    @property
    def is_zh(self) -> bool:
        return self.locale == "zh_CN"

    def gettext(self, msgid: str) -> str:
        return self._t.gettext(msgid)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def __call__(self, msgid: str, **params: object) -> str:
        text = self.gettext(msgid)
        return text.format(**{k: self.value(v) for k, v in params.items()}) if params else text

    def render(self, message: Message) -> str:
        """A domain :class:`Message` in this language."""
        text = self.gettext(message.msgid)
        return text.format(**{k: self.value(v) for k, v in message.params.items()})

    def pick(self, value: Localized) -> str:
        return value.zh if self.is_zh else value.en

    def value(self, v: object) -> str:
        if isinstance(v, Message):
            return self.render(v)
        if isinstance(v, Localized):
            return self.pick(v)
        if isinstance(v, dt.datetime):
            return self.datetime(v)
        if isinstance(v, dt.date):
            return self.date(v)
        if isinstance(v, dt.time):
            return self.time(v)
        if isinstance(v, tuple | list):
            return self.join(self.value(x) for x in v)
        if isinstance(v, Decimal | float):
            return format(v, "f") if isinstance(v, Decimal) else f"{v:g}"
        return str(v)

    def join(self, items: Iterable[str]) -> str:
        return ("、" if self.is_zh else ", ").join(items)

    def date(self, d: dt.date) -> str:
        """A date as this language writes it, with the weekday: 2026年11月20日（周五） / Fri 20 Nov 2026."""
        return format_date(d, _DATE_PATTERNS[self.locale], locale=self._babel)

    def short_date(self, d: dt.date) -> str:
        return format_date(d, _SHORT_DATE[self.locale], locale=self._babel)

    def local(self, t: dt.datetime) -> dt.datetime:
        """An aware instant in the clinic's time zone; a naive one is taken as clinic-local already."""
        return t.astimezone(self.tz).replace(tzinfo=None) if t.tzinfo is not None else t

    def time(self, t: dt.time | dt.datetime) -> str:
        if isinstance(t, dt.datetime):
            t = self.local(t).time()
        return format_time(t, "HH:mm", locale=self._babel)

    def datetime(self, t: dt.datetime) -> str:
        t = self.local(t)
        pattern = "yyyy年M月d日 HH:mm" if self.is_zh else "d MMM yyyy HH:mm"
        return format_datetime(t, pattern, locale=self._babel)

    def money(self, amount: Decimal) -> str:
        return f"¥{amount:,.2f}" if self.is_zh else f"CNY {amount:,.2f}"


def translator(lang: str | None) -> Translator:
    return Translator(normalise(lang))
