"""CARE-*: the dated, personal aftercare plan."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.aftercare import AftercareInputError, AftercarePlan, TubesOpen, plan_aftercare
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.domain.rules import Rules

from .factories import D

PROC = D(2026, 12, 4)  # a Friday (domain.md's second worked example)
LMP = D(2026, 11, 26)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _items(plan: AftercarePlan, rule: str) -> list[tuple[dt.date | None, str]]:
    return [(i.day, i.message.msgid) for i in plan.items if i.rule == rule]


def _tube(patency: Patency, hydro: bool = False) -> TubeFinding:
    if patency is Patency.PATENT:
        return TubeFinding(patency, ObstructionLevel.NONE, hydro, Spill.FREE)
    return TubeFinding(patency, ObstructionLevel.DISTAL, hydro, Spill.NONE)


def _report(left: Patency, right: Patency, hydro: bool = False) -> ReportFindings:
    return ReportFindings(CavityFinding("normal", False, False, False), _tube(left, hydro), _tube(right), "x")


def test_no_intercourse_or_tub_bath_for_14_days(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ABSTAIN: through D+14, may resume from D+15."""
    plan = plan_aftercare(PROC, calendar, rules)
    assert plan.abstain_through == PROC + _days(14)
    assert plan.resume_from == PROC + _days(15)
    assert _items(plan, "CARE-ABSTAIN")[0][0] == plan.abstain_through


@pytest.mark.parametrize(("days", "last"), [(None, 2), (3, 2), (4, 3), (5, 4)])
def test_antibiotic_course_of_3_to_5_days_from_the_procedure(
    calendar: ClinicCalendar, rules: Rules, days: int | None, last: int
) -> None:
    """CARE-ANTIBIOTIC: from D for 3–5 days (default 3): last dose day D+2 … D+4."""
    plan = plan_aftercare(PROC, calendar, rules, antibiotic_days=days)
    assert plan.antibiotics_through == PROC + _days(last)
    assert plan.antibiotic_days == (days or 3)


@pytest.mark.parametrize("days", [2, 6])
def test_antibiotic_course_outside_3_to_5_days_is_refused(calendar: ClinicCalendar, rules: Rules, days: int) -> None:
    """CARE-ANTIBIOTIC: 3–5 days as prescribed; anything else is an input error."""
    with pytest.raises(AftercareInputError):
        plan_aftercare(PROC, calendar, rules, antibiotic_days=days)


def test_hydrosalpinx_flags_doxycycline_for_5_days(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ANTIBIOTIC [G]: a dilated tube → doxycycline 100 mg twice daily × 5 days (through D+4)."""
    plan = plan_aftercare(PROC, calendar, rules, report=_report(Patency.PATENT, Patency.PATENT, hydro=True))
    assert plan.doxycycline
    assert (PROC + _days(4)) in [d for d, m in _items(plan, "CARE-ANTIBIOTIC") if "doxycycline" in m]
    assert not plan_aftercare(PROC, calendar, rules, report=_report(Patency.PATENT, Patency.PATENT)).doxycycline


def test_pid_history_flags_a_pre_procedure_dose(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ANTIBIOTIC [G]: a history of PID → a pre-procedure dose on D."""
    plan = plan_aftercare(PROC, calendar, rules, pid_history=True)
    assert plan.pid_prophylaxis
    assert (PROC, "Because of a history of pelvic infection, take the antibiotic dose before the procedure.") in (
        _items(plan, "CARE-ANTIBIOTIC")
    )


def test_bleeding_should_stop_by_day_7_and_when_to_call(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-BLEED: light bleeding should stop by D+7; heavy/late bleeding, fever ≥ 37.5, pain → contact us."""
    plan = plan_aftercare(PROC, calendar, rules)
    assert plan.bleeding_stops_by == PROC + _days(7)
    warnings = [i for i in plan.items if i.rule == "CARE-BLEED" and i.warning]
    assert len(warnings) == 1
    text = warnings[0].message.english()
    assert "37.5" in text and "heavier than a period" in text and str(PROC + _days(7)) in text


def test_report_pickup_date_is_in_the_plan(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-REPORT: the report pick-up date (REPORT-READY) and where."""
    plan = plan_aftercare(D(2026, 9, 30), calendar, rules)
    assert plan.report_ready_on == D(2026, 10, 8)
    (day, msgid) = _items(plan, "CARE-REPORT")[0]
    assert day == D(2026, 10, 8) and "self-service printer in outpatient radiology" in msgid


def test_water_contrast_try_to_conceive_from_the_next_cycle(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: patent tubes, water-based contrast → from the next period (LMP + cycle length)."""
    plan = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30)
    assert plan.conceive_from == LMP + _days(30)
    assert not plan.conceive_estimated
    assert "next cycle" in _items(plan, "CARE-CONCEIVE")[0][1]


def test_oil_contrast_waits_longer(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: after oil-based contrast skip 3 whole cycles, then try (the safer reading, decision 0000)."""
    water = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30)
    oil = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30, contrast=ContrastKind.OIL)
    assert oil.conceive_from == LMP + _days(120)
    assert water.conceive_from is not None and oil.conceive_from > water.conceive_from
    assert _items(oil, "CARE-CONCEIVE")[0][1].startswith("Oil-based contrast was used")


def test_conceiving_never_starts_before_abstinence_ends(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE / CARE-ABSTAIN: with a short cycle the next period comes before D+15; trying starts D+15."""
    plan = plan_aftercare(PROC, calendar, rules, period_start=PROC - _days(7), cycle_length=21)
    assert plan.conceive_from == plan.resume_from


def test_without_her_lmp_the_conceive_date_is_an_estimate(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: no LMP → estimated from an assumed cycle and marked as an estimate."""
    plan = plan_aftercare(PROC, calendar, rules)
    assert plan.conceive_estimated
    assert plan.conceive_from is not None and plan.conceive_from > PROC


def test_no_patent_tube_means_no_conceive_date(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: if neither tube is patent, no date — talk to the doctor."""
    plan = plan_aftercare(PROC, calendar, rules, report=_report(Patency.OBSTRUCTED, Patency.OBSTRUCTED))
    assert plan.conceive_from is None and plan.pregnancy_test_from is None
    assert _items(plan, "CARE-CONCEIVE")[0][0] is None


def test_ectopic_pregnancy_warning_is_dated(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ECTOPIC: a missed period after trying → test and come early (one cycle after trying starts)."""
    plan = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30)
    assert plan.conceive_from is not None
    assert plan.pregnancy_test_from == plan.conceive_from + _days(30)
    (day, msgid) = _items(plan, "CARE-ECTOPIC")[0]
    assert day == plan.pregnancy_test_from and "ectopic" in msgid


def test_ectopic_warning_given_even_without_patent_tubes(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ECTOPIC: the early-visit advice is always given."""
    plan = plan_aftercare(PROC, calendar, rules, report=_report(Patency.OBSTRUCTED, Patency.NOT_VISUALISED))
    assert any("ectopic" in m for _, m in _items(plan, "CARE-ECTOPIC"))


def test_referral_advice_is_always_given(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-REFER: patency is one factor; irregular periods, ovulation, endocrine, sperm → the clinics."""
    plan = plan_aftercare(PROC, calendar, rules)
    (day, msgid) = _items(plan, "CARE-REFER")[0]
    assert day is None
    assert "reproductive endocrinology" in msgid and "sperm" in msgid


def test_plan_in_an_unofficial_year_is_provisional(calendar: ClinicCalendar, rules: Rules) -> None:
    """CAL-SOURCE / CARE-REPORT: a 2027 procedure's report date is provisional."""
    assert plan_aftercare(D(2027, 3, 3), calendar, rules).provisional
    assert not plan_aftercare(D(2026, 3, 3), calendar, rules).provisional


def test_only_the_report_date_makes_the_plan_provisional(calendar: ClinicCalendar, rules: Rules) -> None:
    """CAL-SOURCE / CARE-REPORT (decision 0000): conceive and test dates in 2027 count calendar days, so they do
    not make the plan provisional; a report date in 2027 does."""
    december = plan_aftercare(D(2026, 12, 4), calendar, rules, period_start=D(2026, 11, 28), cycle_length=30)
    assert december.pregnancy_test_from is not None and december.pregnancy_test_from.year == 2027
    assert not december.provisional
    new_years_eve = plan_aftercare(D(2026, 12, 31), calendar, rules)
    assert new_years_eve.report_ready_on == D(2027, 1, 4)  # Thu → (New Year 2027 break) → Mon, provisional
    assert new_years_eve.provisional


# -- issue 11 (e): out-of-range input is refused, naming the rule and the dates -----------------------------------
def test_a_period_start_after_the_procedure_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: her last period cannot begin after the procedure; the day itself is accepted."""
    with pytest.raises(AftercareInputError) as caught:
        plan_aftercare(PROC, calendar, rules, period_start=PROC + _days(1))
    assert caught.value.rule == "CARE-CONCEIVE"
    assert dict(caught.value.message.params) == {"start": PROC + _days(1), "day": PROC}
    assert caught.value.message.english() == (
        "The first day of the last period (2026-12-05) must be on or before the procedure date (2026-12-04)."
    )
    assert plan_aftercare(PROC, calendar, rules, period_start=PROC).conceive_from is not None


def test_a_period_start_beyond_the_longest_plausible_cycle_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE: a first day more than 90 days (max_cycle_days) before the procedure is not this cycle's."""
    assert plan_aftercare(PROC, calendar, rules, period_start=PROC - _days(90)).conceive_from is not None
    with pytest.raises(AftercareInputError) as caught:
        plan_aftercare(PROC, calendar, rules, period_start=PROC - _days(91))
    assert caught.value.rule == "CARE-CONCEIVE"
    assert dict(caught.value.message.params) == {"start": PROC - _days(91), "days": 90, "day": PROC}


@pytest.mark.parametrize(("length", "accepted"), [(14, False), (15, True), (90, True), (91, False)])
def test_aftercare_cycle_length_must_be_15_to_90(
    calendar: ClinicCalendar, rules: Rules, length: int, accepted: bool
) -> None:
    """CARE-CONCEIVE: the usual cycle length is 15–90 days (the plausible range of the cycle facts)."""
    if accepted:
        assert plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=length).conceive_from
        return
    with pytest.raises(AftercareInputError) as caught:
        plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=length)
    assert caught.value.rule == "CARE-CONCEIVE"
    assert dict(caught.value.message.params) == {"days": length, "low": 15, "high": 90}


def test_an_antibiotic_refusal_names_its_rule(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ANTIBIOTIC: the course length refusal carries its own rule and range."""
    with pytest.raises(AftercareInputError) as caught:
        plan_aftercare(PROC, calendar, rules, antibiotic_days=6)
    assert caught.value.rule == "CARE-ANTIBIOTIC"
    assert dict(caught.value.message.params) == {"low": 3, "high": 5, "days": 6}


def test_hydrosalpinx_gives_one_antibiotic_line_the_doxycycline_course(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ANTIBIOTIC: with a hydrosalpinx the doxycycline course replaces the default one (one line, not two)."""
    plan = plan_aftercare(PROC, calendar, rules, report=_report(Patency.OBSTRUCTED, Patency.PATENT, hydro=True))
    lines = _items(plan, "CARE-ANTIBIOTIC")
    assert len(lines) == 1 and "doxycycline" in lines[0][1] and "instead of the usual" in lines[0][1]
    assert lines[0][0] == plan.antibiotics_through == PROC + _days(4)
    assert plan.course_days == 5 and plan.antibiotic_days == rules.default_antibiotic_days
    plain = plan_aftercare(PROC, calendar, rules, report=_report(Patency.PATENT, Patency.PATENT))
    assert len(_items(plain, "CARE-ANTIBIOTIC")) == 1 and plain.antibiotics_through == PROC + _days(2)


def test_care_conceive_is_worded_for_the_finding(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE never says "if the tubes are patent" once the report shows what they are."""
    both = plan_aftercare(PROC, calendar, rules, report=_report(Patency.PATENT, Patency.PATENT))
    one = plan_aftercare(PROC, calendar, rules, report=_report(Patency.OBSTRUCTED, Patency.PATENT, hydro=True))
    oil_one = plan_aftercare(
        PROC, calendar, rules, contrast=ContrastKind.OIL, report=_report(Patency.OBSTRUCTED, Patency.PATENT)
    )
    none = plan_aftercare(PROC, calendar, rules, report=_report(Patency.OBSTRUCTED, Patency.OBSTRUCTED))
    unknown = plan_aftercare(PROC, calendar, rules)
    assert [p.tubes for p in (both, one, none, unknown)] == [
        TubesOpen.BOTH,
        TubesOpen.ONE,
        TubesOpen.NONE,
        TubesOpen.UNKNOWN,
    ]
    assert _items(both, "CARE-CONCEIVE")[0][1].startswith("Both tubes are patent")
    assert _items(one, "CARE-CONCEIVE")[0][1].startswith("Not both tubes are fully patent")
    assert (
        "Oil-based" in _items(oil_one, "CARE-CONCEIVE")[0][1] and "Not both" in _items(oil_one, "CARE-CONCEIVE")[0][1]
    )
    assert "Neither tube" in _items(none, "CARE-CONCEIVE")[0][1]
    assert _items(unknown, "CARE-CONCEIVE")[0][1].startswith("If the tubes are patent")
    for plan in (both, one, oil_one, none):
        assert all("If the tubes are patent" not in m for _d, m in _items(plan, "CARE-CONCEIVE"))
