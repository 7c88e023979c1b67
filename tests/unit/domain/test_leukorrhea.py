"""ELIG-LEUK: the leukorrhea routine test (白带常规), every field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hsgclinic.domain.findings import Outcome, overall
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult, grade_from_wbc, judge_leukorrhea

from .factories import normal_leukorrhea


def _outcome(result: LeukorrheaResult | None) -> Outcome:
    found = judge_leukorrhea(result)
    assert all(f.rule == "ELIG-LEUK" for f in found)
    return overall(found)


def test_normal_result_passes() -> None:
    """ELIG-LEUK: grade I, all negative → PASS."""
    found = judge_leukorrhea(normal_leukorrhea())
    assert [f.outcome for f in found] == [Outcome.PASS]


def test_missing_result_blocks() -> None:
    """ELIG-LEUK: no result, no booking."""
    assert _outcome(None) is Outcome.BLOCK


@pytest.mark.parametrize(
    ("grade", "expected"),
    [
        (Cleanliness.I, Outcome.PASS),
        (Cleanliness.II, Outcome.PASS),
        (Cleanliness.III, Outcome.BLOCK),
        (Cleanliness.IV, Outcome.BLOCK),
    ],
)
def test_cleanliness_grade_i_or_ii_passes_iii_or_iv_blocks(grade: Cleanliness, expected: Outcome) -> None:
    """ELIG-LEUK: cleanliness (清洁度) must be I or II; otherwise treat and retest."""
    assert _outcome(normal_leukorrhea(cleanliness=grade, wbc_per_hpf=None)) is expected


@pytest.mark.parametrize(
    ("wbc", "grade"),
    [
        (0, Cleanliness.I),
        (4, Cleanliness.I),
        (5, Cleanliness.II),  # boundary goes to the worse grade
        (14, Cleanliness.II),
        (15, Cleanliness.III),
        (30, Cleanliness.III),
        (31, Cleanliness.IV),
        (100, Cleanliness.IV),
    ],
)
def test_wbc_per_hpf_maps_to_cleanliness_grade(wbc: int, grade: Cleanliness) -> None:
    """ELIG-LEUK: WBC/HPF 0–5 ≈ I, 5–15 II, 15–30 III, >30 IV (shared boundaries → the worse grade)."""
    assert grade_from_wbc(wbc) is grade


def test_wbc_count_alone_decides_the_grade() -> None:
    """ELIG-LEUK: with only a WBC count, 20/HPF (grade III) blocks and 10/HPF (grade II) passes."""
    assert _outcome(normal_leukorrhea(cleanliness=None, wbc_per_hpf=20)) is Outcome.BLOCK
    assert _outcome(normal_leukorrhea(cleanliness=None, wbc_per_hpf=10)) is Outcome.PASS


def test_worse_of_grade_and_wbc_count_counts() -> None:
    """ELIG-LEUK: reported grade II but 40 WBC/HPF (grade IV) → BLOCK with grade IV."""
    result = normal_leukorrhea(cleanliness=Cleanliness.II, wbc_per_hpf=40)
    assert result.effective_grade() is Cleanliness.IV
    found = judge_leukorrhea(result)
    assert overall(found) is Outcome.BLOCK
    assert any(f.message.params.get("grade") == "IV" for f in found)


def test_no_grade_and_no_wbc_blocks() -> None:
    """ELIG-LEUK: a result without cleanliness or WBC count cannot pass."""
    assert _outcome(normal_leukorrhea(cleanliness=None, wbc_per_hpf=None)) is Outcome.BLOCK


@pytest.mark.parametrize("field", ["trichomonas", "yeast", "clue_cells"])
def test_positive_microscopy_blocks(field: str) -> None:
    """ELIG-LEUK: trichomonas (滴虫), yeast (霉菌) or clue cells (线索细胞) positive → BLOCK, treat and retest."""
    found = judge_leukorrhea(normal_leukorrhea(**{field: True}))
    assert overall(found) is Outcome.BLOCK
    assert any("treat and retest" in f.message.msgid for f in found)


@pytest.mark.parametrize("field", ["trichomonas", "yeast", "clue_cells"])
def test_missing_microscopy_item_blocks(field: str) -> None:
    """ELIG-LEUK: each of the three must be reported negative; unreported is not a pass."""
    assert _outcome(normal_leukorrhea(**{field: None})) is Outcome.BLOCK


def test_ph_above_4_5_needs_review_and_4_5_does_not() -> None:
    """ELIG-LEUK: pH > 4.5 → REVIEW; exactly 4.5 passes."""
    assert _outcome(normal_leukorrhea(ph=Decimal("4.6"))) is Outcome.REVIEW
    assert _outcome(normal_leukorrhea(ph=Decimal("4.5"))) is Outcome.PASS


@pytest.mark.parametrize("field", ["amine_test", "sialidase", "leukocyte_esterase", "h2o2"])
def test_positive_enzyme_panel_item_needs_review(field: str) -> None:
    """ELIG-LEUK: positive amine test, sialidase, leukocyte esterase → REVIEW; H2O2 'positive' = abnormal → REVIEW."""
    found = judge_leukorrhea(normal_leukorrhea(**{field: True}))
    assert overall(found) is Outcome.REVIEW
    assert [f.outcome for f in found] == [Outcome.REVIEW]


def test_h2o2_negative_is_normal() -> None:
    """ELIG-LEUK: a negative H2O2 result is the normal one."""
    assert _outcome(normal_leukorrhea(h2o2=False)) is Outcome.PASS


def test_enzyme_panel_is_optional() -> None:
    """ELIG-LEUK: pH and the enzyme panel may be unreported; that alone does not stop the patient."""
    result = normal_leukorrhea(ph=None, amine_test=None, sialidase=None, leukocyte_esterase=None, h2o2=None)
    assert _outcome(result) is Outcome.PASS


def test_every_abnormal_item_is_reported_not_just_the_first() -> None:
    """ELIG-LEUK: grade III, trichomonas and a positive sialidase all appear."""
    found = judge_leukorrhea(normal_leukorrhea(cleanliness=Cleanliness.III, trichomonas=True, sialidase=True))
    assert [f.outcome for f in found].count(Outcome.BLOCK) == 2
    assert [f.outcome for f in found].count(Outcome.REVIEW) == 1
