"""'Plan my visit': the form, her dates from ``domain.planning.plan_visit``, the timeline and the .ics file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.cycle import CycleFacts, CycleInputError
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.messages import N_
from hsgclinic.domain.planning import VisitPlan, plan_visit
from hsgclinic.domain.rules import Rules
from hsgclinic.web.ui.clinic_access import calendar_for, settings_of, today_local
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.timeline import Timeline, timeline_for_next_cycle, timeline_for_plan

PLAN_FIELDS = ("period_end", "period_start", "cycle_length", "shortest", "longest", "age", "irregular")


@dataclass
class PlanResult:
    plan: VisitPlan
    calendar: ClinicCalendar
    timeline: Timeline
    next_timeline: Timeline | None
    rules: Rules

    @property
    def usable(self) -> list[dt.date]:
        return self.plan.procedure_dates

    @property
    def needs_review(self) -> bool:
        return any(f.outcome is Outcome.REVIEW for f in self.plan.findings)

    @property
    def abstain_until(self) -> dt.date | None:
        return self.usable[-1] if self.usable else None

    @property
    def closures_in_view(self) -> list[tuple[dt.date, Any]]:
        return [(r.day, r.closure) for r in self.timeline.rows if r.closure is not None]


def read_plan_form(form: FormState, rules: Rules) -> CycleFacts | None:
    period_end = form.date("period_end", required=True)
    period_start = form.date("period_start")
    cycle_length = form.integer("cycle_length", low=rules.min_cycle_days, high=rules.max_cycle_days)
    shortest = form.integer("shortest", low=rules.min_cycle_days, high=rules.max_cycle_days)
    longest = form.integer("longest", low=rules.min_cycle_days, high=rules.max_cycle_days)
    age = form.integer("age", low=14, high=60)
    if shortest is not None and longest is not None and shortest > longest:
        form.error("longest", N_("The shortest cycle cannot be longer than the longest cycle."))
    if period_end is None or not form.ok:
        return None
    return CycleFacts.from_usual(
        period_end,
        period_start=period_start,
        cycle_length=cycle_length,
        shortest=shortest,
        longest=longest,
        age=age,
        irregular=form.checked("irregular"),
    )


def make_plan(clinic: Any, form: FormState) -> PlanResult | None:
    """Her plan, or ``None`` with the form's errors filled in."""
    settings = settings_of(clinic)
    rules = settings.rules()
    facts = read_plan_form(form, rules)
    if facts is None:
        return None
    today = today_local(clinic)
    if facts.period_end < today - dt.timedelta(days=120):
        form.error("period_end", N_("That is more than 120 days ago; please enter the end of your latest period."))
        return None
    horizon = [facts.period_end + dt.timedelta(days=n) for n in (-20, 120)]
    calendar = calendar_for(clinic, *horizon)
    try:
        plan = plan_visit(facts, calendar, rules, today=today)
    except CycleInputError as exc:
        field = "period_start" if "first day" in exc.message.msgid else "period_end"
        if "cycle" in exc.message.msgid:
            field = "cycle_length"
        if "Age" in exc.message.msgid:
            field = "age"
        form.error(field, exc.message)
        return None
    next_tl = None
    if plan.next_cycle is not None:
        shortest, _ = facts.shortest(rules)
        next_tl = timeline_for_next_cycle(plan.next_cycle, calendar, shortest - 14)
    return PlanResult(plan, calendar, timeline_for_plan(plan, calendar), next_tl, rules)


def plan_query(form: FormState) -> str:
    from urllib.parse import urlencode

    return urlencode({k: form.get(k) for k in PLAN_FIELDS if form.get(k)})
