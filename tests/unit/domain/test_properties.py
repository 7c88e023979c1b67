"""Property-based tests (hypothesis) for the calendar and window arithmetic.

BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, ELIG-VISIT-DAY (planning), REPORT-READY, CAL-OPEN, CARE-*.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.booking import offer_dates
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.planning import plan_visit
from hsgclinic.domain.report import ContrastKind, report_ready_on
from hsgclinic.domain.rules import Rules

from .factories import D, hand_calendar
from .test_clinic_calendar import BREAKS_2026

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = Rules()
FIRST_END = D(2020, 1, 1)
LAST_END = D(2026, 12, 10)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@st.composite
def cycles(draw: st.DrawFn) -> CycleFacts:
    """Plausible cycle facts with the period ending in 2020–2026 (the officially known years)."""
    period_end = draw(st.dates(min_value=FIRST_END, max_value=LAST_END))
    period_days = draw(st.integers(min_value=2, max_value=8))
    known_start = draw(st.booleans())
    shortest = draw(st.one_of(st.none(), st.integers(min_value=21, max_value=40)))
    longest = None if shortest is None else draw(st.integers(min_value=shortest, max_value=shortest + 10))
    return CycleFacts(
        period_end=period_end,
        period_start=period_end - _days(period_days - 1) if known_start else None,
        shortest_cycle=shortest,
        longest_cycle=longest,
        age=draw(st.one_of(st.none(), st.integers(min_value=20, max_value=45))),
        irregular=draw(st.booleans()),
    )


def _assert_offerable(day: dt.date, facts: CycleFacts, calendar: ClinicCalendar, today: dt.date) -> None:
    assert calendar.is_open(day), day
    assert facts.after_period(RULES.window_first_offset) <= day <= facts.after_period(RULES.window_last_offset)
    assert day >= today


@FAST
@given(
    facts=cycles(),
    test_offset=st.integers(min_value=0, max_value=9),
    today_lag=st.integers(min_value=0, max_value=2),
    places=st.tuples(st.integers(min_value=0, max_value=3), st.integers(min_value=0, max_value=3)),
)
def test_every_offered_date_is_open_in_the_window_one_or_two_days_after_the_test_with_a_place(
    calendar: ClinicCalendar, facts: CycleFacts, test_offset: int, today_lag: int, places: tuple[int, int]
) -> None:
    """BOOK-WINDOW / BOOK-LEAD / BOOK-OPEN: offer_dates only offers open days in E+3…E+7, T+1…T+2, with a place."""
    t = facts.after_period(test_offset)
    today = t + _days(today_lag)
    places_left = {t + _days(1): places[0], t + _days(2): places[1]}
    options = offer_dates(
        test_date=t, cycle=facts, calendar=calendar, places_left=places_left, rules=RULES, today=today
    )
    for offer in options.offers:
        _assert_offerable(offer.day, facts, calendar, today)
        assert 1 <= (offer.day - t).days <= 2
        assert offer.places_left > 0 and places_left[offer.day] == offer.places_left
    assert len(options.offers) + len(options.refused) == 2
    assert (options.next_cycle_start is None) == bool(options.offers)


@FAST
@given(
    holidays=st.sets(st.dates(min_value=D(2030, 3, 1), max_value=D(2030, 3, 31)), max_size=12),
    period_end=st.dates(min_value=D(2030, 3, 1), max_value=D(2030, 3, 20)),
    test_offset=st.integers(min_value=1, max_value=6),
)
def test_offers_on_a_hand_built_calendar_avoid_every_closed_day(
    holidays: set[dt.date], period_end: dt.date, test_offset: int
) -> None:
    """BOOK-OPEN: whatever days are closed, none is offered; an open day in range with a place always is."""
    cal = hand_calendar(years=[2030], holidays=holidays)
    facts = CycleFacts(period_end, period_end - _days(4), 28, 28)
    t = period_end + _days(test_offset)
    candidates = [t + _days(1), t + _days(2)]
    options = offer_dates(
        test_date=t, cycle=facts, calendar=cal, places_left=dict.fromkeys(candidates, 5), rules=RULES, today=t
    )
    expected = [d for d in candidates if d not in holidays and 3 <= (d - period_end).days <= 7]
    assert sorted(options.dates) == expected


@FAST
@given(facts=cycles(), today_lag=st.integers(min_value=0, max_value=10))
def test_every_planned_procedure_date_is_open_in_the_window_and_not_past(
    calendar: ClinicCalendar, facts: CycleFacts, today_lag: int
) -> None:
    """BOOK-WINDOW / BOOK-OPEN / BOOK-LEAD: plan_visit's procedure dates are open, in E+3…E+7, not before today,
    and reachable from an open visit day 1–2 days earlier that is not in the past."""
    today = facts.period_end + _days(today_lag)
    plan = plan_visit(facts, calendar, RULES, today=today)
    visits = {v.day for v in (*plan.visit_days, *plan.late_visit_days)}
    for day in plan.procedure_dates:
        _assert_offerable(day, facts, calendar, today)
        assert any(day - _days(lead) in visits for lead in (1, 2)), day
    for v in plan.visit_days:
        assert calendar.is_open(v.day) and v.day >= today
        assert 2 <= (v.day - facts.period_end).days <= 3
    if not plan.procedure_dates:
        assert plan.next_cycle is not None
        assert plan.next_cycle.expected_period_start > facts.period_end
        assert any(f.rule == "BOOK-NEXT" for f in plan.findings)
    else:
        assert plan.report_ready_on == report_ready_on(plan.procedure_dates[0], calendar)


@FAST
@example(facts=CycleFacts(period_end=D(2025, 5, 14)), today_lag=60)  # issue 11 (a): was "next cycle 2025-06-13"
@given(facts=cycles(), today_lag=st.integers(min_value=0, max_value=100))
def test_the_next_cycle_is_never_in_the_past(calendar: ClinicCalendar, facts: CycleFacts, today_lag: int) -> None:
    """BOOK-NEXT / ELIG-PREG: whenever this cycle cannot work, either every next-cycle date is today or later, or
    (the period overdue: today − LMP ≥ the longest cycle) the plan says plainly it is too old to plan from."""
    today = facts.period_end + _days(today_lag)
    plan = plan_visit(facts, calendar, RULES, today=today)
    lmp, _ = facts.estimated_period_start(RULES)
    longest, _ = facts.longest(RULES)
    overdue = (today - lmp).days >= longest
    assert plan.overdue is overdue
    assert ("ELIG-PREG" in {f.rule for f in plan.findings}) is overdue
    nxt = plan.next_cycle
    if plan.procedure_dates:
        assert nxt is None
    elif overdue:
        assert nxt is None
        message = next(f.message for f in plan.findings if f.rule == "BOOK-NEXT")
        assert message.params == {"start": lmp, "days": (today - lmp).days}
    else:
        assert nxt is not None
        assert today <= nxt.expected_period_start <= nxt.expected_period_end
        assert nxt.expected_period_start <= nxt.expected_period_start_latest
        assert all(v.day >= today for v in nxt.visit_days)
        assert all(v.day >= today for v in nxt.window)


@FAST
@example(day=D(2020, 1, 23))
@given(day=st.dates(min_value=D(2020, 1, 1), max_value=D(2027, 12, 20)))
def test_report_is_ready_on_the_next_working_day_strictly_after_the_procedure(
    calendar: ClinicCalendar, day: dt.date
) -> None:
    """REPORT-READY: a working day strictly after D, with no working day in between."""
    ready = report_ready_on(day, calendar)
    assert ready > day
    assert calendar.is_working_day(ready)
    between = day + _days(1)
    while between < ready:
        assert not calendar.is_working_day(between)
        between += _days(1)
    # The longest official break since 2020 is the extended Spring Festival of 2020 (Jan 24 – Feb 2, then the
    # weekend): a report is never more than two weeks away.
    assert (ready - day).days <= 14


CLOSED_2026 = {first + _days(i) for _, first, last in BREAKS_2026 for i in range((last - first).days + 1)}


@FAST
@given(day=st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31)))
def test_the_2026_breaks_of_domain_md_are_closed_and_nothing_else(calendar: ClinicCalendar, day: dt.date) -> None:
    """CAL-OPEN: a 2026 day is closed exactly when it lies in one of domain.md's 2026 breaks."""
    assert calendar.is_open(day) is (day not in CLOSED_2026)


@FAST
@given(
    day=st.dates(min_value=D(2020, 1, 1), max_value=D(2027, 12, 1)),
    antibiotic_days=st.integers(min_value=3, max_value=5),
    cycle_length=st.one_of(st.none(), st.integers(min_value=21, max_value=40)),
    oil=st.booleans(),
    lmp_back=st.integers(min_value=5, max_value=12),
)
def test_aftercare_dates_are_in_order(
    calendar: ClinicCalendar,
    day: dt.date,
    antibiotic_days: int,
    cycle_length: int | None,
    oil: bool,
    lmp_back: int,
) -> None:
    """CARE-ANTIBIOTIC / CARE-BLEED / CARE-ABSTAIN / CARE-CONCEIVE / CARE-ECTOPIC / CARE-REPORT:
    D < antibiotics end (D+2…D+4) < bleeding stops (D+7) < abstain through (D+14) < resume (D+15)
    ≤ conceive from < pregnancy test; report after D."""
    plan = plan_aftercare(
        day,
        calendar,
        RULES,
        antibiotic_days=antibiotic_days,
        contrast=ContrastKind.OIL if oil else ContrastKind.WATER,
        period_start=day - _days(lmp_back),
        cycle_length=cycle_length,
    )
    assert day <= plan.antibiotics_through == day + _days(antibiotic_days - 1)
    assert plan.antibiotics_through < plan.bleeding_stops_by == day + _days(7)
    assert plan.bleeding_stops_by < plan.abstain_through == day + _days(14)
    assert plan.resume_from == plan.abstain_through + _days(1)
    assert plan.conceive_from is not None and plan.pregnancy_test_from is not None
    assert plan.resume_from <= plan.conceive_from < plan.pregnancy_test_from
    assert day < plan.report_ready_on
    dated = [i.day for i in plan.items if i.day is not None]
    assert all(d >= day for d in dated)
