"""Every translatable string in src/hsgclinic has a Simplified Chinese translation that keeps its placeholders.

Message ids are extracted the way ``babel.cfg`` describes (Python files and Jinja2 templates under
``src/hsgclinic/**/templates``), with the keywords the code uses: ``N_`` (domain messages), ``_`` and
``gettext``/``ngettext`` (templates, adapters) and ``t`` (a :class:`hsgclinic.i18n.Translator` called directly).
The catalogue is the merged one the application loads (``hsgclinic.i18n.load_catalog()``: every ``.po`` file
under ``locales/zh_CN/LC_MESSAGES``). Each area owns its ``.po`` file (domain.po, web.po, cli.po, …).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import hsgclinic
from hsgclinic.domain.messages import N_, Localized, Message
from hsgclinic.i18n import Translator, catalog_files, load_catalog

SRC = Path(hsgclinic.__file__).parent
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "N_": None,
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "t": None,
}
TEMPLATE_OPTIONS = {"extensions": "jinja2.ext.i18n", "encoding": "utf-8"}
METHOD_MAP = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/templates/**.txt", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
OPTIONS_MAP = {"**/templates/**.html": TEMPLATE_OPTIONS, "**/templates/**.txt": TEMPLATE_OPTIONS}

MsgId = str | tuple[str, ...]
_BRACE = re.compile(r"(?<!\{)\{([A-Za-z_]\w*)(?:\.[\w.]+|\[[^\]]*\])*(?:![rsa])?(?::[^{}]*)?\}(?!\})")
_PERCENT = re.compile(r"%\(([A-Za-z_]\w*)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def extract(root: Path, keywords: dict[str, tuple[int, ...] | None] = KEYWORDS) -> dict[MsgId, list[str]]:
    """msgid → where it is used ('path:line'), for every translatable string under ``root``."""
    found: dict[MsgId, list[str]] = defaultdict(list)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map=METHOD_MAP, options_map=OPTIONS_MAP, keywords=keywords
    ):
        if isinstance(message, tuple):
            message = tuple(m for m in message if m)
            if not message:
                continue
        elif not message:
            continue
        found[message].append(f"{root.name}/{filename}:{lineno}")
    return dict(found)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields and ``%(name)s`` fields of a message."""
    return set(_BRACE.findall(text)) | {f"%({name})" for name in _PERCENT.findall(text)}


def _strings(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _translation(catalog: Catalog, msgid: MsgId) -> list[str]:
    message = catalog.get(msgid[0] if isinstance(msgid, tuple) else msgid)
    return [] if message is None else _strings(message.string)


def _report(rows: dict[MsgId, list[str]]) -> str:
    lines = [f"  {msgid!r}\n      used at {', '.join(sorted(set(where))[:3])}" for msgid, where in rows.items()]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog("zh_CN")


@pytest.fixture(scope="module")
def msgids() -> dict[MsgId, list[str]]:
    return extract(SRC)


def test_extraction_finds_the_domain_messages(msgids: dict[MsgId, list[str]]) -> None:
    """The extractor sees the domain's N_() ids (so an empty extraction cannot pass the tests below)."""
    assert "Temperature {value} °C: it must be below {limit} °C." in msgids
    assert len(msgids) >= 100


def test_domain_catalogue_translates_every_domain_message(catalog: Catalog) -> None:
    """domain.po covers every N_() id of hsgclinic.domain and hsgclinic.calendar_source."""
    domain_ids = {**extract(SRC / "domain", {"N_": None}), **extract(SRC / "calendar_source", {"N_": None})}
    missing = {m: w for m, w in domain_ids.items() if not any(s.strip() for s in _translation(catalog, m))}
    assert not missing, f"{len(missing)} domain message(s) without a zh_CN translation:\n{_report(missing)}"


def test_every_message_has_a_chinese_translation(catalog: Catalog, msgids: dict[MsgId, list[str]]) -> None:
    """Every extracted msgid has a non-empty zh_CN translation in the merged catalogue."""
    missing = {
        m: where
        for m, where in msgids.items()
        if not _translation(catalog, m) or not all(s.strip() for s in _translation(catalog, m))
    }
    assert not missing, (
        f"{len(missing)} of {len(msgids)} msgid(s) have no zh_CN translation; add them to the .po file of the "
        f"area that uses them (locales/zh_CN/LC_MESSAGES/<area>.po):\n{_report(missing)}"
    )


def test_every_translation_keeps_its_placeholders(catalog: Catalog) -> None:
    """Each translation has exactly the {placeholders} / %(placeholders)s of its msgid."""
    wrong = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        allowed = [placeholders(msgid) for msgid in _strings(message.id)]  # singular (and plural) forms
        for text in _strings(message.string):
            if text and placeholders(text) not in allowed:
                wrong.append(f"  {_strings(message.id)[0]!r}\n      → {text!r}")
    assert not wrong, "translation(s) whose placeholders differ from the msgid:\n" + "\n".join(wrong)


def test_no_msgid_is_translated_differently_in_two_files() -> None:
    """The .po files are merged; one msgid must not have two different translations."""
    seen: dict[MsgId, tuple[str, object]] = {}
    conflicts = []
    for path in catalog_files("zh_CN"):
        with path.open("rb") as fh:
            part = read_po(fh, locale="zh_CN")
        for message in part:
            if not message.id or not message.string:
                continue
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            if key in seen and seen[key][1] != message.string:
                conflicts.append(f"  {key!r}: {seen[key][0]} vs {path.name}")
            seen.setdefault(key, (path.name, message.string))
    assert not conflicts, (
        "msgid(s) translated differently in two .po files; the merged catalogue silently keeps only the last "
        "file's, so agree on one translation (or give each a msgctxt):\n" + "\n".join(conflicts)
    )


def test_placeholder_parser() -> None:
    assert placeholders("From {start} to {end!r:>3}; {{literal}}") == {"start", "end"}
    assert placeholders("Questions: call %(phone)s, %(n)d left.") == {"%(phone)", "%(n)"}


# -- rendering -----------------------------------------------------------------------------------------------------
REPORT_READY = N_(
    "Your report can be printed at the self-service printer in outpatient radiology from {day}.",
    day=dt.date(2026, 12, 7),
)


def test_chinese_rendering_of_a_domain_message_with_a_chinese_date() -> None:
    """A domain Message in zh_CN: Chinese words, the date as 2026年12月7日（周一）."""
    assert Translator("zh_CN").render(REPORT_READY) == "2026年12月7日（周一）起可在门诊放射科自助打印机打印报告。"


def test_english_rendering_of_a_domain_message() -> None:
    """The same Message in English: the msgid with an English date."""
    text = Translator("en").render(REPORT_READY)
    assert text == "Your report can be printed at the self-service printer in outpatient radiology from Mon 7 Dec 2026."


def test_nested_message_holiday_name_and_date_list_render_in_both_languages() -> None:
    """Parameters that are Messages, bilingual names and tuples of dates are rendered per language."""
    closed = N_(
        "The clinic is closed on {day} ({name}).", day=dt.date(2026, 10, 1), name=Localized("国庆节", "National Day")
    )
    assert Translator("zh_CN").render(closed) == "2026年10月1日（周四）门诊停诊（国庆节）。"
    assert Translator("en").render(closed) == "The clinic is closed on Thu 1 Oct 2026 (National Day)."
    question = N_("Please answer: {question}", question=N_("body temperature?"))
    assert Translator("zh_CN").render(question) == "请回答：体温是多少？"
    days = N_("Procedure dates that work this cycle: {days}.", days=(dt.date(2026, 11, 21), dt.date(2026, 11, 22)))
    assert (
        Translator("zh_CN").render(days) == "本周期可以做造影的日期：2026年11月21日（周六）、2026年11月22日（周日）。"
    )


def test_every_domain_message_is_translated_through_gettext() -> None:
    """Through the compiled catalogue (not just the .po file) each domain msgid comes back in Chinese."""
    t = Translator("zh_CN")
    domain_ids = extract(SRC / "domain", {"N_": None})
    untranslated = [m for m in domain_ids if isinstance(m, str) and t.gettext(m) == m]
    assert untranslated == []
    assert all(re.search(r"[\u4e00-\u9fff]", t.gettext(m)) for m in domain_ids if isinstance(m, str))


def test_rendering_keeps_placeholders_fillable() -> None:
    """Every domain msgid's translation formats with the msgid's own parameters (no KeyError)."""
    t = Translator("zh_CN")
    for msgid in extract(SRC / "domain", {"N_": None}):
        assert isinstance(msgid, str)
        params = dict.fromkeys(placeholders(msgid), "X")
        assert "X" in t.render(Message(msgid, params)) or not params
