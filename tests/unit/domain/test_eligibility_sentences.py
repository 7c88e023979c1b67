"""ELIG-*: the exact sentence each rule gives the patient, with its parameters, and every boundary.

The outcome alone is not enough: a screening that says PASS with the wrong sentence, a missing date or the
wrong threshold misleads the patient and the doctor. Each case pins the rule's findings as (outcome, English
sentence); the Chinese wording comes from the same message id and parameters (tests/unit/test_i18n_catalogues.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.eligibility import Contraindication, ContrastReaction, HcgResult, screen
from hsgclinic.domain.rules import Rules

from .factories import D, cycle, hand_calendar, screening

E = D(2026, 11, 18)  # period ended Wed 2026-11-18; LMP 11-14 in the factory; 28-day cycle
ALL_PASS = [
    ("ELIG-VISIT-DAY", "PASS", "Visit on day 2 after the period, as recommended."),
    ("ELIG-ABSTAIN", "PASS", "No intercourse since the period ended."),
    ("ELIG-TEMP", "PASS", "Temperature 36.6 °C is below 37.5 °C."),
    ("ELIG-RESP", "PASS", "No cold or respiratory illness."),
    ("ELIG-PAIN", "PASS", "No recent lower abdominal pain."),
    ("ELIG-LEUK", "PASS", "The leukorrhea routine test is normal."),
    ("ELIG-PREG", "PASS", "No sign of pregnancy; a urine hCG test is still done on the procedure day."),
    ("ELIG-CONTRA", "PASS", "No contraindication reported."),
    ("ELIG-OVULATION", "PASS", "A procedure on 2026-11-21 is before the estimated ovulation (2026-11-27)."),
]


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def _said(calendar: ClinicCalendar, rules: Rules, visit: dt.date, rule: str, **kwargs: Any) -> list[tuple[str, str]]:
    result = screen(screening(visit, E, **kwargs), calendar, rules)
    return [(f.outcome.value, f.message.english()) for f in result.findings if f.rule == rule]


def test_a_good_visit_gives_one_sentence_per_rule_in_order(calendar: ClinicCalendar, rules: Rules) -> None:
    result = screen(screening(E + _days(2), E), calendar, rules)
    assert [(f.rule, f.outcome.value, f.message.english()) for f in result.findings] == ALL_PASS


# -- ELIG-VISIT-DAY ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("offset", "said"),
    [
        (-1, [("BLOCK", "The period has not ended yet; come on day 2–3 after it ends.")]),
        (
            0,
            [
                (
                    "BLOCK",
                    "Day 0 after the period is too early: no procedure date can be reached from a test today. "
                    "Come on day 2–3 after your period (2026-11-20 to 2026-11-21).",
                )
            ],
        ),
        (
            1,
            [
                (
                    "REVIEW",
                    "Day 1 after the period is earlier than the recommended day 2–3; a doctor must confirm the "
                    "bleeding has stopped.",
                )
            ],
        ),
        (2, [("PASS", "Visit on day 2 after the period, as recommended.")]),
        (3, [("PASS", "Visit on day 3 after the period, as recommended.")]),
        (
            4,
            [
                (
                    "REVIEW",
                    "Day 4 after the period is later than recommended; a procedure on 2026-11-23 is still possible "
                    "if a doctor agrees.",
                )
            ],
        ),
        (
            6,
            [
                (
                    "REVIEW",
                    "Day 6 after the period is later than recommended; a procedure on 2026-11-25 is still possible "
                    "if a doctor agrees.",
                )
            ],
        ),
        (
            7,
            [
                (
                    "BLOCK",
                    "Day 7 after the period is too late: no procedure date in this cycle can be reached. Come back on "
                    "day 2–3 after your next period.",
                )
            ],
        ),
    ],
)
def test_visit_day_sentence_for_each_day_after_the_period(
    calendar: ClinicCalendar, rules: Rules, offset: int, said: list[tuple[str, str]]
) -> None:
    assert _said(calendar, rules, E + _days(offset), "ELIG-VISIT-DAY") == said


def test_a_late_visit_names_the_first_reachable_date(rules: Rules) -> None:
    """ELIG-VISIT-DAY: from E+4 with E+5 closed, the date offered is E+6 (T+2), not the closed T+1."""
    e = D(2030, 4, 1)
    cal = hand_calendar(holidays=[e + _days(5)])
    found = screen(screening(e + _days(4), e), cal, rules).by_rule("ELIG-VISIT-DAY")
    assert [(f.outcome.value, f.message.params["day"]) for f in found] == [("REVIEW", e + _days(6))]


def test_other_visit_offsets_follow_the_settings(calendar: ClinicCalendar) -> None:
    """ELIG-VISIT-DAY: the recommended days are settings (here E+1…E+4), and the sentences say so."""
    wide = Rules(visit_first_offset=1, visit_last_offset=4)
    assert _said(calendar, wide, E + _days(1), "ELIG-VISIT-DAY") == [
        ("PASS", "Visit on day 1 after the period, as recommended.")
    ]
    assert _said(calendar, wide, E + _days(4), "ELIG-VISIT-DAY") == [
        ("PASS", "Visit on day 4 after the period, as recommended.")
    ]
    assert _said(calendar, wide, E - _days(1), "ELIG-VISIT-DAY") == [
        ("BLOCK", "The period has not ended yet; come on day 1–4 after it ends.")
    ]
    assert _said(calendar, wide, E, "ELIG-VISIT-DAY") == [
        (
            "BLOCK",
            "Day 0 after the period is too early: no procedure date can be reached from a test today. "
            "Come on day 1–4 after your period (2026-11-19 to 2026-11-22).",
        )
    ]
    late = _said(calendar, wide, E + _days(7), "ELIG-VISIT-DAY")
    assert late == [
        (
            "BLOCK",
            "Day 7 after the period is too late: no procedure date in this cycle can be reached. Come back on "
            "day 1–4 after your next period.",
        )
    ]


def test_an_early_visit_reaching_a_date_only_through_a_longer_lead_is_review(calendar: ClinicCalendar) -> None:
    """ELIG-VISIT-DAY / BOOK-LEAD: with a lead of 1–3 days, E+0 reaches E+3 (T+3): REVIEW, not BLOCK."""
    lead3 = Rules(lead_max_days=3)
    assert [o for o, _ in _said(calendar, lead3, E, "ELIG-VISIT-DAY")] == ["REVIEW"]


# -- ELIG-ABSTAIN, ELIG-RESP, ELIG-PAIN ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "rule", "said"),
    [
        ({"intercourse_since_period_end": None}, "ELIG-ABSTAIN", "Please answer: intercourse since the period ended?"),
        (
            {"intercourse_since_period_end": True},
            "ELIG-ABSTAIN",
            "There was intercourse after the period ended, so the procedure cannot be done this cycle.",
        ),
        (
            {"intercourse_since_period_end": True, "intercourse_during_period": True},
            "ELIG-ABSTAIN",
            "There was intercourse after the period ended, so the procedure cannot be done this cycle.",
        ),
        ({"respiratory_illness": None}, "ELIG-RESP", "Please answer: a cold or respiratory illness now?"),
        (
            {"respiratory_illness": True},
            "ELIG-RESP",
            "A cold or respiratory illness: the procedure must wait until you are well.",
        ),
        ({"lower_abdominal_pain": None}, "ELIG-PAIN", "Please answer: recent lower abdominal pain?"),
        (
            {"lower_abdominal_pain": True},
            "ELIG-PAIN",
            "Recent lower abdominal pain: the procedure cannot be done now; see a doctor.",
        ),
        ({"temperature_c": None}, "ELIG-TEMP", "Please answer: body temperature?"),
    ],
)
def test_yes_no_answers_block_with_their_sentence(
    calendar: ClinicCalendar, rules: Rules, answers: dict[str, Any], rule: str, said: str
) -> None:
    assert _said(calendar, rules, E + _days(2), rule, **answers) == [("BLOCK", said)]


def test_intercourse_during_the_period_is_review_with_its_sentence(calendar: ClinicCalendar, rules: Rules) -> None:
    assert _said(calendar, rules, E + _days(2), "ELIG-ABSTAIN", intercourse_during_period=True) == [
        ("REVIEW", "There was intercourse during this period: a pregnancy test is required and a doctor must review.")
    ]


# -- ELIG-TEMP ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("29.9", ("BLOCK", "A temperature of 29.9 °C cannot be right; please measure again.")),
        ("30", ("PASS", "Temperature 30 °C is below 37.5 °C.")),
        ("37.49", ("PASS", "Temperature 37.49 °C is below 37.5 °C.")),
        ("37.5", ("BLOCK", "Temperature 37.5 °C: it must be below 37.5 °C.")),
        ("45", ("BLOCK", "Temperature 45 °C: it must be below 37.5 °C.")),
        ("45.1", ("BLOCK", "A temperature of 45.1 °C cannot be right; please measure again.")),
    ],
)
def test_temperature_sentences_and_bounds(
    calendar: ClinicCalendar, rules: Rules, value: str, said: tuple[str, str]
) -> None:
    """ELIG-TEMP: 30–45 °C is a real reading; below 37.5 passes, 37.5 or above blocks (the limit is a setting)."""
    assert _said(calendar, rules, E + _days(2), "ELIG-TEMP", temperature_c=Decimal(value)) == [said]


def test_temperature_limit_is_the_setting(calendar: ClinicCalendar) -> None:
    strict = Rules(max_temperature_c=Decimal("37.3"))
    assert _said(calendar, strict, E + _days(2), "ELIG-TEMP", temperature_c=Decimal("37.3")) == [
        ("BLOCK", "Temperature 37.3 °C: it must be below 37.3 °C.")
    ]
    assert _said(calendar, strict, E + _days(2), "ELIG-TEMP", temperature_c=Decimal("37.2")) == [
        ("PASS", "Temperature 37.2 °C is below 37.3 °C.")
    ]


# -- ELIG-PREG ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("answers", "said"),
    [
        ({"hcg": HcgResult.POSITIVE}, ("BLOCK", "The pregnancy (hCG) test is positive: no HSG.")),
        (
            {"hcg": HcgResult.POSITIVE, "suspected_pregnancy": True},
            ("BLOCK", "The pregnancy (hCG) test is positive: no HSG."),
        ),
        (
            {"suspected_pregnancy": True},
            ("BLOCK", "Because of a suspected pregnancy, a negative pregnancy (hCG) test is needed first."),
        ),
        (
            {"suspected_pregnancy": True, "intercourse_during_period": True},
            ("BLOCK", "Because of a suspected pregnancy, a negative pregnancy (hCG) test is needed first."),
        ),
        (
            {"intercourse_during_period": True},
            ("BLOCK", "Because of intercourse during the period, a negative pregnancy (hCG) test is needed first."),
        ),
        ({"suspected_pregnancy": True, "hcg": HcgResult.NEGATIVE}, ("PASS", "The pregnancy (hCG) test is negative.")),
        (
            {"hcg": HcgResult.NEGATIVE},
            ("PASS", "No sign of pregnancy; a urine hCG test is still done on the procedure day."),
        ),
    ],
)
def test_pregnancy_sentences(
    calendar: ClinicCalendar, rules: Rules, answers: dict[str, Any], said: tuple[str, str]
) -> None:
    assert _said(calendar, rules, E + _days(2), "ELIG-PREG", **answers) == [said]


@pytest.mark.parametrize(
    ("facts", "visit_after_lmp", "overdue"),
    [
        ({"period_start": E - _days(4), "shortest": 26, "longest": 30}, 29, False),
        ({"period_start": E - _days(4), "shortest": 26, "longest": 30}, 30, True),
        ({"period_start": E - _days(4)}, 27, False),  # no cycle length: the assumed 28 days
        ({"period_start": E - _days(4)}, 28, True),
        ({"shortest": 30}, 29, False),  # no LMP: E − 4 (5-day period); the longest is the shortest given
        ({"shortest": 30}, 30, True),
    ],
)
def test_overdue_from_the_longest_cycle_on_the_visit_day(
    calendar: ClinicCalendar, rules: Rules, facts: dict[str, Any], visit_after_lmp: int, overdue: bool
) -> None:
    """ELIG-PREG: overdue when visit − LMP ≥ the longest usual cycle (assumed values when she gave none)."""
    visit = E - _days(4) + _days(visit_after_lmp)
    result = screen(screening(visit, E, cycle=cycle(E, **facts)), calendar, rules)
    said = [(f.outcome.value, f.message.english()) for f in result.by_rule("ELIG-PREG")]
    if overdue:
        assert said == [
            (
                "BLOCK",
                "Because of a period overdue beyond the longest usual cycle, a negative pregnancy (hCG) test is "
                "needed first.",
            )
        ]
    else:
        assert said == [("PASS", "No sign of pregnancy; a urine hCG test is still done on the procedure day.")]


# -- ELIG-CONTRA -------------------------------------------------------------------------------------------------
CONDITIONS = {
    Contraindication.GENITAL_INFECTION: "an acute or subacute genital-tract infection or pelvic inflammatory disease",
    Contraindication.BLEEDING: "uterine or unexplained vaginal bleeding, or still bleeding",
    Contraindication.RECENT_PREGNANCY_END: "less than 6 weeks since a delivery, abortion or curettage",
    Contraindication.URINARY_INFECTION: "an acute urinary infection",
    Contraindication.UTERINE_MALIGNANCY: "a known uterine malignancy",
    Contraindication.SEVERE_SYSTEMIC_DISEASE: "a severe systemic disease",
    Contraindication.UNSTABLE_HYPERTHYROIDISM: "unstable hyperthyroidism",
    Contraindication.ACTIVE_ASTHMA: "active asthma",
}


def test_every_contraindication_is_named_in_its_sentence_in_a_stable_order(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    said = _said(calendar, rules, E + _days(2), "ELIG-CONTRA", contraindications=frozenset(CONDITIONS))
    assert said == [("BLOCK", f"Not possible with {CONDITIONS[c]}.") for c in sorted(CONDITIONS)]


@pytest.mark.parametrize(
    ("reaction", "said"),
    [
        (
            {"contrast_reaction": ContrastReaction.MODERATE_SEVERE, "contrast_reaction_agent": "iopamidol"},
            ("BLOCK", "A prior moderate or severe reaction to iodinated contrast (iopamidol): no HSG with it."),
        ),
        (
            {"contrast_reaction": ContrastReaction.MODERATE_SEVERE},
            ("BLOCK", "A prior moderate or severe reaction to iodinated contrast (?): no HSG with it."),
        ),
        (
            {
                "contrast_reaction": ContrastReaction.MILD,
                "contrast_reaction_agent": "iohexol",
                "contrast_reaction_description": "hives",
            },
            ("REVIEW", "A mild prior reaction to iohexol (hives): a doctor must review."),
        ),
        (
            {
                "contrast_reaction": ContrastReaction.MILD,
                "contrast_reaction_agent": " ",
                "contrast_reaction_description": "hives",
            },
            ("BLOCK", 'Record the contrast agent and the reaction (not just "iodine allergy").'),
        ),
        (
            {
                "contrast_reaction": ContrastReaction.MILD,
                "contrast_reaction_agent": "iohexol",
                "contrast_reaction_description": "  ",
            },
            ("BLOCK", 'Record the contrast agent and the reaction (not just "iodine allergy").'),
        ),
        (
            {"contrast_reaction": ContrastReaction.NONE, "contrast_reaction_agent": "iohexol"},
            ("PASS", "No contraindication reported."),
        ),
    ],
)
def test_contrast_reaction_sentences(
    calendar: ClinicCalendar, rules: Rules, reaction: dict[str, Any], said: tuple[str, str]
) -> None:
    """ELIG-CONTRA: moderate/severe → BLOCK naming the agent; mild → REVIEW with agent and reaction recorded."""
    assert _said(calendar, rules, E + _days(2), "ELIG-CONTRA", **reaction) == [said]


def test_a_contraindication_and_a_reaction_are_both_reported(calendar: ClinicCalendar, rules: Rules) -> None:
    said = _said(
        calendar,
        rules,
        E + _days(2),
        "ELIG-CONTRA",
        contraindications=frozenset([Contraindication.ACTIVE_ASTHMA]),
        contrast_reaction=ContrastReaction.MILD,
        contrast_reaction_agent="iohexol",
        contrast_reaction_description="hives",
    )
    assert said == [
        ("BLOCK", "Not possible with active asthma."),
        ("REVIEW", "A mild prior reaction to iohexol (hives): a doctor must review."),
    ]


# -- ELIG-OVULATION / ELIG-IRREG in screening --------------------------------------------------------------------
def test_ovulation_and_irregular_reasons_are_all_given_for_the_earliest_reachable_date(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    facts = cycle(E, period_start=E - _days(4), shortest=22, longest=40, age=41)
    result = screen(screening(E + _days(2), E, cycle=facts), calendar, rules)
    said = [(f.rule, f.outcome.value, f.message.english()) for f in result.findings[8:]]
    assert said == [
        (
            "ELIG-OVULATION",
            "REVIEW",
            "The procedure may fall after ovulation (estimated ovulation 2026-11-21); a doctor must confirm the date.",
        ),
        (
            "ELIG-OVULATION",
            "REVIEW",
            "Your cycle is shorter than 25 days, so ovulation may come early; a doctor must confirm the date.",
        ),
        (
            "ELIG-OVULATION",
            "REVIEW",
            "At 40 or older the timing of ovulation is less predictable; a doctor must confirm the date.",
        ),
        (
            "ELIG-IRREG",
            "REVIEW",
            "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; a doctor must confirm "
            "the date.",
        ),
    ]


def test_irregular_without_a_reachable_date_is_still_flagged_once(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-IRREG: from E+7 no date is reachable (no ELIG-OVULATION finding), but irregular cycles still show."""
    facts = cycle(E, period_start=E - _days(4), irregular=True)
    result = screen(screening(E + _days(7), E, cycle=facts), calendar, rules)
    assert result.by_rule("ELIG-OVULATION") == []
    assert [(f.outcome.value, f.message.english()) for f in result.by_rule("ELIG-IRREG")] == [
        (
            "REVIEW",
            "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; a doctor must confirm "
            "the date.",
        )
    ]


def test_irregular_cycles_alone_give_no_ovulation_pass(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-IRREG is the only reason for the reachable date: no 'before ovulation' PASS beside it, IRREG once."""
    facts = cycle(E, period_start=E - _days(4), cycle_length=28, irregular=True)
    result = screen(screening(E + _days(2), E, cycle=facts), calendar, rules)
    assert result.by_rule("ELIG-OVULATION") == []
    assert [f.rule for f in result.findings][-1:] == ["ELIG-IRREG"]
    assert len(result.by_rule("ELIG-IRREG")) == 1


def test_ovulation_sentence_without_her_lmp_or_cycle(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-OVULATION: LMP estimated E − 4 and the assumed 28 days: ovulation 2026-11-27."""
    result = screen(screening(E + _days(2), E, cycle=cycle(E)), calendar, rules)
    assert [f.message.english() for f in result.by_rule("ELIG-OVULATION")] == [
        "A procedure on 2026-11-21 is before the estimated ovulation (2026-11-27)."
    ]


def test_an_early_visit_reaches_a_date_by_its_own_test_even_when_the_recommended_day_is_closed(rules: Rules) -> None:
    """ELIG-VISIT-DAY / BOOK-LEAD: a test on E+1 reaches E+3 (T+2) although E+2 is closed: REVIEW, not BLOCK, and
    the ovulation check is made for E+3."""
    e = D(2030, 4, 1)
    cal = hand_calendar(holidays=[e + _days(2)])
    result = screen(screening(e + _days(1), e), cal, rules)
    assert [f.outcome.value for f in result.by_rule("ELIG-VISIT-DAY")] == ["REVIEW"]
    assert [f.message.params["day"] for f in result.by_rule("ELIG-OVULATION")] == [e + _days(3)]


def test_ovulation_is_judged_on_the_first_open_reachable_date(rules: Rules) -> None:
    """ELIG-OVULATION: T+1 closed → the PASS sentence names T+2."""
    e = D(2030, 4, 1)
    cal = hand_calendar(holidays=[e + _days(3)])
    result = screen(screening(e + _days(2), e), cal, rules)
    assert [f.message.english() for f in result.by_rule("ELIG-OVULATION")] == [
        "A procedure on 2030-04-05 is before the estimated ovulation (2030-04-10)."
    ]


def test_a_visit_at_the_calendar_edge_skips_days_it_does_not_cover(rules: Rules) -> None:
    """ELIG-VISIT-DAY / ELIG-OVULATION: days beyond the calendar's years are not judged (no crash, no date)."""
    e = D(2030, 12, 27)
    cal = hand_calendar(years=(2030,))
    result = screen(screening(e + _days(4), e), cal, rules)
    assert [f.outcome.value for f in result.by_rule("ELIG-VISIT-DAY")] == ["BLOCK"]
    assert result.by_rule("ELIG-OVULATION") == []
