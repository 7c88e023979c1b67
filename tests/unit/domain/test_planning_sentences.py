"""Planning and one procedure date's verdict: the exact sentences, their parameters and every boundary.

BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, ELIG-VISIT-DAY (planning), ELIG-OVULATION, ELIG-IRREG, BOOK-NEXT, CAL-SOURCE.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.planning import VisitPlan, plan_visit
from hsgclinic.domain.procedure_window import DateVerdict, judge_procedure_date, ovulation_findings
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar

E = D(2030, 4, 1)  # a hand-built year: every day open unless a test closes it
HAND = hand_calendar(years=(2030, 2031), official=(2030,), holidays=[E + dt.timedelta(days=4)])
FACTS = cycle(E, period_start=E - dt.timedelta(days=4), cycle_length=28)  # LMP 03-28, ovulation 04-10
VISIT_LATE = (
    "Reaching this date needs a visit on {0}, later than the recommended day 2–3 after your period; a doctor must "
    "confirm."
)
AFTER_OVULATION = "The procedure may fall after ovulation (estimated ovulation {0}); a doctor must confirm the date."
NO_VISIT = "No open visit day 1–2 days before this date is left for the leukorrhea test."
IRREGULAR = (
    "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; a doctor must confirm the date."
)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _verdict(v: DateVerdict) -> list[tuple[str, str, str]]:
    return [(f.rule, f.outcome.value, f.message.english()) for f in v.findings]


def _plan(p: VisitPlan) -> list[tuple[str, str, str]]:
    return [(f.rule, f.outcome.value, f.message.english()) for f in p.findings]


# -- one date: judge_procedure_date ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "today", "test_date", "outcome", "said"),
    [
        (
            E + _days(2),
            E,
            None,
            "BLOCK",
            [
                (
                    "BOOK-WINDOW",
                    "BLOCK",
                    "The procedure must be on day 3–7 after your period ended (2030-04-04 to 2030-04-08).",
                ),
                ("BOOK-LEAD", "BLOCK", NO_VISIT),
            ],
        ),
        (E + _days(3), E, None, "PASS", []),
        (
            E + _days(3),
            E + _days(4),
            None,
            "BLOCK",
            [("BOOK-WINDOW", "BLOCK", "This date has already passed."), ("BOOK-LEAD", "BLOCK", NO_VISIT)],
        ),
        (E + _days(4), E, None, "BLOCK", [("BOOK-OPEN", "BLOCK", "The clinic is closed that day (Test Festival).")]),
        (E + _days(6), E, None, "REVIEW", [("ELIG-VISIT-DAY", "REVIEW", VISIT_LATE.format("2030-04-06"))]),
        (
            E + _days(8),
            E,
            None,
            "BLOCK",
            [
                (
                    "BOOK-WINDOW",
                    "BLOCK",
                    "The procedure must be on day 3–7 after your period ended (2030-04-04 to 2030-04-08).",
                ),
                ("ELIG-VISIT-DAY", "REVIEW", VISIT_LATE.format("2030-04-07")),
                ("ELIG-OVULATION", "REVIEW", AFTER_OVULATION.format("2030-04-10")),
                (
                    "ELIG-OVULATION",
                    "REVIEW",
                    "That day is cycle day 13, later than day 12; the procedure may fall after ovulation.",
                ),
            ],
        ),
        (E + _days(3), E, E + _days(2), "PASS", []),
        (E + _days(5), E, E + _days(3), "PASS", []),
        (
            E + _days(5),
            E,
            E + _days(2),
            "BLOCK",
            [
                (
                    "BOOK-LEAD",
                    "BLOCK",
                    "The procedure is booked 1–2 days after the leukorrhea test passed (2030-04-04 to 2030-04-05).",
                )
            ],
        ),
        (
            E + _days(5),
            E,
            E + _days(5),
            "BLOCK",
            [
                (
                    "BOOK-LEAD",
                    "BLOCK",
                    "The procedure is booked 1–2 days after the leukorrhea test passed (2030-04-07 to 2030-04-08).",
                )
            ],
        ),
    ],
)
def test_a_date_verdict_gives_every_reason_with_its_dates(
    day: dt.date,
    today: dt.date,
    test_date: dt.date | None,
    outcome: str,
    said: list[tuple[str, str, str]],
    rules: Rules,
) -> None:
    v = judge_procedure_date(day, FACTS, HAND, rules, today=today, test_date=test_date)
    assert v.outcome.value == outcome
    assert _verdict(v) == said
    assert v.cycle_day == (day - D(2030, 3, 28)).days + 1
    assert v.day == day and v.provisional is False
    assert (v.closure is not None) is (day == E + _days(4))


def test_a_date_in_a_year_not_yet_announced_is_provisional_and_says_so(rules: Rules) -> None:
    """CAL-SOURCE: 2031 is in the calendar but not official: the verdict is provisional with its sentence."""
    e = D(2030, 12, 24)
    v = judge_procedure_date(e + _days(8), cycle(e), HAND, rules, today=e, test_date=None)
    assert v.provisional
    assert _verdict(v)[-1] == (
        "CAL-SOURCE",
        "PASS",
        "The official holiday calendar for 2031 is not published yet; this date is provisional.",
    )
    inside = judge_procedure_date(e + _days(3), cycle(e), HAND, rules, today=e, test_date=None)
    assert not inside.provisional and _verdict(inside) == []


def test_a_visit_day_outside_the_calendar_does_not_reach_a_date(rules: Rules) -> None:
    """BOOK-LEAD: a visit day in a year the calendar does not cover is not offered (no guess)."""
    cal = hand_calendar(years=(2031,))
    e = D(2030, 12, 28)
    v = judge_procedure_date(D(2031, 1, 1), cycle(e), cal, rules, today=e, test_date=None)
    assert ("BOOK-LEAD", "BLOCK", NO_VISIT) in _verdict(v)


# -- ELIG-OVULATION boundaries ---------------------------------------------------------------------------------
def _ovulation(day: dt.date, facts: CycleFacts, rules: Rules) -> list[str]:
    return [f.message.english() for f in ovulation_findings(day, facts, rules)]


def test_ovulation_margin_is_two_days_before_the_estimate(rules: Rules) -> None:
    """ELIG-OVULATION: REVIEW from ovulation − 2 days (setting) on; a day earlier none."""
    lmp = D(2030, 3, 1)
    facts = cycle(D(2030, 3, 5), period_start=lmp, shortest=30, longest=30)  # ovulation cycle day 16 = 03-16
    assert facts.estimated_ovulation(rules) == D(2030, 3, 16)
    assert _ovulation(D(2030, 3, 13), facts, Rules(max_cycle_day_for_procedure=20)) == []
    assert _ovulation(D(2030, 3, 14), facts, Rules(max_cycle_day_for_procedure=20)) == [
        AFTER_OVULATION.format("2030-03-16")
    ]
    assert _ovulation(D(2030, 3, 13), facts, Rules(max_cycle_day_for_procedure=20, ovulation_margin_days=3)) == [
        AFTER_OVULATION.format("2030-03-16")
    ]


@pytest.mark.parametrize(("shortest", "short"), [(24, True), (25, False)])
def test_a_cycle_under_25_days_is_review(rules: Rules, shortest: int, short: bool) -> None:
    lmp = D(2030, 3, 1)
    facts = cycle(D(2030, 3, 4), period_start=lmp, shortest=shortest, longest=shortest)
    found = _ovulation(D(2030, 3, 5), facts, rules)
    sentence = "Your cycle is shorter than 25 days, so ovulation may come early; a doctor must confirm the date."
    assert (sentence in found) is short


@pytest.mark.parametrize(("cycle_day", "late"), [(12, False), (13, True)])
def test_cycle_day_after_12_is_review(rules: Rules, cycle_day: int, late: bool) -> None:
    lmp = D(2030, 3, 1)
    facts = cycle(D(2030, 3, 8), period_start=lmp, shortest=34, longest=34)
    found = _ovulation(lmp + _days(cycle_day - 1), facts, rules)
    sentence = f"That day is cycle day {cycle_day}, later than day 12; the procedure may fall after ovulation."
    assert found == ([sentence] if late else [])


@pytest.mark.parametrize(("age", "review"), [(39, False), (40, True), (None, False)])
def test_age_40_or_more_is_review(rules: Rules, age: int | None, review: bool) -> None:
    lmp = D(2030, 3, 1)
    facts = cycle(D(2030, 3, 5), period_start=lmp, shortest=28, longest=28, age=age)
    found = _ovulation(D(2030, 3, 8), facts, rules)
    sentence = "At 40 or older the timing of ovulation is less predictable; a doctor must confirm the date."
    assert found == ([sentence] if review else [])


def test_irregular_cycles_add_their_reason_to_each_date(rules: Rules) -> None:
    facts = cycle(D(2030, 3, 5), period_start=D(2030, 3, 1), irregular=True)
    assert _ovulation(D(2030, 3, 8), facts, rules) == [IRREGULAR]
    assert [(f.rule, f.outcome.value) for f in ovulation_findings(D(2030, 3, 8), facts, rules)] == [
        ("ELIG-IRREG", "REVIEW")
    ]


def test_a_date_of_today_has_not_passed(rules: Rules) -> None:
    """BOOK-WINDOW: booking for today after yesterday's test is fine; only earlier days have passed."""
    v = judge_procedure_date(E + _days(4 + 1), FACTS, HAND, rules, today=E + _days(5), test_date=E + _days(4))
    assert _verdict(v) == [] and v.usable


def test_the_first_official_year_itself_is_only_not_published_yet(rules: Rules) -> None:
    """CAL-SOURCE: a provisional day in the source's first official year is 'not published yet', not 'no data'."""
    import dataclasses

    cal = dataclasses.replace(hand_calendar(official=()), official_from=2030)
    v = judge_procedure_date(E + _days(3), FACTS, cal, rules, today=E, test_date=None)
    assert (
        _verdict(v)[-1][2] == "The official holiday calendar for 2030 is not published yet; this date is provisional."
    )
    old = dataclasses.replace(hand_calendar(official=()), official_from=2031)
    v = judge_procedure_date(E + _days(3), FACTS, old, rules, today=E, test_date=None)
    assert _verdict(v)[-1][2] == "The clinic has no official holiday calendar for 2030; this date is provisional."


# -- the plan --------------------------------------------------------------------------------------------------
def test_the_worked_example_plan_in_full(calendar: ClinicCalendar, rules: Rules) -> None:
    """domain.md: period ended 2026-11-18, planned the next day."""
    plan = plan_visit(cycle(D(2026, 11, 18)), calendar, rules, today=D(2026, 11, 19))
    assert [v.day for v in plan.visit_days] == [D(2026, 11, 20), D(2026, 11, 21)]
    assert all(v.recommended and not v.provisional for v in plan.visit_days)
    assert [v.day for v in plan.late_visit_days] == [D(2026, 11, 22), D(2026, 11, 23), D(2026, 11, 24)]
    assert not any(v.recommended for v in plan.late_visit_days)
    assert plan.latest_visit_day == D(2026, 11, 24)
    assert plan.procedure_dates == [D(2026, 11, d) for d in range(21, 26)]
    assert plan.report_ready_on == D(2026, 11, 23)
    assert plan.estimated_ovulation == D(2026, 11, 27)
    assert (plan.period_start, plan.period_start_estimated) == (D(2026, 11, 14), True)
    assert (plan.cycle_length, plan.cycle_length_assumed) == (28, True)
    assert plan.abstain_from == D(2026, 11, 18)
    assert not plan.provisional and not plan.overdue and plan.next_cycle is None
    assert _plan(plan) == [
        (
            "ELIG-VISIT-DAY",
            "PASS",
            "Come for the screening visit and leukorrhea test on day 2–3 after your period ended: 2026-11-20, "
            "2026-11-21.",
        ),
        ("ELIG-OVULATION", "REVIEW", AFTER_OVULATION.format("2026-11-27")),
        (
            "BOOK-WINDOW",
            "PASS",
            "Procedure dates that work this cycle: 2026-11-21, 2026-11-22, 2026-11-23, 2026-11-24, 2026-11-25.",
        ),
    ]
    assert [(v.outcome.value, v.cycle_day) for v in plan.window] == [
        ("PASS", 8),
        ("PASS", 9),
        ("PASS", 10),
        ("REVIEW", 11),
        ("REVIEW", 12),
    ]
    assert _verdict(plan.window[4]) == [
        ("ELIG-VISIT-DAY", "REVIEW", VISIT_LATE.format("2026-11-23")),
        ("ELIG-OVULATION", "REVIEW", AFTER_OVULATION.format("2026-11-27")),
    ]


def test_a_plan_reaching_dates_only_from_late_visits_says_by_when(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_visit(cycle(D(2026, 9, 23)), calendar, rules, today=D(2026, 9, 23))
    assert _plan(plan)[0] == (
        "ELIG-VISIT-DAY",
        "REVIEW",
        "The recommended visit days have passed or the clinic is closed then; a visit by 2026-09-29 still reaches a "
        "procedure date if a doctor agrees.",
    )
    assert plan.latest_visit_day == D(2026, 9, 29)
    assert plan.report_ready_on == D(2026, 9, 30)


def test_the_next_cycle_when_national_day_fills_the_window(calendar: ClinicCalendar, rules: Rules) -> None:
    facts = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), cycle_length=28)
    plan = plan_visit(facts, calendar, rules, today=D(2026, 9, 28))
    assert _plan(plan) == [
        (
            "BOOK-NEXT",
            "BLOCK",
            "No date in this cycle meets every rule, so nothing should be booked now. Your next period is expected "
            "around 2026-10-22; come on day 2–3 after it ends.",
        )
    ]
    assert plan.latest_visit_day is None and plan.report_ready_on is None
    nxt = plan.next_cycle
    assert nxt is not None
    assert (nxt.expected_period_start, nxt.expected_period_start_latest, nxt.expected_period_end) == (
        D(2026, 10, 22),
        D(2026, 10, 22),
        D(2026, 10, 26),
    )
    assert [v.day for v in nxt.visit_days] == [D(2026, 10, d) for d in (28, 29, 30, 31)] + [D(2026, 11, 1)]
    assert [v.recommended for v in nxt.visit_days] == [True, True, False, False, False]
    assert [v.day for v in nxt.window if v.usable] == [D(2026, 10, d) for d in (29, 30, 31)] + [
        D(2026, 11, 1),
        D(2026, 11, 2),
    ]
    assert nxt.estimated is False and nxt.provisional is False
    estimated = plan_visit(cycle(D(2026, 9, 28)), calendar, rules, today=D(2026, 9, 28)).next_cycle
    assert estimated is not None and estimated.estimated


def test_irregular_and_ovulation_reasons_in_the_plan(calendar: ClinicCalendar, rules: Rules) -> None:
    facts = cycle(D(2026, 11, 18), period_start=D(2026, 11, 14), shortest=22, longest=40, age=41)
    plan = plan_visit(facts, calendar, rules, today=D(2026, 11, 18))
    assert [f for f in _plan(plan) if f[0] in ("ELIG-IRREG", "ELIG-OVULATION")] == [
        ("ELIG-IRREG", "REVIEW", IRREGULAR),
        (
            "ELIG-OVULATION",
            "REVIEW",
            "At 40 or older the timing of ovulation is less predictable; a doctor must confirm the date.",
        ),
        ("ELIG-OVULATION", "REVIEW", AFTER_OVULATION.format("2026-11-21")),
        (
            "ELIG-OVULATION",
            "REVIEW",
            "Your cycle is shorter than 25 days, so ovulation may come early; a doctor must confirm the date.",
        ),
    ]
    assert plan.estimated_ovulation == D(2026, 11, 21)
    assert (plan.cycle_length, plan.cycle_length_assumed, plan.period_start_estimated) == (22, False, False)


def test_a_closed_recommended_day_is_left_out_and_a_provisional_visit_marks_the_plan(rules: Rules) -> None:
    """ELIG-VISIT-DAY / CAL-SOURCE: E+2 closed → only E+3 recommended; visit days in a provisional year count."""
    e = D(2030, 4, 1)
    cal = hand_calendar(years=(2030,), official=(), holidays=[e + _days(2)])
    plan = plan_visit(cycle(e), cal, rules, today=e)
    assert [v.day for v in plan.visit_days] == [e + _days(3)]
    assert all(v.provisional for v in plan.visit_days)
    assert plan.provisional


def test_visit_days_before_today_are_dropped_but_later_ones_kept(rules: Rules) -> None:
    """ELIG-VISIT-DAY: planned on E+4 the recommended days have passed; E+4…E+6 are late visits (REVIEW)."""
    e = D(2030, 4, 1)
    cal = hand_calendar()
    plan = plan_visit(cycle(e), cal, rules, today=e + _days(4))
    assert plan.visit_days == ()
    assert [v.day for v in plan.late_visit_days] == [e + _days(4), e + _days(5), e + _days(6)]
    assert all(v.provisional is False and v.recommended is False for v in plan.late_visit_days)
    assert plan.procedure_dates == [e + _days(5), e + _days(6), e + _days(7)]
    assert plan.today == e + _days(4) and plan.cycle == cycle(e)


def test_a_visit_day_is_offered_only_if_its_test_reaches_a_date_one_or_two_days_later(rules: Rules) -> None:
    """ELIG-VISIT-DAY / BOOK-LEAD: E+4 and E+5 closed → E+3 reaches nothing (itself usable is not enough): only E+2
    is recommended; E+7 closed → E+6 is no late visit though E+6 itself is a usable date."""
    e = D(2030, 4, 1)
    plan = plan_visit(cycle(e), hand_calendar(holidays=[e + _days(4), e + _days(5)]), rules, today=e)
    assert [v.day for v in plan.visit_days] == [e + _days(2)]
    plan = plan_visit(cycle(e), hand_calendar(holidays=[e + _days(7)]), rules, today=e)
    assert [v.day for v in plan.late_visit_days] == [e + _days(4), e + _days(5)]
    assert e + _days(6) in plan.procedure_dates


def test_a_window_running_into_a_provisional_year_marks_the_plan(rules: Rules) -> None:
    """CAL-SOURCE: visits in an official year, part of the window in the next (provisional) one."""
    cal = hand_calendar(years=(2030, 2031), official=(2030,))
    e = D(2030, 12, 25)  # visits E+2 … E+6 end on 12-31; the window's last day E+7 is 2031-01-01
    plan = plan_visit(cycle(e), cal, rules, today=e)
    assert not any(v.provisional for v in (*plan.visit_days, *plan.late_visit_days))
    assert [v.provisional for v in plan.window] == [False, False, False, False, True]
    assert plan.provisional


def test_the_next_cycle_keeps_her_cycle_facts(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-NEXT: the next cycle's dates are judged with her LMP, cycle lengths, age and irregularity."""
    facts = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), shortest=24, longest=33, age=41, irregular=True)
    nxt = plan_visit(facts, calendar, rules, today=D(2026, 9, 28)).next_cycle
    assert nxt is not None
    assert nxt.expected_period_start == D(2026, 10, 18) and nxt.expected_period_start_latest == D(2026, 10, 27)
    first = nxt.window[0]
    assert first.day == D(2026, 10, 25) and first.cycle_day == 8  # LMP of the next cycle: 10-18
    reasons = {f.message.english() for f in first.findings}
    assert "At 40 or older the timing of ovulation is less predictable; a doctor must confirm the date." in reasons
    assert "Your cycle is shorter than 25 days, so ovulation may come early; a doctor must confirm the date." in reasons
    assert IRREGULAR in reasons
    assert AFTER_OVULATION.format("2026-10-27") in reasons  # next LMP + 24 − 14 − 1
    varying = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), shortest=28, longest=40)
    nxt = plan_visit(varying, calendar, rules, today=D(2026, 9, 28)).next_cycle
    assert nxt is not None and IRREGULAR in {f.message.english() for f in nxt.window[0].findings}
    reported = cycle(D(2026, 9, 28), period_start=D(2026, 9, 24), cycle_length=28, irregular=True)
    nxt = plan_visit(reported, calendar, rules, today=D(2026, 9, 28)).next_cycle
    assert nxt is not None and IRREGULAR in {f.message.english() for f in nxt.window[0].findings}


def test_the_next_cycle_counts_cycle_days_from_its_own_first_day(calendar: ClinicCalendar, rules: Rules) -> None:
    """BOOK-NEXT: a 7-day period (LMP 09-22, E 09-28): the next one starts 10-20 and ends 10-26; its window's first
    day (E+3 = 10-29) is cycle day 10 of it — counted from its first day, not from an assumed 5-day period."""
    facts = cycle(D(2026, 9, 28), period_start=D(2026, 9, 22), cycle_length=28)
    nxt = plan_visit(facts, calendar, rules, today=D(2026, 9, 28)).next_cycle
    assert nxt is not None
    assert (nxt.expected_period_start, nxt.expected_period_end) == (D(2026, 10, 20), D(2026, 10, 26))
    assert (nxt.window[0].day, nxt.window[0].cycle_day) == (D(2026, 10, 29), 10)


@pytest.mark.parametrize(
    ("facts", "estimated"),
    [
        ({"period_start": D(2026, 9, 24), "cycle_length": 28}, False),
        ({"period_start": D(2026, 9, 24)}, True),
        ({"cycle_length": 28}, True),
        ({}, True),
    ],
)
def test_the_next_cycle_is_an_estimate_unless_she_gave_both_lmp_and_cycle(
    calendar: ClinicCalendar, rules: Rules, facts: dict[str, object], estimated: bool
) -> None:
    nxt = plan_visit(cycle(D(2026, 9, 28), **facts), calendar, rules, today=D(2026, 9, 28)).next_cycle  # type: ignore[arg-type]
    assert nxt is not None and nxt.estimated is estimated


def test_with_a_two_day_lead_a_visit_must_reach_exactly_two_days_later(rules: Rules) -> None:
    """BOOK-LEAD (a setting): with T+2 only, E+4 closed drops E+2 (it reaches nothing) but keeps E+3 (→ E+5); E+6
    closed drops the late visit E+4 but keeps E+5 (→ E+7)."""
    e = D(2030, 4, 1)
    two = Rules(lead_min_days=2, lead_max_days=2)
    plan = plan_visit(cycle(e), hand_calendar(holidays=[e + _days(4)]), two, today=e)
    assert [v.day for v in plan.visit_days] == [e + _days(3)]
    plan = plan_visit(cycle(e), hand_calendar(holidays=[e + _days(6)]), two, today=e)
    assert [v.day for v in plan.late_visit_days] == [e + _days(5)]
