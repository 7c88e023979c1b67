"""REPORT-FIELDS, REPORT-READY, REPORT-DOSE."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.report import (
    LEFT,
    RIGHT,
    CavityFinding,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
    check_report,
    dose_findings,
    report_ready_on,
)

from .factories import D, hand_calendar

PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, hydrosalpinx=False, spill=Spill.FREE)
OBSTRUCTED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.PROXIMAL, hydrosalpinx=False, spill=Spill.NONE)
NORMAL_CAVITY = CavityFinding("normal", anomaly=False, filling_defects=False, intravasation=False)


def report(
    left: TubeFinding = PATENT, right: TubeFinding = PATENT, impression: str = "Both tubes patent."
) -> ReportFindings:
    return ReportFindings(NORMAL_CAVITY, left, right, impression)


# -- REPORT-FIELDS -----------------------------------------------------------------------------------------------
def test_consistent_report_passes() -> None:
    """REPORT-FIELDS: patent with free spill and obstructed with no spill are consistent."""
    found = check_report(report(PATENT, OBSTRUCTED, "Right proximal obstruction."))
    assert [(f.rule, f.outcome) for f in found] == [("REPORT-FIELDS", Outcome.PASS)]


def test_obstructed_tube_with_spill_is_inconsistent() -> None:
    """REPORT-FIELDS: obstructed ⇒ spill none; the side is named."""
    found = check_report(report(left=dataclasses.replace(OBSTRUCTED, spill=Spill.FREE)))
    assert [f.outcome for f in found] == [Outcome.BLOCK]
    assert found[0].message.params["side"] == LEFT
    assert "obstructed tube cannot show peritoneal spill" in found[0].message.msgid


def test_patent_tube_without_spill_is_inconsistent() -> None:
    """REPORT-FIELDS: patent ⇒ spill not none."""
    found = check_report(report(right=dataclasses.replace(PATENT, spill=Spill.NONE)))
    assert [f.outcome for f in found] == [Outcome.BLOCK]
    assert found[0].message.params["side"] == RIGHT


def test_loculated_spill_counts_as_spill() -> None:
    """REPORT-FIELDS: a patent tube with loculated spill is consistent."""
    found = check_report(report(left=dataclasses.replace(PATENT, spill=Spill.LOCULATED)))
    assert found[0].outcome is Outcome.PASS


def test_obstruction_level_must_match_patency() -> None:
    """REPORT-FIELDS: obstructed needs a level; patent has none."""
    no_level = check_report(report(left=dataclasses.replace(OBSTRUCTED, obstruction_level=ObstructionLevel.NONE)))
    assert [f.outcome for f in no_level] == [Outcome.BLOCK]
    with_level = check_report(report(left=dataclasses.replace(PATENT, obstruction_level=ObstructionLevel.DISTAL)))
    assert [f.outcome for f in with_level] == [Outcome.BLOCK]


def test_partially_patent_and_not_visualised_tubes_are_accepted() -> None:
    """REPORT-FIELDS: the four patency values are all valid."""
    partial = TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.DISTAL, hydrosalpinx=True, spill=Spill.LOCULATED)
    unseen = TubeFinding(Patency.NOT_VISUALISED, ObstructionLevel.NONE, hydrosalpinx=False, spill=Spill.NONE)
    findings = report(partial, unseen)
    assert check_report(findings)[0].outcome is Outcome.PASS
    assert findings.any_hydrosalpinx and findings.any_patent and not findings.both_patent


def test_report_needs_an_impression() -> None:
    """REPORT-FIELDS: the impression is required."""
    found = check_report(report(impression="  "))
    assert [f.outcome for f in found] == [Outcome.BLOCK]


def test_every_inconsistency_is_listed() -> None:
    """REPORT-FIELDS: both tubes wrong and no impression → three findings."""
    bad = dataclasses.replace(OBSTRUCTED, spill=Spill.FREE)
    assert len(check_report(report(bad, bad, ""))) == 3


# -- REPORT-READY ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("procedure", "ready"),
    [
        (D(2026, 12, 4), D(2026, 12, 7)),  # Friday → Monday
        (D(2026, 12, 5), D(2026, 12, 7)),  # Saturday (open) → Monday
        (D(2026, 11, 24), D(2026, 11, 25)),  # Tuesday → Wednesday
        (D(2026, 9, 30), D(2026, 10, 8)),  # before National Day → the first working day after it
        (D(2026, 9, 24), D(2026, 9, 28)),  # before the Mid-Autumn break (Sep 25–27)
        (D(2026, 10, 9), D(2026, 10, 10)),  # Friday → make-up Saturday counts
        (D(2026, 9, 19), D(2026, 9, 20)),  # Saturday → make-up Sunday counts
        (D(2026, 2, 14), D(2026, 2, 24)),  # make-up Saturday before the Spring Festival break
        (D(2025, 12, 31), D(2026, 1, 4)),  # New Year's Eve → make-up Sunday 2026-01-04
    ],
)
def test_report_is_ready_from_the_next_working_day(
    calendar: ClinicCalendar, procedure: dt.date, ready: dt.date
) -> None:
    """REPORT-READY: next working day (CAL-WORK) after the procedure."""
    assert report_ready_on(procedure, calendar) == ready


def test_clinic_only_closure_does_not_delay_the_report() -> None:
    """REPORT-READY: a clinic training day is still a working day for the report."""
    cal = hand_calendar(clinic_closed=[D(2030, 3, 7)])
    assert report_ready_on(D(2030, 3, 6), cal) == D(2030, 3, 7)


# -- REPORT-DOSE -------------------------------------------------------------------------------------------------
def test_fluoroscopy_over_240_seconds_is_flagged() -> None:
    """REPORT-DOSE: > 240 s → REVIEW; 240 s exactly is not flagged."""
    assert [f.outcome for f in dose_findings(241, None, 240)] == [Outcome.REVIEW]
    assert dose_findings(240, None, 240) == []


def test_fluoroscopy_over_twice_the_median_is_flagged() -> None:
    """REPORT-DOSE: > 2× the clinic's median → REVIEW."""
    found = dose_findings(121, 60, 240)
    assert [(f.rule, f.outcome) for f in found] == [("REPORT-DOSE", Outcome.REVIEW)]
    assert found[0].message.params["median"] == 60
    assert dose_findings(120, 60, 240) == []
    assert dose_findings(30, 0, 240) == []
