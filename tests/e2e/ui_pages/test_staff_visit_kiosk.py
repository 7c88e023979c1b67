"""*My visit* and the report kiosk on the real services (bootstrap on SQLite): each step's status, the report's
ready date, the PDF print, and the refusals in the reader's language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import (
    CavityFinding,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.services import booking, payments, procedure, registration, screening
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id
from hsgtest import SHANGHAI, water_contrast_procedure

TODAY = dt.date(2026, 11, 20)
DOCTOR = Actor(Role.DOCTOR, "dr.li", "10.0.0.3")
DESK = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
RADIOLOGIST = Actor(Role.RADIOLOGIST, "dr.zhao", "10.0.0.4")
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)


def screening_input(**changes: Any) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False),
    )
    return dataclasses.replace(base, **changes)


def take_number(clinic: Any, n: int = 1) -> Any:
    return registration.take_number(
        clinic.ctx,
        Actor.public("203.0.113.7"),
        day=TODAY,
        name=synthetic_name(n),
        id_number=synthetic_resident_id(n),
        phone=synthetic_phone(n),
    ).number


def through_the_report(clinic: Any, *, sign: bool = True) -> Any:
    """A patient with a number, a passed screening, a booking on Sun 11-22, paid, done, reported (and signed)."""
    number = take_number(clinic)
    view = screening.record_screening(
        clinic.ctx,
        DOCTOR,
        patient_id=number.patient_id,
        screening=screening_input(),
        doctor_name="Dr Li",
        issue_form=True,
    )
    form = screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id)
    appt = booking.book(clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))
    started = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    proc = procedure.record_procedure(
        clinic.ctx,
        RADIOLOGIST,
        appt.appointment_id,
        water_contrast_procedure(started),
    )
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(clinic.ctx, RADIOLOGIST, proc.procedure_id, findings)
    if sign:
        procedure.sign_report(clinic.ctx, RADIOLOGIST, report.report_id)
    procedure.produce_aftercare(clinic.ctx, RADIOLOGIST, proc.procedure_id)
    return number


def look_up(client: TestClient, number: Any, lang: str = "en", last4: str | None = None) -> Any:
    data = {"code": number.access_code, "last4": last4 or synthetic_resident_id(1)[-4:]}
    return client.post("/my-visit", data=data, headers={"Accept-Language": lang})


def test_my_visit_right_after_taking_a_number(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = look_up(service_client, number)
    assert r.status_code == 200, r.text[:400]
    assert "data-visit-steps" in r.text and "Please check in at the desk" in r.text
    assert "Not yet. The doctor screens you" in r.text
    assert synthetic_resident_id(1) not in r.text  # REG-REALNAME: never the full ID


def test_my_visit_shows_every_step_and_the_aftercare_dates(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic)
    r = look_up(service_client, number)
    assert r.status_code == 200, r.text[:400]
    text = r.text
    assert "Sun 22 Nov 2026" in text and "08:00" in text  # the appointment
    assert "Paid" in text and "R2026" in text  # receipt number
    assert "Mon 23 Nov 2026" in text and "REPORT-READY" in text  # Sunday procedure → Monday
    assert "CARE-ABSTAIN" in text and "CARE-BLEED" in text
    zh = look_up(service_client, number, "zh-CN").text
    assert "2026年11月23日" in zh and "已缴费" in zh


def test_my_visit_with_the_wrong_last4_says_what_to_do(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = look_up(service_client, number, last4="0000" if synthetic_resident_id(1)[-4:] != "0000" else "1111")
    assert r.status_code == 404 and "do not match" in r.text and "call the clinic" in r.text
    assert f'value="{number.access_code}"' in r.text  # the form keeps what she typed


LAST4 = synthetic_resident_id(1)[-4:]


def kiosk(client: TestClient, number: Any, lang: str = "en", last4: str = LAST4) -> Any:
    return client.post("/kiosk", data={"code": number.access_code, "last4": last4}, headers={"Accept-Language": lang})


def print_url(page: str) -> str:
    return page.split('data-print-url="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_kiosk_before_the_ready_day_says_when(service_client: TestClient, service_clinic: Any, lang: str) -> None:
    number = through_the_report(service_clinic)  # clock is on Sun 11-22, ready Mon 11-23
    r = kiosk(service_client, number, lang)
    assert r.status_code == 200 and 'data-report-stage="waiting"' in r.text
    assert ("can be printed from Mon 23 Nov 2026" if lang == "en" else "2026年11月23日") in r.text
    assert "data-print-url" not in r.text
    assert LAST4 not in r.text.split("<form", 1)[1]  # the shared kiosk does not keep her ID digits on screen
    old = service_client.get(f"/kiosk/report/{number.access_code}.pdf", headers={"Accept-Language": "en"})
    assert old.status_code == 404  # the access code alone never prints


def test_kiosk_with_no_report_yet(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    r = kiosk(service_client, number, "zh-CN")
    assert r.status_code == 200 and "还没有" in r.text and 'data-report-stage="none"' in r.text


def test_kiosk_unknown_code(service_client: TestClient) -> None:
    r = service_client.post("/kiosk", data={"code": "ZZZZ2222", "last4": "1234"}, headers={"Accept-Language": "en"})
    assert r.status_code == 404 and "do not match" in r.text and 'value="ZZZZ2222"' in r.text


def test_kiosk_needs_the_last4_too(service_client: TestClient, service_clinic: Any) -> None:
    number = through_the_report(service_clinic)
    missing = service_client.post("/kiosk", data={"code": number.access_code}, headers={"Accept-Language": "en"})
    assert missing.status_code == 422 and "Please fill this in" in missing.text
    wrong = kiosk(service_client, number, last4="0000" if LAST4 != "0000" else "1111")
    unknown = service_client.post(
        "/kiosk", data={"code": "ZZZZ2222", "last4": LAST4}, headers={"Accept-Language": "en"}
    )
    assert wrong.status_code == unknown.status_code == 404
    message = "The access code and the last 4 characters of the ID number do not match."
    assert message in wrong.text and message in unknown.text  # one answer: a wrong code or a wrong last 4
    assert "data-print-url" not in wrong.text


def test_kiosk_tries_are_counted_in_the_database(service_client: TestClient, service_clinic: Any) -> None:
    number = take_number(service_clinic)
    bad = "0000" if LAST4 != "0000" else "1111"
    limit = service_clinic.ctx.settings.login_attempts_per_15min
    for _ in range(limit):
        assert kiosk(service_client, number, last4=bad).status_code == 404
    blocked = kiosk(service_client, number)  # even the right last 4 waits now
    assert blocked.status_code == 429 and "15 minutes" in blocked.text
    zh = kiosk(service_client, number, "zh-CN")
    assert zh.status_code == 429 and "15 分钟" in zh.text


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_kiosk_prints_the_signed_report_from_the_ready_day(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    number = through_the_report(service_clinic)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 23, 8, 0, tzinfo=SHANGHAI))
    r = kiosk(service_client, number, lang)
    assert r.status_code == 200 and 'data-report-stage="ready"' in r.text
    url = print_url(r.text)
    assert url.startswith("/kiosk/print/") and number.access_code not in url and LAST4 not in url
    pdf = service_client.get(url, headers={"Accept-Language": lang})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    tampered = service_client.get(url.replace(".pdf", "x.pdf"), headers={"Accept-Language": lang})
    assert tampered.status_code == 404
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 23, 8, 11, tzinfo=SHANGHAI))
    expired = service_client.get(url, headers={"Accept-Language": "en"})
    assert expired.status_code == 404 and "expired" in expired.text


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_draft_report_is_being_written_on_the_kiosk_and_my_visit(
    service_client: TestClient, service_clinic: Any, lang: str
) -> None:
    number = through_the_report(service_clinic, sign=False)
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    r = kiosk(service_client, number, lang)
    assert r.status_code == 200 and 'data-report-stage="writing"' in r.text and "data-print-url" not in r.text
    writing = "being written" if lang == "en" else "正在书写"
    assert writing in r.text
    assert ("23 Nov 2026" if lang == "en" else "2026年11月23日") not in r.text  # no date is promised
    visit = look_up(service_client, number, lang)
    assert 'data-report-stage="writing"' in visit.text and writing in visit.text
    step = visit.text.split('data-report-stage="writing"', 1)[1].split("</div>", 1)[0]
    assert "REPORT-READY" in step and ("23 Nov" not in step and "11月23日" not in step)
    assert "report.pdf" not in visit.text


def test_a_stopped_procedure_shows_no_report_date(service_client: TestClient, service_clinic: Any) -> None:
    from hsgclinic.domain.eligibility import HcgResult
    from hsgclinic.services.procedure import ProcedureInput

    number = take_number(service_clinic)
    view = screening.record_screening(
        service_clinic.ctx, DOCTOR, patient_id=number.patient_id, screening=screening_input(), doctor_name="Dr Li"
    )
    form = screening.issue_application_form(service_clinic.ctx, DOCTOR, view.screening_id)
    appt = booking.book(service_clinic.ctx, DESK, form.form_id, dt.date(2026, 11, 22))
    payments.record_payment(service_clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 22, 9, 0, tzinfo=SHANGHAI))
    procedure.record_procedure(
        service_clinic.ctx, RADIOLOGIST, appt.appointment_id, ProcedureInput(HcgResult.POSITIVE, "Dr Zhao")
    )
    service_clinic.ctx.clock.set(dt.datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    for lang in ("en", "zh-CN"):
        r = kiosk(service_client, number, lang)
        assert 'data-report-stage="stopped"' in r.text and "ELIG-PREG" in r.text
        visit = look_up(service_client, number, lang)
        step = visit.text.split('data-report-stage="stopped"', 1)[1].split("</div>", 1)[0]
        assert "2026" not in step and "REPORT-READY" not in step
