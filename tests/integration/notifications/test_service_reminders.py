"""The services put the reminders into the outbox in the same transaction as the change (issue 5, "Reminders"):
booking, moving and cancelling a procedure or a number, recording the procedure, signing the report and producing
the aftercare. SQLite, and PostgreSQL when HSGCLINIC_TEST_PG_URL is set; the worker delivers to a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import HcgResult, ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import (
    CavityFinding,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.persistence.notification_models import CareFlag
from hsgclinic.services import booking, payments, procedure, registration, screening
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import RuleRefused
from hsgclinic.services.reminders import procedure_case, visit_case
from hsgclinic.web.ui import mount_ui
from hsgtest import TODAY, water_contrast_procedure
from page_client import PageClient

from .helpers import outbox, set_local

DT = dt.datetime
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)


def good_screening() -> ScreeningInput:
    return ScreeningInput(
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


EMAIL = "wang.fang@example.invalid"
PUBLIC = Actor.public("203.0.113.7")
DESK = Actor(Role.REGISTRAR, "nurse.wang", "10.0.0.2")
DOCTOR = Actor(Role.DOCTOR, "dr.li", "10.0.0.3")
RADIOLOGIST = Actor(Role.RADIOLOGIST, "dr.zhao", "10.0.0.4")


def _person(n: int = 1, **extra: str) -> dict[str, str]:
    from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

    return {"name": synthetic_name(n), "id_number": synthetic_resident_id(n), "phone": synthetic_phone(n), **extra}


def _form(clinic, **contact: str) -> int:
    taken = registration.take_number(clinic.ctx, PUBLIC, day=TODAY, **_person(**contact)).number
    view = screening.record_screening(
        clinic.ctx, DOCTOR, patient_id=taken.patient_id, screening=good_screening(), doctor_name="Dr Li"
    )
    return screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id).form_id


def _live(clinic, case_ref: str) -> dict[tuple[str, str], dt.datetime]:
    """(template, channel) → due instant (local) of the case's pending messages."""
    return {
        (m.template, m.channel): m.due_at.astimezone(clinic.ctx.tz).replace(tzinfo=None)
        for m in outbox(clinic)
        if m.case_ref == case_ref and m.status == "pending"
    }


def _local(clinic, instant: dt.datetime) -> dt.datetime:
    return instant.astimezone(clinic.ctx.tz).replace(tzinfo=None)


def test_booking_enqueues_the_procedure_eve_by_sms_and_email_in_her_language(notif_clinic):
    form_id = _form(notif_clinic, email=EMAIL, lang="en")
    booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    live = _live(notif_clinic, procedure_case(form_id))
    assert live == {
        ("procedure_eve", "sms"): DT(2026, 11, 21, 19, 0),
        ("procedure_eve", "email"): DT(2026, 11, 21, 19, 0),
    }
    rows = [m for m in outbox(notif_clinic) if m.case_ref == procedure_case(form_id)]
    assert {m.payload["lang"] for m in rows} == {"en"} and {m.payload["to"] for m in rows} >= {EMAIL}


def test_a_number_taken_days_ahead_gets_the_visit_eve_and_its_cancellation_is_told_at_once(notif_clinic):
    with notif_clinic.ctx.write() as u:  # numbers two days ahead (REG-RELEASE horizon)
        from hsgclinic.persistence.models import ClinicSettingsRow

        row = u.session.get(ClinicSettingsRow, 1)
        if row is None:
            u.session.add(ClinicSettingsRow(id=1, booking_horizon_days=2, updated_at=notif_clinic.ctx.now()))
        else:
            row.booking_horizon_days = 2
        u.commit()
    day = TODAY + dt.timedelta(days=2)
    taken = registration.take_number(notif_clinic.ctx, PUBLIC, day=day, **_person(email=EMAIL)).number
    case = visit_case(taken.registration_id)
    assert _live(notif_clinic, case) == {
        ("visit_eve", "sms"): DT(2026, 11, 21, 18, 0),
        ("visit_eve", "email"): DT(2026, 11, 21, 18, 0),
    }
    registration.cancel_number(notif_clinic.ctx, DESK, taken.registration_id, "patient")
    now = _local(notif_clinic, notif_clinic.ctx.now()).replace(second=0, microsecond=0)
    assert _live(notif_clinic, case) == {
        ("appointment_cancelled", "sms"): now,
        ("appointment_cancelled", "email"): now,
    }
    assert {m.status for m in outbox(notif_clinic) if m.template == "visit_eve"} == {"withdrawn"}


def test_rescheduling_moves_the_eve_and_tells_her_now(notif_clinic):
    form_id = _form(notif_clinic)
    appt = booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 21))
    assert _live(notif_clinic, procedure_case(form_id)) == {("procedure_eve", "sms"): DT(2026, 11, 20, 19, 0)}
    booking.reschedule(notif_clinic.ctx, DESK, appt.appointment_id, dt.date(2026, 11, 22))
    now = _local(notif_clinic, notif_clinic.ctx.now()).replace(second=0, microsecond=0)
    assert _live(notif_clinic, procedure_case(form_id)) == {
        ("procedure_eve", "sms"): DT(2026, 11, 21, 19, 0),
        ("appointment_rescheduled", "sms"): now,
    }
    notice = next(m for m in outbox(notif_clinic) if m.template == "appointment_rescheduled")
    assert notice.payload["params"]["new_at"] == {"datetime": "2026-11-22T08:00:00"}


def test_cancelling_withdraws_everything_and_a_cancellation_notice_is_due_now(notif_clinic):
    form_id = _form(notif_clinic, email=EMAIL)
    appt = booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    booking.cancel(notif_clinic.ctx, DESK, appt.appointment_id)
    rows = [m for m in outbox(notif_clinic) if m.case_ref == procedure_case(form_id)]
    assert {m.status for m in rows if m.template == "procedure_eve"} == {"withdrawn"}
    notices = [m for m in rows if m.template == "appointment_cancelled"]
    assert {(m.channel, m.status) for m in notices} == {("sms", "pending"), ("email", "pending")}
    assert all(m.due_at <= notif_clinic.ctx.now() for m in notices)


def test_a_refused_booking_leaves_no_outbox_row(notif_clinic):
    form_id = _form(notif_clinic, email=EMAIL)
    booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    before = len(outbox(notif_clinic))
    with pytest.raises(RuleRefused):
        booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 21))  # already booked
    other = _form_of_second_patient(notif_clinic)
    with pytest.raises(RuleRefused):
        booking.book(notif_clinic.ctx, DESK, other, dt.date(2026, 11, 30))  # outside the window
    assert len(outbox(notif_clinic)) == before
    assert not [m for m in outbox(notif_clinic) if m.case_ref == procedure_case(other)]


def _form_of_second_patient(clinic) -> int:
    taken = registration.take_number(clinic.ctx, PUBLIC, day=TODAY, **_person(2)).number
    view = screening.record_screening(
        clinic.ctx, DOCTOR, patient_id=taken.patient_id, screening=good_screening(), doctor_name="Dr Li"
    )
    return screening.issue_application_form(clinic.ctx, DOCTOR, view.screening_id).form_id


def _through_the_procedure(clinic, form_id: int) -> int:
    appt = booking.book(clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    payments.record_payment(clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    set_local(clinic, DT(2026, 11, 22, 9, 0))
    started = clinic.ctx.now()
    return procedure.record_procedure(
        clinic.ctx,
        RADIOLOGIST,
        appt.appointment_id,
        water_contrast_procedure(started),
    ).procedure_id


def test_the_procedure_report_and_aftercare_bring_the_aftercare_reminders(notif_clinic):
    form_id = _form(notif_clinic)
    proc_id = _through_the_procedure(notif_clinic, form_id)
    case = procedure_case(form_id)
    # Sunday 11-22: antibiotics through 11-24, report Mon 11-23, D+7 11-29, resume 12-07.
    unsigned = {
        ("antibiotic_last_day", "sms"): DT(2026, 11, 24, 8, 0),
        ("bleeding_check", "sms"): DT(2026, 11, 29, 8, 0),
        ("abstain_ends", "sms"): DT(2026, 12, 7, 8, 0),
        ("conceive_from", "sms"): DT(2026, 12, 12, 8, 0),  # the next cycle: LMP 11-14 + 28 days
    }
    assert _live(notif_clinic, case) == unsigned  # no "report ready" before there is a signed report
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(notif_clinic.ctx, RADIOLOGIST, proc_id, findings)
    assert _live(notif_clinic, case) == unsigned  # a draft is not ready either
    procedure.sign_report(notif_clinic.ctx, RADIOLOGIST, report.report_id)
    expected = {**unsigned, ("report_ready", "sms"): DT(2026, 11, 23, 8, 0)}
    assert _live(notif_clinic, case) == expected  # planned from the signature
    corrected = procedure.write_report(notif_clinic.ctx, RADIOLOGIST, proc_id, findings, reason="typo")
    assert _live(notif_clinic, case) == unsigned  # the correction withdrew the signature, and the message
    procedure.sign_report(notif_clinic.ctx, RADIOLOGIST, corrected.report_id)
    assert _live(notif_clinic, case) == expected
    procedure.produce_aftercare(notif_clinic.ctx, RADIOLOGIST, proc_id, antibiotic_days=5)
    assert _live(notif_clinic, case)[("antibiotic_last_day", "sms")] == DT(2026, 11, 26, 8, 0)
    # Re-planning adds nothing twice.
    procedure.produce_aftercare(notif_clinic.ctx, RADIOLOGIST, proc_id, antibiotic_days=5)
    pending = [m for m in outbox(notif_clinic) if m.case_ref == case and m.status == "pending"]
    assert len(pending) == len({m.template for m in pending}) == 5


def test_a_stopped_procedure_sends_nothing_more(notif_clinic):
    form_id = _form(notif_clinic)
    appt = booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    payments.record_payment(notif_clinic.ctx, DESK, appt.appointment_id, "wechat", Decimal("1000"))
    set_local(notif_clinic, DT(2026, 11, 22, 8, 0))
    procedure.record_procedure(
        notif_clinic.ctx, RADIOLOGIST, appt.appointment_id, procedure.ProcedureInput(HcgResult.POSITIVE, "Dr Zhao")
    )
    assert _live(notif_clinic, procedure_case(form_id)) == {}


def test_the_worker_delivers_what_the_services_enqueued(notif_clinic, make_worker, mailbox):
    form_id = _form(notif_clinic, email=EMAIL, lang="en")
    appt = booking.book(notif_clinic.ctx, DESK, form_id, dt.date(2026, 11, 22))
    booking.reschedule(notif_clinic.ctx, DESK, appt.appointment_id, dt.date(2026, 11, 21))
    worker = make_worker()
    worker.run_once()
    assert [m["Subject"] for m in mailbox.to(EMAIL)] == ["Your appointment has been moved"]
    assert "21 Nov 2026 08:00" in mailbox.to(EMAIL)[0].get_content()
    set_local(notif_clinic, DT(2026, 11, 20, 19, 0))
    worker.run_once()
    assert [m["Subject"] for m in mailbox.to(EMAIL)][-1] == "Your HSG is tomorrow"
    booking.cancel(notif_clinic.ctx, DESK, appt.appointment_id + 1)
    worker.run_once()
    assert [m["Subject"] for m in mailbox.to(EMAIL)][-1] == "Your appointment has been cancelled"
    set_local(notif_clinic, DT(2026, 12, 30, 8, 0))
    worker.run_once()
    assert len(mailbox.to(EMAIL)) == 3  # nothing more for a cancelled case
    statuses = {
        (m.template, m.channel): m.status for m in outbox(notif_clinic) if m.case_ref == procedure_case(form_id)
    }
    assert statuses[("procedure_eve", "email")] == "sent"
    assert statuses[("appointment_cancelled", "sms")] == "sent"


def test_the_d7_email_carries_a_checkin_link_that_raises_a_flag_on_the_desk(notif_clinic, make_worker, mailbox):
    form_id = _form(notif_clinic, email=EMAIL, lang="en")
    _through_the_procedure(notif_clinic, form_id)
    set_local(notif_clinic, DT(2026, 11, 29, 8, 0))
    make_worker().run_once()
    d7 = next(m for m in mailbox.to(EMAIL) if m["Subject"] == "7 days after your HSG: how are you?")
    url = re.search(r"https://clinic\.example\.invalid(/checkin/\S+)", d7.get_content())
    assert url is not None
    app = FastAPI()
    mount_ui(app, notif_clinic)
    client = PageClient(app, raise_server_exceptions=False)
    set_local(notif_clinic, DT(2026, 11, 30, 10, 0))
    assert "How are you after your HSG?" in client.get(url[1]).text
    r = client.post(url[1], data={"bleeding": "yes", "heavier": "no", "pain": "none"})
    assert "Please contact the clinic today" in r.text and "CARE-BLEED" in r.text
    with notif_clinic.ctx.read() as u:
        (flag,) = u.session.execute(select(CareFlag)).scalars().all()
    assert (flag.case_ref, flag.reason, flag.rule) == (procedure_case(form_id), "bleeding_past_d7", "CARE-BLEED")


def test_a_late_reminder_keeps_its_key_so_a_later_replan_adds_no_copy(notif_clinic, make_worker, mailbox):
    form_id = _form(notif_clinic, email=EMAIL)
    proc_id = _through_the_procedure(notif_clinic, form_id)
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(notif_clinic.ctx, RADIOLOGIST, proc_id, findings)
    procedure.sign_report(notif_clinic.ctx, RADIOLOGIST, report.report_id)
    set_local(notif_clinic, DT(2026, 11, 23, 10, 17))  # the report-ready reminder (08:00) is late but useful
    make_worker().run_once()
    sent = [m for m in outbox(notif_clinic) if m.template == "report_ready" and m.status == "sent"]
    assert {m.channel for m in sent} == {"sms", "email"}
    set_local(notif_clinic, DT(2026, 11, 23, 11, 42))
    procedure.produce_aftercare(notif_clinic.ctx, RADIOLOGIST, proc_id)  # re-plan an hour later
    assert [m.status for m in outbox(notif_clinic) if m.template == "report_ready"] == ["sent", "sent"]
    make_worker().run_once()
    assert [m["Subject"] for m in mailbox.to(EMAIL)].count("您的输卵管造影报告可以打印了") == 1


def test_a_report_signed_late_is_announced_when_signed_and_never_says_from_today(notif_clinic, make_worker, mailbox):
    form_id = _form(notif_clinic, email=EMAIL, lang="en")
    proc_id = _through_the_procedure(notif_clinic, form_id)
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(notif_clinic.ctx, RADIOLOGIST, proc_id, findings)
    set_local(notif_clinic, DT(2026, 11, 25, 9, 0))  # ready day (Mon 11-23) passed, still a draft
    make_worker().run_once()
    assert not [m for m in outbox(notif_clinic) if m.template == "report_ready"]
    set_local(notif_clinic, DT(2026, 11, 25, 15, 30))
    procedure.sign_report(notif_clinic.ctx, RADIOLOGIST, report.report_id)
    make_worker().run_once()
    ready = [m for m in mailbox.to(EMAIL) if m["Subject"] == "Your HSG report is ready"]
    assert len(ready) == 1
    body = ready[0].get_content()
    assert "signed and ready" in body and "from today" not in body and "23 Nov" not in body
