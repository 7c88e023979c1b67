"""Judging one candidate procedure date: BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, ELIG-OVULATION, ELIG-IRREG.

Every date gets a verdict with all its reasons, not just the first: the pages and the CLI show why a date
is or isn't usable, and the booking service refuses a date with the rule IDs that forbid it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar, Closure
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.findings import Finding, Outcome, overall
from hsgclinic.domain.messages import N_
from hsgclinic.domain.rules import Rules


@dataclass(frozen=True)
class DateVerdict:
    day: dt.date
    outcome: Outcome
    findings: tuple[Finding, ...]
    provisional: bool
    closure: Closure | None
    cycle_day: int

    @property
    def usable(self) -> bool:
        """Usable dates may still need a doctor's confirmation (REVIEW); BLOCK dates are never offered."""
        return self.outcome is not Outcome.BLOCK


def window_days(cycle: CycleFacts, rules: Rules) -> list[dt.date]:
    """BOOK-WINDOW: E+3 … E+7."""
    return [cycle.after_period(n) for n in range(rules.window_first_offset, rules.window_last_offset + 1)]


def in_window(day: dt.date, cycle: CycleFacts, rules: Rules) -> bool:
    return cycle.after_period(rules.window_first_offset) <= day <= cycle.after_period(rules.window_last_offset)


def ovulation_findings(day: dt.date, cycle: CycleFacts, rules: Rules) -> list[Finding]:
    """ELIG-OVULATION (and ELIG-IRREG) reasons for a procedure on ``day``; empty when none applies."""
    found: list[Finding] = []
    ovulation = cycle.estimated_ovulation(rules)
    shortest, _ = cycle.shortest(rules)
    cycle_day = cycle.cycle_day(day, rules)
    if day >= ovulation - dt.timedelta(days=rules.ovulation_margin_days):
        found.append(
            Finding(
                "ELIG-OVULATION",
                Outcome.REVIEW,
                N_(
                    "The procedure may fall after ovulation (estimated ovulation {ovulation}); "
                    "a doctor must confirm the date.",
                    ovulation=ovulation,
                ),
            )
        )
    if shortest < rules.min_regular_cycle_days:
        found.append(
            Finding(
                "ELIG-OVULATION",
                Outcome.REVIEW,
                N_(
                    "Your cycle is shorter than {days} days, so ovulation may come early; "
                    "a doctor must confirm the date.",
                    days=rules.min_regular_cycle_days,
                ),
            )
        )
    if cycle_day > rules.max_cycle_day_for_procedure:
        found.append(
            Finding(
                "ELIG-OVULATION",
                Outcome.REVIEW,
                N_(
                    "That day is cycle day {cycle_day}, later than day {limit}; "
                    "the procedure may fall after ovulation.",
                    cycle_day=cycle_day,
                    limit=rules.max_cycle_day_for_procedure,
                ),
            )
        )
    if cycle.age is not None and cycle.age >= rules.review_age:
        found.append(
            Finding(
                "ELIG-OVULATION",
                Outcome.REVIEW,
                N_(
                    "At {age} or older the timing of ovulation is less predictable; a doctor must confirm the date.",
                    age=rules.review_age,
                ),
            )
        )
    if cycle.is_irregular(rules):
        found.append(
            Finding(
                "ELIG-IRREG",
                Outcome.REVIEW,
                N_(
                    "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; "
                    "a doctor must confirm the date."
                ),
            )
        )
    return found


def _closure_finding(closure: Closure) -> Finding:
    return Finding(
        "BOOK-OPEN",
        Outcome.BLOCK,
        N_("The clinic is closed that day ({name}).", name=closure.name),
    )


def provisional_finding(day: dt.date, calendar: ClinicCalendar) -> Finding:
    """CAL-SOURCE: why ``day`` is provisional — its year is not announced yet, or older than the official data."""
    if calendar.official_from is not None and day.year < calendar.official_from:
        message = N_(
            "The clinic has no official holiday calendar for {year}; this date is provisional.",
            year=day.year,
        )
    else:
        message = N_(
            "The official holiday calendar for {year} is not published yet; this date is provisional.",
            year=day.year,
        )
    return Finding("CAL-SOURCE", Outcome.PASS, message)


def judge_procedure_date(
    day: dt.date,
    cycle: CycleFacts,
    calendar: ClinicCalendar,
    rules: Rules,
    *,
    today: dt.date,
    test_date: dt.date | None,
) -> DateVerdict:
    """All reasons for or against a procedure on ``day``.

    With ``test_date`` (the day the leukorrhea test passed) BOOK-LEAD is checked exactly; without it
    (planning) the date must be reachable from some visit day from ``today`` on, and a date reachable only
    from a visit later than recommended is REVIEW (ELIG-VISIT-DAY).
    """
    found: list[Finding] = []
    closure = calendar.closure(day)
    if not in_window(day, cycle, rules):
        found.append(
            Finding(
                "BOOK-WINDOW",
                Outcome.BLOCK,
                N_(
                    "The procedure must be on day {first}–{last} after your period ended ({start} to {end}).",
                    first=rules.window_first_offset,
                    last=rules.window_last_offset,
                    start=cycle.after_period(rules.window_first_offset),
                    end=cycle.after_period(rules.window_last_offset),
                ),
            )
        )
    if day < today:
        found.append(Finding("BOOK-WINDOW", Outcome.BLOCK, N_("This date has already passed.")))
    if closure is not None:
        found.append(_closure_finding(closure))
    if test_date is not None:
        lead = (day - test_date).days
        if not rules.lead_min_days <= lead <= rules.lead_max_days:
            found.append(
                Finding(
                    "BOOK-LEAD",
                    Outcome.BLOCK,
                    N_(
                        "The procedure is booked {low}–{high} days after the leukorrhea test passed "
                        "({start} to {end}).",
                        low=rules.lead_min_days,
                        high=rules.lead_max_days,
                        start=test_date + dt.timedelta(days=rules.lead_min_days),
                        end=test_date + dt.timedelta(days=rules.lead_max_days),
                    ),
                )
            )
    else:
        found.extend(_reachability(day, cycle, calendar, rules, today))
    found.extend(ovulation_findings(day, cycle, rules))
    provisional = calendar.is_provisional(day)
    if provisional:
        found.append(provisional_finding(day, calendar))
    return DateVerdict(
        day=day,
        outcome=overall(found),
        findings=tuple(found),
        provisional=provisional,
        closure=closure,
        cycle_day=cycle.cycle_day(day, rules),
    )


def visit_days_reaching(
    day: dt.date, cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, today: dt.date
) -> list[dt.date]:
    """Open visit days from ``today`` on (not before E+first visit offset) whose test reaches ``day`` (BOOK-LEAD)."""
    earliest_visit = cycle.after_period(rules.visit_first_offset)
    days = []
    for lead in range(rules.lead_max_days, rules.lead_min_days - 1, -1):
        visit = day - dt.timedelta(days=lead)
        if visit >= today and visit >= earliest_visit and calendar.covers(visit) and calendar.is_open(visit):
            days.append(visit)
    return days


def _reachability(
    day: dt.date, cycle: CycleFacts, calendar: ClinicCalendar, rules: Rules, today: dt.date
) -> list[Finding]:
    visits = visit_days_reaching(day, cycle, calendar, rules, today)
    if not visits:
        return [
            Finding(
                "BOOK-LEAD",
                Outcome.BLOCK,
                N_(
                    "No open visit day {low}–{high} days before this date is left for the leukorrhea test.",
                    low=rules.lead_min_days,
                    high=rules.lead_max_days,
                ),
            )
        ]
    last_recommended = cycle.after_period(rules.visit_last_offset)
    if all(v > last_recommended for v in visits):
        return [
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.REVIEW,
                N_(
                    "Reaching this date needs a visit on {visit}, later than the recommended day {first}–{last} "
                    "after your period; a doctor must confirm.",
                    visit=visits[0],
                    first=rules.visit_first_offset,
                    last=rules.visit_last_offset,
                ),
            )
        ]
    return []
