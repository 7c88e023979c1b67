"""REG-LINE: the message that a number from the waiting line is hers — due at once, useful until the day ends."""

from __future__ import annotations

import datetime as dt

from hsgclinic.domain.reminders import (
    Appointment,
    AppointmentEvent,
    CaseDates,
    EventKind,
    ReminderKind,
    case_reminders,
    still_useful,
)

AT = dt.datetime(2026, 11, 20, 9, 41)
END = dt.datetime(2026, 11, 21, 0, 0)
DAY_START = dt.datetime(2026, 11, 20, 0, 0)


def test_a_number_from_the_line_is_told_at_once_with_its_day_and_number():
    event = AppointmentEvent(EventKind.LINE_SERVED, Appointment.VISIT, AT, new_at=END, old_at=DAY_START, number=7)
    [notice] = case_reminders(CaseDates(events=(event,)))
    assert notice.kind is ReminderKind.NUMBER_FROM_LINE
    assert (notice.due, notice.expires, notice.rule) == (AT, END, "REG-LINE")
    assert dict(notice.params) == {"day": dt.date(2026, 11, 20), "number": 7}


def test_after_the_day_is_over_it_is_not_sent():
    event = AppointmentEvent(EventKind.LINE_SERVED, Appointment.VISIT, AT, new_at=END, old_at=DAY_START, number=7)
    notices = case_reminders(CaseDates(events=(event,)))
    assert still_useful(notices, END - dt.timedelta(minutes=1)) != []
    assert still_useful(notices, END) == []
