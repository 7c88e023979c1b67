"""The cycle facts: each refusal's sentence and parameters, every boundary, and the derived day counts."""

from __future__ import annotations

import datetime as dt

import pytest

from hsgclinic.domain.cycle import CycleFacts, CycleInputError
from hsgclinic.domain.rules import Rules

from .factories import D

TODAY = D(2030, 4, 10)


def _refusal(facts: CycleFacts, rules: Rules) -> str:
    with pytest.raises(CycleInputError) as caught:
        facts.validate(TODAY, rules)
    return caught.value.message.english()


def test_a_period_ending_after_today(rules: Rules) -> None:
    assert _refusal(CycleFacts(TODAY + dt.timedelta(days=1)), rules) == (
        "The day your period ended (2030-04-11) is in the future."
    )
    CycleFacts(TODAY).validate(TODAY, rules)


def test_a_first_day_after_the_last(rules: Rules) -> None:
    assert _refusal(CycleFacts(D(2030, 4, 5), period_start=D(2030, 4, 6)), rules) == (
        "The first day of the period must be on or before the day it ended."
    )
    CycleFacts(D(2030, 4, 5), period_start=D(2030, 4, 5)).validate(TODAY, rules)


def test_a_period_of_more_than_15_days(rules: Rules) -> None:
    CycleFacts(D(2030, 4, 5), period_start=D(2030, 3, 22)).validate(TODAY, rules)  # 15 days
    assert _refusal(CycleFacts(D(2030, 4, 5), period_start=D(2030, 3, 21)), rules) == (
        "A period longer than 15 days needs a doctor's advice, not an HSG appointment."
    )


@pytest.mark.parametrize(
    ("field", "value", "ok"),
    [
        ("shortest_cycle", 14, False),
        ("shortest_cycle", 15, True),
        ("longest_cycle", 90, True),
        ("longest_cycle", 91, False),
        ("shortest_cycle", 91, False),
        ("longest_cycle", 14, False),
    ],
)
def test_cycle_lengths_15_to_90(rules: Rules, field: str, value: int, ok: bool) -> None:
    other = {"shortest_cycle": 15, "longest_cycle": 90}
    other[field] = value
    facts = CycleFacts(D(2030, 4, 5), **other)  # type: ignore[arg-type]
    if ok:
        facts.validate(TODAY, rules)
        return
    with pytest.raises(CycleInputError) as caught:
        facts.validate(TODAY, rules)
    assert dict(caught.value.message.params) == {"days": value, "low": 15, "high": 90}
    assert caught.value.message.english() == (
        f"A cycle length of {value} days is not plausible; enter a number from 15 to 90."
    )


def test_shortest_longer_than_longest(rules: Rules) -> None:
    CycleFacts(D(2030, 4, 5), shortest_cycle=30, longest_cycle=30).validate(TODAY, rules)
    assert _refusal(CycleFacts(D(2030, 4, 5), shortest_cycle=31, longest_cycle=30), rules) == (
        "The shortest cycle cannot be longer than the longest cycle."
    )


@pytest.mark.parametrize(("age", "ok"), [(13, False), (14, True), (60, True), (61, False)])
def test_age_14_to_60(rules: Rules, age: int, ok: bool) -> None:
    facts = CycleFacts(D(2030, 4, 5), age=age)
    if ok:
        facts.validate(TODAY, rules)
    else:
        assert _refusal(facts, rules) == "Age must be between 14 and 60."


def test_from_usual_fills_the_pair(rules: Rules) -> None:
    e = D(2030, 4, 5)
    assert CycleFacts.from_usual(e, cycle_length=30) == CycleFacts(e, None, 30, 30)
    assert CycleFacts.from_usual(e, cycle_length=30, shortest=28) == CycleFacts(e, None, 28, 30)
    assert CycleFacts.from_usual(e, cycle_length=30, longest=33) == CycleFacts(e, None, 30, 33)
    assert CycleFacts.from_usual(e, shortest=26) == CycleFacts(e, None, 26, 26)
    assert CycleFacts.from_usual(e, longest=33) == CycleFacts(e, None, 33, 33)
    assert CycleFacts.from_usual(e, shortest=26, longest=33) == CycleFacts(e, None, 26, 33)
    full = CycleFacts.from_usual(e, period_start=D(2030, 4, 1), age=35, irregular=True)
    assert full == CycleFacts(e, D(2030, 4, 1), None, None, 35, True)


def test_derived_values_with_and_without_her_answers(rules: Rules) -> None:
    e = D(2030, 4, 5)
    unknown = CycleFacts(e)
    assert unknown.estimated_period_start(rules) == (D(2030, 4, 1), True)  # a 5-day period (setting)
    assert unknown.shortest(rules) == (28, True)
    assert unknown.longest(rules) == (28, True)
    assert unknown.usual(rules) == (28, True)
    assert unknown.estimated_ovulation(rules) == D(2030, 4, 14)  # cycle day 14
    assert unknown.cycle_day(D(2030, 4, 1), rules) == 1
    known = CycleFacts(e, period_start=D(2030, 3, 31), shortest_cycle=26, longest_cycle=31)
    assert known.estimated_period_start(rules) == (D(2030, 3, 31), False)
    assert known.shortest(rules) == (26, False)
    assert known.longest(rules) == (31, False)
    assert CycleFacts(e, shortest_cycle=26).longest(rules) == (26, True)
    assert known.estimated_ovulation(rules) == D(2030, 4, 11)  # cycle day 12 = 26 − 14
    assert known.cycle_day(D(2030, 4, 8), rules) == 9
    assert known.after_period(3) == D(2030, 4, 8)
    assert CycleFacts(e).estimated_period_start(Rules(assumed_period_days=7)) == (D(2030, 3, 30), True)


@pytest.mark.parametrize(
    ("shortest", "longest", "reported", "irregular"),
    [
        (28, 35, False, False),  # variation 7: not irregular
        (28, 36, False, True),  # variation 8 and above 35
        (26, 34, False, True),  # variation 8
        (35, 35, False, False),  # 35 is not oligomenorrhoea
        (36, 36, False, True),  # longer than 35
        (None, None, False, False),
        (None, None, True, True),
        (None, 36, False, True),
    ],
)
def test_irregular_cycles(
    rules: Rules, shortest: int | None, longest: int | None, reported: bool, irregular: bool
) -> None:
    facts = CycleFacts(D(2030, 4, 5), shortest_cycle=shortest, longest_cycle=longest, irregular=reported)
    assert facts.is_irregular(rules) is irregular
