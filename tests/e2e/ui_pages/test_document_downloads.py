"""Her documents as downloads on the real services (bootstrap on SQLite): as the patient from *My visit* (her
session cookie) and as staff by role, each PDF in both languages with her dates and only the masked ID, the .ics
parsed back, and the refusals (not yet / not hers / wrong role) in the reader's language."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import icalendar
import pytest
from fastapi.testclient import TestClient

from e2e.ui_pages.staff_helpers import sign_in
from e2e.ui_pages.test_staff_visit_kiosk import look_up, take_number, through_the_report
from hsgclinic.domain.identity import mask_id
from hsgclinic.services import documents
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import Forbidden, NotFound
from hsgclinic.services.synthetic import synthetic_resident_id
from hsgclinic.web.ui.documents_pages import PATIENT_COOKIE
from hsgtest import SHANGHAI
from page_client import PageClient

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is needed")

FULL_ID = synthetic_resident_id(1)
MASKED = mask_id(FULL_ID)
PROCEDURE = {"zh_CN": "2026年11月22日", "en": "22 Nov 2026"}
REPORT_READY = {"zh_CN": "2026年11月23日", "en": "23 Nov 2026"}
PDFS = ("application-form", "before", "receipt", "report", "aftercare")


def pdf_text(body: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True, check=True)
    return out.stdout.decode()


def fonts_and_pages(body: bytes) -> tuple[set[str], int]:
    """The embedded fonts (pdffonts) and the page count (pdfinfo): every glyph from Noto CJK, one A4 page."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(body)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
        info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    names = {line.split()[0].split("+")[-1] for line in fonts.splitlines()[2:] if line.strip()}
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return names, pages


def flat(text: str) -> str:
    return " ".join(text.split())


def ready_case(clinic: Any) -> Any:
    """Every document exists: booked, paid, done, signed, aftercare stored; the clock on the report's ready day."""
    number = through_the_report(clinic)
    clinic.ctx.clock.set(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI))
    return number


def ids(clinic: Any) -> tuple[int, int]:
    from sqlalchemy import select

    from hsgclinic.persistence.models import ProcedureRecord

    with clinic.ctx.read() as uow:
        proc = uow.session.execute(select(ProcedureRecord)).scalars().one()
        return proc.appointment_id, proc.id


def check_pdf(r: Any, lang: str, name: str) -> str:
    assert r.status_code == 200, r.text[:400]
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="hsg-') and ".pdf\"; filename*=UTF-8''" in disposition
    assert disposition.split('filename="')[1].split('"')[0].isascii()
    assert unquote(disposition.split("UTF-8''")[1]).endswith(".pdf")
    text = flat(pdf_text(r.content))
    fonts, pages = fonts_and_pages(r.content)
    assert pages == 1 and fonts and all(f.startswith("Noto-") for f in fonts), (name, lang, fonts, pages)
    assert MASKED in text, (name, lang)
    assert FULL_ID not in text and FULL_ID not in r.content.decode("latin-1")
    if name == "receipt":
        assert "R2026" in text and REPORT_READY[lang] in text  # printed on the clinic's clock (Mon 11-23)
    else:
        assert PROCEDURE[lang] in text, (name, lang, text[:600])
    if name in ("before", "aftercare"):
        assert REPORT_READY[lang] in text, (name, lang)
    if lang == "zh_CN":  # (an English document still shows the clinic's and her Chinese names)
        assert PROCEDURE["en"] not in text and REPORT_READY["en"] not in text
    return text


def test_my_visit_links_every_document_and_her_downloads(service_client: TestClient, service_clinic: Any) -> None:
    number = ready_case(service_clinic)
    page = look_up(service_client, number)
    assert page.status_code == 200
    assert PATIENT_COOKIE in page.cookies
    cookie = page.headers["set-cookie"]
    assert "Path=/my-visit" in cookie and "HttpOnly" in cookie and number.access_code not in cookie
    for name in PDFS:
        for lang in ("zh_CN", "en"):
            assert f'href="/my-visit/documents/{name}.pdf?lang={lang}"' in page.text
    assert 'href="/my-visit/documents/my-hsg.ics"' in page.text and "Add to my calendar (.ics)" in page.text
    assert FULL_ID[-8:] not in page.text.replace(MASKED, "")  # no ID digits beyond the last 4, in no link
    for name in PDFS:
        for lang in ("zh_CN", "en"):
            r = service_client.get(f"/my-visit/documents/{name}.pdf?lang={lang}")
            text = check_pdf(r, lang, name)
            if name == "application-form":
                assert number.access_code in text and "ELIG-TEMP" in text
            if name == "aftercare":
                assert "CARE-ABSTAIN" in text


def test_the_language_defaults_to_the_page_language(service_client: TestClient, service_clinic: Any) -> None:
    number = ready_case(service_clinic)
    look_up(service_client, number, "zh-CN")
    r = service_client.get("/my-visit/documents/aftercare.pdf", headers={"Accept-Language": "zh-CN"})
    assert PROCEDURE["zh_CN"] in flat(pdf_text(r.content))
    r = service_client.get("/my-visit/documents/aftercare.pdf", headers={"Accept-Language": "en"})
    assert PROCEDURE["en"] in flat(pdf_text(r.content))
    assert "%E5%90%8E" in r.headers["content-disposition"] or "filename*=UTF-8''" in r.headers["content-disposition"]


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_her_calendar_parses_back(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    number = ready_case(service_clinic)
    look_up(service_client, number)
    r = service_client.get(f"/my-visit/documents/my-hsg.ics?lang={lang}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert 'filename="my-hsg-dates.ics"' in r.headers["content-disposition"]
    cal = icalendar.Calendar.from_ical(r.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    starts = sorted(e.decoded("dtstart") for e in events.values() if not isinstance(e.decoded("dtstart"), dt.datetime))
    timed = [e.decoded("dtstart") for e in events.values() if isinstance(e.decoded("dtstart"), dt.datetime)]
    assert timed == [dt.datetime(2026, 11, 22, 8, 0, tzinfo=timed[0].tzinfo)]
    assert dt.date(2026, 11, 20) in starts  # the screening visit
    assert dt.date(2026, 11, 23) in starts  # report ready
    assert len(events) >= 6
    assert FULL_ID not in r.text and MASKED not in r.text
    if lang == "zh_CN":
        assert any("\u4e00" <= c <= "\u9fff" for c in "".join(events))


def test_staff_download_by_role(service_client: TestClient, service_clinic: Any) -> None:
    ready_case(service_clinic)
    appointment_id, procedure_id = ids(service_clinic)
    sign_in(service_client, service_clinic, "registrar")
    page = service_client.get(f"/staff/payment/{appointment_id}", headers={"Accept-Language": "en"})
    for name in ("application-form", "before", "receipt", "aftercare"):
        assert f"/staff/documents/appointment/{appointment_id}/{name}.pdf?lang=zh_CN" in page.text
    for name in ("application-form", "before", "receipt", "aftercare"):
        for lang in ("zh_CN", "en"):
            check_pdf(
                service_client.get(f"/staff/documents/appointment/{appointment_id}/{name}.pdf?lang={lang}"), lang, name
            )
    r = service_client.get(f"/staff/documents/procedure/{procedure_id}/report.pdf", headers={"Accept-Language": "en"})
    assert r.status_code == 403 and "Not allowed" in r.text
    ics = service_client.get(f"/staff/documents/appointment/{appointment_id}/calendar.ics")
    assert ics.status_code == 200 and icalendar.Calendar.from_ical(ics.content).walk("VEVENT")

    radiology = PageClient(service_client.app, raise_server_exceptions=False)
    sign_in(radiology, service_clinic, "radiologist")
    page = radiology.get(f"/staff/report/{procedure_id}", headers={"Accept-Language": "en"})
    assert f"/staff/documents/procedure/{procedure_id}/report.pdf?lang=en" in page.text
    for name in ("report", "aftercare"):
        for lang in ("zh_CN", "en"):
            check_pdf(radiology.get(f"/staff/documents/procedure/{procedure_id}/{name}.pdf?lang={lang}"), lang, name)
    r = radiology.get(
        f"/staff/documents/appointment/{appointment_id}/receipt.pdf", headers={"Accept-Language": "zh-CN"}
    )
    assert r.status_code == 403 and "无权访问" in r.text


def test_no_staff_session_goes_to_sign_in(service_client: TestClient, service_clinic: Any) -> None:
    ready_case(service_clinic)
    appointment_id, _ = ids(service_clinic)
    r = service_client.get(
        f"/staff/documents/appointment/{appointment_id}/receipt.pdf",
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/staff/login")


@pytest.mark.parametrize(("lang", "words"), [("en", "does not exist yet"), ("zh-CN", "还没有")])
def test_another_patient_gets_none_of_hers(
    service_client: TestClient, service_clinic: Any, lang: str, words: str
) -> None:
    other = take_number(service_clinic, 2)  # (numbers are taken on the day: before the clock moves on)
    ready_case(service_clinic)
    r = service_client.post(
        "/my-visit",
        data={"code": other.access_code, "last4": synthetic_resident_id(2)[-4:]},
        headers={"Accept-Language": lang},
    )
    assert r.status_code == 200 and "/my-visit/documents/" not in r.text
    for name in PDFS:
        d = service_client.get(f"/my-visit/documents/{name}.pdf", headers={"Accept-Language": lang})
        assert d.status_code == 404 and words in d.text and d.headers["content-type"].startswith("text/html")
    assert service_client.get("/my-visit/documents/my-hsg.ics", headers={"Accept-Language": lang}).status_code == 404
    # her session is no staff session: the staff routes send her to sign in
    appointment_id, _ = ids(service_clinic)
    staff = service_client.get(
        f"/staff/documents/appointment/{appointment_id}/receipt.pdf",
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert staff.status_code == 303


def test_without_her_access_nothing_is_served(service_client: TestClient, service_clinic: Any) -> None:
    ready_case(service_clinic)
    for lang, words in (("en", "Please open My visit"), ("zh-CN", "我的就诊")):
        r = service_client.get("/my-visit/documents/receipt.pdf", headers={"Accept-Language": lang})
        assert r.status_code == 403 and words in r.text
    assert service_client.get("/my-visit/documents/nonsense.pdf").status_code == 404


def test_the_service_checks_whose_case_it_is(service_clinic: Any) -> None:
    other = take_number(service_clinic, 2)
    number = ready_case(service_clinic)
    appointment_id, procedure_id = ids(service_clinic)
    ctx = service_clinic.ctx
    mine = documents.PatientAccess(number.access_code, FULL_ID[-4:])
    assert documents.receipt(ctx, mine).patient is not None
    assert documents.aftercare(ctx, mine).patient.masked_id == MASKED
    theirs = documents.PatientAccess(other.access_code, synthetic_resident_id(2)[-4:])
    with pytest.raises(Forbidden):
        documents.receipt(ctx, theirs, appointment_id=appointment_id)
    with pytest.raises(NotFound):
        documents.receipt(ctx, theirs)
    desk = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
    with pytest.raises(Forbidden):
        documents.report(ctx, desk, procedure_id=procedure_id)
    assert documents.application_form(ctx, desk, appointment_id=appointment_id).patient.masked_id == MASKED
    from sqlalchemy import select

    from hsgclinic.persistence.models import AuditEvent

    with ctx.read() as uow:
        events = uow.session.execute(
            select(AuditEvent.role, AuditEvent.detail).where(AuditEvent.action == "document.read")
        ).all()
    assert ("patient", {"document": "receipt"}) in events and ("registrar", {"document": "application-form"}) in events


def test_documents_appear_as_they_come_into_being(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic)  # Sun 11-22: signed, ready only on Mon 11-23
    page = look_up(service_client, number)
    assert "/my-visit/documents/receipt.pdf" in page.text and "/my-visit/documents/report.pdf" not in page.text
    r = service_client.get("/my-visit/documents/report.pdf", headers={"Accept-Language": "en"})
    assert r.status_code == 404 and "cannot be printed yet" in r.text


@pytest.mark.parametrize(("lang", "words"), [("en", "does not exist yet"), ("zh-CN", "还没有生成")])
def test_staff_get_a_404_page_for_what_is_not_there_yet(
    service_client: TestClient, service_clinic: Any, lang: str, words: str
) -> None:
    from e2e.ui_pages.test_staff_visit_kiosk import DESK, DOCTOR, screening_input
    from hsgclinic.services import booking, screening

    number = take_number(service_clinic)
    view = screening.record_screening(
        service_clinic.ctx, DOCTOR, patient_id=number.patient_id, screening=screening_input(), doctor_name="Dr Li"
    )
    form = screening.issue_application_form(service_clinic.ctx, DOCTOR, view.screening_id)
    appt = booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    sign_in(service_client, service_clinic, "registrar")
    base = f"/staff/documents/appointment/{appt.appointment_id}"
    check_pdf(service_client.get(f"{base}/application-form.pdf?lang=en"), "en", "application-form")
    for name in ("receipt", "aftercare"):
        r = service_client.get(f"{base}/{name}.pdf", headers={"Accept-Language": lang})
        assert r.status_code == 404 and words in r.text, name
    page = service_client.get(f"/staff/payment/{appt.appointment_id}", headers={"Accept-Language": "en"})
    assert f"{base}/before.pdf?lang=en" in page.text and f"{base}/receipt.pdf" not in page.text
    assert service_client.get("/staff/documents/appointment/999999/before.pdf").status_code == 404
    desk = Actor(Role.REGISTRAR, "nurse.wang")
    assert documents.available(service_clinic.ctx, desk, appointment_id=appt.appointment_id) == {
        documents.Document.APPLICATION_FORM,
        documents.Document.BEFORE,
        documents.Document.CALENDAR,
    }
    booking.cancel(service_clinic.ctx, DESK, appt.appointment_id)
    r = service_client.get(f"{base}/application-form.pdf", headers={"Accept-Language": lang})
    assert r.status_code == 404  # a cancelled booking has no form to print
