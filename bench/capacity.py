"""The capacity planner: simulated women per second for a year, the time of the offline optimum, and the lost
cycles of each booking policy against the optimum over several seeds (docs/capacity.md).

Run: .venv/bin/python bench/capacity.py [--year 2027] [--seeds 3] [--demand 560] [--skip-10x]
Prints numbers only; nothing here is asserted. No database: the calendar is the `holidays` package's.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import statistics
import time

from hsgclinic.calendar_source import build_calendar
from hsgclinic.capacity.optimum import optimum, reach_of
from hsgclinic.capacity.population import draw_women
from hsgclinic.capacity.report import POLICIES, policy
from hsgclinic.capacity.simulation import Scenario, simulate
from hsgclinic.domain.rules import Rules


def women_for(year: int, demand: float, seed: int) -> list:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = {(y, m): demand for y in (year - 1, year) for m in range(1, 13)}
    return draw_women(
        first, last, monthly_demand=months, rules=Rules(), seed=seed, screening_fail_share=0.10, noshow_rate=0.05
    )


def throughput(base: Scenario, year: int, demand: float, scale: int) -> None:
    s = dataclasses.replace(
        base, daily_numbers=base.daily_numbers * scale, procedure_capacity=base.procedure_capacity * scale
    )
    women = women_for(year, demand * scale, 1)
    started = time.perf_counter()
    result = simulate(s, women)
    took = time.perf_counter() - started
    cycles = len(result.attempts)
    print(
        f"{s.daily_numbers:>4} numbers/{s.procedure_capacity:>3} places a day, {demand * scale:>7,.0f} women/month: "
        f"{len(women):>7,} women ({cycles:,} cycles) in {took:6.2f} s = {len(women) / took:>8,.0f} women/s, "
        f"{cycles / took:>8,.0f} cycles/s; lost {result.lost_total:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--demand", type=float, default=560.0, help="women a month at the clinic's scale")
    parser.add_argument("--skip-10x", action="store_true")
    args = parser.parse_args()
    calendar = build_calendar([args.year], official_through=args.year - 1)
    base = Scenario(
        dt.date(args.year, 1, 1), dt.date(args.year, 12, 31), calendar, Rules(), daily_numbers=40, procedure_capacity=20
    )
    numbers_full = 40 * 365 / 12  # enough women to take every number
    print("== simulated women per second (today's policy, one year) ==")
    throughput(base, args.year, args.demand, 1)
    throughput(base, args.year, numbers_full, 1)
    if not args.skip_10x:
        throughput(base, args.year, args.demand, 10)
    print(f"== lost cycles over {args.seeds} seeds, {args.demand:.0f} women/month, 40 numbers / 20 places a day ==")
    table: dict[str, list[int]] = {name: [] for name in [*POLICIES, "optimum"]}
    solve: list[float] = []
    for seed in range(1, args.seeds + 1):
        women = women_for(args.year, args.demand, seed)
        results = [simulate(policy(base, name), women) for name in POLICIES]
        for name, r in zip(POLICIES, results, strict=True):
            table[name].append(r.lost_total)
        best = optimum(base, women, reach=reach_of(*results))
        table["optimum"].append(best.lost_total)
        solve.append(best.seconds)
        row = "  ".join(f"{n} {v[-1]:>5}" for n, v in table.items())
        print(f"seed {seed}: {len(women):,} women  {row}  (optimum {best.seconds:.1f} s, {best.variables:,} vars)")
    opt = statistics.fmean(table["optimum"])
    for name, values in table.items():
        mean = statistics.fmean(values)
        print(f"{name:<10} mean lost {mean:8.1f}   vs optimum {100 * (mean - opt) / opt:+7.1f} %")
    print(f"optimum solve time: mean {statistics.fmean(solve):.1f} s (HiGHS via scipy.optimize.milp)")


if __name__ == "__main__":
    main()
