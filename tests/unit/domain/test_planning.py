"""Planning a cycle: ELIG-VISIT-DAY, BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, ELIG-PREG, ELIG-IRREG, BOOK-NEXT together."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleInputError
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.planning import VisitPlan, plan_visit
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _finding(plan: VisitPlan, rule: str) -> list[Outcome]:
    return [f.outcome for f in plan.findings if f.rule == rule]


def test_recommended_visit_days_on_a_break_are_replaced_by_later_ones_for_review(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """ELIG-VISIT-DAY / BOOK-OPEN: period ended 2026-09-23; E+2/E+3 fall in the Mid-Autumn break (Sep 25–27),
    so the visit can only be 09-28 or 09-29 (REVIEW) and the procedure 09-29 or 09-30."""
    plan = plan_visit(cycle(D(2026, 9, 23)), calendar, rules, today=D(2026, 9, 23))
    assert plan.visit_days == ()
    assert [v.day for v in plan.late_visit_days] == [D(2026, 9, 28), D(2026, 9, 29)]
    assert not any(v.recommended for v in plan.late_visit_days)
    assert plan.procedure_dates == [D(2026, 9, 29), D(2026, 9, 30)]
    assert _finding(plan, "ELIG-VISIT-DAY") == [Outcome.REVIEW]
    # 09-28 is open but needs a test on a closed day (09-26/27): BOOK-LEAD refuses it.
    sep28 = next(v for v in plan.window if v.day == D(2026, 9, 28))
    assert [f.rule for f in sep28.findings if f.outcome is Outcome.BLOCK] == ["BOOK-LEAD"]


def test_window_entirely_on_national_day_rolls_over_to_the_next_cycle(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-NEXT: period ended 2026-09-28, window 10-01…10-05 all closed → nothing booked, next cycle's dates."""
    plan = plan_visit(
        cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), cycle_length=28), calendar, rules, today=D(2026, 9, 28)
    )
    assert plan.procedure_dates == []
    assert all("BOOK-OPEN" in {f.rule for f in v.findings} for v in plan.window)
    assert _finding(plan, "BOOK-NEXT") == [Outcome.BLOCK]
    assert plan.report_ready_on is None
    nxt = plan.next_cycle
    assert nxt is not None
    assert nxt.expected_period_start == D(2026, 10, 22)  # LMP + usual cycle length
    assert nxt.expected_period_end == D(2026, 10, 26)
    assert [v.day for v in nxt.visit_days][:2] == [D(2026, 10, 28), D(2026, 10, 29)]
    assert next(v.day for v in nxt.window if v.usable) == D(2026, 10, 29)
    message = next(f.message for f in plan.findings if f.rule == "BOOK-NEXT")
    assert message.params["start"] == D(2026, 10, 22)


def test_next_cycle_gives_the_latest_expected_start_for_a_variable_cycle(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """BOOK-NEXT: with cycles of 26–30 days the next period is expected between LMP+26 and LMP+30."""
    facts = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), shortest=26, longest=30)
    plan = plan_visit(facts, calendar, rules, today=D(2026, 9, 28))
    assert plan.next_cycle is not None
    assert plan.next_cycle.expected_period_start == D(2026, 10, 20)
    assert plan.next_cycle.expected_period_start_latest == D(2026, 10, 24)


def test_past_visit_days_are_not_offered(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY: planning on E+3 offers only E+3 as the recommended visit, and no past procedure date."""
    e = D(2026, 11, 18)
    plan = plan_visit(cycle(e), calendar, rules, today=e + _days(3))
    assert [v.day for v in plan.visit_days] == [e + _days(3)]
    assert min(plan.procedure_dates) == e + _days(4)


def test_overdue_period_blocks_planning(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-PREG: planning 30 days after LMP with a longest cycle of 30 → BLOCK until a negative hCG."""
    facts = cycle(D(2026, 10, 5), period_start=D(2026, 10, 1), shortest=28, longest=30)
    assert _finding(plan_visit(facts, calendar, rules, today=D(2026, 10, 31)), "ELIG-PREG") == [Outcome.BLOCK]
    assert _finding(plan_visit(facts, calendar, rules, today=D(2026, 10, 30)), "ELIG-PREG") == []


def test_irregular_cycles_are_flagged_in_planning(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-IRREG: cycles of 24–40 days → REVIEW in the plan and on every window date."""
    facts = cycle(D(2026, 11, 18), shortest=26, longest=40)
    plan = plan_visit(facts, calendar, rules, today=D(2026, 11, 18))
    assert _finding(plan, "ELIG-IRREG") == [Outcome.REVIEW]
    assert all(v.outcome is not Outcome.PASS for v in plan.window)


def test_plan_in_2027_is_provisional(calendar: ClinicCalendar, rules: Rules) -> None:
    """CAL-SOURCE: a plan with dates in 2027 is answered but marked provisional on every date."""
    plan = plan_visit(cycle(D(2027, 3, 10)), calendar, rules, today=D(2027, 3, 10))
    assert plan.provisional
    assert plan.procedure_dates
    for verdict in plan.window:
        assert verdict.provisional
        assert "CAL-SOURCE" in {f.rule for f in verdict.findings}


def test_future_period_end_is_refused(calendar: ClinicCalendar, rules: Rules) -> None:
    """Day counting (domain.md, no rule ID): a period that ends after today cannot be planned."""
    with pytest.raises(CycleInputError):
        plan_visit(cycle(D(2026, 11, 27)), calendar, rules, today=D(2026, 11, 26))


def test_hand_built_calendar_holiday_in_the_window(rules: Rules) -> None:
    """BOOK-OPEN in planning: a holiday on E+4 removes exactly that date."""
    e = D(2030, 5, 6)
    cal = hand_calendar(holidays=[e + _days(4)])
    plan = plan_visit(cycle(e), cal, rules, today=e)
    assert e + _days(4) not in plan.procedure_dates
    assert plan.procedure_dates == [e + _days(n) for n in (3, 5, 6, 7)]
