"""CARE-*: every aftercare item's date and exact sentence for each kind of report, and the date arithmetic."""

from __future__ import annotations

import datetime as dt

from hsgclinic.domain.aftercare import AftercarePlan, TubesOpen, plan_aftercare
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.domain.rules import Rules

from .factories import D, hand_calendar

PROC = D(2026, 12, 4)
LMP = D(2026, 11, 26)
CAVITY = CavityFinding("normal", False, False, False)
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
DILATED = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, True, Spill.FREE)
PARTIAL = TubeFinding(Patency.PARTIALLY_PATENT, ObstructionLevel.MID, False, Spill.LOCULATED)
BLOCKED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.DISTAL, False, Spill.NONE)
COMMON = [
    (
        "CARE-ABSTAIN",
        "2026-12-18",
        False,
        "No intercourse and no tub bath through 2026-12-18 (14 days); you may resume from 2026-12-19.",
    ),
]
BLEED = [
    (
        "CARE-BLEED",
        "2026-12-11",
        False,
        "A little vaginal bleeding is normal, no more than a period, and it should stop by 2026-12-11.",
    ),
    (
        "CARE-BLEED",
        None,
        True,
        "Contact the clinic at once if bleeding is heavier than a period or lasts past 2026-12-11, if your temperature "
        "is 37.5 °C or higher, or if abdominal pain is severe or getting worse.",
    ),
]
REFER = (
    "CARE-REFER",
    None,
    False,
    "Open tubes are only one part of getting pregnant: for irregular periods, ovulation, endocrine or sperm problems "
    "see the gynaecology or reproductive endocrinology clinic.",
)


def _items(plan: AftercarePlan) -> list[tuple[str, str | None, bool, str]]:
    return [(i.rule, i.day.isoformat() if i.day else None, i.warning, i.message.english()) for i in plan.items]


def _report(left: TubeFinding, right: TubeFinding) -> ReportFindings:
    return ReportFindings(CAVITY, left, right, "x")


def _ectopic(day: str) -> tuple[str, str, bool, str]:
    return (
        "CARE-ECTOPIC",
        day,
        False,
        f"If your period is late (from about {day}), take a pregnancy test and come to the hospital early to rule out "
        "an ectopic pregnancy: found early, it is treated best.",
    )


def _antibiotics(days: int, end: str) -> tuple[str, str, bool, str]:
    return (
        "CARE-ANTIBIOTIC",
        end,
        False,
        f"Take the prescribed oral antibiotics for {days} days, from 2026-12-04 to {end}.",
    )


def _report_item(calendar: ClinicCalendar, rules: Rules) -> tuple[str, str, bool, str]:
    item = next(i for i in plan_aftercare(PROC, calendar, rules).items if i.rule == "CARE-REPORT")
    assert item.day == D(2026, 12, 7) and item.message.params["day"] == D(2026, 12, 7)
    assert item.message.english() == (
        "Once signed, your report can be printed at the self-service printer in outpatient radiology, usually from "
        "2026-12-07; we will tell you when it is ready."
    )
    return ("CARE-REPORT", "2026-12-07", False, item.message.english())


def test_without_a_report_or_her_cycle(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-*: LMP assumed D − 7, a 28-day cycle: conceive from LMP + 28 (12-25), test if late from 01-22."""
    plan = plan_aftercare(PROC, calendar, rules)
    assert _items(plan) == [
        *COMMON,
        _antibiotics(3, "2026-12-06"),
        *BLEED,
        _report_item(calendar, rules),
        (
            "CARE-CONCEIVE",
            "2026-12-25",
            False,
            "If the tubes are patent you can try to conceive from your next cycle, from about 2026-12-25; trying "
            "around ovulation improves the chance.",
        ),
        _ectopic("2027-01-22"),
        REFER,
    ]
    assert (plan.conceive_estimated, plan.tubes, plan.course_days, plan.doxycycline, plan.pid_prophylaxis) == (
        True,
        TubesOpen.UNKNOWN,
        3,
        False,
        False,
    )
    assert plan.contrast is ContrastKind.WATER and not plan.provisional
    assert [f.rule for f in plan.findings] == [i.rule for i in plan.items]
    assert all(f.outcome.value == "PASS" for f in plan.findings)


def test_dilated_tube_oil_contrast_and_pelvic_infection(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-ANTIBIOTIC [G] + CARE-CONCEIVE: doxycycline replaces the course; oil → LMP + 4 cycles (03-26)."""
    plan = plan_aftercare(
        PROC,
        calendar,
        rules,
        period_start=LMP,
        cycle_length=30,
        contrast=ContrastKind.OIL,
        report=_report(DILATED, PATENT),
        pid_history=True,
        antibiotic_days=4,
    )
    assert _items(plan) == [
        *COMMON,
        (
            "CARE-ANTIBIOTIC",
            "2026-12-08",
            False,
            "Because a tube is dilated (hydrosalpinx), take doxycycline 100 mg twice daily for 5 days, from "
            "2026-12-04 to 2026-12-08, instead of the usual antibiotic course.",
        ),
        *BLEED,
        _report_item(calendar, rules),
        (
            "CARE-ANTIBIOTIC",
            "2026-12-04",
            False,
            "Because of a history of pelvic infection, take the antibiotic dose before the procedure.",
        ),
        (
            "CARE-CONCEIVE",
            "2027-03-26",
            False,
            "Both tubes are patent. Oil-based contrast was used: wait 3 cycles, then you can try to conceive from "
            "about 2027-03-26.",
        ),
        _ectopic("2027-04-25"),
        REFER,
    ]
    assert (plan.antibiotic_days, plan.course_days, plan.antibiotics_through) == (4, 5, D(2026, 12, 8))
    assert (plan.doxycycline, plan.pid_prophylaxis, plan.conceive_estimated) == (True, True, False)
    assert plan.tubes is TubesOpen.BOTH


def test_both_tubes_patent_water(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30, report=_report(PATENT, PATENT))
    conceive = [i for i in _items(plan) if i[0] in ("CARE-CONCEIVE", "CARE-ECTOPIC")]
    assert conceive == [
        (
            "CARE-CONCEIVE",
            "2026-12-26",
            False,
            "Both tubes are patent: you can try to conceive from your next cycle, from about 2026-12-26; trying around "
            "ovulation improves the chance.",
        ),
        _ectopic("2027-01-25"),
    ]
    assert plan.pregnancy_test_from == D(2027, 1, 25) and plan.conceive_from == D(2026, 12, 26)


def test_one_tube_patent_water_and_oil(calendar: ClinicCalendar, rules: Rules) -> None:
    water = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30, report=_report(PARTIAL, BLOCKED))
    assert water.tubes is TubesOpen.ONE
    assert [i for i in _items(water) if i[0] == "CARE-CONCEIVE"] == [
        (
            "CARE-CONCEIVE",
            "2026-12-26",
            False,
            "Not both tubes are fully patent: discuss your chances and the next steps with your doctor; you can try "
            "to conceive from your next cycle, from about 2026-12-26.",
        )
    ]
    oil = plan_aftercare(
        PROC, calendar, rules, period_start=LMP, contrast=ContrastKind.OIL, report=_report(BLOCKED, PATENT)
    )
    assert (oil.tubes, oil.conceive_estimated, oil.pregnancy_test_from) == (TubesOpen.ONE, True, D(2027, 4, 15))
    assert [i for i in _items(oil) if i[0] == "CARE-CONCEIVE"] == [
        (
            "CARE-CONCEIVE",
            "2027-03-18",
            False,
            "Not both tubes are fully patent: discuss your chances and the next steps with your doctor. Oil-based "
            "contrast was used: wait 3 cycles; you can try to conceive from about 2027-03-18.",
        )
    ]


def test_oil_without_a_report_keeps_the_conditional_sentence(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=28, contrast=ContrastKind.OIL)
    assert [i[3] for i in _items(plan) if i[0] == "CARE-CONCEIVE"] == [
        "Oil-based contrast was used: wait 3 cycles; if the tubes are patent you can try to conceive from about "
        "2027-03-18."
    ]
    assert plan.conceive_estimated is False


def test_neither_tube_patent(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(PROC, calendar, rules, report=_report(BLOCKED, BLOCKED))
    assert _items(plan)[-3:] == [
        (
            "CARE-CONCEIVE",
            None,
            False,
            "Neither tube was shown to be patent: discuss the next steps with your doctor before trying.",
        ),
        (
            "CARE-ECTOPIC",
            None,
            False,
            "If you become pregnant, come to the hospital early to rule out an ectopic pregnancy.",
        ),
        REFER,
    ]
    assert (plan.conceive_from, plan.pregnancy_test_from, plan.tubes) == (None, None, TubesOpen.NONE)


def test_conceiving_never_starts_before_the_no_intercourse_span_ends(calendar: ClinicCalendar, rules: Rules) -> None:
    """CARE-CONCEIVE / CARE-ABSTAIN: a short cycle would give a date before D+15; the plan says D+15."""
    plan = plan_aftercare(PROC, calendar, rules, period_start=PROC - dt.timedelta(days=10), cycle_length=21)
    assert plan.conceive_from == D(2026, 12, 19) == plan.resume_from
    assert plan.pregnancy_test_from == D(2027, 1, 9)


def test_settings_change_the_dates_and_sentences(calendar: ClinicCalendar) -> None:
    rules = Rules(abstain_days=10, bleeding_days=5, default_antibiotic_days=4, oil_contrast_wait_cycles=2)
    plan = plan_aftercare(PROC, calendar, rules, period_start=LMP, cycle_length=30, contrast=ContrastKind.OIL)
    assert (plan.abstain_through, plan.resume_from, plan.bleeding_stops_by) == (
        D(2026, 12, 14),
        D(2026, 12, 15),
        D(2026, 12, 9),
    )
    assert (plan.antibiotic_days, plan.antibiotics_through, plan.conceive_from) == (4, D(2026, 12, 7), D(2027, 2, 24))
    assert _items(plan)[0][3] == (
        "No intercourse and no tub bath through 2026-12-14 (10 days); you may resume from 2026-12-15."
    )


def test_a_report_day_in_a_provisional_year_makes_the_plan_provisional(rules: Rules) -> None:
    cal = hand_calendar(years=(2030, 2031), official=(2030,))
    assert plan_aftercare(D(2030, 12, 31), cal, rules).provisional
    assert not plan_aftercare(D(2030, 12, 30), cal, rules).provisional
