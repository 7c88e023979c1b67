"""Plans per second for the pure domain, and the wall time of the `hsgclinic plan` command.

Run: .venv/bin/python bench/plan.py [--seconds 3] [--runs 10]
Prints numbers only; nothing here is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from hsgclinic.calendar_source import build_calendar
from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.booking import offer_dates
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.planning import plan_visit
from hsgclinic.domain.rules import Rules


def rate(label: str, fn, seconds: float) -> None:
    n = 0
    start = time.perf_counter()
    deadline = start + seconds
    while time.perf_counter() < deadline:
        fn(n)
        n += 1
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {n / elapsed:>10,.0f} /s   ({n} in {elapsed:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    t0 = time.perf_counter()
    calendar = build_calendar(range(2025, 2028), official_through=2026)
    print(f"{'build the calendar for 2025–2027':<44} {1000 * (time.perf_counter() - t0):>10.1f} ms")
    rules = Rules()
    base = dt.date(2026, 1, 5)

    def one_plan(i: int) -> None:
        end = base + dt.timedelta(days=i % 300)
        facts = CycleFacts.from_usual(end, period_start=end - dt.timedelta(days=4), cycle_length=28 + i % 5)
        plan_visit(facts, calendar, rules, today=end + dt.timedelta(days=1))

    def one_offer(i: int) -> None:
        end = base + dt.timedelta(days=i % 300)
        facts = CycleFacts.from_usual(end, cycle_length=28)
        test = end + dt.timedelta(days=2)
        offer_dates(
            test_date=test,
            cycle=facts,
            calendar=calendar,
            places_left={test + dt.timedelta(days=1): 5, test + dt.timedelta(days=2): 3},
            rules=rules,
            today=test,
        )

    def one_aftercare(i: int) -> None:
        plan_aftercare(base + dt.timedelta(days=i % 300), calendar, rules)

    rate("plan_visit (domain.planning)", one_plan, args.seconds)
    rate("offer_dates (domain.booking)", one_offer, args.seconds)
    rate("plan_aftercare (domain.aftercare)", one_aftercare, args.seconds)

    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    if exe is None:
        print("hsgclinic entry point not installed; skipping the CLI timing")
        return
    for extra in ([], ["--json"]):
        walls = []
        for _ in range(args.runs):
            t = time.perf_counter()
            subprocess.run(
                [exe, "plan", "--period-end", "2026-11-18", "--today", "2026-11-19", *extra],
                capture_output=True,
                check=True,
            )
            walls.append(time.perf_counter() - t)
        label = "`hsgclinic plan " + " ".join(extra) + "` wall time"
        print(
            f"{label:<44} {1000 * statistics.median(walls):>10.0f} ms median, "
            f"{1000 * min(walls):.0f} ms min over {args.runs} runs"
        )
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import hsgclinic.cli.main"],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    heavy = [
        m
        for m in ("fastapi", "sqlalchemy", "weasyprint", "uvicorn", "pynetdicom")
        if f" {m}\n" in out + "\n" or f"| {m}" in out
    ]
    print(f"{'heavy modules imported by the CLI at start':<44} {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
