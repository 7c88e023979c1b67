"""The three worked examples at the end of domain.md, exactly (2026 official calendar)."""

from __future__ import annotations

from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.planning import plan_visit
from hsgclinic.domain.procedure_window import window_days
from hsgclinic.domain.report import report_ready_on
from hsgclinic.domain.rules import Rules

from .factories import D, cycle


def test_the_2026_calendar_of_the_examples(calendar: ClinicCalendar) -> None:
    """CAL-OPEN / CAL-WORK: National Day holiday Oct 1–7; make-up working days Sun Sep 20 and Sat Oct 10."""
    assert all(not calendar.is_open(D(2026, 10, d)) for d in range(1, 8))
    assert calendar.is_open(D(2026, 10, 8))
    for day in (D(2026, 9, 20), D(2026, 10, 10)):
        assert day in calendar.makeup_workdays and calendar.is_working_day(day) and calendar.is_open(day)


def test_period_ended_2026_11_18_visit_and_window(calendar: ClinicCalendar, rules: Rules) -> None:
    """ELIG-VISIT-DAY / BOOK-WINDOW: period ended Wed 2026-11-18 → visit Fri 11-20 or Sat 11-21;
    procedure window 11-21 … 11-25."""
    facts = cycle(D(2026, 11, 18))
    plan = plan_visit(facts, calendar, rules, today=D(2026, 11, 18))
    assert D(2026, 11, 18).weekday() == 2
    assert [v.day for v in plan.visit_days] == [D(2026, 11, 20), D(2026, 11, 21)]
    assert all(v.recommended for v in plan.visit_days)
    assert window_days(facts, rules) == [D(2026, 11, d) for d in range(21, 26)]
    assert [v.day for v in plan.window] == [D(2026, 11, d) for d in range(21, 26)]
    assert plan.procedure_dates == [D(2026, 11, d) for d in range(21, 26)]
    assert plan.next_cycle is None


def test_procedure_2026_12_04_aftercare_dates(calendar: ClinicCalendar, rules: Rules) -> None:
    """REPORT-READY / CARE-ABSTAIN / CARE-BLEED / CARE-ANTIBIOTIC: procedure Fri 2026-12-04 → report from
    Mon 12-07; no intercourse / tub bath through 12-18, resume 12-19; bleeding should stop by 12-11;
    a 3-day antibiotic course ends 12-06."""
    plan = plan_aftercare(D(2026, 12, 4), calendar, rules, antibiotic_days=3)
    assert plan.report_ready_on == D(2026, 12, 7)
    assert plan.abstain_through == D(2026, 12, 18)
    assert plan.resume_from == D(2026, 12, 19)
    assert plan.bleeding_stops_by == D(2026, 12, 11)
    assert plan.antibiotics_through == D(2026, 12, 6)
    assert not plan.provisional or (plan.conceive_from is not None and plan.conceive_from.year == 2027)


def test_procedure_2026_09_30_report_ready_10_08(calendar: ClinicCalendar, rules: Rules) -> None:
    """REPORT-READY: procedure Wed 2026-09-30 → the next working day is Thu 10-08, the report is ready 10-08."""
    assert report_ready_on(D(2026, 9, 30), calendar) == D(2026, 10, 8)
    assert plan_aftercare(D(2026, 9, 30), calendar, rules).report_ready_on == D(2026, 10, 8)
