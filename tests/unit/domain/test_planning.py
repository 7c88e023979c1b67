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


# -- issue 11 classes (a)–(c): the next cycle is never in the past, an overdue period, provisional years ---------
def test_a_period_too_old_to_plan_from_gives_no_past_next_cycle(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-NEXT (a) + ELIG-PREG (b): period ended 2025-05-14, today 2025-07-13 (64 days after the estimated LMP
    05-10, longer than the assumed 28-day cycle): no next-cycle dates from the past, but a plain sentence."""
    today = D(2025, 7, 13)
    plan = plan_visit(cycle(D(2025, 5, 14)), calendar, rules, today=today)
    assert plan.next_cycle is None
    assert plan.overdue
    assert plan.procedure_dates == []
    book_next = [f for f in plan.findings if f.rule == "BOOK-NEXT"]
    assert [f.outcome for f in book_next] == [Outcome.BLOCK]
    assert book_next[0].message.english() == (
        "Your last period began on 2025-05-10, 64 days ago: it is too old to plan from. Plan again from the day your "
        "next period ends; if it does not come, see a doctor."
    )
    assert dict(book_next[0].message.params) == {"start": D(2025, 5, 10), "days": 64}
    preg = [f for f in plan.findings if f.rule == "ELIG-PREG"]
    assert [f.outcome for f in preg] == [Outcome.BLOCK]
    assert dict(preg[0].message.params) == {"days": 64, "start": D(2025, 5, 10), "longest": 28}
    assert preg[0].message.english() == (
        "Your period is overdue: 64 days since it began on 2025-05-10, and your longest usual cycle is 28 days. "
        "A negative pregnancy (hCG) test is needed first."
    )


def test_a_next_period_already_due_is_expected_from_today_not_in_the_past(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """BOOK-NEXT (a): cycles of 21–35 days, LMP 2026-11-02, today 11-30 (day 28): LMP + 21 (11-23) has passed without
    a period, so the next one is expected from today (not overdue until LMP + 35 = 12-07)."""
    today = D(2026, 11, 30)
    facts = cycle(D(2026, 11, 6), period_start=D(2026, 11, 2), shortest=21, longest=35)
    plan = plan_visit(facts, calendar, rules, today=today)
    assert not plan.overdue
    assert not [f for f in plan.findings if f.rule == "ELIG-PREG"]
    nxt = plan.next_cycle
    assert nxt is not None
    assert nxt.expected_period_start == today
    assert nxt.expected_period_start_latest == D(2026, 12, 7)
    assert nxt.expected_period_end == today + _days(4)
    assert nxt.visit_days and min(v.day for v in nxt.visit_days) >= today
    assert all(v.day >= today for v in nxt.window)
    message = next(f.message for f in plan.findings if f.rule == "BOOK-NEXT")
    assert dict(message.params) == {"start": today, "first": 2, "last": 3}


def test_next_cycle_starts_at_lmp_plus_the_shortest_cycle_while_that_is_ahead(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """BOOK-NEXT: planned up to LMP + shortest, the next period is expected at LMP + shortest; a day later, from
    today."""
    facts = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), shortest=28, longest=32)
    for today, start in ((D(2026, 10, 21), D(2026, 10, 22)), (D(2026, 10, 22), D(2026, 10, 22))):
        plan = plan_visit(facts, calendar, rules, today=today)
        assert plan.next_cycle is not None
        assert plan.next_cycle.expected_period_start == start
        assert plan.next_cycle.expected_period_end == start + _days(4)
    plan = plan_visit(facts, calendar, rules, today=D(2026, 10, 23))
    assert plan.next_cycle is not None and plan.next_cycle.expected_period_start == D(2026, 10, 23)


@pytest.mark.parametrize(("longest", "overdue_on"), [(None, 28), (30, 30), (35, 35)])
def test_overdue_from_the_longest_cycle_or_the_assumed_one(
    calendar: ClinicCalendar, rules: Rules, longest: int | None, overdue_on: int
) -> None:
    """ELIG-PREG (b): overdue from LMP + longest usual cycle (the assumed 28 days when she gives none) on, not a day
    before."""
    lmp = D(2026, 10, 1)
    facts = cycle(D(2026, 10, 5), period_start=lmp, shortest=None if longest is None else 28, longest=longest)
    before = plan_visit(facts, calendar, rules, today=lmp + _days(overdue_on - 1))
    on = plan_visit(facts, calendar, rules, today=lmp + _days(overdue_on))
    assert not before.overdue and _finding(before, "ELIG-PREG") == []
    assert on.overdue and _finding(on, "ELIG-PREG") == [Outcome.BLOCK]
    assert next(f.message for f in on.findings if f.rule == "ELIG-PREG").params["longest"] == overdue_on


def test_a_plan_whose_next_cycle_runs_into_a_provisional_year_is_provisional(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    """CAL-SOURCE (c): period ended 2026-12-10 and nothing works this cycle (planned on E+8): the next cycle falls
    in 2027, whose holidays are not official, so the plan and its next cycle are provisional."""
    e = D(2026, 12, 10)
    plan = plan_visit(cycle(e), calendar, rules, today=e + _days(8))
    assert plan.procedure_dates == []
    assert not any(v.provisional for v in plan.window)
    assert plan.next_cycle is not None
    assert plan.next_cycle.expected_period_start == D(2027, 1, 3)
    assert plan.next_cycle.provisional
    assert plan.provisional


def test_a_next_cycle_inside_an_official_year_is_not_provisional(calendar: ClinicCalendar, rules: Rules) -> None:
    """CAL-SOURCE: the next cycle of a 2026-09 period is in 2026 (official): nothing provisional."""
    plan = plan_visit(
        cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), cycle_length=28), calendar, rules, today=D(2026, 9, 28)
    )
    assert plan.next_cycle is not None and not plan.next_cycle.provisional
    assert not plan.provisional


def test_a_plan_before_the_official_data_is_provisional(rules: Rules) -> None:
    """CAL-SOURCE (c): 1990 is older than the calendar's official data (from 2001): every date is provisional."""
    from hsgclinic.calendar_source import build_calendar

    old = build_calendar([1990], official_through=2026)
    plan = plan_visit(cycle(D(1990, 6, 4)), old, rules, today=D(1990, 6, 4))
    assert plan.provisional
    assert plan.procedure_dates
    cal_source = [f for v in plan.window for f in v.findings if f.rule == "CAL-SOURCE"]
    assert len(cal_source) == len(plan.window)
    assert cal_source[0].message.english() == (
        "The clinic has no official holiday calendar for 1990; this date is provisional."
    )
