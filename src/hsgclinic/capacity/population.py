"""Simulated women: ages, cycle lengths and period lengths, and their period-end dates over the planning period.

Cycle lengths follow Bull et al. 2019 (npj Digital Medicine 2:83, 612,613 ovulatory cycles of 124,648 Natural
Cycles users): mean cycle length 29.3 days, falling by 0.18 days per year of age from 25 to 45, and about 65 % of
cycles between 25 and 30 days. The other numbers below are this model's assumptions (docs/capacity.md).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.rules import Rules

# Bull et al. 2019
BULL_MEAN_CYCLE_DAYS = 29.3
BULL_SLOPE_PER_YEAR = -0.18  # from age 25 to 45
# Assumptions (documented in docs/capacity.md)
ANCHOR_AGE = 30  # the age at which the published mean applies
BETWEEN_WOMEN_SD = 2.0  # spread of the women's own mean cycle length
WITHIN_WOMAN_SD = 1.5  # cycle-to-cycle spread of one woman; together ≈ 2.5 days → ~65 % of cycles in 25–30
SHORTEST_CYCLE, LONGEST_CYCLE = 21, 40  # regular cycles only (irregular ones need a doctor's review anyway)
AGES = (24, 42)  # women at a fertility work-up, uniform (inclusive)
PERIOD_DAYS = {3: 0.10, 4: 0.25, 5: 0.35, 6: 0.20, 7: 0.10}  # bleeding days (assumption; mean 5)


def mean_cycle_days(age: int) -> float:
    """Bull et al.: 29.3 days, −0.18 days per year of age (applied from 25 to 45, flat outside)."""
    clamped = min(max(age, 25), 45)
    return BULL_MEAN_CYCLE_DAYS + BULL_SLOPE_PER_YEAR * (clamped - ANCHOR_AGE)


@dataclass(frozen=True)
class Woman:
    """One simulated woman and everything chance decides about her, drawn once so that every policy, what-if and
    the optimum see the same women (common random numbers)."""

    id: int
    age: int
    usual_cycle: int  # what she tells the clinic
    period_ends: tuple[dt.date, ...]  # E of each of her cycles whose window ends inside the period
    period_starts: tuple[dt.date, ...]
    outcomes: tuple[str, ...]  # per cycle, if she is seen: "pass", "fail" (screening) or "noshow" (her number)
    queue_keys: tuple[float, ...]  # per cycle: her place in the 07:00 rush for numbers

    def facts(self, k: int) -> CycleFacts:
        return CycleFacts.from_usual(
            self.period_ends[k], period_start=self.period_starts[k], cycle_length=self.usual_cycle, age=self.age
        )

    @property
    def first_wish(self) -> dt.date:
        return self.period_ends[0]


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _days_in_month(y: int, m: int) -> int:
    nxt = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return (nxt - dt.date(y, m, 1)).days


def _pick(rng: random.Random, weights: Mapping[int, float]) -> int:
    r = rng.random()
    acc = 0.0
    for value, w in weights.items():
        acc += w
        if r < acc:
            return value
    return max(weights)


def draw_women(
    first: dt.date,
    last: dt.date,
    *,
    monthly_demand: Mapping[tuple[int, int], float],
    rules: Rules,
    seed: int,
    screening_fail_share: float,
    noshow_rate: float,
) -> list[Woman]:
    """Women whose first period in the period ends on a day spread evenly over each month (``monthly_demand``
    women per month; a month not given gets the mean of the given ones). Arrivals start ``window_last_offset`` days
    before ``first`` so the first days are as busy as the rest; cycles whose window would end after ``last`` are not
    simulated (the woman is still waiting when the period ends)."""
    rng = random.Random(seed)
    mean_demand = sum(monthly_demand.values()) / len(monthly_demand) if monthly_demand else 0.0
    start = first - dt.timedelta(days=rules.window_last_offset)
    women: list[Woman] = []
    for y, m in _months(start, last):
        month_first, month_days = dt.date(y, m, 1), _days_in_month(y, m)
        lo = max(month_first, start)
        hi = min(month_first + dt.timedelta(days=month_days - 1), last)
        span = (hi - lo).days + 1
        expected = monthly_demand.get((y, m), mean_demand) * span / month_days
        count = math.floor(expected) + (1 if rng.random() < expected - math.floor(expected) else 0)
        for _ in range(count):
            e0 = lo + dt.timedelta(days=rng.randrange(span))
            women.append(_woman(len(women), e0, last, rules, rng, screening_fail_share, noshow_rate))
    return [w for w in women if w.period_ends]


def _woman(wid: int, e0: dt.date, last: dt.date, rules: Rules, rng: random.Random, fail: float, noshow: float) -> Woman:
    age = rng.randint(*AGES)
    own_mean = rng.gauss(mean_cycle_days(age), BETWEEN_WOMEN_SD)
    usual = min(max(round(own_mean), SHORTEST_CYCLE), LONGEST_CYCLE)
    period = _pick(rng, PERIOD_DAYS)
    ends: list[dt.date] = []
    starts: list[dt.date] = []
    outcomes: list[str] = []
    keys: list[float] = []
    e = e0
    while e + dt.timedelta(days=rules.window_last_offset) <= last:
        ends.append(e)
        starts.append(e - dt.timedelta(days=period - 1))
        r = rng.random()
        outcomes.append("noshow" if r < noshow else "fail" if r < noshow + fail else "pass")
        keys.append(rng.random())
        length = min(max(round(rng.gauss(own_mean, WITHIN_WOMAN_SD)), SHORTEST_CYCLE), LONGEST_CYCLE)
        e += dt.timedelta(days=length)
    return Woman(wid, age, usual, tuple(ends), tuple(starts), tuple(outcomes), tuple(keys))
