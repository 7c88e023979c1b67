"""The pages' words: extract every message id from the templates and ``web/ui`` code, and update ``web.po``.

``python -m hsgclinic.web.ui.catalogue`` adds new ids to ``web.po`` (keeping every translation); the test suite
checks that each id has a Chinese translation. Ids the domain catalogue already translates are left out.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from hsgclinic.i18n import LOCALES_DIR

WEB_DIR = Path(__file__).resolve().parent.parent
WEB_PO = LOCALES_DIR / "zh_CN" / "LC_MESSAGES" / "web.po"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def extract_page_messages() -> dict[str, list[tuple[str, int]]]:
    """Message id → where it is used (file, line)."""
    found: dict[str, list[tuple[str, int]]] = {}
    method_map = [("templates/**.html", "jinja2"), ("ui/**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do,jinja2.ext.i18n", "trimmed": "false"}}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        WEB_DIR, method_map, options_map=options, keywords=KEYWORDS
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append((filename, lineno))
    return found


def load_web_po() -> Catalog:
    if not WEB_PO.exists():
        return Catalog(locale="zh_CN", domain="web")
    with WEB_PO.open("rb") as fh:
        return read_po(fh, locale="zh_CN")


def other_catalogues() -> set[str]:
    ids: set[str] = set()
    for path in sorted(WEB_PO.parent.glob("*.po")):
        if path.name == WEB_PO.name:
            continue
        with path.open("rb") as fh:
            for msg in read_po(fh, locale="zh_CN"):
                if msg.id and msg.string:
                    ids.add(str(msg.id))
    return ids


def missing_translations() -> list[str]:
    """Page message ids with no Chinese in any catalogue."""
    web = load_web_po()
    translated = {str(m.id) for m in web if m.id and m.string and not m.fuzzy} | other_catalogues()
    return sorted(set(extract_page_messages()) - translated)


def update_web_po() -> int:
    """Add new ids (empty translations) to web.po; return how many are still untranslated."""
    old = load_web_po()
    others = other_catalogues()
    new = Catalog(locale="zh_CN", domain="web", project="hsgclinic", header_comment="# The pages' words (web/ui).")
    for msgid, places in sorted(extract_page_messages().items()):
        prior = old.get(msgid)
        if msgid in others:
            continue
        new.add(msgid, prior.string if prior is not None else "", locations=places[:3])
    WEB_PO.parent.mkdir(parents=True, exist_ok=True)
    with WEB_PO.open("wb") as fh:
        write_po(fh, new, width=120, omit_header=False, sort_output=True)
    return sum(1 for m in new if m.id and not m.string)


if __name__ == "__main__":
    left = update_web_po()
    print(f"web.po updated; {left} untranslated")
