"""Procedure booking (BOOK-WINDOW, BOOK-LEAD, BOOK-OPEN, BOOK-NEXT): which dates may be offered, best first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.findings import Finding, Outcome, overall
from hsgclinic.domain.messages import N_
from hsgclinic.domain.procedure_window import DateVerdict, judge_procedure_date
from hsgclinic.domain.rules import Rules


@dataclass(frozen=True)
class DateOffer:
    day: dt.date
    places_left: int
    verdict: DateVerdict

    @property
    def needs_review(self) -> bool:
        return self.verdict.outcome is Outcome.REVIEW


@dataclass(frozen=True)
class BookingOptions:
    offers: tuple[DateOffer, ...]  # best first: no review needed, then earliest (furthest from ovulation)
    refused: tuple[DateVerdict, ...]  # candidate dates that may not be offered, with their reasons
    next_cycle_start: dt.date | None  # BOOK-NEXT: set when nothing can be offered

    @property
    def dates(self) -> list[dt.date]:
        return [o.day for o in self.offers]


def capacity_finding(day: dt.date, places_left: int) -> Finding | None:
    if places_left > 0:
        return None
    return Finding("BOOK-OPEN", Outcome.BLOCK, N_("No procedure places are left on {day}.", day=day))


def judge_booking(
    day: dt.date,
    *,
    test_date: dt.date,
    cycle: CycleFacts,
    calendar: ClinicCalendar,
    places_left: int,
    rules: Rules,
    today: dt.date,
) -> DateVerdict:
    """Every rule for booking ``day``; the booking service refuses a BLOCK with these rule IDs."""
    verdict = judge_procedure_date(day, cycle, calendar, rules, today=today, test_date=test_date)
    full = capacity_finding(day, places_left)
    if full is None:
        return verdict
    findings = (*verdict.findings, full)
    return DateVerdict(
        day=day,
        outcome=overall(findings),
        findings=findings,
        provisional=verdict.provisional,
        closure=verdict.closure,
        cycle_day=verdict.cycle_day,
    )


def offer_dates(
    *,
    test_date: dt.date,
    cycle: CycleFacts,
    calendar: ClinicCalendar,
    places_left: Mapping[dt.date, int],
    rules: Rules,
    today: dt.date,
    protected_places: int = 0,
) -> BookingOptions:
    """The dates that may be offered after a leukorrhea test passed on ``test_date``, best first.

    Candidates are T+lead_min … T+lead_max; each must also be in the window, open, not past and have a place.
    ``places_left`` maps a day to its remaining capacity (a missing day has none). Best first is: no review
    needed, then earliest (furthest from ovulation) — and, with ``protected_places`` > 0 (BOOK-PROTECT), a day
    down to its last ``protected_places`` places goes after a later date of hers that has more, so those last
    places stay for women whose window closes on that day. The order changes; no date is ever withheld.
    """
    offers: list[DateOffer] = []
    refused: list[DateVerdict] = []
    for lead in range(rules.lead_min_days, rules.lead_max_days + 1):
        day = test_date + dt.timedelta(days=lead)
        left = places_left.get(day, 0)
        verdict = judge_booking(
            day,
            test_date=test_date,
            cycle=cycle,
            calendar=calendar,
            places_left=left,
            rules=rules,
            today=today,
        )
        if verdict.usable:
            offers.append(DateOffer(day, left, verdict))
        else:
            refused.append(verdict)
    candidates = tuple(offers)
    offers.sort(key=lambda o: (o.needs_review, _held_back(o, candidates, protected_places), o.day))
    next_start: dt.date | None = None
    if not offers:
        lmp, _ = cycle.estimated_period_start(rules)
        shortest, _ = cycle.shortest(rules)
        next_start = lmp + dt.timedelta(days=shortest)
    return BookingOptions(tuple(offers), tuple(refused), next_start)


def _held_back(offer: DateOffer, offers: tuple[DateOffer, ...], protected_places: int) -> bool:
    """BOOK-PROTECT: ``offer`` is down to its protected places and a later date (same review need) has more."""
    if offer.places_left > protected_places:
        return False
    return any(
        o.day > offer.day and o.needs_review == offer.needs_review and o.places_left > protected_places for o in offers
    )


def slot_times(first_slot: dt.time, slot_minutes: int, capacity: int) -> list[dt.time]:
    """BOOK-OPEN: the day's time slots, every ``slot_minutes`` from ``first_slot``, one per place."""
    start = dt.datetime.combine(dt.date(2000, 1, 1), first_slot)
    return [(start + dt.timedelta(minutes=slot_minutes * i)).time() for i in range(capacity)]
