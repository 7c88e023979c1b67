"""Is a Chinese font installed? Asked once per process (fontconfig's ``fc-list :lang=zh``), before any PDF.

Without a CJK font WeasyPrint (Pango, through fontconfig) draws every Chinese character as an empty box — a medical
document nobody can read, and nothing would say so. So a document with Chinese text in it is refused with
:class:`ChineseFontMissing` instead, naming the package to install (Debian: ``fonts-noto-cjk``). Every document
has Chinese in it (the clinic's name is printed in both languages), so without the font no PDF is made at all.
``hsgclinic doctor`` and the web app's start-up report the same check.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from hsgclinic.domain.messages import N_, MessageError

log = logging.getLogger(__name__)

PACKAGE = "fonts-noto-cjk"
PREFERRED_FAMILY = "Noto Sans CJK SC"  # what documents.css asks for
# CJK Unified Ideographs (+ extension A), CJK punctuation, full-width forms: text only a CJK font can draw.
_CJK = re.compile("[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


class ChineseFontMissing(MessageError):
    """No font that can draw Chinese: the document is refused rather than printed as empty boxes."""


@dataclass(frozen=True)
class FontCheck:
    families: tuple[str, ...]  # font families fontconfig says cover Chinese
    problem: str = ""  # why none were found (fc-list missing or failing), for the operator

    @property
    def ok(self) -> bool:
        return bool(self.families)

    @property
    def preferred_present(self) -> bool:
        return any(PREFERRED_FAMILY in f for f in self.families)


def missing_font_message() -> ChineseFontMissing:
    return ChineseFontMissing(
        N_(
            "No Chinese font is installed, so this document would print as empty boxes; it was not made. "
            "Install the {package} package (Debian/Ubuntu: apt-get install {package}) and try again.",
            package=PACKAGE,
        )
    )


def probe() -> FontCheck:
    """Ask fontconfig now (not cached): the families that cover the ``zh`` language."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return FontCheck((), "fc-list (fontconfig) is not installed")
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return FontCheck((), f"fc-list failed: {exc}")
    if done.returncode != 0:
        return FontCheck((), f"fc-list failed: {done.stderr.strip()[:200]}")
    families = sorted({name.strip() for line in done.stdout.splitlines() for name in line.split(",") if name.strip()})
    return FontCheck(tuple(families), "" if families else f"fontconfig knows no font for Chinese (install {PACKAGE})")


@cache
def startup_check() -> FontCheck:
    """The process's answer (asked once; a font installed later needs a restart, like any font change)."""
    found = probe()
    if not found.ok:
        log.warning("no Chinese font: every PDF document will be refused (%s)", found.problem)
    return found


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


def require_font_for(html: str) -> None:
    """Raise :class:`ChineseFontMissing` when ``html`` has Chinese text and no font can draw it."""
    if has_chinese(html) and not startup_check().ok:
        raise missing_font_message()
