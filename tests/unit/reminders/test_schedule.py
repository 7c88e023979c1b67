"""The reminder schedule of a case (issue 5): what is sent when, and which rule each message serves."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.reminders import (
    Appointment,
    AppointmentEvent,
    CaseDates,
    CheckinAnswers,
    EventKind,
    Pain,
    ReminderKind,
    ReminderTimes,
    case_reminders,
    checkin_flags,
    still_useful,
)
from hsgclinic.domain.rules import Rules

DT = dt.datetime
D = dt.date


def _case(calendar: ClinicCalendar, rules: Rules, **kw: object) -> CaseDates:
    proc = DT(2026, 12, 4, 9, 15)
    plan = plan_aftercare(proc.date(), calendar, rules, period_start=D(2026, 11, 26), cycle_length=28)
    values: dict[str, object] = {
        "visit_day": D(2026, 12, 2),
        "procedure_at": proc,
        "aftercare": plan,
        "report_signed_at": DT(2026, 12, 4, 11, 0),  # signed on the procedure day
    }
    values.update(kw)
    return CaseDates(**values)  # type: ignore[arg-type]


def _by_kind(case: CaseDates) -> dict[ReminderKind, object]:
    return {r.kind: r for r in case_reminders(case)}


def test_worked_example_friday_procedure_gets_every_care_date(calendar: ClinicCalendar, rules: Rules) -> None:
    got = {r.kind: (r.due, r.rule) for r in case_reminders(_case(calendar, rules))}
    assert got == {
        ReminderKind.VISIT_EVE: (DT(2026, 12, 1, 18, 0), "ELIG-ABSTAIN"),
        ReminderKind.PROCEDURE_EVE: (DT(2026, 12, 3, 19, 0), "ELIG-PREG"),
        ReminderKind.ANTIBIOTIC_LAST_DAY: (DT(2026, 12, 6, 8, 0), "CARE-ANTIBIOTIC"),
        ReminderKind.REPORT_READY: (DT(2026, 12, 7, 8, 0), "CARE-REPORT"),  # Friday → Monday
        ReminderKind.BLEEDING_CHECK: (DT(2026, 12, 11, 8, 0), "CARE-BLEED"),  # D+7
        ReminderKind.ABSTAIN_ENDS: (DT(2026, 12, 19, 8, 0), "CARE-ABSTAIN"),  # resume D+15
        ReminderKind.CONCEIVE_FROM: (DT(2026, 12, 24, 8, 0), "CARE-CONCEIVE"),  # LMP + 28
    }


def test_reminders_come_in_due_order(calendar: ClinicCalendar, rules: Rules) -> None:
    dues = [r.due for r in case_reminders(_case(calendar, rules))]
    assert dues == sorted(dues)


def test_report_before_national_day_is_announced_on_the_first_working_day_after(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    plan = plan_aftercare(D(2026, 9, 30), calendar, rules)
    case = CaseDates(procedure_at=DT(2026, 9, 30, 8, 0), aftercare=plan, report_signed_at=DT(2026, 9, 30, 10, 0))
    report = next(r for r in case_reminders(case) if r.kind is ReminderKind.REPORT_READY)
    assert report.due == DT(2026, 10, 8, 8, 0)
    assert report.params["day"] == D(2026, 10, 8)


def test_five_day_antibiotic_course_reminds_on_d_plus_4(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(D(2026, 12, 4), calendar, rules, antibiotic_days=5)
    case = CaseDates(procedure_at=DT(2026, 12, 4, 8, 0), aftercare=plan)
    last = next(r for r in case_reminders(case) if r.kind is ReminderKind.ANTIBIOTIC_LAST_DAY)
    assert last.due == DT(2026, 12, 8, 8, 0)


def test_cancelled_case_gets_nothing_at_all(calendar: ClinicCalendar, rules: Rules) -> None:
    events = (AppointmentEvent(EventKind.CANCELLED, Appointment.PROCEDURE, DT(2026, 12, 2, 10, 0)),)
    assert case_reminders(_case(calendar, rules, cancelled=True, events=events)) == []


def test_cancelled_appointment_is_told_at_once_and_its_reminders_go(calendar: ClinicCalendar, rules: Rules) -> None:
    at = DT(2026, 12, 2, 10, 30)
    ev = AppointmentEvent(EventKind.CANCELLED, Appointment.PROCEDURE, at, old_at=DT(2026, 12, 4, 9, 15))
    kinds = _by_kind(_case(calendar, rules, procedure_at=None, aftercare=None, events=(ev,)))
    assert set(kinds) == {ReminderKind.VISIT_EVE, ReminderKind.APPOINTMENT_CANCELLED}
    notice = kinds[ReminderKind.APPOINTMENT_CANCELLED]
    assert notice.due == at  # type: ignore[attr-defined]


def test_reschedule_notice_is_immediate_and_the_eve_moves(calendar: ClinicCalendar, rules: Rules) -> None:
    at = DT(2026, 12, 2, 11, 0)
    new = DT(2026, 12, 5, 8, 30)
    ev = AppointmentEvent(EventKind.RESCHEDULED, Appointment.PROCEDURE, at, new_at=new, old_at=DT(2026, 12, 4, 9, 15))
    plan = plan_aftercare(new.date(), calendar, rules)
    rs = case_reminders(_case(calendar, rules, procedure_at=new, aftercare=plan, events=(ev,)))
    kinds = {r.kind: r for r in rs}
    assert kinds[ReminderKind.APPOINTMENT_RESCHEDULED].due == at
    assert kinds[ReminderKind.APPOINTMENT_RESCHEDULED].params["new_at"] == new
    assert kinds[ReminderKind.PROCEDURE_EVE].due == DT(2026, 12, 4, 19, 0)


def test_a_stale_aftercare_plan_for_another_date_is_ignored(calendar: ClinicCalendar, rules: Rules) -> None:
    old_plan = plan_aftercare(D(2026, 12, 4), calendar, rules)
    rs = case_reminders(_case(calendar, rules, procedure_at=DT(2026, 12, 5, 8, 0), aftercare=old_plan))
    assert {r.kind for r in rs} == {ReminderKind.VISIT_EVE, ReminderKind.PROCEDURE_EVE}


def test_no_conceive_reminder_when_no_tube_is_patent(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(D(2026, 12, 4), calendar, rules)
    blocked = dataclasses.replace(plan, conceive_from=None)
    kinds = {r.kind for r in case_reminders(CaseDates(aftercare=blocked))}
    assert ReminderKind.CONCEIVE_FROM not in kinds
    assert ReminderKind.BLEEDING_CHECK in kinds


def test_times_are_settings(calendar: ClinicCalendar, rules: Rules) -> None:
    times = ReminderTimes(visit_eve=dt.time(20, 0), procedure_eve=dt.time(17, 30), morning=dt.time(9, 0))
    got = {r.kind: r.due for r in case_reminders(_case(calendar, rules), times)}
    assert got[ReminderKind.VISIT_EVE] == DT(2026, 12, 1, 20, 0)
    assert got[ReminderKind.PROCEDURE_EVE] == DT(2026, 12, 3, 17, 30)
    assert got[ReminderKind.REPORT_READY] == DT(2026, 12, 7, 9, 0)


def test_keys_are_stable_and_distinct(calendar: ClinicCalendar, rules: Rules) -> None:
    a = [r.key for r in case_reminders(_case(calendar, rules))]
    b = [r.key for r in case_reminders(_case(calendar, rules))]
    assert a == b
    assert len(set(a)) == len(a)


def test_still_useful_drops_expired_and_sends_late_ones_at_once(calendar: ClinicCalendar, rules: Rules) -> None:
    now = DT(2026, 12, 3, 20, 0)  # booked late: the 19:00 eve reminder passed, the procedure has not
    rs = still_useful(case_reminders(_case(calendar, rules)), now)
    kinds = {r.kind: r.due for r in rs}
    assert ReminderKind.VISIT_EVE not in kinds  # the visit was yesterday
    assert kinds[ReminderKind.PROCEDURE_EVE] == now
    assert kinds[ReminderKind.REPORT_READY] == DT(2026, 12, 7, 8, 0)


def test_after_the_procedure_the_eve_reminder_is_not_sent(calendar: ClinicCalendar, rules: Rules) -> None:
    rs = still_useful(case_reminders(_case(calendar, rules)), DT(2026, 12, 4, 9, 15))
    assert ReminderKind.PROCEDURE_EVE not in {r.kind for r in rs}


@given(
    day=st.dates(min_value=D(2025, 3, 1), max_value=D(2027, 10, 1)),
    antibiotic_days=st.integers(3, 5),
    hour=st.integers(8, 16),
)
def test_every_aftercare_reminder_falls_after_the_procedure(day: D, antibiotic_days: int, hour: int) -> None:
    from hsgclinic.calendar_source import build_calendar

    cal = _CAL.setdefault("c", build_calendar(range(2025, 2028), official_through=2026))
    plan = plan_aftercare(day, cal, Rules(), antibiotic_days=antibiotic_days)
    proc = DT.combine(day, dt.time(hour, 0))
    for r in case_reminders(CaseDates(procedure_at=proc, aftercare=plan)):
        if r.kind is ReminderKind.PROCEDURE_EVE:
            assert r.due < proc <= r.expires
        else:
            assert r.due.date() >= day
            assert r.due < r.expires
            assert r.rule.startswith("CARE-")


_CAL: dict[str, ClinicCalendar] = {}


# --- check-in (CARE-BLEED) ---


def test_bleeding_on_d_plus_7_is_expected_but_past_it_raises_care_bleed() -> None:
    by = D(2026, 12, 11)
    assert checkin_flags(CheckinAnswers(reported_on=by, bleeding=True), by) == []
    flags = checkin_flags(CheckinAnswers(reported_on=by + dt.timedelta(days=1), bleeding=True), by)
    assert [(f.rule, f.reason) for f in flags] == [("CARE-BLEED", "bleeding_past_d7")]


def test_fever_at_the_threshold_and_severe_pain_are_flagged() -> None:
    by = D(2026, 12, 11)
    answers = CheckinAnswers(
        reported_on=D(2026, 12, 6), bleeding=False, temperature_c=Decimal("37.5"), pain=Pain.SEVERE
    )
    assert [f.reason for f in checkin_flags(answers, by)] == ["fever", "pain"]
    calm = CheckinAnswers(reported_on=D(2026, 12, 6), bleeding=True, temperature_c=Decimal("37.4"), pain=Pain.MILD)
    assert checkin_flags(calm, by) == []


def test_bleeding_heavier_than_a_period_is_flagged_any_day() -> None:
    answers = CheckinAnswers(reported_on=D(2026, 12, 5), bleeding=True, heavier_than_period=True)
    assert [f.reason for f in checkin_flags(answers, D(2026, 12, 11))] == ["bleeding_heavy"]


def test_no_report_ready_message_while_the_report_is_unsigned(calendar: ClinicCalendar, rules: Rules) -> None:
    kinds = {r.kind for r in case_reminders(_case(calendar, rules, report_signed_at=None))}
    assert ReminderKind.REPORT_READY not in kinds and ReminderKind.BLEEDING_CHECK in kinds


def test_a_report_signed_after_its_ready_day_is_announced_at_the_signature(
    calendar: ClinicCalendar, rules: Rules
) -> None:
    late = DT(2026, 12, 9, 14, 37, 12)
    report = _by_kind(_case(calendar, rules, report_signed_at=late))[ReminderKind.REPORT_READY]
    assert report.due == DT(2026, 12, 9, 14, 37)  # type: ignore[attr-defined]
    assert report.params["day"] == D(2026, 12, 7)  # type: ignore[attr-defined]
