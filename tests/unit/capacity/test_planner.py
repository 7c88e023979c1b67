"""The capacity planner's model: simulated women under the real rules, the optimum, the what-ifs (seeded)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hsgclinic.calendar_source import build_calendar
from hsgclinic.capacity.optimum import optimum, reach_of
from hsgclinic.capacity.population import Woman, draw_women, mean_cycle_days
from hsgclinic.capacity.report import policy, run
from hsgclinic.capacity.simulation import Scenario, simulate
from hsgclinic.capacity.whatif import WhatIfError, auto_specs, breaks, expand, parse
from hsgclinic.domain.rules import Rules

RULES = Rules()
CAL = build_calendar([2027], official_through=2026)
FIRST, LAST = dt.date(2027, 1, 20), dt.date(2027, 3, 10)  # Spring Festival 2027 inside


def _scenario(**kw: object) -> Scenario:
    return dataclasses.replace(Scenario(FIRST, LAST, CAL, RULES, daily_numbers=12, procedure_capacity=6), **kw)


def _women(demand: float = 190, seed: int = 3) -> list[Woman]:
    months = {(2027, m): demand for m in (1, 2, 3)}
    return draw_women(
        FIRST, LAST, monthly_demand=months, rules=RULES, seed=seed, screening_fail_share=0.1, noshow_rate=0.05
    )


def test_bull_mean_cycle_falls_with_age() -> None:
    assert mean_cycle_days(30) == pytest.approx(29.3)
    assert mean_cycle_days(40) == pytest.approx(29.3 - 1.8)
    assert mean_cycle_days(50) == mean_cycle_days(45)


def test_same_seed_same_answer_and_another_seed_differs() -> None:
    a = run(_scenario(), _women(seed=5))
    b = run(_scenario(), _women(seed=5))
    c = run(_scenario(), _women(seed=6))
    assert a == b
    assert a["baseline"]["days"] != c["baseline"]["days"]


def test_one_place_a_day_loses_more_cycles_than_a_hundred() -> None:
    women = _women()
    tight = simulate(_scenario(procedure_capacity=1), women)
    ample = simulate(_scenario(procedure_capacity=100, daily_numbers=1000), women)
    assert tight.lost_total > ample.lost_total
    assert tight.lost["capacity"] > 0
    # with room for everyone only the calendar loses cycles
    assert set(ample.lost) <= {"holiday", "closure"}
    assert ample.lost["holiday"] > 0  # the Spring Festival break


def test_a_window_inside_the_holiday_break_is_lost_to_the_holiday_by_the_domains_plan() -> None:
    e = dt.date(2027, 2, 3)  # E+3 … E+7 = Feb 6 … Feb 10: the whole window falls in the break (Feb 5–10)
    woman = Woman(
        0,
        30,
        28,
        (e, e + dt.timedelta(days=28)),
        (e - dt.timedelta(days=4), e + dt.timedelta(days=24)),
        ("pass", "pass"),
        (0.5, 0.5),
    )
    result = simulate(_scenario(procedure_capacity=20, daily_numbers=40), [woman])
    outcomes = [(a.outcome, a.cause) for a in result.attempts]
    assert outcomes[0] == ("lost", "holiday")
    assert outcomes[-1] == ("done", None)  # BOOK-NEXT: she comes back next cycle and is booked
    assert result.waits and result.waits[0] > 28


def test_utilisation_never_exceeds_the_places_and_no_booking_falls_on_a_closed_day() -> None:
    s = _scenario()
    result = simulate(s, _women())
    for day, n in result.booked.items():
        assert n <= s.places(day)
        assert CAL.is_open(day)
    for day, n in result.numbers_used.items():
        assert n <= s.numbers(day)


def test_the_optimum_never_loses_more_than_any_policy() -> None:
    s = _scenario()
    women = _women()
    results = [simulate(policy(s, name), women) for name in ("today", "protect", "reachable")]
    best = optimum(s, women, reach=reach_of(*results))
    assert best.gap == 0.0
    for r in results:
        assert best.lost_total <= r.lost_total
    full = optimum(s, women)  # every cycle of every woman: the same optimum or better
    assert full.lost_total <= best.lost_total


def test_opening_a_holiday_day_saves_cycles_and_the_ranking_is_per_added_place() -> None:
    s = _scenario()
    found = breaks(CAL, FIRST, LAST)
    assert [b[2].en for b in found] == ["Spring Festival"]
    last_day = found[0][1]
    wi = parse(f"open:{last_day.isoformat()}", s)
    assert wi.scenario.calendar.is_open(last_day) and not s.calendar.is_open(last_day)
    assert wi.added == s.procedure_capacity
    out = run(s, _women(), what_ifs=expand(["auto", "places:2027-02-20:3"], s))
    opened = next(x for x in out["what_ifs"] if x["kind"] == "open")
    assert opened["saved"] >= 0
    per = [x["saved_per_place"] for x in out["what_ifs"] if x["saved_per_place"] is not None]
    assert per == sorted(per, reverse=True)


def test_summary_covers_every_day_month_and_break() -> None:
    out = run(_scenario(), _women(), compare=True)
    base = out["baseline"]
    assert len(base["days"]) == (LAST - FIRST).days + 1
    assert [m["month"] for m in base["months"]] == ["2027-01", "2027-02", "2027-03"]
    assert sum(sum(w["lost"].values()) for w in base["weeks"]) == base["lost"]["total"]
    assert base["breaks"][0]["name"] == "Spring Festival"
    assert {p["name"] for p in out["policies"]} == {"today", "protect", "reachable"}
    closed = [d for d in base["days"] if not d["open"]]
    assert closed and all(d["capacity"] == 0 and d["utilisation"] is None for d in closed)


@pytest.mark.parametrize(
    "spec",
    [
        "places:2027-13-01:5",
        "places:2027-02-20:x",
        "open:2027-02-20",
        "capacity:0",
        "teleport:3",
        "places:2026-01-05:2",
    ],
)
def test_a_what_if_that_cannot_be_read_says_why(spec: str) -> None:
    with pytest.raises(WhatIfError):
        parse(spec, _scenario())


def test_auto_what_ifs_fit_the_period() -> None:
    specs = auto_specs(_scenario())
    assert "capacity:8" in specs and "numbers:13" in specs
    assert any(x.startswith("open:2027-02") for x in specs)
