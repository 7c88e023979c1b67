"""The structured HSG report: REPORT-FIELDS (consistency), REPORT-READY (pick-up date), REPORT-DOSE."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_, Localized

LEFT = Localized("左侧", "Left")
RIGHT = Localized("右侧", "Right")


class Patency(enum.StrEnum):
    PATENT = "patent"
    PARTIALLY_PATENT = "partially_patent"
    OBSTRUCTED = "obstructed"
    NOT_VISUALISED = "not_visualised"


class ObstructionLevel(enum.StrEnum):
    PROXIMAL = "proximal"
    MID = "mid"
    DISTAL = "distal"
    NONE = "none"


class Spill(enum.StrEnum):
    FREE = "free"
    LOCULATED = "loculated"
    NONE = "none"


class ContrastKind(enum.StrEnum):
    WATER = "water"
    OIL = "oil"


@dataclass(frozen=True)
class TubeFinding:
    patency: Patency
    obstruction_level: ObstructionLevel
    hydrosalpinx: bool
    spill: Spill


@dataclass(frozen=True)
class CavityFinding:
    shape: str  # e.g. "normal", "arcuate", "septate", "bicornuate", "T-shaped"
    anomaly: bool
    filling_defects: bool
    intravasation: bool


@dataclass(frozen=True)
class ReportFindings:
    cavity: CavityFinding
    left: TubeFinding
    right: TubeFinding
    impression: str

    @property
    def any_hydrosalpinx(self) -> bool:
        return self.left.hydrosalpinx or self.right.hydrosalpinx

    @property
    def both_patent(self) -> bool:
        return self.left.patency is Patency.PATENT and self.right.patency is Patency.PATENT

    @property
    def any_patent(self) -> bool:
        return Patency.PATENT in (self.left.patency, self.right.patency) or Patency.PARTIALLY_PATENT in (
            self.left.patency,
            self.right.patency,
        )


def _tube_checks(side: Localized, tube: TubeFinding) -> list[Finding]:
    found: list[Finding] = []
    if tube.patency is Patency.OBSTRUCTED and tube.spill is not Spill.NONE:
        found.append(
            Finding(
                "REPORT-FIELDS",
                Outcome.BLOCK,
                N_(
                    "{side} tube: an obstructed tube cannot show peritoneal spill; set spill to none.",
                    side=side,
                ),
            )
        )
    if tube.patency is Patency.PATENT and tube.spill is Spill.NONE:
        found.append(
            Finding(
                "REPORT-FIELDS",
                Outcome.BLOCK,
                N_("{side} tube: a patent tube must show peritoneal spill (free or loculated).", side=side),
            )
        )
    if tube.patency is Patency.OBSTRUCTED and tube.obstruction_level is ObstructionLevel.NONE:
        found.append(
            Finding(
                "REPORT-FIELDS",
                Outcome.BLOCK,
                N_("{side} tube: an obstructed tube needs the level of obstruction.", side=side),
            )
        )
    if tube.patency is Patency.PATENT and tube.obstruction_level is not ObstructionLevel.NONE:
        found.append(
            Finding(
                "REPORT-FIELDS",
                Outcome.BLOCK,
                N_("{side} tube: a patent tube has no obstruction level; set it to none.", side=side),
            )
        )
    return found


def check_report(findings: ReportFindings) -> list[Finding]:
    """REPORT-FIELDS consistency: obstructed ⇒ spill none; patent ⇒ spill not none; impression required."""
    found = _tube_checks(LEFT, findings.left) + _tube_checks(RIGHT, findings.right)
    if not findings.impression.strip():
        found.append(Finding("REPORT-FIELDS", Outcome.BLOCK, N_("The report needs an impression.")))
    if not found:
        found.append(Finding("REPORT-FIELDS", Outcome.PASS, N_("The report's findings are consistent.")))
    return found


def report_ready_on(procedure_date: dt.date, calendar: ClinicCalendar) -> dt.date:
    """REPORT-READY: printable from the next working day (CAL-WORK) after the procedure."""
    return calendar.next_working_day_after(procedure_date)


def dose_findings(fluoroscopy_seconds: float, clinic_median_seconds: float | None, limit_seconds: int) -> list[Finding]:
    """REPORT-DOSE: flag fluoroscopy time over 2× the clinic's median or over the absolute limit."""
    if fluoroscopy_seconds > limit_seconds:
        return [
            Finding(
                "REPORT-DOSE",
                Outcome.REVIEW,
                N_(
                    "Fluoroscopy time {seconds} s is over {limit} s; review the dose.",
                    seconds=fluoroscopy_seconds,
                    limit=limit_seconds,
                ),
            )
        ]
    if clinic_median_seconds and fluoroscopy_seconds > 2 * clinic_median_seconds:
        return [
            Finding(
                "REPORT-DOSE",
                Outcome.REVIEW,
                N_(
                    "Fluoroscopy time {seconds} s is more than twice the clinic's median ({median} s); "
                    "review the dose.",
                    seconds=fluoroscopy_seconds,
                    median=clinic_median_seconds,
                ),
            )
        ]
    return []
