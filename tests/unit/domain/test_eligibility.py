"""ELIG-*: the screening visit gives every rule's outcome, PASS / REVIEW / BLOCK, with the rule's ID."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts, CycleInputError
from hsgclinic.domain.eligibility import (
    CONTRAINDICATION_TEXT,
    Contraindication,
    ContrastReaction,
    HcgResult,
    ScreeningResult,
    screen,
)
from hsgclinic.domain.findings import Outcome, overall
from hsgclinic.domain.procedure_window import ovulation_findings
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar, screening

E = D(2026, 11, 18)  # period ended Wed 2026-11-18 (domain.md's first worked example)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _rule(result: ScreeningResult, rule: str) -> Outcome:
    found = result.by_rule(rule)
    assert found, f"no finding for {rule}"
    return overall(found)


def test_all_good_answers_pass_every_rule(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY … ELIG-OVULATION: a straightforward visit on E+2 passes, with a finding for each rule."""
    result = screen(screening(E + _days(2), E), calendar, rules)
    assert result.outcome is Outcome.PASS, [f.as_dict() for f in result.findings if f.outcome is not Outcome.PASS]
    rules_seen = {f.rule for f in result.findings}
    assert {
        "ELIG-VISIT-DAY",
        "ELIG-ABSTAIN",
        "ELIG-TEMP",
        "ELIG-RESP",
        "ELIG-PAIN",
        "ELIG-LEUK",
        "ELIG-PREG",
        "ELIG-CONTRA",
        "ELIG-OVULATION",
    } <= rules_seen


def test_screening_returns_every_failure_not_just_the_first(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-TEMP, ELIG-RESP, ELIG-PAIN: screening returns all results — fever, a cold and pain are all reported."""
    s = screening(E + _days(2), E, temperature_c=Decimal("38.0"), respiratory_illness=True, lower_abdominal_pain=True)
    result = screen(s, calendar, rules)
    assert result.blocked
    for rule in ("ELIG-TEMP", "ELIG-RESP", "ELIG-PAIN"):
        assert _rule(result, rule) is Outcome.BLOCK


# -- ELIG-VISIT-DAY ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("offset", [2, 3])
def test_visit_on_day_2_or_3_after_the_period_passes(calendar: ClinicCalendar, rules: Rules, offset: int) -> None:
    """ELIG-VISIT-DAY: E+2 and E+3 are the recommended visit days."""
    assert _rule(screen(screening(E + _days(offset), E), calendar, rules), "ELIG-VISIT-DAY") is Outcome.PASS


@pytest.mark.parametrize("offset", [4, 5, 6])
def test_later_visit_that_still_reaches_the_window_needs_review(
    calendar: ClinicCalendar, rules: Rules, offset: int
) -> None:
    """ELIG-VISIT-DAY: a visit on E+4…E+6 still reaches a date ≤ E+7 one day later → REVIEW."""
    result = screen(screening(E + _days(offset), E), calendar, rules)
    assert _rule(result, "ELIG-VISIT-DAY") is Outcome.REVIEW
    assert result.by_rule("ELIG-VISIT-DAY")[0].message.params["day"] == E + _days(offset + 1)


def test_visit_on_day_7_cannot_reach_the_window_and_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY: from E+7 the earliest procedure date is E+8, outside BOOK-WINDOW → BLOCK."""
    assert _rule(screen(screening(E + _days(7), E), calendar, rules), "ELIG-VISIT-DAY") is Outcome.BLOCK


def test_later_visit_blocks_when_the_reachable_days_are_closed(rules: Rules) -> None:
    """ELIG-VISIT-DAY: E+5 visit, but E+6 and E+7 are holidays → nothing reachable → BLOCK."""
    e = D(2030, 4, 1)
    cal = hand_calendar(holidays=[e + _days(6), e + _days(7)])
    assert _rule(screen(screening(e + _days(5), e), cal, rules), "ELIG-VISIT-DAY") is Outcome.BLOCK


def test_visit_before_the_period_ended_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY: the period has not ended yet."""
    assert _rule(screen(screening(E - _days(1), E), calendar, rules), "ELIG-VISIT-DAY") is Outcome.BLOCK


def test_visit_earlier_than_day_2_needs_review(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY: E+1 is earlier than recommended; a doctor confirms bleeding stopped (safer reading)."""
    assert _rule(screen(screening(E + _days(1), E), calendar, rules), "ELIG-VISIT-DAY") is Outcome.REVIEW


def test_visit_on_the_day_the_period_ended_reaches_nothing_and_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY (issue 11 d): a test on E+0 reaches E+1/E+2 only, before BOOK-WINDOW: nothing can be booked,
    so BLOCK (like a late visit), telling her the recommended days."""
    found = screen(screening(E, E), calendar, rules).by_rule("ELIG-VISIT-DAY")
    assert [f.outcome for f in found] == [Outcome.BLOCK]
    assert dict(found[0].message.params) == {
        "offset": 0,
        "first": 2,
        "last": 3,
        "start": E + _days(2),
        "end": E + _days(3),
    }
    assert found[0].message.english() == (
        "Day 0 after the period is too early: no procedure date can be reached from a test today. "
        "Come on day 2–3 after your period (2026-11-20 to 2026-11-21)."
    )


def test_early_visit_blocks_when_its_only_reachable_date_is_closed(rules: Rules) -> None:
    """ELIG-VISIT-DAY (issue 11 d): from E+1 only E+3 (T+2) is in the window; a holiday on E+3 → BLOCK, and open
    → REVIEW with the doctor's check."""
    e = D(2030, 4, 1)
    closed = hand_calendar(holidays=[e + _days(3)])
    found = screen(screening(e + _days(1), e), closed, rules).by_rule("ELIG-VISIT-DAY")
    assert [f.outcome for f in found] == [Outcome.BLOCK]
    assert found[0].message.params["offset"] == 1
    open_cal = hand_calendar()
    found = screen(screening(e + _days(1), e), open_cal, rules).by_rule("ELIG-VISIT-DAY")
    assert [f.outcome for f in found] == [Outcome.REVIEW]
    assert dict(found[0].message.params) == {"offset": 1, "first": 2, "last": 3}


def test_screening_dated_on_a_closed_day_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY / CAL-OPEN (issue 11 d): E+2 = 2026-10-03 is in the National Day break: the clinic is closed,
    so a screening dated that day is BLOCK, naming the day and the holiday — even on a recommended day."""
    e = D(2026, 10, 1)
    found = screen(screening(e + _days(2), e), calendar, rules).by_rule("ELIG-VISIT-DAY")
    assert [f.outcome for f in found] == [Outcome.BLOCK, Outcome.PASS]
    closed = found[0].message
    assert closed.params["day"] == D(2026, 10, 3)
    assert str(closed.params["name"]) == "National Day"
    assert closed.english() == (
        "The clinic is closed on 2026-10-03 (National Day); the screening visit must be on a day it is open."
    )


def test_screening_on_a_clinic_closure_blocks(rules: Rules) -> None:
    """ELIG-VISIT-DAY: an administrator's clinic closure (a training day) closes the visit day too."""
    e = D(2030, 4, 1)
    cal = hand_calendar(clinic_closed=[e + _days(2)])
    result = screen(screening(e + _days(2), e), cal, rules)
    assert [f.outcome for f in result.by_rule("ELIG-VISIT-DAY")] == [Outcome.BLOCK, Outcome.PASS]
    assert result.blocked


# -- ELIG-ABSTAIN ------------------------------------------------------------------------------------------------
def test_intercourse_after_the_period_ended_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-ABSTAIN: intercourse after the period ended → BLOCK this cycle."""
    result = screen(screening(E + _days(2), E, intercourse_since_period_end=True), calendar, rules)
    assert _rule(result, "ELIG-ABSTAIN") is Outcome.BLOCK


def test_intercourse_during_the_period_needs_review_and_a_pregnancy_test(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """ELIG-ABSTAIN: intercourse during this cycle's period → REVIEW, and ELIG-PREG wants a negative hCG."""
    result = screen(screening(E + _days(2), E, intercourse_during_period=True), calendar, rules)
    assert _rule(result, "ELIG-ABSTAIN") is Outcome.REVIEW
    assert _rule(result, "ELIG-PREG") is Outcome.BLOCK
    tested = screen(screening(E + _days(2), E, intercourse_during_period=True, hcg=HcgResult.NEGATIVE), calendar, rules)
    assert _rule(tested, "ELIG-PREG") is Outcome.PASS
    assert tested.outcome is Outcome.REVIEW


def test_unanswered_abstinence_question_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-ABSTAIN: no answer is not a pass."""
    result = screen(screening(E + _days(2), E, intercourse_since_period_end=None), calendar, rules)
    assert _rule(result, "ELIG-ABSTAIN") is Outcome.BLOCK


# -- ELIG-TEMP ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["36.5", "37.0", "37.4", "37.49"])
def test_temperature_below_37_5_passes(calendar: ClinicCalendar, rules: Rules, value: str) -> None:
    """ELIG-TEMP: < 37.5 °C passes (37.4 included)."""
    result = screen(screening(E + _days(2), E, temperature_c=Decimal(value)), calendar, rules)
    assert _rule(result, "ELIG-TEMP") is Outcome.PASS


def test_temperature_of_37_4_passes(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-TEMP: 37.4 °C passes."""
    result = screen(screening(E + _days(2), E, temperature_c=Decimal("37.4")), calendar, rules)
    assert _rule(result, "ELIG-TEMP") is Outcome.PASS


def test_temperature_of_37_5_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-TEMP: 37.5 °C or above → BLOCK."""
    result = screen(screening(E + _days(2), E, temperature_c=Decimal("37.5")), calendar, rules)
    assert _rule(result, "ELIG-TEMP") is Outcome.BLOCK
    assert _rule(screen(screening(E + _days(2), E, temperature_c=Decimal("39.2")), calendar, rules), "ELIG-TEMP") is (
        Outcome.BLOCK
    )


@pytest.mark.parametrize("value", [None, Decimal("29.0"), Decimal("46")])
def test_missing_or_impossible_temperature_blocks(
    calendar: ClinicCalendar, rules: Rules, value: Decimal | None
) -> None:
    """ELIG-TEMP: no reading, or one that cannot be right, is not a pass."""
    result = screen(screening(E + _days(2), E, temperature_c=value), calendar, rules)
    assert _rule(result, "ELIG-TEMP") is Outcome.BLOCK


# -- ELIG-RESP, ELIG-PAIN ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("answer", "expected"), [(True, Outcome.BLOCK), (False, Outcome.PASS), (None, Outcome.BLOCK)])
def test_cold_or_respiratory_illness_blocks(
    calendar: ClinicCalendar, rules: Rules, answer: bool | None, expected: Outcome
) -> None:
    """ELIG-RESP: a cold or respiratory illness now → BLOCK; unanswered → BLOCK."""
    result = screen(screening(E + _days(2), E, respiratory_illness=answer), calendar, rules)
    assert _rule(result, "ELIG-RESP") is expected


@pytest.mark.parametrize(("answer", "expected"), [(True, Outcome.BLOCK), (False, Outcome.PASS), (None, Outcome.BLOCK)])
def test_recent_lower_abdominal_pain_blocks(
    calendar: ClinicCalendar, rules: Rules, answer: bool | None, expected: Outcome
) -> None:
    """ELIG-PAIN: recent lower abdominal pain → BLOCK; unanswered → BLOCK."""
    result = screen(screening(E + _days(2), E, lower_abdominal_pain=answer), calendar, rules)
    assert _rule(result, "ELIG-PAIN") is expected


# -- ELIG-LEUK (in the screening) --------------------------------------------------------------------------------
def test_missing_leukorrhea_result_blocks_screening(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-LEUK: screening cannot pass without the leukorrhea routine result."""
    result = screen(screening(E + _days(2), E, leukorrhea=None), calendar, rules)
    assert _rule(result, "ELIG-LEUK") is Outcome.BLOCK


# -- ELIG-PREG ---------------------------------------------------------------------------------------------------
def test_suspected_pregnancy_blocks_until_a_negative_hcg(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-PREG: suspected pregnancy → BLOCK until a negative hCG test."""
    assert _rule(screen(screening(E + _days(2), E, suspected_pregnancy=True), calendar, rules), "ELIG-PREG") is (
        Outcome.BLOCK
    )
    negative = screening(E + _days(2), E, suspected_pregnancy=True, hcg=HcgResult.NEGATIVE)
    assert _rule(screen(negative, calendar, rules), "ELIG-PREG") is Outcome.PASS


def test_positive_hcg_stops(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-PREG: a positive hCG → stop."""
    result = screen(screening(E + _days(2), E, hcg=HcgResult.POSITIVE), calendar, rules)
    assert _rule(result, "ELIG-PREG") is Outcome.BLOCK


def test_period_overdue_beyond_longest_cycle_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-PREG: on cycle day 31 with a longest usual cycle of 30 the period is overdue → BLOCK."""
    lmp = D(2026, 10, 21)
    facts = cycle(lmp + _days(4), period_start=lmp, shortest=28, longest=30)
    overdue = screen(screening(lmp + _days(30), lmp + _days(4), cycle=facts), calendar, rules)
    assert _rule(overdue, "ELIG-PREG") is Outcome.BLOCK
    on_time = screen(screening(lmp + _days(29), lmp + _days(4), cycle=facts), calendar, rules)
    assert _rule(on_time, "ELIG-PREG") is Outcome.PASS


# -- ELIG-CONTRA -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("condition", list(Contraindication))
def test_each_contraindication_blocks(calendar: ClinicCalendar, rules: Rules, condition: Contraindication) -> None:
    """ELIG-CONTRA: each listed contraindication blocks, and says which."""
    result = screen(screening(E + _days(2), E, contraindications=frozenset({condition})), calendar, rules)
    found = result.by_rule("ELIG-CONTRA")
    assert [f.outcome for f in found] == [Outcome.BLOCK]
    assert found[0].message.params["condition"] == CONTRAINDICATION_TEXT[condition]


def test_every_contraindication_is_reported(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-CONTRA: several contraindications give one BLOCK each."""
    every = frozenset(Contraindication)
    found = screen(screening(E + _days(2), E, contraindications=every), calendar, rules).by_rule("ELIG-CONTRA")
    assert len(found) == len(Contraindication) == 8
    assert all(f.outcome is Outcome.BLOCK for f in found)


def test_moderate_or_severe_contrast_reaction_blocks(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-CONTRA: a prior moderate-to-severe reaction to iodinated contrast → BLOCK."""
    s = screening(
        E + _days(2),
        E,
        contrast_reaction=ContrastReaction.MODERATE_SEVERE,
        contrast_reaction_agent="iohexol",
        contrast_reaction_description="bronchospasm",
    )
    assert _rule(screen(s, calendar, rules), "ELIG-CONTRA") is Outcome.BLOCK


def test_mild_contrast_reaction_needs_review_with_agent_and_reaction(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-CONTRA: a mild prior reaction → REVIEW, recording the agent and the reaction."""
    s = screening(
        E + _days(2),
        E,
        contrast_reaction=ContrastReaction.MILD,
        contrast_reaction_agent="iopromide",
        contrast_reaction_description="hives",
    )
    found = screen(s, calendar, rules).by_rule("ELIG-CONTRA")
    assert [f.outcome for f in found] == [Outcome.REVIEW]
    assert found[0].message.params == {"agent": "iopromide", "reaction": "hives"}


def test_mild_reaction_recorded_as_just_iodine_allergy_is_not_enough(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-CONTRA: never just 'iodine allergy' — without the agent and reaction it cannot go ahead."""
    s = screening(E + _days(2), E, contrast_reaction=ContrastReaction.MILD, contrast_reaction_agent="iodine")
    assert _rule(screen(s, calendar, rules), "ELIG-CONTRA") is Outcome.BLOCK


# -- ELIG-OVULATION ----------------------------------------------------------------------------------------------
LMP = D(2030, 3, 1)


def _reasons(day: dt.date, facts: CycleFacts, rules: Rules) -> list[str]:
    return [f.message.msgid for f in ovulation_findings(day, facts, rules)]


def test_procedure_well_before_ovulation_has_no_ovulation_reason(rules: Rules) -> None:
    """ELIG-OVULATION: 28-day cycle, ovulation cycle day 14; a procedure on cycle day 11 needs no review."""
    facts = cycle(LMP + _days(4), period_start=LMP, cycle_length=28)
    assert facts.estimated_ovulation(rules) == LMP + _days(13)  # cycle day 14
    assert facts.cycle_day(LMP + _days(10), rules) == 11
    assert _reasons(LMP + _days(10), facts, rules) == []


def test_procedure_within_2_days_of_ovulation_needs_review(rules: Rules) -> None:
    """ELIG-OVULATION: cycle day 12 is within 2 days of ovulation (day 14) → REVIEW 'may fall after ovulation'."""
    facts = cycle(LMP + _days(4), period_start=LMP, cycle_length=28)
    found = ovulation_findings(LMP + _days(11), facts, rules)
    assert [(f.rule, f.outcome) for f in found] == [("ELIG-OVULATION", Outcome.REVIEW)]
    assert "after ovulation" in found[0].message.msgid


def test_short_cycle_needs_review(rules: Rules) -> None:
    """ELIG-OVULATION: a usual cycle shorter than 25 days → REVIEW even well before the estimate."""
    facts = cycle(LMP + _days(3), period_start=LMP, cycle_length=24)  # ovulation cycle day 10
    reasons = _reasons(LMP + _days(6), facts, rules)  # cycle day 7
    assert len(reasons) == 1 and reasons[0].startswith("Your cycle is shorter than")
    assert _reasons(LMP + _days(6), cycle(LMP + _days(3), period_start=LMP, cycle_length=25), rules) == []


def test_cycle_day_after_12_needs_review(rules: Rules) -> None:
    """ELIG-OVULATION: cycle day 13 (> 12) → REVIEW even with a long cycle."""
    facts = cycle(LMP + _days(6), period_start=LMP, cycle_length=35)  # ovulation cycle day 21
    reasons = _reasons(LMP + _days(12), facts, rules)
    assert len(reasons) == 1 and reasons[0].startswith("That day is cycle day")
    assert _reasons(LMP + _days(11), facts, rules) == []


def test_age_40_or_more_needs_review(rules: Rules) -> None:
    """ELIG-OVULATION: age ≥ 40 → REVIEW; 39 does not."""
    day = LMP + _days(8)
    reasons = _reasons(day, cycle(LMP + _days(4), period_start=LMP, cycle_length=28, age=40), rules)
    assert len(reasons) == 1 and reasons[0].startswith("At {age} or older")
    assert _reasons(day, cycle(LMP + _days(4), period_start=LMP, cycle_length=28, age=39), rules) == []


def test_ovulation_uses_the_shortest_usual_cycle(rules: Rules) -> None:
    """ELIG-OVULATION: ovulation day = shortest usual cycle − 14 (cycle day)."""
    facts = cycle(LMP + _days(4), period_start=LMP, shortest=26, longest=30)
    assert facts.cycle_day(facts.estimated_ovulation(rules), rules) == 12


def test_screening_reports_ovulation_review(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-OVULATION in the screening: age 42 → REVIEW on the earliest reachable date."""
    s = screening(E + _days(2), E, cycle=cycle(E, period_start=E - _days(4), cycle_length=28, age=42))
    result = screen(s, calendar, rules)
    assert _rule(result, "ELIG-OVULATION") is Outcome.REVIEW
    assert result.outcome is Outcome.REVIEW


# -- ELIG-IRREG --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shortest", "longest", "flag", "irregular"),
    [
        (26, 34, False, True),  # variation 8 > 7
        (26, 33, False, False),  # variation 7
        (30, 36, False, True),  # oligomenorrhoea: longer than 35 days
        (28, 28, True, True),  # reported irregular
    ],
)
def test_irregular_cycles_need_review(
    calendar: ClinicCalendar, rules: Rules, shortest: int, longest: int, flag: bool, irregular: bool
) -> None:
    """ELIG-IRREG: variation > 7 days or oligo/amenorrhoea → REVIEW: the window is not applied blindly."""
    facts = cycle(E, period_start=E - _days(4), shortest=shortest, longest=longest, irregular=flag)
    assert facts.is_irregular(rules) is irregular
    result = screen(screening(E + _days(2), E, cycle=facts), calendar, rules)
    if irregular:
        assert _rule(result, "ELIG-IRREG") is Outcome.REVIEW
    else:
        assert result.by_rule("ELIG-IRREG") == []


# -- Cycle facts -------------------------------------------------------------------------------------------------
def test_impossible_cycle_facts_are_refused(rules: Rules) -> None:
    """Day counting (domain.md, no rule ID): a period ending in the future or shortest > longest is refused."""
    with pytest.raises(CycleInputError):
        cycle(D(2026, 12, 1)).validate(D(2026, 11, 26), rules)
    with pytest.raises(CycleInputError):
        cycle(D(2026, 11, 20), shortest=32, longest=28).validate(D(2026, 11, 26), rules)
    with pytest.raises(CycleInputError):
        cycle(D(2026, 11, 20), cycle_length=10).validate(D(2026, 11, 26), rules)


def test_day_n_after_menstruation_counts_calendar_days(rules: Rules) -> None:
    """Day counting (domain.md, no rule ID): 'day N after menstruation' = E + N; cycle_day(d) = d − LMP + 1."""
    facts = cycle(E, period_start=D(2026, 11, 14))
    assert facts.after_period(3) == D(2026, 11, 21)
    assert facts.cycle_day(D(2026, 11, 14), rules) == 1
    assert facts.cycle_day(D(2026, 11, 21), rules) == 8
