"""The screening visit (ELIG-*): a structured input → every rule's outcome, not just the first failure."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.findings import Finding, Outcome, overall
from hsgclinic.domain.leukorrhea import LeukorrheaResult, judge_leukorrhea
from hsgclinic.domain.messages import N_, Message
from hsgclinic.domain.procedure_window import judge_procedure_date
from hsgclinic.domain.rules import Rules


class Contraindication(enum.StrEnum):
    """ELIG-CONTRA: each of these blocks the procedure."""

    GENITAL_INFECTION = "genital_infection"  # acute/subacute genital-tract infection or PID
    BLEEDING = "bleeding"  # uterine or unexplained vaginal bleeding, including still bleeding
    RECENT_PREGNANCY_END = "recent_pregnancy_end"  # < 6 weeks since delivery, abortion or curettage
    URINARY_INFECTION = "urinary_infection"
    UTERINE_MALIGNANCY = "uterine_malignancy"
    SEVERE_SYSTEMIC_DISEASE = "severe_systemic_disease"
    UNSTABLE_HYPERTHYROIDISM = "unstable_hyperthyroidism"
    ACTIVE_ASTHMA = "active_asthma"


CONTRAINDICATION_TEXT: dict[Contraindication, Message] = {
    Contraindication.GENITAL_INFECTION: N_(
        "an acute or subacute genital-tract infection or pelvic inflammatory disease"
    ),
    Contraindication.BLEEDING: N_("uterine or unexplained vaginal bleeding, or still bleeding"),
    Contraindication.RECENT_PREGNANCY_END: N_("less than 6 weeks since a delivery, abortion or curettage"),
    Contraindication.URINARY_INFECTION: N_("an acute urinary infection"),
    Contraindication.UTERINE_MALIGNANCY: N_("a known uterine malignancy"),
    Contraindication.SEVERE_SYSTEMIC_DISEASE: N_("a severe systemic disease"),
    Contraindication.UNSTABLE_HYPERTHYROIDISM: N_("unstable hyperthyroidism"),
    Contraindication.ACTIVE_ASTHMA: N_("active asthma"),
}


class ContrastReaction(enum.StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE_SEVERE = "moderate_severe"


class HcgResult(enum.StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"


@dataclass(frozen=True)
class ScreeningInput:
    visit_date: dt.date  # T: the day of the visit and the leukorrhea test (results are immediate)
    cycle: CycleFacts
    temperature_c: Decimal | None
    respiratory_illness: bool | None
    lower_abdominal_pain: bool | None
    intercourse_since_period_end: bool | None
    intercourse_during_period: bool = False
    suspected_pregnancy: bool = False
    hcg: HcgResult | None = None
    leukorrhea: LeukorrheaResult | None = None
    contraindications: frozenset[Contraindication] = field(default_factory=frozenset)
    contrast_reaction: ContrastReaction = ContrastReaction.NONE
    contrast_reaction_agent: str = ""
    contrast_reaction_description: str = ""


@dataclass(frozen=True)
class ScreeningResult:
    findings: tuple[Finding, ...]

    @property
    def outcome(self) -> Outcome:
        return overall(self.findings)

    @property
    def blocked(self) -> bool:
        return self.outcome is Outcome.BLOCK

    def by_rule(self, rule: str) -> list[Finding]:
        return [f for f in self.findings if f.rule == rule]


def _missing(rule: str, what: Message) -> Finding:
    return Finding(rule, Outcome.BLOCK, N_("Please answer: {question}", question=what))


def _reachable_dates(s: ScreeningInput, calendar: ClinicCalendar, rules: Rules) -> list[dt.date]:
    """Procedure dates a leukorrhea test on the visit day reaches (BOOK-LEAD, BOOK-WINDOW, BOOK-OPEN …)."""
    reachable = []
    for lead in range(rules.lead_min_days, rules.lead_max_days + 1):
        day = s.visit_date + dt.timedelta(days=lead)
        if not calendar.covers(day):
            continue
        verdict = judge_procedure_date(day, s.cycle, calendar, rules, today=s.visit_date, test_date=s.visit_date)
        if verdict.usable:
            reachable.append(day)
    return reachable


def _visit_day(s: ScreeningInput, calendar: ClinicCalendar, rules: Rules) -> list[Finding]:
    """ELIG-VISIT-DAY: E+2/E+3 PASS; earlier or later REVIEW while a procedure date is reachable, else BLOCK.

    The visit itself must be on an open day (CAL-OPEN): a screening dated on a closed day is BLOCK.
    """
    found: list[Finding] = []
    closure = calendar.closure(s.visit_date)
    if closure is not None:
        found.append(
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.BLOCK,
                N_(
                    "The clinic is closed on {day} ({name}); the screening visit must be on a day it is open.",
                    day=s.visit_date,
                    name=closure.name,
                ),
            )
        )
    offset = (s.visit_date - s.cycle.period_end).days
    first, last = rules.visit_first_offset, rules.visit_last_offset
    if offset < 0:
        return [
            *found,
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.BLOCK,
                N_("The period has not ended yet; come on day {first}–{last} after it ends.", first=first, last=last),
            ),
        ]
    if first <= offset <= last:
        return [
            *found,
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.PASS,
                N_("Visit on day {offset} after the period, as recommended.", offset=offset),
            ),
        ]
    reachable = _reachable_dates(s, calendar, rules)
    if offset < first:
        if reachable:
            return [
                *found,
                Finding(
                    "ELIG-VISIT-DAY",
                    Outcome.REVIEW,
                    N_(
                        "Day {offset} after the period is earlier than the recommended day {first}–{last}; "
                        "a doctor must confirm the bleeding has stopped.",
                        offset=offset,
                        first=first,
                        last=last,
                    ),
                ),
            ]
        return [
            *found,
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.BLOCK,
                N_(
                    "Day {offset} after the period is too early: no procedure date can be reached from a test "
                    "today. Come on day {first}–{last} after your period ({start} to {end}).",
                    offset=offset,
                    first=first,
                    last=last,
                    start=s.cycle.after_period(first),
                    end=s.cycle.after_period(last),
                ),
            ),
        ]
    if reachable:
        return [
            *found,
            Finding(
                "ELIG-VISIT-DAY",
                Outcome.REVIEW,
                N_(
                    "Day {offset} after the period is later than recommended; a procedure on {day} is still "
                    "possible if a doctor agrees.",
                    offset=offset,
                    day=reachable[0],
                ),
            ),
        ]
    return [
        *found,
        Finding(
            "ELIG-VISIT-DAY",
            Outcome.BLOCK,
            N_(
                "Day {offset} after the period is too late: no procedure date in this cycle can be reached. "
                "Come back on day {first}–{last} after your next period.",
                offset=offset,
                first=first,
                last=last,
            ),
        ),
    ]


def _abstain(s: ScreeningInput) -> list[Finding]:
    if s.intercourse_since_period_end is None:
        return [_missing("ELIG-ABSTAIN", N_("intercourse since the period ended?"))]
    if s.intercourse_since_period_end:
        return [
            Finding(
                "ELIG-ABSTAIN",
                Outcome.BLOCK,
                N_("There was intercourse after the period ended, so the procedure cannot be done this cycle."),
            )
        ]
    if s.intercourse_during_period:
        return [
            Finding(
                "ELIG-ABSTAIN",
                Outcome.REVIEW,
                N_("There was intercourse during this period: a pregnancy test is required and a doctor must review."),
            )
        ]
    return [Finding("ELIG-ABSTAIN", Outcome.PASS, N_("No intercourse since the period ended."))]


def _temperature(s: ScreeningInput, rules: Rules) -> list[Finding]:
    if s.temperature_c is None:
        return [_missing("ELIG-TEMP", N_("body temperature?"))]
    if not Decimal("30") <= s.temperature_c <= Decimal("45"):
        return [
            Finding(
                "ELIG-TEMP",
                Outcome.BLOCK,
                N_(
                    "A temperature of {value} °C cannot be right; please measure again.",
                    value=s.temperature_c,
                ),
            )
        ]
    if s.temperature_c >= rules.max_temperature_c:
        return [
            Finding(
                "ELIG-TEMP",
                Outcome.BLOCK,
                N_(
                    "Temperature {value} °C: it must be below {limit} °C.",
                    value=s.temperature_c,
                    limit=rules.max_temperature_c,
                ),
            )
        ]
    return [
        Finding(
            "ELIG-TEMP",
            Outcome.PASS,
            N_(
                "Temperature {value} °C is below {limit} °C.",
                value=s.temperature_c,
                limit=rules.max_temperature_c,
            ),
        )
    ]


def _yes_no_block(rule: str, answer: bool | None, question: Message, block: Message, ok: Message) -> list[Finding]:
    if answer is None:
        return [_missing(rule, question)]
    return [Finding(rule, Outcome.BLOCK, block)] if answer else [Finding(rule, Outcome.PASS, ok)]


def _pregnancy(s: ScreeningInput, rules: Rules) -> list[Finding]:
    # Overdue: visit − LMP ≥ the longest usual cycle (estimated LMP / assumed length when unknown, as planning).
    lmp, _ = s.cycle.estimated_period_start(rules)
    longest, _ = s.cycle.longest(rules)
    overdue = (s.visit_date - lmp).days >= longest
    needs_test = s.suspected_pregnancy or overdue or s.intercourse_during_period
    if s.hcg is HcgResult.POSITIVE:
        return [Finding("ELIG-PREG", Outcome.BLOCK, N_("The pregnancy (hCG) test is positive: no HSG."))]
    if needs_test and s.hcg is not HcgResult.NEGATIVE:
        why = (
            N_("a suspected pregnancy")
            if s.suspected_pregnancy
            else (
                N_("a period overdue beyond the longest usual cycle")
                if overdue
                else N_("intercourse during the period")
            )
        )
        return [
            Finding(
                "ELIG-PREG",
                Outcome.BLOCK,
                N_("Because of {why}, a negative pregnancy (hCG) test is needed first.", why=why),
            )
        ]
    if needs_test:
        return [Finding("ELIG-PREG", Outcome.PASS, N_("The pregnancy (hCG) test is negative."))]
    return [
        Finding(
            "ELIG-PREG",
            Outcome.PASS,
            N_("No sign of pregnancy; a urine hCG test is still done on the procedure day."),
        )
    ]


def _contraindications(s: ScreeningInput) -> list[Finding]:
    found = [
        Finding(
            "ELIG-CONTRA",
            Outcome.BLOCK,
            N_("Not possible with {condition}.", condition=CONTRAINDICATION_TEXT[c]),
        )
        for c in sorted(s.contraindications)
    ]
    if s.contrast_reaction is ContrastReaction.MODERATE_SEVERE:
        found.append(
            Finding(
                "ELIG-CONTRA",
                Outcome.BLOCK,
                N_(
                    "A prior moderate or severe reaction to iodinated contrast ({agent}): no HSG with it.",
                    agent=s.contrast_reaction_agent or "?",
                ),
            )
        )
    elif s.contrast_reaction is ContrastReaction.MILD:
        if not s.contrast_reaction_agent.strip() or not s.contrast_reaction_description.strip():
            found.append(
                Finding(
                    "ELIG-CONTRA",
                    Outcome.BLOCK,
                    N_('Record the contrast agent and the reaction (not just "iodine allergy").'),
                )
            )
        else:
            found.append(
                Finding(
                    "ELIG-CONTRA",
                    Outcome.REVIEW,
                    N_(
                        "A mild prior reaction to {agent} ({reaction}): a doctor must review.",
                        agent=s.contrast_reaction_agent,
                        reaction=s.contrast_reaction_description,
                    ),
                )
            )
    if not found:
        found.append(Finding("ELIG-CONTRA", Outcome.PASS, N_("No contraindication reported.")))
    return found


def _ovulation(s: ScreeningInput, calendar: ClinicCalendar, rules: Rules) -> list[Finding]:
    """ELIG-OVULATION / ELIG-IRREG judged on the earliest date the visit can reach."""
    for lead in range(rules.lead_min_days, rules.lead_max_days + 1):
        day = s.visit_date + dt.timedelta(days=lead)
        if not calendar.covers(day):
            continue
        verdict = judge_procedure_date(day, s.cycle, calendar, rules, today=s.visit_date, test_date=s.visit_date)
        if verdict.usable:
            reasons = [f for f in verdict.findings if f.rule in ("ELIG-OVULATION", "ELIG-IRREG")]
            return reasons or [
                Finding(
                    "ELIG-OVULATION",
                    Outcome.PASS,
                    N_(
                        "A procedure on {day} is before the estimated ovulation ({ovulation}).",
                        day=day,
                        ovulation=s.cycle.estimated_ovulation(rules),
                    ),
                )
            ]
    return []


def screen(s: ScreeningInput, calendar: ClinicCalendar, rules: Rules) -> ScreeningResult:
    """Every ELIG rule's outcome for one screening visit."""
    found: list[Finding] = []
    found += _visit_day(s, calendar, rules)
    found += _abstain(s)
    found += _temperature(s, rules)
    found += _yes_no_block(
        "ELIG-RESP",
        s.respiratory_illness,
        N_("a cold or respiratory illness now?"),
        N_("A cold or respiratory illness: the procedure must wait until you are well."),
        N_("No cold or respiratory illness."),
    )
    found += _yes_no_block(
        "ELIG-PAIN",
        s.lower_abdominal_pain,
        N_("recent lower abdominal pain?"),
        N_("Recent lower abdominal pain: the procedure cannot be done now; see a doctor."),
        N_("No recent lower abdominal pain."),
    )
    found += judge_leukorrhea(s.leukorrhea)
    found += _pregnancy(s, rules)
    found += _contraindications(s)
    found += _ovulation(s, calendar, rules)
    if s.cycle.is_irregular(rules) and not any(f.rule == "ELIG-IRREG" for f in found):
        found.append(
            Finding(
                "ELIG-IRREG",
                Outcome.REVIEW,
                N_(
                    "Your cycles are irregular, so the usual day 3–7 window is not applied blindly; "
                    "a doctor must confirm the date."
                ),
            )
        )
    return ScreeningResult(tuple(found))
