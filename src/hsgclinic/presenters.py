"""Domain results as JSON-ready dictionaries in one reader's language (the stable ``--json`` / API shapes).

Dates are ISO strings; every message is rendered in the translator's language; rule IDs and outcomes are
kept as machine-readable fields. The shapes are documented in ``docs/cli.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from hsgclinic.domain.aftercare import AftercarePlan
from hsgclinic.domain.clinic_calendar import DayInfo
from hsgclinic.domain.eligibility import ScreeningResult
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.planning import NextCycle, VisitDay, VisitPlan
from hsgclinic.domain.procedure_window import DateVerdict
from hsgclinic.i18n import Translator

STATUS = {Outcome.PASS: "ok", Outcome.REVIEW: "review", Outcome.BLOCK: "blocked"}


def iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


def findings_json(findings: Iterable[Finding], t: Translator) -> list[dict[str, str]]:
    return [{"rule": f.rule, "outcome": f.outcome.value, "message": t.render(f.message)} for f in findings]


def verdict_json(v: DateVerdict, t: Translator) -> dict[str, Any]:
    return {
        "date": v.day.isoformat(),
        "status": STATUS[v.outcome],
        "outcome": v.outcome.value,
        "usable": v.usable,
        "open": v.closure is None,
        "closed_reason": None if v.closure is None else t.pick(v.closure.name),
        "provisional": v.provisional,
        "cycle_day": v.cycle_day,
        "reasons": findings_json((f for f in v.findings if f.outcome is not Outcome.PASS or f.rule == "CAL-SOURCE"), t),
    }


def _visits(days: Iterable[VisitDay]) -> list[str]:
    return [v.day.isoformat() for v in days]


def next_cycle_json(n: NextCycle | None, t: Translator) -> dict[str, Any] | None:
    if n is None:
        return None
    return {
        "expected_period_start": n.expected_period_start.isoformat(),
        "expected_period_start_latest": n.expected_period_start_latest.isoformat(),
        "expected_period_end": n.expected_period_end.isoformat(),
        "visit_days": _visits(n.visit_days),
        "procedure_dates": [v.day.isoformat() for v in n.window if v.usable],
        "window": [verdict_json(v, t) for v in n.window],
        "estimated": n.estimated,
        "provisional": n.provisional,
    }


def plan_json(plan: VisitPlan, t: Translator) -> dict[str, Any]:
    return {
        "today": plan.today.isoformat(),
        "period_end": plan.cycle.period_end.isoformat(),
        "period_start": plan.period_start.isoformat(),
        "period_start_estimated": plan.period_start_estimated,
        "cycle_length": plan.cycle_length,
        "cycle_length_assumed": plan.cycle_length_assumed,
        "abstain_from": plan.abstain_from.isoformat(),
        "visit_days": _visits(plan.visit_days),
        "late_visit_days": _visits(plan.late_visit_days),
        "latest_visit_day": iso(plan.latest_visit_day),
        "procedure_dates": [d.isoformat() for d in plan.procedure_dates],
        "window": [verdict_json(v, t) for v in plan.window],
        "estimated_ovulation": plan.estimated_ovulation.isoformat(),
        "report_ready_on": iso(plan.report_ready_on),
        "next_cycle": next_cycle_json(plan.next_cycle, t),
        "findings": findings_json(plan.findings, t),
        "provisional": plan.provisional,
        "overdue": plan.overdue,
        "lang": t.locale,
    }


def aftercare_json(plan: AftercarePlan, t: Translator) -> dict[str, Any]:
    return {
        "procedure_date": plan.procedure_date.isoformat(),
        "report_ready_on": plan.report_ready_on.isoformat(),
        "abstain_through": plan.abstain_through.isoformat(),
        "resume_from": plan.resume_from.isoformat(),
        "antibiotic_days": plan.antibiotic_days,
        "antibiotics_through": plan.antibiotics_through.isoformat(),
        "bleeding_stops_by": plan.bleeding_stops_by.isoformat(),
        "conceive_from": iso(plan.conceive_from),
        "conceive_estimated": plan.conceive_estimated,
        "pregnancy_test_from": iso(plan.pregnancy_test_from),
        "contrast": plan.contrast.value,
        "doxycycline": plan.doxycycline,
        "provisional": plan.provisional,
        "items": [
            {"rule": i.rule, "date": iso(i.day), "warning": i.warning, "message": t.render(i.message)}
            for i in plan.items
        ],
        "lang": t.locale,
    }


def screening_json(result: ScreeningResult, t: Translator) -> dict[str, Any]:
    return {
        "outcome": result.outcome.value,
        "application_form_allowed": not result.blocked,
        "needs_review": [f.rule for f in result.findings if f.outcome is Outcome.REVIEW],
        "findings": findings_json(result.findings, t),
        "lang": t.locale,
    }


def day_json(info: DayInfo, t: Translator) -> dict[str, Any]:
    return {
        "date": info.day.isoformat(),
        "open": info.open,
        "working_day": info.working_day,
        "makeup_workday": info.makeup_workday,
        "closed_reason": None if info.closure is None else t.pick(info.closure.name),
        "closure_kind": None if info.closure is None else info.closure.kind.value,
        "provisional": info.provisional,
    }
