"""REPORT-FIELDS and REPORT-DOSE: each sentence with its side and numbers, and the dose boundaries."""

from __future__ import annotations

import pytest

from hsgclinic.domain.report import (
    CavityFinding,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
    check_report,
    dose_findings,
)

CAVITY = CavityFinding("normal", False, False, False)
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
OBSTRUCTED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.PROXIMAL, False, Spill.NONE)


def _said(findings: ReportFindings) -> list[tuple[str, str, str]]:
    return [(f.rule, f.outcome.value, f.message.english()) for f in check_report(findings)]


def test_a_consistent_report() -> None:
    assert _said(ReportFindings(CAVITY, PATENT, OBSTRUCTED, "Right proximal obstruction.")) == [
        ("REPORT-FIELDS", "PASS", "The report's findings are consistent.")
    ]


def test_every_inconsistency_is_named_with_its_side_in_order() -> None:
    bad_left = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.NONE, False, Spill.FREE)
    bad_right = TubeFinding(Patency.PATENT, ObstructionLevel.DISTAL, False, Spill.NONE)
    assert _said(ReportFindings(CAVITY, bad_left, bad_right, "  ")) == [
        ("REPORT-FIELDS", "BLOCK", "Left tube: an obstructed tube cannot show peritoneal spill; set spill to none."),
        ("REPORT-FIELDS", "BLOCK", "Left tube: an obstructed tube needs the level of obstruction."),
        ("REPORT-FIELDS", "BLOCK", "Right tube: a patent tube must show peritoneal spill (free or loculated)."),
        ("REPORT-FIELDS", "BLOCK", "Right tube: a patent tube has no obstruction level; set it to none."),
        ("REPORT-FIELDS", "BLOCK", "The report needs an impression."),
    ]
    sides = [f.message.params["side"] for f in check_report(ReportFindings(CAVITY, bad_left, bad_right, "x"))]
    assert [(s.zh, s.en) for s in sides] == [("左侧", "Left")] * 2 + [("右侧", "Right")] * 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "tube",
    [
        TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.MID, False, Spill.LOCULATED),
        TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.NONE, False, Spill.NONE),
        TubeFinding(Patency.NOT_VISUALISED, ObstructionLevel.NONE, False, Spill.NONE),
        TubeFinding(Patency.PATENT, ObstructionLevel.NONE, True, Spill.LOCULATED),
        TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.DISTAL, True, Spill.NONE),
    ],
)
def test_other_combinations_are_consistent(tube: TubeFinding) -> None:
    assert _said(ReportFindings(CAVITY, tube, PATENT, "x")) == [
        ("REPORT-FIELDS", "PASS", "The report's findings are consistent.")
    ]


def test_tubes_patent_and_dilated() -> None:
    hydro = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, True, Spill.FREE)
    partial = TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.MID, False, Spill.LOCULATED)
    assert ReportFindings(CAVITY, PATENT, PATENT, "x").both_patent
    assert not ReportFindings(CAVITY, PATENT, partial, "x").both_patent
    assert not ReportFindings(CAVITY, OBSTRUCTED, PATENT, "x").both_patent
    assert ReportFindings(CAVITY, OBSTRUCTED, partial, "x").any_patent
    assert ReportFindings(CAVITY, partial, OBSTRUCTED, "x").any_patent
    assert ReportFindings(CAVITY, OBSTRUCTED, PATENT, "x").any_patent
    assert not ReportFindings(CAVITY, OBSTRUCTED, OBSTRUCTED, "x").any_patent
    assert ReportFindings(CAVITY, PATENT, hydro, "x").any_hydrosalpinx
    assert ReportFindings(CAVITY, hydro, PATENT, "x").any_hydrosalpinx
    assert not ReportFindings(CAVITY, PATENT, PATENT, "x").any_hydrosalpinx


@pytest.mark.parametrize(
    ("seconds", "median", "said"),
    [
        (240, None, []),
        (241, None, ["Fluoroscopy time 241 s is over 240 s; review the dose."]),
        (241, 200, ["Fluoroscopy time 241 s is over 240 s; review the dose."]),
        (120, 60, []),
        (121, 60, ["Fluoroscopy time 121 s is more than twice the clinic's median (60 s); review the dose."]),
        (121, 0, []),
    ],
)
def test_dose_review_over_the_limit_or_twice_the_median(seconds: int, median: int | None, said: list[str]) -> None:
    """REPORT-DOSE: > 240 s (setting) or > 2 × the clinic's median → REVIEW; exactly at either is fine."""
    found = dose_findings(seconds, median, 240)
    assert [(f.rule, f.outcome.value) for f in found] == [("REPORT-DOSE", "REVIEW")] * len(said)
    assert [f.message.english() for f in found] == said
