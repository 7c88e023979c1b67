"""Capacity planner: simulate the pathway over a period with the clinic's calendar, quotas and history, compare the
booking policies with the offline optimum and rank what-ifs (docs/capacity.md).

The model lives in :mod:`hsgclinic.capacity`; this service gathers its inputs — the calendar with the
administrator's overrides and loaded notices, the current number quota and procedure capacity, the demand (a
setting, or learnt from the numbers taken over the last year) and the measured no-show rate. Read-only and free of
patient data (counts only), so it is not audited.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from hsgclinic.capacity.population import draw_women
from hsgclinic.capacity.report import run
from hsgclinic.capacity.simulation import Scenario
from hsgclinic.capacity.whatif import WhatIfError, expand
from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import RegistrationNumber
from hsgclinic.services.context import ServiceContext
from hsgclinic.services.errors import InvalidInput

MAX_DAYS = 731
MIN_HISTORY_DAYS = 28
MIN_NOSHOW_SAMPLE = 100


@dataclass(frozen=True)
class PlannerInputs:
    first: dt.date
    last: dt.date
    daily_numbers: int
    procedure_capacity: int
    monthly_demand: dict[tuple[int, int], float]
    demand_source: str  # "given", "setting", "history" or "default"
    screening_fail_share: float
    noshow_rate: float
    noshow_source: str  # "history" or "setting"

    def as_dict(self) -> dict[str, Any]:
        return {
            "from": self.first.isoformat(),
            "to": self.last.isoformat(),
            "daily_numbers": self.daily_numbers,
            "procedure_capacity": self.procedure_capacity,
            "monthly_demand": {f"{y:04d}-{m:02d}": round(v, 1) for (y, m), v in sorted(self.monthly_demand.items())},
            "demand_source": self.demand_source,
            "screening_fail_share": self.screening_fail_share,
            "noshow_rate": round(self.noshow_rate, 4),
            "noshow_source": self.noshow_source,
        }


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """The next 12 months: tomorrow to the same day a year later, minus one."""
    first = today + dt.timedelta(days=1)
    try:
        last = first.replace(year=first.year + 1) - dt.timedelta(days=1)
    except ValueError:  # 29 February
        last = first.replace(year=first.year + 1, day=28)
    return first, last


def _months(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _history(ctx: ServiceContext) -> tuple[dict[int, float] | None, float | None]:
    """Numbers taken per calendar month over the last year (by month of the year) and the no-show rate."""
    today = ctx.today()
    since = today - dt.timedelta(days=365)
    with ctx.read() as uow:
        rows = uow.session.execute(
            select(RegistrationNumber.day, RegistrationNumber.status, func.count())
            .where(RegistrationNumber.day >= since, RegistrationNumber.day < today)
            .group_by(RegistrationNumber.day, RegistrationNumber.status)
        ).all()
    taken: Counter[int] = Counter()
    first_day: dt.date | None = None
    noshow = seen = 0
    for day, status, n in rows:
        if status == "cancelled":
            continue
        taken[day.month] += int(n)
        first_day = day if first_day is None or day < first_day else first_day
        seen += int(n)
        noshow += int(n) if status == "no_show" else 0
    rate = noshow / seen if seen >= MIN_NOSHOW_SAMPLE else None
    if first_day is None or (today - first_day).days < MIN_HISTORY_DAYS:
        return None, rate
    span_days = (today - first_day).days
    if span_days >= 365:
        return {m: float(v) for m, v in taken.items()}, rate
    per_month = sum(taken.values()) * 30.44 / span_days
    return dict.fromkeys(range(1, 13), per_month), rate


def inputs(
    ctx: ServiceContext,
    first: dt.date | None = None,
    last: dt.date | None = None,
    *,
    monthly_demand: float | None = None,
) -> PlannerInputs:
    """The period (default the next 12 months) and everything the simulation takes from the clinic."""
    if first is None or last is None:
        d0, d1 = default_period(ctx.today())
        first, last = first or d0, last or d1
    if last < first:
        raise InvalidInput("bad_period", N_("The period must end on or after the day it starts."))
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput("bad_period", N_("Simulate at most {n} days at a time.", n=MAX_DAYS))
    eff = ctx.effective()
    months = _months(first - dt.timedelta(days=ctx.settings.window_last_offset), last)
    by_month, measured_noshow = _history(ctx)
    if monthly_demand is not None:
        demand, source = dict.fromkeys(months, float(monthly_demand)), "given"
    elif ctx.settings.capacity_monthly_demand:
        demand, source = dict.fromkeys(months, float(ctx.settings.capacity_monthly_demand)), "setting"
    elif by_month:
        mean = sum(by_month.values()) / len(by_month)
        demand, source = {(y, m): by_month.get(m, mean) for y, m in months}, "history"
    else:
        # no history: women enough to fill 28 of a month's ~30 days of places
        demand, source = dict.fromkeys(months, float(eff.procedure_capacity * 28)), "default"
    return PlannerInputs(
        first=first,
        last=last,
        daily_numbers=eff.daily_numbers,
        procedure_capacity=eff.procedure_capacity,
        monthly_demand=demand,
        demand_source=source,
        screening_fail_share=ctx.settings.capacity_screening_fail_share,
        noshow_rate=measured_noshow if measured_noshow is not None else ctx.settings.capacity_default_noshow_rate,
        noshow_source="history" if measured_noshow is not None else "setting",
    )


def scenario(ctx: ServiceContext, given: PlannerInputs) -> Scenario:
    """The clinic as it is: calendar (official + provisional, with overrides), quota and capacity."""
    reach = given.last + dt.timedelta(days=60)  # a next cycle planned near the end
    calendar = ctx.calendar_for(given.first)
    if not calendar.covers(reach):
        calendar = ctx.calendar_for(given.last)
    if not calendar.covers(given.first - dt.timedelta(days=30)) or not calendar.covers(reach):
        raise InvalidInput("bad_period", N_("Simulate at most {n} days at a time.", n=MAX_DAYS))
    return Scenario(
        first=given.first,
        last=given.last,
        calendar=calendar,
        rules=ctx.settings.rules(),
        daily_numbers=given.daily_numbers,
        procedure_capacity=given.procedure_capacity,
    )


def simulate(
    ctx: ServiceContext,
    given: PlannerInputs,
    *,
    seed: int = 1,
    what_ifs: Sequence[str] = (),
    compare: bool = False,
    with_optimum: bool = False,
    step: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """One planner run (deterministic for the same inputs and seed); the CLI's ``--json`` shape."""
    base = scenario(ctx, given)
    try:
        changes = expand(what_ifs, base)
    except WhatIfError as exc:
        raise InvalidInput("bad_what_if", N_("What-if not understood: {reason}", reason=exc.message)) from None
    women = draw_women(
        given.first,
        given.last,
        monthly_demand=given.monthly_demand,
        rules=base.rules,
        seed=seed,
        screening_fail_share=given.screening_fail_share,
        noshow_rate=given.noshow_rate,
    )
    out = run(base, women, what_ifs=changes, compare=compare, with_optimum=with_optimum, step=step)
    return {"inputs": given.as_dict(), "seed": seed, **out}
