"""The 'Plan my visit' timeline picture: one row per day, drawn as SVG by ``partials/timeline.svg.html``.

Built from the domain's :class:`VisitPlan` (or the next cycle's dates); geometry is decided here so that the
template only draws. Each row says what the day is for her: period, no-intercourse span, visit day, procedure
day (with its outcome), a closure with its name, estimated ovulation, report day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from hsgclinic.domain.clinic_calendar import ClinicCalendar, Closure
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.planning import NextCycle, VisitPlan
from hsgclinic.domain.procedure_window import DateVerdict

ROW_H = 34
TOP = 8
WIDTH = 392


@dataclass
class TimelineDay:
    day: dt.date
    y: int
    period: bool = False
    no_intercourse: bool = False
    visit: str | None = None  # "recommended" / "late"
    procedure: Outcome | None = None
    closure: Closure | None = None
    ovulation: bool = False
    report: bool = False
    today: bool = False
    weekend: bool = False
    provisional: bool = False
    labels: list[str] = field(default_factory=list)  # label keys, translated in the template


@dataclass
class Timeline:
    rows: list[TimelineDay]
    height: int
    width: int = WIDTH
    row_h: int = ROW_H

    @property
    def first(self) -> dt.date:
        return self.rows[0].day

    @property
    def last(self) -> dt.date:
        return self.rows[-1].day


def _build(
    *,
    calendar: ClinicCalendar,
    today: dt.date | None,
    period_start: dt.date,
    period_end: dt.date,
    visits: dict[dt.date, str],
    window: tuple[DateVerdict, ...],
    ovulation: dt.date,
    report: dt.date | None,
) -> Timeline:
    last_window = window[-1].day if window else period_end
    usable = [v.day for v in window if v.usable]
    abstain_until = usable[-1] if usable else last_window
    end = max(last_window, ovulation + dt.timedelta(days=1), report or last_window)
    rows: list[TimelineDay] = []
    verdicts = {v.day: v for v in window}
    d = period_start
    i = 0
    while d <= end:
        row = TimelineDay(day=d, y=TOP + i * ROW_H, weekend=d.weekday() >= 5)
        row.period = period_start <= d <= period_end
        row.no_intercourse = period_end < d <= abstain_until
        row.visit = visits.get(d)
        verdict = verdicts.get(d)
        if verdict is not None:
            row.procedure = verdict.outcome
        if calendar.covers(d):
            row.closure = calendar.closure(d)
            row.provisional = calendar.is_provisional(d)
        row.ovulation = d == ovulation
        row.report = report is not None and d == report
        row.today = today is not None and d == today
        if row.period:
            row.labels.append("period")
        if row.closure is not None:
            row.labels.append("closed")
        if row.visit == "recommended":
            row.labels.append("visit")
        elif row.visit == "late":
            row.labels.append("late_visit")
        if row.procedure is Outcome.PASS:
            row.labels.append("procedure")
        elif row.procedure is Outcome.REVIEW:
            row.labels.append("procedure_review")
        elif row.procedure is Outcome.BLOCK and row.closure is None:
            row.labels.append("procedure_block")
        if row.ovulation:
            row.labels.append("ovulation")
        if row.report:
            row.labels.append("report")
        rows.append(row)
        d += dt.timedelta(days=1)
        i += 1
    return Timeline(rows=rows, height=TOP * 2 + len(rows) * ROW_H)


def timeline_for_plan(plan: VisitPlan, calendar: ClinicCalendar) -> Timeline:
    visits = {v.day: "recommended" for v in plan.visit_days}
    visits.update({v.day: "late" for v in plan.late_visit_days})
    return _build(
        calendar=calendar,
        today=plan.today,
        period_start=plan.period_start,
        period_end=plan.cycle.period_end,
        visits=visits,
        window=plan.window,
        ovulation=plan.estimated_ovulation,
        report=plan.report_ready_on,
    )


def timeline_for_next_cycle(nxt: NextCycle, calendar: ClinicCalendar, ovulation_day: int) -> Timeline:
    visits = {v.day: ("recommended" if v.recommended else "late") for v in nxt.visit_days}
    return _build(
        calendar=calendar,
        today=None,
        period_start=nxt.expected_period_start,
        period_end=nxt.expected_period_end,
        visits=visits,
        window=nxt.window,
        ovulation=nxt.expected_period_start + dt.timedelta(days=ovulation_day - 1),
        report=None,
    )
