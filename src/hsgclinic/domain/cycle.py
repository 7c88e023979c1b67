"""The patient's cycle facts and the day counting of ``domain.md`` (E + N, cycle day, ovulation estimate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hsgclinic.domain.messages import N_, MessageError
from hsgclinic.domain.rules import Rules


class CycleInputError(MessageError):
    """Cycle facts that cannot be true; carries a translatable message for the person who typed them."""


@dataclass(frozen=True)
class CycleFacts:
    """What the patient tells us. Only ``period_end`` (E, the last day with bleeding) is required."""

    period_end: dt.date
    period_start: dt.date | None = None  # LMP, cycle day 1
    shortest_cycle: int | None = None
    longest_cycle: int | None = None
    age: int | None = None
    irregular: bool = False  # reported oligo-/amenorrhoea or irregular periods

    @classmethod
    def from_usual(
        cls,
        period_end: dt.date,
        *,
        period_start: dt.date | None = None,
        cycle_length: int | None = None,
        shortest: int | None = None,
        longest: int | None = None,
        age: int | None = None,
        irregular: bool = False,
    ) -> CycleFacts:
        """Build from either one usual cycle length or a shortest/longest pair."""
        if cycle_length is not None:
            shortest = shortest if shortest is not None else cycle_length
            longest = longest if longest is not None else cycle_length
        elif shortest is not None and longest is None:
            longest = shortest
        elif longest is not None and shortest is None:
            shortest = longest
        return cls(period_end, period_start, shortest, longest, age, irregular)

    def validate(self, today: dt.date, rules: Rules) -> None:
        """Raise :class:`CycleInputError` for facts that cannot be true on ``today``."""
        if self.period_end > today:
            raise CycleInputError(N_("The day your period ended ({day}) is in the future.", day=self.period_end))
        if self.period_start is not None:
            if self.period_start > self.period_end:
                raise CycleInputError(N_("The first day of the period must be on or before the day it ended."))
            if (self.period_end - self.period_start).days + 1 > 15:
                raise CycleInputError(
                    N_("A period longer than 15 days needs a doctor's advice, not an HSG appointment.")
                )
        for length in (self.shortest_cycle, self.longest_cycle):
            if length is not None and not rules.min_cycle_days <= length <= rules.max_cycle_days:
                raise CycleInputError(
                    N_(
                        "A cycle length of {days} days is not plausible; enter a number from {low} to {high}.",
                        days=length,
                        low=rules.min_cycle_days,
                        high=rules.max_cycle_days,
                    )
                )
        if (
            self.shortest_cycle is not None
            and self.longest_cycle is not None
            and self.shortest_cycle > self.longest_cycle
        ):
            raise CycleInputError(N_("The shortest cycle cannot be longer than the longest cycle."))
        if self.age is not None and not 14 <= self.age <= 60:
            raise CycleInputError(N_("Age must be between 14 and 60."))

    # -- derived values -------------------------------------------------------------------------------------
    def estimated_period_start(self, rules: Rules) -> tuple[dt.date, bool]:
        """LMP, or an estimate from the period's end when the first day is unknown (second item: estimated)."""
        if self.period_start is not None:
            return self.period_start, False
        return self.period_end - dt.timedelta(days=rules.assumed_period_days - 1), True

    def shortest(self, rules: Rules) -> tuple[int, bool]:
        """Shortest usual cycle length (second item: True when assumed)."""
        if self.shortest_cycle is not None:
            return self.shortest_cycle, False
        return rules.default_cycle_days, True

    def longest(self, rules: Rules) -> tuple[int, bool]:
        """Longest usual cycle length (second item: True when assumed: the shortest, or the default length)."""
        if self.longest_cycle is not None:
            return self.longest_cycle, False
        if self.shortest_cycle is not None:
            return self.shortest_cycle, True
        return rules.default_cycle_days, True

    def usual(self, rules: Rules) -> tuple[int, bool]:
        """The cycle length used to predict the next period (the shortest: the earliest it can come)."""
        return self.shortest(rules)

    def cycle_day(self, day: dt.date, rules: Rules) -> int:
        """cycle_day(d) = d − LMP + 1."""
        lmp, _ = self.estimated_period_start(rules)
        return (day - lmp).days + 1

    def estimated_ovulation(self, rules: Rules) -> dt.date:
        """ELIG-OVULATION: ovulation on cycle day (shortest usual cycle − 14)."""
        lmp, _ = self.estimated_period_start(rules)
        shortest, _ = self.shortest(rules)
        return lmp + dt.timedelta(days=shortest - 14 - 1)

    def is_irregular(self, rules: Rules) -> bool:
        """ELIG-IRREG: variation over the threshold, oligomenorrhoea, or reported irregular periods."""
        if self.irregular:
            return True
        if self.shortest_cycle is not None and self.longest_cycle is not None:
            if self.longest_cycle - self.shortest_cycle > rules.irregular_variation_days:
                return True
        return self.longest_cycle is not None and self.longest_cycle > rules.oligomenorrhoea_days

    def after_period(self, n: int) -> dt.date:
        """'Day N after menstruation' = E + N calendar days (干净后第N天)."""
        return self.period_end + dt.timedelta(days=n)
