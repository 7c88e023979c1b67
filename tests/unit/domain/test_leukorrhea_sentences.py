"""ELIG-LEUK: each finding's exact sentence and parameters, in a stable order, and the grade boundaries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult, grade_from_wbc, judge_leukorrhea

from .factories import normal_leukorrhea


def _said(result: LeukorrheaResult | None) -> list[tuple[str, str, str]]:
    return [(f.rule, f.outcome.value, f.message.english()) for f in judge_leukorrhea(result)]


def test_the_normal_result_sentence() -> None:
    assert _said(normal_leukorrhea()) == [("ELIG-LEUK", "PASS", "The leukorrhea routine test is normal.")]


def test_no_result_at_all() -> None:
    assert _said(None) == [
        ("ELIG-LEUK", "BLOCK", "The leukorrhea routine test result is needed before the procedure can be booked.")
    ]


def test_every_abnormal_item_in_order_with_its_name() -> None:
    result = normal_leukorrhea(
        cleanliness=Cleanliness.III,
        wbc_per_hpf=None,
        trichomonas=True,
        yeast=True,
        clue_cells=True,
        ph=Decimal("4.6"),
        amine_test=True,
        sialidase=True,
        leukocyte_esterase=True,
        h2o2=True,
    )
    assert _said(result) == [
        ("ELIG-LEUK", "BLOCK", "Cleanliness grade III (must be I or II): treat and retest before the procedure."),
        ("ELIG-LEUK", "BLOCK", "Positive for trichomonas: treat and retest before the procedure."),
        ("ELIG-LEUK", "BLOCK", "Positive for yeast (spores or hyphae): treat and retest before the procedure."),
        ("ELIG-LEUK", "BLOCK", "Positive for clue cells: treat and retest before the procedure."),
        ("ELIG-LEUK", "REVIEW", "Vaginal pH 4.6 is above 4.5; a doctor must review."),
        ("ELIG-LEUK", "REVIEW", "Positive result for the amine test (abnormal): a doctor must review."),
        ("ELIG-LEUK", "REVIEW", "Positive result for sialidase (abnormal): a doctor must review."),
        ("ELIG-LEUK", "REVIEW", "Positive result for leukocyte esterase (abnormal): a doctor must review."),
        ("ELIG-LEUK", "REVIEW", "Positive result for H2O2 (hydrogen peroxide) (abnormal): a doctor must review."),
    ]


def test_missing_microscopy_items_are_named() -> None:
    result = normal_leukorrhea(trichomonas=None, yeast=None, clue_cells=None)
    assert _said(result) == [
        ("ELIG-LEUK", "BLOCK", "The result for trichomonas is missing."),
        ("ELIG-LEUK", "BLOCK", "The result for yeast (spores or hyphae) is missing."),
        ("ELIG-LEUK", "BLOCK", "The result for clue cells is missing."),
    ]


def test_no_grade_and_no_count() -> None:
    assert _said(normal_leukorrhea(cleanliness=None, wbc_per_hpf=None)) == [
        ("ELIG-LEUK", "BLOCK", "The leukorrhea test has no cleanliness grade or WBC count.")
    ]


@pytest.mark.parametrize(
    ("grade", "wbc", "said"),
    [
        (Cleanliness.II, None, None),
        (None, 14, None),
        (None, 15, "Cleanliness grade III (must be I or II): treat and retest before the procedure."),
        (Cleanliness.IV, 2, "Cleanliness grade IV (must be I or II): treat and retest before the procedure."),
        (Cleanliness.I, 31, "Cleanliness grade IV (must be I or II): treat and retest before the procedure."),
    ],
)
def test_the_worse_of_grade_and_count_is_named(grade: Cleanliness | None, wbc: int | None, said: str | None) -> None:
    found = _said(normal_leukorrhea(cleanliness=grade, wbc_per_hpf=wbc))
    expected = ("BLOCK", said) if said else ("PASS", "The leukorrhea routine test is normal.")
    assert [(o, m) for _, o, m in found] == [expected]


@pytest.mark.parametrize(
    ("wbc", "grade"),
    [(0, 1), (4, 1), (5, 2), (14, 2), (15, 3), (30, 3), (31, 4)],
)
def test_wbc_boundaries_go_to_the_worse_grade(wbc: int, grade: int) -> None:
    assert grade_from_wbc(wbc) is Cleanliness(grade)


@pytest.mark.parametrize(("ph", "review"), [("4.5", False), ("4.51", True)])
def test_ph_limit_is_strictly_above_4_5(ph: str, review: bool) -> None:
    found = _said(normal_leukorrhea(ph=Decimal(ph)))
    assert (found[0][1] == "REVIEW") is review
    assert len(found) == 1


def test_enzyme_items_negative_or_not_reported_pass() -> None:
    result = normal_leukorrhea(amine_test=None, sialidase=False, leukocyte_esterase=None, h2o2=False, ph=None)
    assert _said(result) == [("ELIG-LEUK", "PASS", "The leukorrhea routine test is normal.")]
