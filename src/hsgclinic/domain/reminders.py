"""Which messages a case should receive, and when (issue 5, "Reminders"; CARE-* and the visit/procedure eves).

Pure: no clock, no settings, no storage. Every instant is a *local naive* datetime (Asia/Shanghai wall time); the
caller converts to UTC for storage. Given the case's current dates (visit day, procedure date and time, the
:class:`~hsgclinic.domain.aftercare.AftercarePlan`) and the appointment events (cancellations, reschedules), the
schedule lists each reminder with its kind, its due instant, the instant after which it is pointless (``expires``),
the rule it serves and the parameters its text needs. A cancelled case gets nothing at all.

Each reminder has a stable ``key``: enqueuing the same schedule twice (a retried request, a re-plan) finds the
messages already there instead of adding a second copy.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from hsgclinic.domain.aftercare import AftercarePlan


class ReminderKind(StrEnum):
    VISIT_EVE = "visit_eve"  # the day before the screening visit: what to avoid, where to go, what to bring
    PROCEDURE_EVE = "procedure_eve"  # the evening before the procedure
    ANTIBIOTIC_LAST_DAY = "antibiotic_last_day"
    REPORT_READY = "report_ready"
    BLEEDING_CHECK = "bleeding_check"  # D+7: still bleeding? contact us (with the check-in link)
    ABSTAIN_ENDS = "abstain_ends"
    CONCEIVE_FROM = "conceive_from"
    APPOINTMENT_CANCELLED = "appointment_cancelled"
    APPOINTMENT_RESCHEDULED = "appointment_rescheduled"
    DAY_CLOSED = "day_closed"  # the clinic closed her appointment's day (CAL-SOURCE): a new date will follow
    NUMBER_FROM_LINE = "number_from_line"  # a number came back and went to her from the waiting line (REG-LINE)


class Appointment(StrEnum):
    VISIT = "visit"
    PROCEDURE = "procedure"


class EventKind(StrEnum):
    CANCELLED = "cancelled"
    RESCHEDULED = "rescheduled"
    DAY_CLOSED = "day_closed"
    LINE_SERVED = "line_served"  # the waiting line gave her a number (REG-LINE)


@dataclass(frozen=True)
class AppointmentEvent:
    """A change to one appointment, at local instant ``at``. A reschedule carries the new instant."""

    kind: EventKind
    appointment: Appointment
    at: dt.datetime
    new_at: dt.datetime | None = None
    old_at: dt.datetime | None = None
    number: int | None = None  # LINE_SERVED: her queue number


@dataclass(frozen=True)
class ReminderTimes:
    """Local wall-clock times of the reminders (settings; defaults from the issue)."""

    visit_eve: dt.time = dt.time(18, 0)
    procedure_eve: dt.time = dt.time(19, 0)
    morning: dt.time = dt.time(8, 0)
    notice_valid_days: int = 2  # a cancellation/reschedule notice not sent within this is dropped


@dataclass(frozen=True)
class CaseDates:
    """What the schedule needs to know about one case (all local)."""

    visit_day: dt.date | None = None
    procedure_at: dt.datetime | None = None
    aftercare: AftercarePlan | None = None
    report_signed_at: dt.datetime | None = None  # REPORT-READY: the "report ready" message waits for the signature
    events: tuple[AppointmentEvent, ...] = ()
    cancelled: bool = False  # the whole case is closed: nothing is sent


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    due: dt.datetime  # local naive
    expires: dt.datetime  # local naive: not sent at or after this (the moment it would help has passed)
    rule: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def key(self) -> str:
        """Stable identity within a case: the kind and the instant it is about."""
        return f"{self.kind.value}@{self.due.isoformat(timespec='minutes')}"


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time)


def _params(**values: object) -> Mapping[str, object]:
    return MappingProxyType(dict(values))


def _day(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def case_reminders(case: CaseDates, times: ReminderTimes | None = None) -> list[Reminder]:
    """Every reminder of ``case`` in due order (past ones included; see :func:`still_useful`)."""
    if case.cancelled:
        return []
    t = times or ReminderTimes()
    out: list[Reminder] = []
    if case.visit_day is not None:
        out.append(
            Reminder(
                ReminderKind.VISIT_EVE,
                _at(case.visit_day - _day(1), t.visit_eve),
                _at(case.visit_day, dt.time(0, 0)),
                "ELIG-ABSTAIN",
                _params(visit_day=case.visit_day),
            )
        )
    if case.procedure_at is not None:
        d = case.procedure_at.date()
        out.append(
            Reminder(
                ReminderKind.PROCEDURE_EVE,
                _at(d - _day(1), t.procedure_eve),
                case.procedure_at,
                "ELIG-PREG",
                _params(procedure_at=case.procedure_at),
            )
        )
    plan = case.aftercare
    if plan is not None and (case.procedure_at is None or plan.procedure_date == case.procedure_at.date()):
        out.extend(_aftercare_reminders(plan, t, case.report_signed_at))
    out.extend(_event_notices(case.events, t))
    out.sort(key=lambda r: (r.due, r.kind.value))
    return out


def _aftercare_reminders(
    plan: AftercarePlan, t: ReminderTimes, report_signed_at: dt.datetime | None = None
) -> list[Reminder]:
    out = [
        Reminder(
            ReminderKind.ANTIBIOTIC_LAST_DAY,
            _at(plan.antibiotics_through, t.morning),
            _at(plan.antibiotics_through + _day(1), dt.time(0, 0)),
            "CARE-ANTIBIOTIC",
            _params(day=plan.antibiotics_through, days=plan.course_days, doxycycline=plan.doxycycline),
        ),
    ]
    if report_signed_at is not None:
        # Planned from the signature: the ready day's morning, or the signing itself when it comes later.
        ready_at = max(_at(plan.report_ready_on, t.morning), report_signed_at.replace(second=0, microsecond=0))
        out.append(
            Reminder(
                ReminderKind.REPORT_READY,
                ready_at,
                _at(ready_at.date() + _day(30), dt.time(0, 0)),
                "CARE-REPORT",
                _params(day=plan.report_ready_on),
            )
        )
    out += [
        Reminder(
            ReminderKind.BLEEDING_CHECK,
            _at(plan.bleeding_stops_by, t.morning),
            _at(plan.bleeding_stops_by + _day(3), dt.time(0, 0)),
            "CARE-BLEED",
            _params(day=plan.bleeding_stops_by),
        ),
        Reminder(
            ReminderKind.ABSTAIN_ENDS,
            _at(plan.resume_from, t.morning),
            _at(plan.resume_from + _day(3), dt.time(0, 0)),
            "CARE-ABSTAIN",
            _params(through=plan.abstain_through, resume=plan.resume_from),
        ),
    ]
    if plan.conceive_from is not None:
        out.append(
            Reminder(
                ReminderKind.CONCEIVE_FROM,
                _at(plan.conceive_from, t.morning),
                _at(plan.conceive_from + _day(7), dt.time(0, 0)),
                "CARE-CONCEIVE",
                _params(day=plan.conceive_from, tubes=plan.tubes.value),
            )
        )
    return out


def _event_notices(events: Iterable[AppointmentEvent], t: ReminderTimes) -> list[Reminder]:
    out: list[Reminder] = []
    for ev in events:
        expires = ev.at + _day(t.notice_valid_days)
        if ev.kind is EventKind.LINE_SERVED:
            # old_at: the start of the clinic day the number is for; useful until that day is over (new_at).
            if ev.new_at is not None:
                expires = min(expires, ev.new_at)
            out.append(
                Reminder(
                    ReminderKind.NUMBER_FROM_LINE,
                    ev.at,
                    expires,
                    "REG-LINE",
                    _params(day=(ev.old_at or ev.at).date(), number=ev.number),
                )
            )
            continue
        if ev.kind is EventKind.DAY_CLOSED:
            if ev.old_at is not None:
                expires = min(expires, ev.old_at)
            out.append(
                Reminder(
                    ReminderKind.DAY_CLOSED,
                    ev.at,
                    expires,
                    "CAL-SOURCE",
                    _params(appointment=ev.appointment.value, old_at=ev.old_at),
                )
            )
        elif ev.kind is EventKind.CANCELLED:
            # Past the appointment itself the notice says nothing new.
            if ev.old_at is not None:
                expires = min(expires, ev.old_at)
            out.append(
                Reminder(
                    ReminderKind.APPOINTMENT_CANCELLED,
                    ev.at,
                    expires,
                    "BOOK-NEXT",
                    _params(appointment=ev.appointment.value, old_at=ev.old_at),
                )
            )
        else:
            if ev.new_at is not None:
                expires = min(expires, ev.new_at)
            out.append(
                Reminder(
                    ReminderKind.APPOINTMENT_RESCHEDULED,
                    ev.at,
                    expires,
                    "BOOK-OPEN",
                    _params(appointment=ev.appointment.value, old_at=ev.old_at, new_at=ev.new_at),
                )
            )
    return out


def still_useful(reminders: Iterable[Reminder], now: dt.datetime) -> list[Reminder]:
    """Those not yet expired at local ``now``; one already due is brought forward to ``now`` (send at once)."""
    return [replace(r, due=max(r.due, now)) if r.due < now else r for r in reminders if now < r.expires]


# --- the post-procedure check-in (CARE-BLEED) ---------------------------------------------------------------


class Pain(StrEnum):
    NONE = "none"
    MILD = "mild"
    SEVERE = "severe"  # severe or getting worse


@dataclass(frozen=True)
class CheckinAnswers:
    reported_on: dt.date
    bleeding: bool  # still bleeding today
    heavier_than_period: bool = False
    temperature_c: Decimal | None = None
    pain: Pain = Pain.NONE


@dataclass(frozen=True)
class CheckinFlag:
    rule: str
    reason: str  # "bleeding_past_d7", "bleeding_heavy", "fever", "pain"


def checkin_flags(
    answers: CheckinAnswers, bleeding_stops_by: dt.date, fever_threshold_c: Decimal = Decimal("37.5")
) -> list[CheckinFlag]:
    """CARE-BLEED: bleeding heavier than a period or past D+7, fever ≥ the threshold, severe or worsening pain."""
    flags: list[CheckinFlag] = []
    if answers.bleeding and answers.reported_on > bleeding_stops_by:
        flags.append(CheckinFlag("CARE-BLEED", "bleeding_past_d7"))
    if answers.bleeding and answers.heavier_than_period:
        flags.append(CheckinFlag("CARE-BLEED", "bleeding_heavy"))
    if answers.temperature_c is not None and answers.temperature_c >= fever_threshold_c:
        flags.append(CheckinFlag("CARE-BLEED", "fever"))
    if answers.pain is Pain.SEVERE:
        flags.append(CheckinFlag("CARE-BLEED", "pain"))
    return flags
