"""The documents' HTML (no PDF engine needed): her data, masked ID, dates in the language's format, escaping."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html as html_module
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hsgclinic.documents import (
    DocumentError,
    PatientView,
    PaymentStatus,
    ReceiptView,
    render_aftercare_html,
    render_application_form_html,
    render_before_procedure_html,
    render_receipt_html,
    render_report_html,
    samples,
)
from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.identity import mask_id, parse_identity
from hsgclinic.domain.report import ObstructionLevel, Patency, Spill, TubeFinding
from hsgclinic.i18n import translator

PRINTED = dt.datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LANGS = ("zh_CN", "en")


def _visible_text(html: str) -> str:
    body = html.split("<body", 1)[1].split(">", 1)[1]
    return re.sub(r"\s+", " ", html_module.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_sample_id_is_a_valid_synthetic_resident_id() -> None:
    identity = parse_identity(samples.SAMPLE_ID)
    assert identity.sex == "F"


@pytest.mark.parametrize("lang", LANGS)
def test_application_form_shows_her_dates_masked_id_and_every_rule(lang: str, site) -> None:
    view = samples.sample_application_form()
    html = render_application_form_html(view, site, lang, printed_at=PRINTED)
    t = translator(lang)
    assert t.date(view.procedure_date) in html and "08:15" in html
    assert mask_id(samples.SAMPLE_ID) in html
    assert samples.SAMPLE_ID not in html
    for finding in view.findings:
        assert finding.rule in html
    assert t.money(Decimal("1000.00")) in html
    assert view.access_code in html and "data:image/svg+xml" in html
    assert f'lang="{t.lang_tag}"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_every_word_is_in_the_documents_language(lang: str, site, calendar, rules) -> None:
    plan = plan_aftercare(samples.PROCEDURE_DATE, calendar, rules)
    pages = [
        render_application_form_html(samples.sample_application_form(), site, lang, printed_at=PRINTED),
        render_before_procedure_html(samples.sample_before_procedure(), site, lang, printed_at=PRINTED),
        render_report_html(samples.sample_report(lang), site, lang, printed_at=PRINTED),
        render_aftercare_html(plan, site, lang, patient=samples.sample_patient(), printed_at=PRINTED),
        render_receipt_html(samples.sample_receipt(), site, lang, printed_at=PRINTED),
    ]
    for html in pages:
        text = _visible_text(html)
        if lang == "zh_CN":
            # Latin words left in a Chinese page are codes, units, the English clinic name or the rule IDs.
            words = set(re.findall(r"[A-Za-z]{4,}", text)) - set(re.findall(r"[A-Za-z]{4,}", site.name_en))
            assert words <= {
                "Iohexol",
                "RULE",
                "CARE",
                "ELIG",
                "VISIT",
                "ABSTAIN",
                "TEMP",
                "RESP",
                "PAIN",
                "LEUK",
                "PREG",
                "CONTRA",
                "OVULATION",
                "ANTIBIOTIC",
                "BLEED",
                "REPORT",
                "CONCEIVE",
                "ECTOPIC",
                "REFER",
            }, words
        else:
            for data in (site.name_zh, "林晓雯", "周明远", "主治医师"):  # names are data, not words
                text = text.replace(data, "")
            assert not re.search(r"[\u4e00-\u9fff]", text)


@pytest.mark.parametrize("lang", LANGS)
def test_aftercare_sheet_has_every_care_item_with_its_date(lang: str, site, calendar, rules) -> None:
    plan = plan_aftercare(samples.PROCEDURE_DATE, calendar, rules)
    html = render_aftercare_html(plan, site, lang, printed_at=PRINTED)
    t = translator(lang)
    for item in plan.items:
        assert item.rule in html or item.warning
        assert t.render(item.message).replace("'", "&#39;") in html
    for day in (dt.date(2026, 12, 18), dt.date(2026, 12, 6), dt.date(2026, 12, 11), dt.date(2026, 12, 7)):
        assert t.date(day) in html
    assert site.phone in html and (site.room_zh if lang == "zh_CN" else site.room_en) in html


def test_report_marks_corrections_and_shows_each_tube(site) -> None:
    html = render_report_html(samples.sample_report("en"), site, "en", printed_at=PRINTED)
    assert "Corrected report" in html and "Chen Siyuan" in html
    assert "Partially patent" in html and "Loculated spill" in html
    uncorrected = render_report_html(samples.sample_report("en", corrected=False), site, "en", printed_at=PRINTED)
    assert "Corrected report" not in uncorrected


def test_report_of_an_obstructed_tube(site) -> None:
    view = samples.sample_report("zh_CN", corrected=False)
    blocked = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.PROXIMAL, hydrosalpinx=True, spill=Spill.NONE)
    view = dataclasses.replace(view, findings=dataclasses.replace(view.findings, left=blocked))
    html = render_report_html(view, site, "zh_CN", printed_at=PRINTED)
    assert "梗阻" in html and "近端" in html and "未见弥散" in html


@pytest.mark.parametrize("status", list(PaymentStatus))
def test_receipt_in_decimal_yuan_and_chinese_capitals(status: PaymentStatus, site) -> None:
    html = render_receipt_html(samples.sample_receipt(status), site, "zh_CN", printed_at=PRINTED)
    assert "¥1,000.00" in html and "壹仟元整" in html
    assert (
        translator("zh_CN").render(__import__("hsgclinic.documents.labels", fromlist=["x"]).PAYMENT_STATUS[status])
        in html
    )


def test_receipt_refuses_a_float_amount() -> None:
    with pytest.raises(TypeError):
        ReceiptView("R1", 1000.0, None, None, PaymentStatus.UNPAID)  # type: ignore[arg-type]


def test_a_full_id_number_cannot_reach_a_document() -> None:
    with pytest.raises(ValueError):
        PatientView(name="x", masked_id=samples.SAMPLE_ID)


def test_patient_data_is_escaped(site) -> None:
    view = dataclasses.replace(
        samples.sample_application_form(), patient=dataclasses.replace(samples.sample_patient(), name="<b>X</b>")
    )
    html = render_application_form_html(view, site, "en", printed_at=PRINTED)
    assert "<b>X</b>" not in html and "&lt;b&gt;X&lt;/b&gt;" in html


def test_site_name_cannot_break_out_of_the_page_css(site) -> None:
    from hsgclinic.config import SiteProfile

    evil = SiteProfile(name_en='Clinic"; } </style><script>x</script>')
    html = render_receipt_html(samples.sample_receipt(), evil, "en", printed_at=PRINTED)
    assert "<script>" not in html


def test_unsupported_language_is_an_error(site) -> None:
    with pytest.raises(DocumentError):
        render_receipt_html(samples.sample_receipt(), site, "fr")


@pytest.mark.parametrize("lang", LANGS)
def test_hydrosalpinx_aftercare_sheet_has_one_antibiotic_line_and_stays_one_a4_page(
    lang: str, site, calendar, rules
) -> None:
    """CARE-ANTIBIOTIC: the header names the doxycycline course; CARE-CONCEIVE fits the finding; one A4 page even
    with oil contrast and a PID history (the longest sheet)."""
    import subprocess
    import tempfile
    from pathlib import Path

    from hsgclinic.documents.sheets import render_aftercare_pdf
    from hsgclinic.domain.report import CavityFinding, ContrastKind, ReportFindings

    hydro = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.DISTAL, True, Spill.NONE)
    patent = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
    report = ReportFindings(CavityFinding("normal", False, False, False), hydro, patent, "Left hydrosalpinx.")
    t = translator(lang)
    for contrast in (ContrastKind.WATER, ContrastKind.OIL):
        plan = plan_aftercare(
            samples.PROCEDURE_DATE, calendar, rules, report=report, contrast=contrast, pid_history=True
        )
        text = _visible_text(render_aftercare_html(plan, site, lang, patient=samples.sample_patient()))
        assert ("doxycycline" if lang == "en" else "多西环素") in text
        assert text.count("CARE-ANTIBIOTIC") == 2  # the doxycycline course + the pre-procedure PID dose
        assert (
            t(
                "Take the prescribed oral antibiotics for {days} days, from {start} to {end}.",
                days=3,
                start=samples.PROCEDURE_DATE,
                end=samples.PROCEDURE_DATE,
            )
            not in text
        )
        assert ("If the tubes are patent" if lang == "en" else "如输卵管通畅") not in text
        pdf = render_aftercare_pdf(plan, site, lang, patient=samples.sample_patient(), printed_at=PRINTED)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "aftercare.pdf"
            path.write_bytes(pdf)
            info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
        assert "Pages:           1" in info, (lang, contrast)
        assert "595.276 x 841.89 pts (A4)" in info or "(A4)" in info
