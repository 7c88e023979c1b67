"""The offline optimum: the fewest lost cycles any booking policy could reach for the same women.

An integer program solved by HiGHS (``scipy.optimize.milp``). Each woman picks at most one option: in her cycle k,
a visit day V (a registration number that day) and, if she passes screening that cycle, a procedure date P that
the real rules allow after a test on V (``judge_booking`` with a place free). Cost: the k cycles she lost before
it; a woman with no option chosen loses all her cycles in the period. Each day gives at most its numbers and
places. The optimum knows everything in advance (who comes when, who fails screening), so it is a bound, not a
policy; every simulated policy's schedule is one feasible answer, so the optimum never loses more.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from hsgclinic.capacity.population import Woman
from hsgclinic.capacity.simulation import Scenario, SimResult, visit_candidates
from hsgclinic.domain.booking import judge_booking


class OptimumError(RuntimeError):
    """The solver gave no answer (time limit without a solution)."""


@dataclass(frozen=True)
class OptimumResult:
    lost_total: int  # lost cycles of the optimal schedule
    served: int
    variables: int
    seconds: float
    gap: float  # relative MIP gap HiGHS reports (0 when proven optimal)


def reach_of(*results: SimResult) -> list[int]:
    """Per woman, the last cycle any of ``results`` reached (where she was served, seen or gave up)."""
    n = results[0].women
    last = [0] * n
    for r in results:
        for a in r.attempts:
            last[a.woman] = max(last[a.woman], a.cycle)
    return last


def optimum(
    scenario: Scenario,
    women: Sequence[Woman],
    *,
    reach: Sequence[int] | None = None,
    time_limit: float = 300.0,
) -> OptimumResult:
    """The optimal schedule. With ``reach`` (per woman, the last cycle index to consider: use
    :func:`reach_of` over the policies being compared) the program is much smaller and every one of those
    policies' schedules is still feasible, so the answer is still never worse than any of them."""
    rules, calendar = scenario.rules, scenario.calendar
    started = time.perf_counter()
    cost: list[float] = []
    rows: list[int] = []  # constraint row of each non-zero
    cols: list[int] = []
    row_of: dict[tuple[str, object], int] = {}
    caps: list[float] = []
    base = 0

    def row(key: tuple[str, object], cap: int) -> int:
        r = row_of.get(key)
        if r is None:
            r = row_of[key] = len(caps)
            caps.append(cap)
        return r

    for i, w in enumerate(women):
        n_cycles = len(w.period_ends)
        base += n_cycles
        me = row(("woman", i), 1)
        for k in range(n_cycles if reach is None else min(n_cycles, reach[i] + 1)):
            visits, _ = visit_candidates(scenario, w, k)
            facts = w.facts(k)
            for v in visits:
                options: list[dt.date | None] = []
                if w.outcomes[k] != "pass":
                    options.append(None)  # seen and out (screening failed / no-show): a number, no place
                else:
                    for lead in range(rules.lead_min_days, rules.lead_max_days + 1):
                        p = v + dt.timedelta(days=lead)
                        if scenario.places(p) <= 0:
                            continue
                        verdict = judge_booking(
                            p, test_date=v, cycle=facts, calendar=calendar, places_left=1, rules=rules, today=v
                        )
                        if verdict.usable:
                            options.append(p)
                for chosen in options:
                    col = len(cost)
                    cost.append(k - n_cycles)
                    rows.append(me)
                    cols.append(col)
                    rows.append(row(("numbers", v), scenario.numbers(v)))
                    cols.append(col)
                    if chosen is not None:
                        rows.append(row(("places", chosen), scenario.places(chosen)))
                        cols.append(col)
    if not cost:
        return OptimumResult(base, 0, 0, time.perf_counter() - started, 0.0)
    a = csr_array((np.ones(len(rows)), (np.array(rows), np.array(cols))), shape=(len(caps), len(cost)))
    res = milp(
        c=np.array(cost),
        constraints=LinearConstraint(a, -np.inf, np.array(caps)),
        integrality=np.ones(len(cost)),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    if res.x is None:
        raise OptimumError(res.message)
    x = np.round(res.x)
    lost = base + round(float(np.dot(np.array(cost), x)))
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return OptimumResult(lost, int(x.sum()), len(cost), time.perf_counter() - started, gap)
