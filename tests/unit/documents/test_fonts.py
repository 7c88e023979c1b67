"""Without a Chinese font no document is made as empty boxes (issue 11, item 6): it is refused, naming the package.

The machine without fonts is made real for a subprocess by a fontconfig configuration with no font directory
(``FONTCONFIG_FILE``): fc-list and WeasyPrint (Pango) then both see no font at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hsgclinic.documents import fonts
from hsgclinic.documents.rendering import html_to_pdf


@pytest.fixture
def no_fonts(tmp_path: Path) -> dict[str, str]:
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{tmp_path / 'no-fonts-here'}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")} | {
        "FONTCONFIG_FILE": str(conf),
        "HSGCLINIC_DATA_DIR": str(tmp_path),
    }


def _sheet(env: dict[str, str], lang: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from hsgclinic.cli.main import run; run()", "sheet", "aftercare",
         "--procedure-date", "2026-12-04", "--lang", lang, "--out", str(out)],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["zh", "en"])  # the English sheet prints the clinic's Chinese name too
def test_without_a_chinese_font_the_sheet_is_refused_naming_fonts_noto_cjk(no_fonts, tmp_path, lang):
    out = tmp_path / f"aftercare-{lang}.pdf"
    done = _sheet(no_fonts, lang, out)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "fonts-noto-cjk" in done.stderr
    assert ("中文字体" if lang == "zh" else "No Chinese font is installed") in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_with_the_font_installed_the_same_sheet_is_made(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")} | {
        "HSGCLINIC_DATA_DIR": str(tmp_path)
    }
    out = tmp_path / "aftercare.pdf"
    done = _sheet(env, "zh", out)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes().startswith(b"%PDF")


def test_the_probe_reads_fontconfig(no_fonts, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", no_fonts["FONTCONFIG_FILE"])
    empty = fonts.probe()
    assert not empty.ok and "fonts-noto-cjk" in empty.problem
    monkeypatch.delenv("FONTCONFIG_FILE")
    found = fonts.probe()
    assert found.ok and found.preferred_present


def test_html_with_chinese_is_refused_and_plain_latin_is_not_when_no_font_exists(monkeypatch):
    monkeypatch.setattr(fonts, "startup_check", lambda: fonts.FontCheck((), "none"))
    with pytest.raises(fonts.ChineseFontMissing) as refused:
        html_to_pdf("<html><body><p>术后注意事项</p></body></html>")
    assert refused.value.message.params["package"] == "fonts-noto-cjk"
    assert html_to_pdf("<html><body><p>Aftercare</p></body></html>").startswith(b"%PDF")
    assert fonts.has_chinese("报告，") and not fonts.has_chinese("Report, 2026-12-04")
