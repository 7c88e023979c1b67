"""The reminder schedule in full: each reminder's due and expiry instants, rule and text parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.clinic_calendar import ClinicCalendar
from hsgclinic.domain.reminders import (
    Appointment,
    AppointmentEvent,
    CaseDates,
    CheckinAnswers,
    EventKind,
    Pain,
    Reminder,
    ReminderKind,
    ReminderTimes,
    case_reminders,
    checkin_flags,
    still_useful,
)
from hsgclinic.domain.rules import Rules

DT = dt.datetime
D = dt.date
PROC = DT(2026, 12, 4, 9, 15)


def _rows(reminders: list[Reminder]) -> list[tuple[str, dt.datetime, dt.datetime, str, dict[str, object]]]:
    return [(r.kind.value, r.due, r.expires, r.rule, dict(r.params)) for r in reminders]


def test_every_reminder_of_the_worked_example(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(PROC.date(), calendar, rules, period_start=D(2026, 11, 26), cycle_length=28)
    case = CaseDates(visit_day=D(2026, 12, 2), procedure_at=PROC, aftercare=plan, report_signed_at=DT(2026, 12, 4, 11))
    assert _rows(case_reminders(case)) == [
        ("visit_eve", DT(2026, 12, 1, 18), DT(2026, 12, 2), "ELIG-ABSTAIN", {"visit_day": D(2026, 12, 2)}),
        ("procedure_eve", DT(2026, 12, 3, 19), PROC, "ELIG-PREG", {"procedure_at": PROC}),
        (
            "antibiotic_last_day",
            DT(2026, 12, 6, 8),
            DT(2026, 12, 7),
            "CARE-ANTIBIOTIC",
            {"day": D(2026, 12, 6), "days": 3, "doxycycline": False},
        ),
        ("report_ready", DT(2026, 12, 7, 8), DT(2027, 1, 6), "CARE-REPORT", {"day": D(2026, 12, 7)}),
        ("bleeding_check", DT(2026, 12, 11, 8), DT(2026, 12, 14), "CARE-BLEED", {"day": D(2026, 12, 11)}),
        (
            "abstain_ends",
            DT(2026, 12, 19, 8),
            DT(2026, 12, 22),
            "CARE-ABSTAIN",
            {"through": D(2026, 12, 18), "resume": D(2026, 12, 19)},
        ),
        (
            "conceive_from",
            DT(2026, 12, 24, 8),
            DT(2026, 12, 31),
            "CARE-CONCEIVE",
            {"day": D(2026, 12, 24), "tubes": "unknown"},
        ),
    ]


def test_times_come_from_the_settings(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(PROC.date(), calendar, rules)
    times = ReminderTimes(visit_eve=dt.time(17, 30), procedure_eve=dt.time(20, 0), morning=dt.time(9, 0))
    case = CaseDates(
        visit_day=D(2026, 12, 2), procedure_at=PROC, aftercare=plan, report_signed_at=DT(2026, 12, 9, 15, 42, 7, 500000)
    )
    due = {r.kind.value: r.due for r in case_reminders(case, times)}
    assert due["visit_eve"] == DT(2026, 12, 1, 17, 30)
    assert due["procedure_eve"] == DT(2026, 12, 3, 20, 0)
    assert due["antibiotic_last_day"] == DT(2026, 12, 6, 9, 0)
    assert due["report_ready"] == DT(2026, 12, 9, 15, 42)  # signed after the ready day: at the signature (minute)
    report = next(r for r in case_reminders(case, times) if r.kind.value == "report_ready")
    assert report.expires == DT(2027, 1, 8)  # 30 days after the day it is sent


def test_a_plan_for_another_procedure_day_gives_no_aftercare_reminders(calendar: ClinicCalendar, rules: Rules) -> None:
    plan = plan_aftercare(D(2026, 12, 3), calendar, rules)
    kinds = [r.kind.value for r in case_reminders(CaseDates(procedure_at=PROC, aftercare=plan))]
    assert kinds == ["procedure_eve"]
    alone = [r.kind.value for r in case_reminders(CaseDates(aftercare=plan))]
    assert alone == ["antibiotic_last_day", "bleeding_check", "abstain_ends", "conceive_from"]


def test_event_notices_expire_when_they_stop_helping() -> None:
    at = DT(2026, 12, 1, 10)
    events = (
        AppointmentEvent(EventKind.CANCELLED, Appointment.PROCEDURE, at, old_at=DT(2026, 12, 2, 9)),
        AppointmentEvent(EventKind.CANCELLED, Appointment.VISIT, at),
        AppointmentEvent(
            EventKind.RESCHEDULED, Appointment.PROCEDURE, at, new_at=DT(2026, 12, 1, 16), old_at=DT(2026, 12, 5, 9)
        ),
        AppointmentEvent(EventKind.RESCHEDULED, Appointment.VISIT, at),
        AppointmentEvent(EventKind.DAY_CLOSED, Appointment.PROCEDURE, at, old_at=DT(2026, 12, 2, 8)),
        AppointmentEvent(EventKind.DAY_CLOSED, Appointment.VISIT, at),
        AppointmentEvent(
            EventKind.LINE_SERVED, Appointment.VISIT, at, new_at=DT(2026, 12, 2), old_at=DT(2026, 12, 1), number=7
        ),
        AppointmentEvent(EventKind.LINE_SERVED, Appointment.VISIT, at, number=8),
    )
    late = at + dt.timedelta(days=2)
    assert _rows(case_reminders(CaseDates(events=events))) == sorted(
        [
            (
                "appointment_cancelled",
                at,
                DT(2026, 12, 2, 9),
                "BOOK-NEXT",
                {"appointment": "procedure", "old_at": DT(2026, 12, 2, 9)},
            ),
            ("appointment_cancelled", at, late, "BOOK-NEXT", {"appointment": "visit", "old_at": None}),
            (
                "appointment_rescheduled",
                at,
                DT(2026, 12, 1, 16),
                "BOOK-OPEN",
                {"appointment": "procedure", "old_at": DT(2026, 12, 5, 9), "new_at": DT(2026, 12, 1, 16)},
            ),
            (
                "appointment_rescheduled",
                at,
                late,
                "BOOK-OPEN",
                {"appointment": "visit", "old_at": None, "new_at": None},
            ),
            (
                "day_closed",
                at,
                DT(2026, 12, 2, 8),
                "CAL-SOURCE",
                {"appointment": "procedure", "old_at": DT(2026, 12, 2, 8)},
            ),
            ("day_closed", at, late, "CAL-SOURCE", {"appointment": "visit", "old_at": None}),
            ("number_from_line", at, DT(2026, 12, 2), "REG-LINE", {"day": D(2026, 12, 1), "number": 7}),
            ("number_from_line", at, late, "REG-LINE", {"day": D(2026, 12, 1), "number": 8}),
        ],
        key=lambda row: (row[1], row[0]),
    )


def test_a_notice_keeps_its_own_validity_when_the_appointment_is_later() -> None:
    at = DT(2026, 12, 1, 10)
    far = DT(2026, 12, 20, 9)
    events = (
        AppointmentEvent(EventKind.CANCELLED, Appointment.PROCEDURE, at, old_at=far),
        AppointmentEvent(EventKind.RESCHEDULED, Appointment.PROCEDURE, at, new_at=far),
        AppointmentEvent(EventKind.DAY_CLOSED, Appointment.PROCEDURE, at, old_at=far),
        AppointmentEvent(EventKind.LINE_SERVED, Appointment.VISIT, at, new_at=far, number=1),
    )
    expiries = {r.expires for r in case_reminders(CaseDates(events=events), ReminderTimes(notice_valid_days=3))}
    assert expiries == {DT(2026, 12, 4, 10)}


def test_still_useful_keeps_what_has_not_expired_and_sends_the_overdue_now() -> None:
    due, expires = DT(2026, 12, 1, 8), DT(2026, 12, 2)
    r = Reminder(ReminderKind.BLEEDING_CHECK, due, expires, "CARE-BLEED")
    assert still_useful([r], DT(2026, 12, 1, 7)) == [r]
    assert still_useful([r], due) == [r]
    assert [x.due for x in still_useful([r], DT(2026, 12, 1, 12))] == [DT(2026, 12, 1, 12)]
    assert still_useful([r], DT(2026, 12, 1, 23, 59)) != []
    assert still_useful([r], expires) == []


def test_checkin_flags_at_their_boundaries() -> None:
    d7 = D(2026, 12, 11)

    def flags(**kw: object) -> list[tuple[str, str]]:
        answers = CheckinAnswers(**{"reported_on": d7, "bleeding": False, **kw})  # type: ignore[arg-type]
        return [(f.rule, f.reason) for f in checkin_flags(answers, d7)]

    assert flags(bleeding=True) == []
    assert flags(bleeding=True, reported_on=D(2026, 12, 12)) == [("CARE-BLEED", "bleeding_past_d7")]
    assert flags(bleeding=False, reported_on=D(2026, 12, 12)) == []
    assert flags(bleeding=True, heavier_than_period=True) == [("CARE-BLEED", "bleeding_heavy")]
    assert flags(bleeding=False, heavier_than_period=True) == []
    assert flags(temperature_c=Decimal("37.4")) == []
    assert flags(temperature_c=Decimal("37.5")) == [("CARE-BLEED", "fever")]
    assert flags(pain=Pain.MILD) == []
    assert flags(pain=Pain.SEVERE) == [("CARE-BLEED", "pain")]
    answers = CheckinAnswers(d7, False, temperature_c=Decimal("37.9"))
    assert checkin_flags(answers, d7, Decimal("38.0")) == []
    assert [
        f.reason for f in checkin_flags(CheckinAnswers(D(2026, 12, 12), True, True, Decimal("39"), Pain.SEVERE), d7)
    ] == [
        "bleeding_past_d7",
        "bleeding_heavy",
        "fever",
        "pain",
    ]
