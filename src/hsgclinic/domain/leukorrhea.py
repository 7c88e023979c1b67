"""ELIG-LEUK: the leukorrhea routine test (白带常规) and what its result means for the procedure."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_

PH_LIMIT = Decimal("4.5")


class Cleanliness(enum.IntEnum):
    """清洁度 I–IV."""

    I = 1  # noqa: E741
    II = 2
    III = 3
    IV = 4


def grade_from_wbc(wbc_per_hpf: int) -> Cleanliness:
    """WBC per high-power field → grade. Boundary values go to the worse grade (the safer reading)."""
    if wbc_per_hpf < 5:
        return Cleanliness.I
    if wbc_per_hpf < 15:
        return Cleanliness.II
    if wbc_per_hpf <= 30:
        return Cleanliness.III
    return Cleanliness.IV


@dataclass(frozen=True)
class LeukorrheaResult:
    """The full routine result. ``None`` means not reported (enzyme panel items are optional)."""

    cleanliness: Cleanliness | None = None
    wbc_per_hpf: int | None = None
    trichomonas: bool | None = None
    yeast: bool | None = None  # spores or hyphae
    clue_cells: bool | None = None
    ph: Decimal | None = None
    amine_test: bool | None = None
    sialidase: bool | None = None
    leukocyte_esterase: bool | None = None
    h2o2: bool | None = None  # "positive" = abnormal (low H2O2-producing lactobacilli)

    def effective_grade(self) -> Cleanliness | None:
        grades = [g for g in (self.cleanliness, self.wbc_grade()) if g is not None]
        return max(grades) if grades else None

    def wbc_grade(self) -> Cleanliness | None:
        return None if self.wbc_per_hpf is None else grade_from_wbc(self.wbc_per_hpf)


def judge_leukorrhea(result: LeukorrheaResult | None) -> list[Finding]:
    """PASS only if grade I/II and trichomonas, yeast and clue cells all negative; otherwise BLOCK.

    pH > 4.5, positive amine test, sialidase, leukocyte esterase or H2O2 → REVIEW.
    """
    if result is None:
        return [
            Finding(
                "ELIG-LEUK",
                Outcome.BLOCK,
                N_("The leukorrhea routine test result is needed before the procedure can be booked."),
            )
        ]
    found: list[Finding] = []
    grade = result.effective_grade()
    if grade is None:
        found.append(
            Finding("ELIG-LEUK", Outcome.BLOCK, N_("The leukorrhea test has no cleanliness grade or WBC count."))
        )
    elif grade > Cleanliness.II:
        found.append(
            Finding(
                "ELIG-LEUK",
                Outcome.BLOCK,
                N_(
                    "Cleanliness grade {grade} (must be I or II): treat and retest before the procedure.",
                    grade=grade.name,
                ),
            )
        )
    for value, label in (
        (result.trichomonas, N_("trichomonas")),
        (result.yeast, N_("yeast (spores or hyphae)")),
        (result.clue_cells, N_("clue cells")),
    ):
        if value is None:
            found.append(Finding("ELIG-LEUK", Outcome.BLOCK, N_("The result for {item} is missing.", item=label)))
        elif value:
            found.append(
                Finding(
                    "ELIG-LEUK",
                    Outcome.BLOCK,
                    N_("Positive for {item}: treat and retest before the procedure.", item=label),
                )
            )
    if result.ph is not None and result.ph > PH_LIMIT:
        found.append(
            Finding(
                "ELIG-LEUK",
                Outcome.REVIEW,
                N_("Vaginal pH {ph} is above {limit}; a doctor must review.", ph=result.ph, limit=PH_LIMIT),
            )
        )
    for value, label in (
        (result.amine_test, N_("the amine test")),
        (result.sialidase, N_("sialidase")),
        (result.leukocyte_esterase, N_("leukocyte esterase")),
        (result.h2o2, N_("H2O2 (hydrogen peroxide)")),
    ):
        if value:
            found.append(
                Finding(
                    "ELIG-LEUK",
                    Outcome.REVIEW,
                    N_("Positive result for {item} (abnormal): a doctor must review.", item=label),
                )
            )
    if not found:
        found.append(Finding("ELIG-LEUK", Outcome.PASS, N_("The leukorrhea routine test is normal.")))
    return found
