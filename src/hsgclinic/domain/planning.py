"""Cycle planning: from the day the period ended to her own dates (visit, window, ovulation, next cycle).

Implements the planning side of ELIG-VISIT-DAY, BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, ELIG-OVULATION, ELIG-IRREG,
ELIG-PREG (overdue period) and BOOK-NEXT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_
from hsgclinic.domain.procedure_window import DateVerdict, judge_procedure_date, window_days
from hsgclinic.domain.report import report_ready_on
from hsgclinic.domain.rules import Rules


@dataclass(frozen=True)
class VisitDay:
    day: dt.date
    recommended: bool  # E+2 / E+3; a later visit needs a doctor's review (ELIG-VISIT-DAY)
    provisional: bool


@dataclass(frozen=True)
class NextCycle:
    """BOOK-NEXT: the next cycle's expected dates when this cycle cannot work (never a date before today)."""

    expected_period_start: dt.date
    expected_period_start_latest: dt.date
    expected_period_end: dt.date
    visit_days: tuple[VisitDay, ...]
    window: tuple[DateVerdict, ...]
    estimated: bool
    provisional: bool = False  # CAL-SOURCE: a date of it falls in a year without official holiday data


@dataclass(frozen=True)
class VisitPlan:
    today: dt.date
    cycle: CycleFacts
    period_start: dt.date
    period_start_estimated: bool
    cycle_length: int
    cycle_length_assumed: bool
    abstain_from: dt.date  # no intercourse from the end of the period until the procedure (ELIG-ABSTAIN)
    visit_days: tuple[VisitDay, ...]  # recommended visit days still ahead (open days only)
    late_visit_days: tuple[VisitDay, ...]  # later visit days that still reach a procedure date (REVIEW)
    latest_visit_day: dt.date | None
    window: tuple[DateVerdict, ...]
    estimated_ovulation: dt.date
    report_ready_on: dt.date | None  # for the earliest usable procedure date (REPORT-READY)
    next_cycle: NextCycle | None  # None when this cycle works, or when the last period is too old to plan from
    findings: tuple[Finding, ...]
    provisional: bool
    overdue: bool = False  # ELIG-PREG: today − LMP ≥ the longest usual cycle (or the assumed length)

    @property
    def procedure_dates(self) -> list[dt.date]:
        return [v.day for v in self.window if v.usable]


def _visit_days(
    cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, today: dt.date, window: list[DateVerdict]
) -> tuple[list[VisitDay], list[VisitDay]]:
    """Recommended visit days (E+2, E+3, open, from today) and later visits that still reach a usable date."""
    recommended: list[VisitDay] = []
    for n in range(rules.visit_first_offset, rules.visit_last_offset + 1):
        d = cycle.after_period(n)
        if d >= today and calendar.is_open(d):
            recommended.append(VisitDay(d, True, calendar.is_provisional(d)))
    usable = {v.day for v in window if v.usable}
    late: list[VisitDay] = []
    d = cycle.after_period(rules.visit_last_offset + 1)
    last_procedure = cycle.after_period(rules.window_last_offset)
    while d < last_procedure:
        reaches = any(
            d + dt.timedelta(days=lead) in usable for lead in range(rules.lead_min_days, rules.lead_max_days + 1)
        )
        if d >= today and calendar.is_open(d) and reaches:
            late.append(VisitDay(d, False, calendar.is_provisional(d)))
        d += dt.timedelta(days=1)
    # A recommended day that reaches no usable date is no use to her: keep only those that do.
    recommended = [
        v
        for v in recommended
        if any(
            v.day + dt.timedelta(days=lead) in usable for lead in range(rules.lead_min_days, rules.lead_max_days + 1)
        )
    ]
    return recommended, late


def _judge_window(cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, today: dt.date) -> list[DateVerdict]:
    return [
        judge_procedure_date(d, cycle, calendar, rules, today=today, test_date=None) for d in window_days(cycle, rules)
    ]


def _next_cycle(cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, today: dt.date) -> NextCycle:
    """The next cycle from LMP + the shortest cycle; a start that has passed without a new period is today."""
    lmp, lmp_estimated = cycle.estimated_period_start(rules)
    shortest, assumed = cycle.shortest(rules)
    longest, _ = cycle.longest(rules)
    start = max(lmp + dt.timedelta(days=shortest), today)
    period_days = (cycle.period_end - lmp).days
    end = start + dt.timedelta(days=period_days)
    nxt = CycleFacts(
        period_end=end,
        period_start=start,
        shortest_cycle=cycle.shortest_cycle,
        longest_cycle=cycle.longest_cycle,
        age=cycle.age,
        irregular=cycle.irregular,
    )
    # Planned as seen from the day the next period ends: every date of that cycle is still ahead.
    window = _judge_window(nxt, calendar, rules, today=end)
    recommended, late = _visit_days(nxt, calendar, rules, end, window)
    visits = tuple(recommended + late)
    shown = [start, end, *(v.day for v in visits), *(v.day for v in window)]
    return NextCycle(
        expected_period_start=start,
        expected_period_start_latest=lmp + dt.timedelta(days=longest),
        expected_period_end=end,
        visit_days=visits,
        window=tuple(window),
        estimated=lmp_estimated or assumed,
        provisional=any(calendar.is_provisional(d) for d in shown),
    )


def plan_visit(cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, *, today: dt.date) -> VisitPlan:
    """Her own dates for this cycle, every rule's reason, and the next cycle's dates when this one can't work.

    Raises :class:`~hsgclinic.domain.cycle.CycleInputError` for impossible input.
    """
    cycle.validate(today, rules)
    lmp, lmp_estimated = cycle.estimated_period_start(rules)
    length, assumed = cycle.usual(rules)
    window = _judge_window(cycle, calendar, rules, today)
    recommended, late = _visit_days(cycle, calendar, rules, today, window)
    all_visits = [v.day for v in recommended + late]
    usable = [v for v in window if v.usable]
    findings: list[Finding] = []

    if recommended:
        findings.append(
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.PASS,
                N_(
                    "Come for the screening visit and leukorrhea test on day {first}–{last} after your period "
                    "ended: {days}.",
                    first=rules.visit_first_offset,
                    last=rules.visit_last_offset,
                    days=tuple(v.day for v in recommended),
                ),
            )
        )
    elif late:
        findings.append(
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.REVIEW,
                N_(
                    "The recommended visit days have passed or the clinic is closed then; a visit by {latest} "
                    "still reaches a procedure date if a doctor agrees.",
                    latest=all_visits[-1],
                ),
            )
        )

    longest, _ = cycle.longest(rules)
    since_lmp = (today - lmp).days
    overdue = since_lmp >= longest
    if overdue:
        findings.append(
            Finding(
                "ELIG-PREG",
                Outcome.BLOCK,
                N_(
                    "Your period is overdue: {days} days since it began on {start}, and your longest usual cycle "
                    "is {longest} days. A negative pregnancy (hCG) test is needed first.",
                    days=since_lmp,
                    start=lmp,
                    longest=longest,
                ),
            )
        )
    if cycle.is_irregular(rules):
        findings.append(
            Finding(
                "ELIG-IRREG",
                Outcome.REVIEW,
                N_(
                    "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; "
                    "a doctor must confirm the date."
                ),
            )
        )
    reviewed = {f.message for v in usable for f in v.findings if f.rule == "ELIG-OVULATION"}
    for message in sorted(reviewed, key=lambda m: m.msgid):
        findings.append(Finding("ELIG-OVULATION", Outcome.REVIEW, message))

    next_cycle: NextCycle | None = None
    if not usable and overdue:
        # Her next period should have come: projecting cycles from this one would only guess (BOOK-NEXT).
        findings.append(
            Finding(
                "BOOK-NEXT",
                Outcome.BLOCK,
                N_(
                    "Your last period began on {start}, {days} days ago: it is too old to plan from. Plan again "
                    "from the day your next period ends; if it does not come, see a doctor.",
                    start=lmp,
                    days=since_lmp,
                ),
            )
        )
    elif not usable:
        next_cycle = _next_cycle(cycle, calendar, rules, today)
        findings.append(
            Finding(
                "BOOK-NEXT",
                Outcome.BLOCK,
                N_(
                    "No date in this cycle meets every rule, so nothing should be booked now. Your next period is "
                    "expected around {start}; come on day {first}–{last} after it ends.",
                    start=next_cycle.expected_period_start,
                    first=rules.visit_first_offset,
                    last=rules.visit_last_offset,
                ),
            )
        )
    else:
        findings.append(
            Finding(
                "BOOK-WINDOW",
                Outcome.PASS,
                N_(
                    "Procedure dates that work this cycle: {days}.",
                    days=tuple(v.day for v in usable),
                ),
            )
        )

    provisional = (
        any(v.provisional for v in window)
        or any(calendar.is_provisional(d) for d in all_visits)
        or (next_cycle is not None and next_cycle.provisional)
    )
    ready = report_ready_on(usable[0].day, calendar) if usable else None
    return VisitPlan(
        today=today,
        cycle=cycle,
        period_start=lmp,
        period_start_estimated=lmp_estimated,
        cycle_length=length,
        cycle_length_assumed=assumed,
        abstain_from=cycle.period_end,
        visit_days=tuple(recommended),
        late_visit_days=tuple(late),
        latest_visit_day=all_visits[-1] if all_visits else None,
        window=tuple(window),
        estimated_ovulation=cycle.estimated_ovulation(rules),
        report_ready_on=ready,
        next_cycle=next_cycle,
        findings=tuple(findings),
        provisional=provisional,
        overdue=overdue,
    )
