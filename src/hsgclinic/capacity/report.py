"""One planner run: the policies, the optimum and the what-ifs on the same women, summarised as a JSON-ready dict
(the CLI's ``--json`` shape and what the admin page draws)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from hsgclinic.capacity.optimum import optimum, reach_of
from hsgclinic.capacity.population import Woman
from hsgclinic.capacity.simulation import CAUSES, Scenario, SimResult, simulate
from hsgclinic.capacity.whatif import WhatIf, breaks

ONE_DAY = dt.timedelta(days=1)
POLICIES = {
    # name: (protected_places, reachable_visits)
    "today": (0, False),  # the desk's order today: no review first, then earliest (BOOK-PROTECT off)
    "protect": (1, False),  # earliest-deadline-aware booking: the last place of a day kept for women whose window ends
    "reachable": (0, True),  # skip a visit day whose T+1/T+2 are full when a later visit day is left
}
Step = Callable[[str, int, int], None]  # (what is running, days done, days in all)


def policy(s: Scenario, name: str) -> Scenario:
    protected, reachable = POLICIES[name]
    return dataclasses.replace(s, protected_places=protected, reachable_visits=reachable)


def _lost_dict(c: Counter[str]) -> dict[str, int]:
    return {cause: c.get(cause, 0) for cause in CAUSES}


def _in(r: SimResult, first: dt.date, last: dt.date) -> list[Any]:
    return [a for a in r.attempts if a.outcome == "lost" and first <= a.window_start <= last]


def summarise(r: SimResult) -> dict[str, Any]:
    s = r.scenario
    cal = s.calendar
    days: list[dict[str, Any]] = []
    for d in cal.days(s.first, s.last):
        cap = s.places(d)
        days.append(
            {
                "day": d.isoformat(),
                "open": cal.is_open(d),
                "capacity": cap,
                "booked": r.booked.get(d, 0),
                "numbers": s.numbers(d),
                "numbers_used": r.numbers_used.get(d, 0),
                "utilisation": round(r.booked.get(d, 0) / cap, 4) if cap else None,
            }
        )
    lost_in = _in(r, s.first, s.last)
    months: dict[str, dict[str, Any]] = {}
    for row in days:
        m = months.setdefault(row["day"][:7], {"month": row["day"][:7], "capacity": 0, "booked": 0})
        m["capacity"] += row["capacity"]
        m["booked"] += row["booked"]
    for m in months.values():
        m["lost"] = _lost_dict(Counter(a.cause for a in lost_in if a.window_start.isoformat()[:7] == m["month"]))
        m["utilisation"] = round(m["booked"] / m["capacity"], 4) if m["capacity"] else None
    weeks: list[dict[str, Any]] = []
    w0 = s.first
    while w0 <= s.last:
        w1 = min(w0 + dt.timedelta(days=6), s.last)
        weeks.append(
            {
                "first": w0.isoformat(),
                "lost": _lost_dict(Counter(a.cause for a in lost_in if w0 <= a.window_start <= w1)),
                "holiday_days": sum(
                    1 for d in cal.days(w0, w1) if (c := cal.closure(d)) is not None and c.kind.value == "statutory"
                ),
            }
        )
        w0 = w1 + ONE_DAY
    around: list[dict[str, Any]] = []
    for b0, b1, name in breaks(cal, s.first, s.last):
        lo, hi = b0 - dt.timedelta(days=7), b1 + dt.timedelta(days=3)
        near = [row for row in days if row["open"] and lo <= dt.date.fromisoformat(row["day"]) <= hi]
        cap = sum(row["capacity"] for row in near)
        around.append(
            {
                "name": name.en,
                "name_zh": name.zh,
                "first": b0.isoformat(),
                "last": b1.isoformat(),
                "lost": _lost_dict(Counter(a.cause for a in _in(r, lo, hi))),
                "utilisation": round(sum(row["booked"] for row in near) / cap, 4) if cap else None,
            }
        )
    open_caps = [row for row in days if row["capacity"]]
    waits = sorted(r.waits)
    outcomes = r.outcomes()
    return {
        "women": r.women,
        "lost": {"total": len(lost_in), "by_cause": _lost_dict(Counter(a.cause for a in lost_in))},
        "lost_all": r.lost_total,
        "outcomes": {k: outcomes.get(k, 0) for k in ("done", "lost", "fail", "noshow")},
        "waiting_days": {
            "mean": round(statistics.fmean(waits), 2) if waits else None,
            "median": statistics.median(waits) if waits else None,
            "p90": waits[int(0.9 * (len(waits) - 1))] if waits else None,
        },
        "utilisation": round(sum(x["booked"] for x in open_caps) / sum(x["capacity"] for x in open_caps), 4)
        if open_caps
        else None,
        "days": days,
        "months": list(months.values()),
        "weeks": weeks,
        "breaks": around,
    }


def run(
    base: Scenario,
    women: Sequence[Woman],
    *,
    what_ifs: Sequence[WhatIf] = (),
    compare: bool = False,
    with_optimum: bool = False,
    step: Step | None = None,
) -> dict[str, Any]:
    """Today's policy (the baseline summary), optionally the other policies and the optimum, and the what-ifs
    ranked by lost cycles saved per added place (all on the same women)."""

    def go(label: str, s: Scenario) -> SimResult:
        return simulate(s, women, progress=(lambda n, t: step(label, n, t)) if step else None)

    today = go("today", policy(base, "today"))
    out: dict[str, Any] = {"baseline": summarise(today)}
    results = {"today": today}
    if compare or with_optimum:
        for name in POLICIES:
            if name != "today":
                results[name] = go(name, policy(base, name))
    if compare or with_optimum:
        out["policies"] = [{"name": n, "lost": r.lost_total} for n, r in results.items()]
    if with_optimum:
        if step:
            step("optimum", 0, 1)
        best = optimum(policy(base, "today"), women, reach=reach_of(*results.values()))
        out["optimum"] = {
            "lost": best.lost_total,
            "seconds": round(best.seconds, 2),
            "variables": best.variables,
            "gap": best.gap,
        }
    ranked: list[dict[str, Any]] = []
    for wi in what_ifs:
        r = go(wi.spec, policy(wi.scenario, "today"))
        saved = today.lost_total - r.lost_total
        ranked.append(
            {
                "spec": wi.spec,
                "kind": wi.kind,
                "added": wi.added,
                "unit": wi.unit,
                "lost": r.lost_total,
                "saved": saved,
                "saved_per_place": round(saved / wi.added, 4) if wi.added > 0 else None,
            }
        )
    ranked.sort(key=lambda x: (x["saved_per_place"] is None, -(x["saved_per_place"] or 0), -x["saved"]))
    out["what_ifs"] = ranked
    return out
