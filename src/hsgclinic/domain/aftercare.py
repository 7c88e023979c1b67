"""The dated, personal aftercare plan (CARE-*): every item of the leaflet as a concrete date."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import N_, Message, MessageError
from hsgclinic.domain.report import ContrastKind, ReportFindings, report_ready_on
from hsgclinic.domain.rules import Rules


class AftercareInputError(MessageError):
    """Input that cannot be accepted (see :class:`MessageError`), with the rule it breaks."""

    def __init__(self, message: Message, rule: str = "CARE-ANTIBIOTIC") -> None:
        super().__init__(message)
        self.rule = rule


DOXYCYCLINE_DAYS = 5  # CARE-ANTIBIOTIC [G]: hydrosalpinx → doxycycline 100 mg twice daily × 5 days


class TubesOpen(enum.StrEnum):
    """What the report showed of the tubes, for wording CARE-CONCEIVE (``unknown``: no report yet)."""

    BOTH = "both"  # both tubes patent
    ONE = "one"  # at least one patent or partially patent, not both fully patent
    NONE = "none"  # neither tube shown patent
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class AftercareItem:
    rule: str
    day: dt.date | None
    message: Message
    warning: bool = False


@dataclass(frozen=True)
class AftercarePlan:
    procedure_date: dt.date
    report_ready_on: dt.date  # CARE-REPORT / REPORT-READY
    abstain_through: dt.date  # CARE-ABSTAIN: no intercourse, no tub bath through this day
    resume_from: dt.date
    antibiotic_days: int  # the usual course asked for (the doxycycline course replaces it when ``doxycycline``)
    antibiotics_through: dt.date  # CARE-ANTIBIOTIC: the last day of the course she takes
    bleeding_stops_by: dt.date  # CARE-BLEED
    conceive_from: dt.date | None  # CARE-CONCEIVE (None when no tube is patent)
    conceive_estimated: bool
    pregnancy_test_from: dt.date | None  # CARE-ECTOPIC: a missed period after trying → test and come early
    contrast: ContrastKind
    doxycycline: bool  # CARE-ANTIBIOTIC [G]: hydrosalpinx → doxycycline 100 mg twice daily × 5 days
    pid_prophylaxis: bool  # CARE-ANTIBIOTIC [G]: history of PID → a pre-procedure dose
    provisional: bool
    items: tuple[AftercareItem, ...]
    tubes: TubesOpen = TubesOpen.UNKNOWN

    @property
    def course_days(self) -> int:
        """Days of the antibiotic course she takes: doxycycline's when it replaces the usual one."""
        return DOXYCYCLINE_DAYS if self.doxycycline else self.antibiotic_days

    @property
    def findings(self) -> list[Finding]:
        return [Finding(i.rule, Outcome.PASS, i.message) for i in self.items]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _check_cycle_input(d: dt.date, period_start: dt.date | None, cycle_length: int | None, rules: Rules) -> None:
    """CARE-CONCEIVE's inputs must be true of this cycle: her last period began on or before the procedure, within
    the longest plausible cycle before it, and the cycle length is plausible."""
    if period_start is not None and period_start > d:
        raise AftercareInputError(
            N_(
                "The first day of the last period ({start}) must be on or before the procedure date ({day}).",
                start=period_start,
                day=d,
            ),
            rule="CARE-CONCEIVE",
        )
    if period_start is not None and (d - period_start).days > rules.max_cycle_days:
        raise AftercareInputError(
            N_(
                "The first day of the last period ({start}) is more than {days} days before the procedure date "
                "({day}); enter the period of this cycle.",
                start=period_start,
                days=rules.max_cycle_days,
                day=d,
            ),
            rule="CARE-CONCEIVE",
        )
    if cycle_length is not None and not rules.min_cycle_days <= cycle_length <= rules.max_cycle_days:
        raise AftercareInputError(
            N_(
                "A cycle length of {days} days is not plausible; enter a number from {low} to {high}.",
                days=cycle_length,
                low=rules.min_cycle_days,
                high=rules.max_cycle_days,
            ),
            rule="CARE-CONCEIVE",
        )


def plan_aftercare(
    procedure_date: dt.date,
    calendar: ClinicCalendar,
    rules: Rules,
    *,
    antibiotic_days: int | None = None,
    contrast: ContrastKind = ContrastKind.WATER,
    period_start: dt.date | None = None,
    cycle_length: int | None = None,
    report: ReportFindings | None = None,
    pid_history: bool = False,
) -> AftercarePlan:
    """Every CARE item for a procedure on ``procedure_date`` (D)."""
    n = rules.default_antibiotic_days if antibiotic_days is None else antibiotic_days
    if not rules.min_antibiotic_days <= n <= rules.max_antibiotic_days:
        raise AftercareInputError(
            N_(
                "The antibiotic course is {low}–{high} days, not {days}.",
                low=rules.min_antibiotic_days,
                high=rules.max_antibiotic_days,
                days=n,
            )
        )
    d = procedure_date
    _check_cycle_input(d, period_start, cycle_length, rules)
    ready = report_ready_on(d, calendar)
    abstain_through = d + _days(rules.abstain_days)
    resume_from = abstain_through + _days(1)
    bleeding_by = d + _days(rules.bleeding_days)
    doxycycline = report is not None and report.any_hydrosalpinx
    # One antibiotic line: with a hydrosalpinx the doxycycline course replaces the usual one.
    antibiotics_through = d + _days((DOXYCYCLINE_DAYS if doxycycline else n) - 1)
    if report is None:
        tubes = TubesOpen.UNKNOWN
    elif report.both_patent:
        tubes = TubesOpen.BOTH
    elif report.any_patent:
        tubes = TubesOpen.ONE
    else:
        tubes = TubesOpen.NONE

    length = cycle_length if cycle_length is not None else rules.default_cycle_days
    if period_start is not None:
        lmp, estimated = period_start, cycle_length is None
    else:
        # Without her last period's first day, assume the procedure fell on cycle day 8 (E+3 of a 5-day period).
        lmp, estimated = d - _days(7), True
    # Water-based: try from the next cycle. Oil-based: skip `oil_contrast_wait_cycles` whole cycles first
    # (the safer reading of CARE-CONCEIVE, docs/decisions/0000).
    cycles = 1 + (rules.oil_contrast_wait_cycles if contrast is ContrastKind.OIL else 0)
    tubes_open = report is None or report.any_patent
    conceive_from: dt.date | None = None
    test_from: dt.date | None = None
    if tubes_open:
        conceive_from = max(lmp + _days(length * cycles), resume_from)
        test_from = conceive_from + _days(length)

    items: list[AftercareItem] = [
        AftercareItem(
            "CARE-ABSTAIN",
            abstain_through,
            N_(
                "No intercourse and no tub bath through {through} ({days} days); you may resume from {resume}.",
                through=abstain_through,
                days=rules.abstain_days,
                resume=resume_from,
            ),
        ),
        AftercareItem(
            "CARE-ANTIBIOTIC",
            antibiotics_through,
            N_(
                "Because a tube is dilated (hydrosalpinx), take doxycycline 100 mg twice daily for {days} days, "
                "from {start} to {end}, instead of the usual antibiotic course.",
                days=DOXYCYCLINE_DAYS,
                start=d,
                end=antibiotics_through,
            )
            if doxycycline
            else N_(
                "Take the prescribed oral antibiotics for {days} days, from {start} to {end}.",
                days=n,
                start=d,
                end=antibiotics_through,
            ),
        ),
        AftercareItem(
            "CARE-BLEED",
            bleeding_by,
            N_(
                "A little vaginal bleeding is normal, no more than a period, and it should stop by {day}.",
                day=bleeding_by,
            ),
        ),
        AftercareItem(
            "CARE-BLEED",
            None,
            N_(
                "Contact the clinic at once if bleeding is heavier than a period or lasts past {day}, if your "
                "temperature is 37.5 °C or higher, or if abdominal pain is severe or getting worse.",
                day=bleeding_by,
            ),
            warning=True,
        ),
        AftercareItem(
            "CARE-REPORT",
            ready,
            N_(
                "Once signed, your report can be printed at the self-service printer in outpatient radiology, "
                "usually from {day}; we will tell you when it is ready.",
                day=ready,
            ),
        ),
    ]
    if pid_history:
        items.append(
            AftercareItem(
                "CARE-ANTIBIOTIC",
                d,
                N_("Because of a history of pelvic infection, take the antibiotic dose before the procedure."),
            )
        )
    if conceive_from is not None:
        items.append(
            AftercareItem("CARE-CONCEIVE", conceive_from, _conceive_message(tubes, contrast, rules, conceive_from))
        )
        assert test_from is not None
        items.append(
            AftercareItem(
                "CARE-ECTOPIC",
                test_from,
                N_(
                    "If your period is late (from about {day}), take a pregnancy test and come to the hospital early "
                    "to rule out an ectopic pregnancy: found early, it is treated best.",
                    day=test_from,
                ),
            )
        )
    else:
        items.append(
            AftercareItem(
                "CARE-CONCEIVE",
                None,
                N_("Neither tube was shown to be patent: discuss the next steps with your doctor before trying."),
            )
        )
        items.append(
            AftercareItem(
                "CARE-ECTOPIC",
                None,
                N_("If you become pregnant, come to the hospital early to rule out an ectopic pregnancy."),
            )
        )
    items.append(
        AftercareItem(
            "CARE-REFER",
            None,
            N_(
                "Open tubes are only one part of getting pregnant: for irregular periods, ovulation, endocrine or "
                "sperm problems see the gynaecology or reproductive endocrinology clinic."
            ),
        )
    )
    # Only the report date depends on the holiday calendar; every other item counts calendar days.
    provisional = calendar.is_provisional(ready)
    return AftercarePlan(
        procedure_date=d,
        report_ready_on=ready,
        abstain_through=abstain_through,
        resume_from=resume_from,
        antibiotic_days=n,
        antibiotics_through=antibiotics_through,
        bleeding_stops_by=bleeding_by,
        conceive_from=conceive_from,
        conceive_estimated=estimated,
        pregnancy_test_from=test_from,
        contrast=contrast,
        doxycycline=doxycycline,
        pid_prophylaxis=pid_history,
        provisional=provisional,
        items=tuple(items),
        tubes=tubes,
    )


def _conceive_message(tubes: TubesOpen, contrast: ContrastKind, rules: Rules, day: dt.date) -> Message:
    """CARE-CONCEIVE worded for what the report showed (never "if the tubes are patent" when one is not)."""
    oil = contrast is ContrastKind.OIL
    cycles = rules.oil_contrast_wait_cycles
    if tubes is TubesOpen.BOTH:
        if oil:
            return N_(
                "Both tubes are patent. Oil-based contrast was used: wait {cycles} cycles, then you can try to "
                "conceive from about {day}.",
                cycles=cycles,
                day=day,
            )
        return N_(
            "Both tubes are patent: you can try to conceive from your next cycle, from about {day}; trying around "
            "ovulation improves the chance.",
            day=day,
        )
    if tubes is TubesOpen.ONE:
        if oil:
            return N_(
                "Not both tubes are fully patent: discuss your chances and the next steps with your doctor. "
                "Oil-based contrast was used: wait {cycles} cycles; you can try to conceive from about {day}.",
                cycles=cycles,
                day=day,
            )
        return N_(
            "Not both tubes are fully patent: discuss your chances and the next steps with your doctor; you can try "
            "to conceive from your next cycle, from about {day}.",
            day=day,
        )
    if oil:
        return N_(
            "Oil-based contrast was used: wait {cycles} cycles; if the tubes are patent you can try to conceive "
            "from about {day}.",
            cycles=cycles,
            day=day,
        )
    return N_(
        "If the tubes are patent you can try to conceive from your next cycle, from about {day}; "
        "trying around ovulation improves the chance.",
        day=day,
    )
