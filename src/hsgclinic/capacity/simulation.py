"""Day-by-day simulation of the pathway: each simulated woman plans, takes a number, is screened and booked by the
real domain functions; a cycle with no usable date rolls over (BOOK-NEXT) and counts as a lost cycle.

One simulated day: the women whose period ended that day plan their visit (``plan_visit``); the women who want a
number that day take one in the order of the 07:00 rush (REG-QUOTA; a woman who finds the day sold out tries her
next visit day); the women seen pass or fail screening (the scenario's share) or do not come (no-show); the desk
books each woman who passed, in queue order, on the first date ``offer_dates`` offers (BOOK-LEAD, BOOK-OPEN,
BOOK-PROTECT). No offer → BOOK-NEXT: she loses the cycle and plans again when her next period ends.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from hsgclinic.capacity.population import Woman
from hsgclinic.domain.booking import offer_dates
from hsgclinic.domain.clinic_calendar import ClinicCalendar, ClosureKind
from hsgclinic.domain.planning import plan_visit
from hsgclinic.domain.procedure_window import DateVerdict
from hsgclinic.domain.rules import Rules

ONE_DAY = dt.timedelta(days=1)
CAUSES = ("holiday", "closure", "numbers", "capacity")  # why a cycle was lost
Progress = Callable[[int, int], None]  # (days done, days in all)


@dataclass(frozen=True)
class Scenario:
    """What the clinic offers over the period; every field is what a what-if may change."""

    first: dt.date
    last: dt.date
    calendar: ClinicCalendar
    rules: Rules
    daily_numbers: int  # REG-QUOTA
    procedure_capacity: int  # BOOK-OPEN
    extra_places: Mapping[dt.date, int] = field(default_factory=lambda: MappingProxyType({}))
    extra_numbers: Mapping[dt.date, int] = field(default_factory=lambda: MappingProxyType({}))
    protected_places: int = 0  # the desk's booking policy (BOOK-PROTECT); 0 = best first for the one woman
    reachable_visits: bool = False  # a woman with a later visit day skips a day whose T+1/T+2 have no place

    def places(self, day: dt.date) -> int:
        if not self.calendar.is_open(day):
            return 0
        return max(0, self.procedure_capacity + self.extra_places.get(day, 0))

    def numbers(self, day: dt.date) -> int:
        if not self.calendar.is_open(day):
            return 0
        return max(0, self.daily_numbers + self.extra_numbers.get(day, 0))


@dataclass(frozen=True)
class Attempt:
    """One cycle of one woman: how it ended."""

    woman: int
    cycle: int
    period_end: dt.date
    outcome: str  # "done", "lost", "fail" (screening), "noshow"
    cause: str | None = None  # for "lost": one of CAUSES
    visit: dt.date | None = None
    procedure: dt.date | None = None

    @property
    def window_start(self) -> dt.date:
        return self.period_end + dt.timedelta(days=3)


@dataclass
class SimResult:
    scenario: Scenario
    women: int
    attempts: list[Attempt]
    waits: list[int]  # days from her first wish (the day her first period ended) to the procedure
    numbers_used: dict[dt.date, int]
    booked: dict[dt.date, int]

    @property
    def lost(self) -> Counter[str]:
        return Counter(a.cause for a in self.attempts if a.outcome == "lost" and a.cause is not None)

    @property
    def lost_total(self) -> int:
        return sum(1 for a in self.attempts if a.outcome == "lost")

    def outcomes(self) -> Counter[str]:
        return Counter(a.outcome for a in self.attempts)


def closure_cause(calendar: ClinicCalendar, days: Sequence[dt.date]) -> str | None:
    """'holiday' when a statutory break falls on ``days``, 'closure' for a clinic-only closure, else None."""
    kinds = {c.kind for d in days if calendar.covers(d) and (c := calendar.closure(d)) is not None}
    if ClosureKind.STATUTORY in kinds:
        return "holiday"
    if ClosureKind.CLINIC in kinds:
        return "closure"
    return None


def _cycle_days(period_end: dt.date, rules: Rules) -> list[dt.date]:
    return [period_end + dt.timedelta(days=n) for n in range(rules.visit_first_offset, rules.window_last_offset + 1)]


def _desk_cause(refused: Sequence[DateVerdict], places: Mapping[dt.date, int], scenario: Scenario) -> str:
    """Why the desk had nothing to offer: a date blocked only because it was full is capacity."""
    for v in refused:
        if places.get(v.day, 0) <= 0 and v.closure is None and scenario.places(v.day) > 0:
            return "capacity"
    return closure_cause(scenario.calendar, [v.day for v in refused]) or "capacity"


def visit_candidates(scenario: Scenario, woman: Woman, k: int) -> tuple[list[dt.date], str | None]:
    """Her visit days this cycle as ``plan_visit`` gives them (recommended, then later ones a doctor may accept),
    or the reason there are none (a closure or holiday on her window: BOOK-NEXT)."""
    plan = plan_visit(woman.facts(k), scenario.calendar, scenario.rules, today=woman.period_ends[k])
    days = [v.day for v in (*plan.visit_days, *plan.late_visit_days)]
    if days:
        return days, None
    cause = closure_cause(scenario.calendar, _cycle_days(woman.period_ends[k], scenario.rules))
    return [], cause or "holiday"


def _has_offer(scenario: Scenario, w: Woman, k: int, day: dt.date, places_left: Mapping[dt.date, int]) -> bool:
    """Would a test passed on ``day`` reach a date with a place left (``offer_dates``, the real rules)?"""
    options = offer_dates(
        test_date=day,
        cycle=w.facts(k),
        calendar=scenario.calendar,
        places_left=places_left,
        rules=scenario.rules,
        today=day,
    )
    return bool(options.offers)


def simulate(scenario: Scenario, women: Sequence[Woman], *, progress: Progress | None = None) -> SimResult:
    """Run the period day by day; deterministic for the same women and scenario."""
    rules, calendar = scenario.rules, scenario.calendar
    plan_on: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    want: dict[dt.date, list[tuple[float, int, int, tuple[dt.date, ...]]]] = defaultdict(list)
    for i, w in enumerate(women):
        plan_on[w.period_ends[0]].append((i, 0))
    start = min((w.period_ends[0] for w in women), default=scenario.first)
    stop = scenario.last + dt.timedelta(days=rules.window_last_offset)
    numbers_left: dict[dt.date, int] = {}
    places_left: dict[dt.date, int] = {}
    d = start
    while d <= stop + dt.timedelta(days=rules.lead_max_days):
        numbers_left[d] = scenario.numbers(d)
        places_left[d] = scenario.places(d)
        d += ONE_DAY
    attempts: list[Attempt] = []
    waits: list[int] = []
    numbers_used: dict[dt.date, int] = defaultdict(int)
    booked: dict[dt.date, int] = defaultdict(int)

    def lose(i: int, k: int, cause: str) -> None:
        w = women[i]
        attempts.append(Attempt(i, k, w.period_ends[k], "lost", cause))
        if k + 1 < len(w.period_ends):
            plan_on[w.period_ends[k + 1]].append((i, k + 1))

    total = (stop - start).days + 1
    d = start
    n = 0
    while d <= stop:
        for i, k in plan_on.pop(d, ()):
            days, cause = visit_candidates(scenario, women[i], k)
            if not days:
                lose(i, k, cause or "holiday")
            else:
                want[days[0]].append((women[i].queue_keys[k], i, k, tuple(days[1:])))
        # The day in queue order: her number, her screening, then the desk books her before the next woman.
        for _, i, k, rest in sorted(want.pop(d, ())):
            w = women[i]
            if numbers_left.get(d, 0) <= 0:
                if rest:
                    want[rest[0]].append((w.queue_keys[k], i, k, rest[1:]))
                else:
                    lose(i, k, "numbers")
                continue
            if rest and scenario.reachable_visits and not _has_offer(scenario, w, k, d, places_left):
                want[rest[0]].append((w.queue_keys[k], i, k, rest[1:]))
                continue
            numbers_left[d] -= 1
            numbers_used[d] += 1
            outcome = w.outcomes[k]
            if outcome != "pass":
                attempts.append(Attempt(i, k, w.period_ends[k], outcome, visit=d))
                continue
            options = offer_dates(
                test_date=d,
                cycle=w.facts(k),
                calendar=calendar,
                places_left=places_left,
                rules=rules,
                today=d,
                protected_places=scenario.protected_places,
            )
            if not options.offers:
                lose(i, k, _desk_cause(options.refused, places_left, scenario))
                continue
            day = options.offers[0].day
            places_left[day] -= 1
            booked[day] += 1
            attempts.append(Attempt(i, k, w.period_ends[k], "done", visit=d, procedure=day))
            waits.append((day - w.first_wish).days)
        d += ONE_DAY
        n += 1
        if progress is not None:
            progress(n, total)
    return SimResult(scenario, len(women), attempts, waits, dict(numbers_used), dict(booked))
