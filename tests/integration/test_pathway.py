"""One patient through every step on SQLite and PostgreSQL: number → screening → form → booking → payment →
procedure → report (write, sign, correct) → aftercare; and the refusals with their rule IDs."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import HcgResult, ScreeningInput
from hsgclinic.domain.findings import Outcome
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
from hsgclinic.services.context import Actor
from hsgclinic.services.errors import InvalidInput, RuleRefused
from hsgtest import water_contrast_procedure

TODAY = dt.date(2026, 11, 20)
NORMAL_LEUK = LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False)


def good_screening(**changes) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=TODAY,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=NORMAL_LEUK,
    )
    return dataclasses.replace(base, **changes)


def patient_id(clinic, public, person, n=1) -> int:
    return registration.take_number(clinic.ctx, public, day=TODAY, **person(n)).number.patient_id


PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)


def test_a_patient_goes_through_every_step(clinic, public, person, doctor, registrar, radiologist, clock):
    pid = patient_id(clinic, public, person)
    view = screening.record_screening(
        clinic.ctx, doctor, patient_id=pid, screening=good_screening(), doctor_name="Dr Li", issue_form=True
    )
    assert view.outcome is Outcome.PASS and view.application_form_number
    form = screening.issue_application_form(clinic.ctx, doctor, view.screening_id)  # idempotent: the same form
    assert form.number == view.application_form_number
    opts = booking.options(clinic.ctx, registrar, form.form_id)
    assert opts.dates == [dt.date(2026, 11, 21), dt.date(2026, 11, 22)]
    appt = booking.book(clinic.ctx, registrar, form.form_id, dt.date(2026, 11, 21))
    assert (appt.slot_number, appt.slot_time, appt.price_cny, appt.payment_status) == (
        1,
        dt.time(8, 0),
        Decimal("1000.00"),
        "unpaid",
    )
    appt = booking.reschedule(clinic.ctx, registrar, appt.appointment_id, dt.date(2026, 11, 22))
    assert appt.day == dt.date(2026, 11, 22)
    paid = payments.record_payment(clinic.ctx, registrar, appt.appointment_id, "wechat", Decimal("1000"))
    assert paid.status == "paid" and paid.receipt_number.startswith("R20261120")
    clock.set(dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC))
    started = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    proc = procedure.record_procedure(
        clinic.ctx,
        radiologist,
        appt.appointment_id,
        water_contrast_procedure(started, fluoroscopy_s="300"),
    )
    assert not proc.stopped and [f.rule for f in proc.dose_findings] == ["REPORT-DOSE"]
    findings = ReportFindings(CavityFinding("normal", False, False, False), PATENT, PATENT, "Both tubes patent.")
    report = procedure.write_report(clinic.ctx, radiologist, proc.procedure_id, findings)
    assert report.ready_on == dt.date(2026, 11, 23)  # Sunday procedure → Monday
    signed = procedure.sign_report(clinic.ctx, radiologist, report.report_id)
    assert signed.status == "signed" and signed.signed_by == "dr.zhao"
    with pytest.raises(InvalidInput) as no_reason:
        procedure.write_report(clinic.ctx, radiologist, proc.procedure_id, findings)
    assert no_reason.value.code == "reason_required"
    corrected = procedure.write_report(
        clinic.ctx,
        radiologist,
        proc.procedure_id,
        dataclasses.replace(findings, impression="Both tubes patent, normal."),
        reason="typo",
    )
    assert corrected.version == 2 and corrected.status == "draft" and len(corrected.history) == 2
    plan = procedure.produce_aftercare(clinic.ctx, radiologist, proc.procedure_id)
    assert plan.abstain_through == dt.date(2026, 12, 6)


def test_a_blocked_screening_issues_no_form(clinic, public, person, doctor):
    pid = patient_id(clinic, public, person)
    view = screening.record_screening(
        clinic.ctx,
        doctor,
        patient_id=pid,
        screening=good_screening(temperature_c=Decimal("37.8")),
        doctor_name="Dr Li",
        issue_form=True,
    )
    assert view.outcome is Outcome.BLOCK and view.application_form_number is None
    with pytest.raises(RuleRefused) as refused:
        screening.issue_application_form(clinic.ctx, doctor, view.screening_id)
    assert "ELIG-TEMP" in refused.value.rules


def test_a_review_needs_the_doctors_reason(clinic, public, person, doctor):
    pid = patient_id(clinic, public, person)
    s = good_screening(intercourse_during_period=True, hcg=HcgResult.NEGATIVE)
    view = screening.record_screening(clinic.ctx, doctor, patient_id=pid, screening=s, doctor_name="Dr Li")
    assert view.outcome is Outcome.REVIEW and view.unconfirmed_reviews == ("ELIG-ABSTAIN",)
    with pytest.raises(RuleRefused) as refused:
        screening.issue_application_form(clinic.ctx, doctor, view.screening_id)
    assert refused.value.code == "review_unconfirmed"
    ok = screening.record_screening(
        clinic.ctx,
        doctor,
        patient_id=pid,
        screening=s,
        doctor_name="Dr Li",
        review_reasons={"ELIG-ABSTAIN": "hCG negative, discussed"},
        issue_form=True,
    )
    assert ok.application_form_number


def test_booking_refuses_a_date_outside_the_window_with_rule_ids(clinic, public, person, doctor, registrar):
    pid = patient_id(clinic, public, person)
    view = screening.record_screening(
        clinic.ctx, doctor, patient_id=pid, screening=good_screening(), doctor_name="Dr Li", issue_form=True
    )
    form = screening.issue_application_form(clinic.ctx, doctor, view.screening_id)
    with pytest.raises(RuleRefused) as refused:
        booking.book(clinic.ctx, registrar, form.form_id, dt.date(2026, 11, 27))
    assert "BOOK-WINDOW" in refused.value.rules or "BOOK-LEAD" in refused.value.rules


def test_procedure_places_run_out_at_capacity(clinic, public, person, doctor, registrar):
    forms = []
    for n in range(4):
        pid = patient_id(clinic, public, person, n)
        v = screening.record_screening(
            clinic.ctx, doctor, patient_id=pid, screening=good_screening(), doctor_name="Dr Li", issue_form=True
        )
        forms.append(screening.issue_application_form(clinic.ctx, doctor, v.screening_id))
    slots = [booking.book(clinic.ctx, registrar, f.form_id, dt.date(2026, 11, 21)).slot_number for f in forms[:3]]
    assert slots == [1, 2, 3]
    with pytest.raises(RuleRefused) as refused:
        booking.book(clinic.ctx, registrar, forms[3].form_id, dt.date(2026, 11, 21))
    assert refused.value.rules == ["BOOK-OPEN"]


def test_a_positive_hcg_stops_the_procedure(clinic, public, person, doctor, registrar, radiologist, clock):
    pid = patient_id(clinic, public, person)
    v = screening.record_screening(
        clinic.ctx, doctor, patient_id=pid, screening=good_screening(), doctor_name="Dr Li", issue_form=True
    )
    form = screening.issue_application_form(clinic.ctx, doctor, v.screening_id)
    appt = booking.book(clinic.ctx, registrar, form.form_id, dt.date(2026, 11, 21))
    with pytest.raises(RuleRefused) as unpaid:
        procedure.record_procedure(
            clinic.ctx, radiologist, appt.appointment_id, procedure.ProcedureInput(HcgResult.POSITIVE, "Dr Zhao")
        )
    assert unpaid.value.rule in ("BOOK-PRICE", "PROC")
    payments.record_payment(clinic.ctx, registrar, appt.appointment_id, "cash")
    clock.set(dt.datetime(2026, 11, 21, 1, 0, tzinfo=dt.UTC))
    proc = procedure.record_procedure(
        clinic.ctx, radiologist, appt.appointment_id, procedure.ProcedureInput(HcgResult.POSITIVE, "Dr Zhao")
    )
    assert proc.stopped
    with pytest.raises(RuleRefused) as refused:
        procedure.produce_aftercare(clinic.ctx, radiologist, proc.procedure_id)
    assert refused.value.rule == "ELIG-PREG"
    refunded = payments.refund(clinic.ctx, registrar, appt.appointment_id)
    assert refunded.status == "refunded"


def test_a_patient_sees_only_her_own_number(clinic, public, person):
    a = registration.take_number(clinic.ctx, public, day=TODAY, **person(1)).number
    b = registration.take_number(clinic.ctx, public, day=TODAY, **person(2)).number
    her = Actor.public().__class__(
        role=Actor.public().role.__class__("patient"), name="patient", patient_id=a.patient_id
    )
    assert registration.get_number(clinic.ctx, her, a.registration_id).queue_number == 1
    with pytest.raises(Exception) as nope:
        registration.get_number(clinic.ctx, her, b.registration_id)
    assert getattr(nope.value, "code", "") == "not_found"
