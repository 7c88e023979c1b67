"""Every document as a real PDF in both languages: text extracted with poppler's pdftotext, fonts with pdffonts,
pages rasterised with pdftoppm.

Set ``HSGCLINIC_UPDATE_SCREENSHOTS=1`` to refresh ``docs/screenshots/documents/`` (one PNG per document and
language at 50 dpi).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import typer
from typer.testing import CliRunner

from hsgclinic.calendar_source import calendar_around
from hsgclinic.cli.documents import register
from hsgclinic.config import SiteProfile
from hsgclinic.documents import (
    render_aftercare_pdf,
    render_application_form_pdf,
    render_before_procedure_pdf,
    render_receipt_pdf,
    render_report_pdf,
    samples,
)
from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.identity import mask_id
from hsgclinic.domain.rules import Rules
from hsgclinic.i18n import translator

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdffonts")), reason="needs poppler-utils"
)

ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / "docs" / "screenshots" / "documents"
PRINTED = dt.datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
SITE = SiteProfile()
LANGS = ("zh_CN", "en")
D = samples.PROCEDURE_DATE


def _aftercare(lang: str) -> bytes:
    calendar = calendar_around(dt.date(2026, 12, 1), official_through=2026)
    plan = plan_aftercare(D, calendar, Rules(), period_start=dt.date(2026, 11, 26), cycle_length=29)
    return render_aftercare_pdf(plan, SITE, lang, patient=samples.sample_patient(), printed_at=PRINTED)


DOCUMENTS: dict[str, Callable[[str], bytes]] = {
    "application_form": lambda lang: render_application_form_pdf(
        samples.sample_application_form(), SITE, lang, printed_at=PRINTED
    ),
    "before_procedure": lambda lang: render_before_procedure_pdf(
        samples.sample_before_procedure(), SITE, lang, printed_at=PRINTED
    ),
    "report": lambda lang: render_report_pdf(samples.sample_report(lang), SITE, lang, printed_at=PRINTED),
    "aftercare": _aftercare,
    "receipt": lambda lang: render_receipt_pdf(samples.sample_receipt(), SITE, lang, printed_at=PRINTED),
}

# Her dates that each document must print, in the language's own date format.
DATES: dict[str, tuple[dt.date, ...]] = {
    "application_form": (D, dt.date(2026, 12, 2)),
    "before_procedure": (D, dt.date(2026, 11, 30), dt.date(2026, 12, 7)),
    "report": (D,),
    "aftercare": (D, dt.date(2026, 12, 6), dt.date(2026, 12, 7), dt.date(2026, 12, 11), dt.date(2026, 12, 18)),
    "receipt": (),
}


def pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module", params=[(d, lang) for d in DOCUMENTS for lang in LANGS], ids=lambda p: f"{p[0]}-{p[1]}")
def rendered(request, tmp_path_factory) -> tuple[str, str, Path]:
    name, lang = request.param
    path = tmp_path_factory.mktemp("pdf") / f"{name}-{lang}.pdf"
    path.write_bytes(DOCUMENTS[name](lang))
    return name, lang, path


def test_is_a_one_page_a4_pdf(rendered) -> None:
    _name, _lang, path = rendered
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\b", info), info
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info), info


def test_prints_her_dates_in_the_documents_language(rendered) -> None:
    name, lang, path = rendered
    text = _squash(pdf_text(path))
    t = translator(lang)
    for day in DATES[name]:
        assert _squash(t.date(day)) in text, (name, lang, t.date(day))
    other = translator("en" if lang == "zh_CN" else "zh_CN")
    if DATES[name]:
        assert _squash(other.date(DATES[name][0])) not in text


def test_shows_the_masked_id_and_never_the_full_one(rendered) -> None:
    _name, _lang, path = rendered
    text = pdf_text(path)
    assert mask_id(samples.SAMPLE_ID) in text
    assert samples.SAMPLE_ID not in _squash(text)
    assert samples.SAMPLE_ID[:6] not in _squash(text)


def test_header_and_footer_are_printed(rendered) -> None:
    _name, lang, path = rendered
    text = _squash(pdf_text(path))
    assert _squash(SITE.name_zh if lang == "zh_CN" else SITE.name_en) in text
    assert SITE.phone in text
    t = translator(lang)
    assert _squash(t("Page {page} of {pages}", page=1, pages=1)) in text
    assert _squash(t("Printed {when}", when=PRINTED)) in text


def test_uses_the_noto_cjk_fonts_embedded(rendered) -> None:
    _name, _lang, path = rendered
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = [r.replace("-", "") for r in fonts.splitlines()[2:]]
    assert rows and all("NotoSansCJK" in r or "NotoSerifCJK" in r or "NotoSansMonoCJK" in r for r in rows), fonts
    assert all(re.search(r"\byes\s+yes\b", r) for r in rows), "every font embedded and subset"


def test_renders_to_png(rendered, tmp_path: Path) -> None:
    name, lang, path = rendered
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and all(p.stat().st_size > 10_000 for p in pages)
    if os.environ.get("HSGCLINIC_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "50", "-singlefile", str(path), str(SCREENSHOTS / f"{name}-{lang}")],
            check=True,
        )


def test_report_lists_the_correction(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(DOCUMENTS["report"]("zh_CN"))
    text = _squash(pdf_text(path))
    assert "更正报告" in text and "更正记录" in text and _squash("2026年12月4日 15:20") in text
    assert "通而不畅" in text and "局限性弥散" in text


def test_receipt_amount_is_exact(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(DOCUMENTS["receipt"]("zh_CN"))
    text = _squash(pdf_text(path))
    assert "¥1,000.00" in text and "壹仟元整" in text


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def version() -> None:
        """Print nothing."""

    register(app)
    return app


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_cli_prints_the_aftercare_sheet(app, tmp_path: Path, lang: str) -> None:
    out = tmp_path / "aftercare.pdf"
    result = CliRunner().invoke(
        app,
        [
            "sheet",
            "aftercare",
            "--procedure-date",
            "2026-12-04",
            "--antibiotic-days",
            "4",
            "--lang",
            lang,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = _squash(pdf_text(out))
    t = translator(lang)
    assert _squash(t.date(dt.date(2026, 12, 7))) in text  # antibiotics through D+3 and the report (Monday)
    assert _squash(t.date(dt.date(2026, 12, 18))) in text


def test_cli_prints_the_before_sheet(app, tmp_path: Path) -> None:
    out = tmp_path / "before.pdf"
    result = CliRunner().invoke(
        app, ["sheet", "before", "--procedure-date", "2026-12-04", "--time", "08:15", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = _squash(pdf_text(out))
    assert _squash("2026年12月4日（周五） 08:15") in text
    assert "卫生巾" in text and "身份证" in text and "¥1,000.00" in text
