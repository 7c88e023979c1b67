"""Rule outcomes: every decision names its rule and says why, for a patient."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from hsgclinic.domain.messages import Message


class Outcome(enum.StrEnum):
    PASS = "PASS"
    REVIEW = "REVIEW"  # a doctor must confirm; who and why are recorded
    BLOCK = "BLOCK"  # cannot proceed this cycle

    @property
    def severity(self) -> int:
        return {"PASS": 0, "REVIEW": 1, "BLOCK": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    rule: str
    outcome: Outcome
    message: Message

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "outcome": self.outcome.value, "message": self.message.english()}


def overall(findings: Iterable[Finding]) -> Outcome:
    """The worst outcome of a set of findings (PASS for none)."""
    worst = Outcome.PASS
    for f in findings:
        if f.outcome.severity > worst.severity:
            worst = f.outcome
    return worst
