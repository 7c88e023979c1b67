"""iCalendar files (RFC 5545) with her dates: 'add to my calendar'.

Two entry points:

* :func:`visit_plan_ics` — from a domain :class:`~hsgclinic.domain.planning.VisitPlan`: the screening visit
  day(s), the possible procedure dates, no intercourse until the procedure, and (BOOK-NEXT) the next cycle.
* :func:`aftercare_ics` — from an :class:`~hsgclinic.domain.aftercare.AftercarePlan`: the procedure (timed when
  its time is known) and every aftercare milestone as an all-day event, with reminders (VALARM) where useful.

Every summary and description is in the file's language (``lang``). UIDs are derived from ``case_id`` and the
event's kind, so a file made again for the same case updates the events already in her calendar instead of
duplicating them; no personal data goes into a UID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from hsgclinic.documents.rendering import SiteText, lang_of
from hsgclinic.domain.aftercare import AftercarePlan
from hsgclinic.domain.planning import VisitPlan
from hsgclinic.i18n import Translator

if TYPE_CHECKING:
    from icalendar import Calendar, Component, Event

    from hsgclinic.config import SiteProfile

PRODID = "-//hsgclinic//HSG pathway calendar//{lang}"
CLINIC_TZ = ZoneInfo("Asia/Shanghai")
UID_DOMAIN = "hsgclinic"
PROCEDURE_MINUTES = 30
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Reminder:
    """A VALARM relative to the event's start (for an all-day event: local midnight of its first day)."""

    before_start: dt.timedelta  # negative = after the start (e.g. 09:00 on the day: -9 h)
    text: str


@dataclass(frozen=True)
class CalendarEntry:
    kind: str  # stable per case: the UID is derived from it
    summary: str
    first: dt.date | dt.datetime
    last: dt.date | None = None  # all-day events: the last day (inclusive); None = one day
    description: str = ""
    location: str = ""
    reminders: tuple[Reminder, ...] = ()


def event_uid(case_id: str, kind: str) -> str:
    """A stable UID: the same case and kind give the same UID, and it reveals nothing about her."""
    digest = hashlib.sha256(f"{case_id}\x1f{kind}".encode()).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def _at(hour: int, minute: int = 0) -> dt.timedelta:
    """A reminder at hh:mm on an all-day event's first day."""
    return -dt.timedelta(hours=hour, minutes=minute)


def _provisional(t: Translator, provisional: bool) -> str:
    if not provisional:
        return ""
    return "\n" + t(
        "Provisional: this year's official holiday calendar has not been published yet; the clinic will confirm."
    )


def visit_plan_entries(
    plan: VisitPlan,
    t: Translator,
    site: SiteProfile,
    *,
    release_time: dt.time = dt.time(7, 0),
) -> list[CalendarEntry]:
    """Her planned dates before the procedure (what the web's 'add to my calendar' offers)."""
    place = SiteText(site, t)
    location = f"{place.room}, {place.address}" if not t.is_zh else f"{place.address} {place.room}"
    note = _provisional(t, plan.provisional)
    entries: list[CalendarEntry] = []
    numbers_at = dt.datetime.combine(dt.date(2000, 1, 1), release_time) - dt.timedelta(minutes=30)
    for v in plan.visit_days:
        entries.append(
            CalendarEntry(
                kind=f"visit:{v.day.isoformat()}",
                summary=t("HSG screening visit"),
                first=v.day,
                description=t(
                    "Screening visit and leukorrhea test (day {n} after your period ended). Take a registration "
                    "number from {time} and bring your ID card. No intercourse before the visit.",
                    n=(v.day - plan.cycle.period_end).days,
                    time=release_time,
                )
                + note,
                location=location,
                reminders=(
                    Reminder(
                        _at(numbers_at.hour, numbers_at.minute),
                        t("HSG screening visit today: registration numbers from {time}.", time=release_time),
                    ),
                ),
            )
        )
    usable = plan.procedure_dates
    if usable:
        entries.append(
            CalendarEntry(
                kind="procedure-window",
                summary=t("Possible HSG procedure dates"),
                first=usable[0],
                last=usable[-1],
                description=t(
                    "The procedure can be booked on one of these days after your screening visit: {days}.",
                    days=tuple(usable),
                )
                + note,
                location=location,
            )
        )
        entries.append(
            CalendarEntry(
                kind="abstain-before",
                summary=t("No intercourse until the HSG"),
                first=plan.abstain_from,
                last=usable[-1],
                description=t("From the end of your period until the procedure: no intercourse."),
            )
        )
    if plan.next_cycle is not None:
        nxt = plan.next_cycle
        entries.append(
            CalendarEntry(
                kind="next-period",
                summary=t("Next period expected (HSG next cycle)"),
                first=nxt.expected_period_start,
                description=t(
                    "No date in this cycle works. Your next period is expected around {start}; come for the "
                    "screening visit on day 2–3 after it ends.",
                    start=nxt.expected_period_start,
                )
                + note,
                reminders=(Reminder(_at(9), t("Is your period here? Note the day it ends to plan the HSG.")),),
            )
        )
    return entries


def aftercare_entries(
    plan: AftercarePlan,
    t: Translator,
    site: SiteProfile,
    *,
    procedure_at: dt.datetime | None = None,
) -> list[CalendarEntry]:
    """The procedure and every aftercare milestone (CARE-*) as calendar entries."""
    place = SiteText(site, t)
    location = f"{place.room}, {place.address}" if not t.is_zh else f"{place.address} {place.room}"
    note = _provisional(t, plan.provisional)
    d = plan.procedure_date
    bring = t("Bring your ID card, the application form, the payment receipt and a sanitary pad.")
    first: dt.date | dt.datetime
    reminders: tuple[Reminder, ...]
    if procedure_at is not None:
        if procedure_at.date() != d:
            raise ValueError("procedure_at is not on the plan's procedure date")
        first = procedure_at if procedure_at.tzinfo is not None else procedure_at.replace(tzinfo=CLINIC_TZ)
        reminders = (
            Reminder(dt.timedelta(days=1), t("HSG tomorrow.") + " " + bring),
            Reminder(dt.timedelta(hours=1), t("HSG in one hour.")),
        )
    else:
        first = d
        reminders = (Reminder(dt.timedelta(hours=4), t("HSG tomorrow.") + " " + bring),)
    entries = [
        CalendarEntry(
            kind="procedure",
            summary=t("HSG procedure"),
            first=first,
            description=t(
                "Painless hysterosalpingography, about 5 minutes. A urine pregnancy test is done first. {bring}",
                bring=bring,
            )
            + note,
            location=location,
            reminders=reminders,
        ),
        CalendarEntry(
            kind="abstain-after",
            summary=t("No intercourse, no tub bath (through {day})", day=plan.abstain_through),
            first=d,
            last=plan.abstain_through,
            description=t(
                "After the HSG: no intercourse and no tub bath through {day}; you may resume from {resume}.",
                day=plan.abstain_through,
                resume=plan.resume_from,
            ),
        ),
        CalendarEntry(
            kind="antibiotics",
            summary=t("Take the prescribed antibiotics ({days} days)", days=plan.course_days),
            first=d,
            last=plan.antibiotics_through,
            description=t(
                "Because a tube is dilated (hydrosalpinx), take doxycycline 100 mg twice daily for {days} days, "
                "from {start} to {end}, instead of the usual antibiotic course.",
                days=plan.course_days,
                start=d,
                end=plan.antibiotics_through,
            )
            if plan.doxycycline
            else t(
                "Take the prescribed oral antibiotics for {days} days, from {start} to {end}.",
                days=plan.antibiotic_days,
                start=d,
                end=plan.antibiotics_through,
            ),
        ),
        CalendarEntry(
            kind="bleeding",
            summary=t("Bleeding should have stopped by today"),
            first=plan.bleeding_stops_by,
            description=t(
                "Light bleeding after the HSG should stop by today. If it is heavier than a period or still going, "
                "if you have a fever of 37.5 °C or more, or severe abdominal pain, call {phone}.",
                phone=site.phone,
            ),
            reminders=(Reminder(_at(9), t("Still bleeding after the HSG? Call {phone}.", phone=site.phone)),),
        ),
        CalendarEntry(
            kind="report",
            summary=t("HSG report ready"),
            first=plan.report_ready_on,
            description=t("Your report can be printed from today: {printer}.", printer=place.printer) + note,
            location=place.printer,
            reminders=(Reminder(_at(9), t("Your HSG report can be printed from today.")),),
        ),
    ]
    if plan.conceive_from is not None:
        entries.append(
            CalendarEntry(
                kind="conceive",
                summary=t("You may try to conceive from about today"),
                first=plan.conceive_from,
                description=t(
                    "If the tubes are patent you can try to conceive from about today; trying around ovulation "
                    "improves the chance."
                ),
            )
        )
    if plan.pregnancy_test_from is not None:
        entries.append(
            CalendarEntry(
                kind="pregnancy-test",
                summary=t("Period late? Pregnancy test"),
                first=plan.pregnancy_test_from,
                description=t(
                    "If your period is late, take a pregnancy test and come to the hospital early to rule out an "
                    "ectopic pregnancy."
                ),
                reminders=(Reminder(_at(9), t("If your period is late, take a pregnancy test.")),),
            )
        )
    return entries


def _event(entry: CalendarEntry, case_id: str, stamp: dt.datetime) -> Event:
    from icalendar import Alarm, Event

    ev = Event()
    ev.add("uid", event_uid(case_id, entry.kind))
    ev.add("dtstamp", stamp)
    ev.add("summary", entry.summary)
    if isinstance(entry.first, dt.datetime):
        ev.add("dtstart", entry.first)
        ev.add("dtend", entry.first + dt.timedelta(minutes=PROCEDURE_MINUTES))
    else:
        last = entry.last if entry.last is not None else entry.first
        if last < entry.first:
            raise ValueError(f"{entry.kind}: ends before it starts")
        ev.add("dtstart", entry.first)
        ev.add("dtend", last + ONE_DAY)  # DTEND of an all-day event is exclusive
        ev.add("transp", "TRANSPARENT")  # a reminder, not a busy block
    if entry.description:
        ev.add("description", entry.description)
    if entry.location:
        ev.add("location", entry.location)
    ev.add("sequence", 0)
    for r in entry.reminders:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", r.text)
        alarm.add("trigger", -r.before_start)
        ev.add_component(alarm)
    return ev


def calendar_of(
    entries: Sequence[CalendarEntry], *, lang: str, case_id: str, now: dt.datetime | None = None
) -> Calendar:
    """A VCALENDAR with one VEVENT per entry (and a VTIMEZONE for the timed ones)."""
    from icalendar import Calendar

    t = lang_of(lang)
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID.format(lang=t.lang_tag.upper()))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", t("My HSG dates"))
    cal.add("x-wr-timezone", str(CLINIC_TZ))
    seen: set[str] = set()
    for entry in entries:
        if entry.kind in seen:
            raise ValueError(f"two events of kind {entry.kind!r} in one calendar")
        seen.add(entry.kind)
        cal.add_component(_event(entry, case_id, stamp))
    if any(isinstance(e.first, dt.datetime) for e in entries):
        cal.add_component(_clinic_timezone())
    return cal


def _clinic_timezone() -> Component:
    """VTIMEZONE for Asia/Shanghai: UTC+8 all year, no daylight saving since 1991."""
    from icalendar import Timezone, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", str(CLINIC_TZ))
    std = TimezoneStandard()
    std.add("dtstart", dt.datetime(1991, 9, 15, 2, 0))  # noqa: DTZ001 - VTIMEZONE onsets are local times
    std.add("tzoffsetfrom", dt.timedelta(hours=8))
    std.add("tzoffsetto", dt.timedelta(hours=8))
    std.add("tzname", "CST")
    tz.add_component(std)
    return tz


def visit_plan_ics(
    plan: VisitPlan,
    site: SiteProfile,
    lang: str,
    *,
    case_id: str,
    release_time: dt.time = dt.time(7, 0),
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics bytes of her planned dates (screening visit, procedure window, next cycle)."""
    t = lang_of(lang)
    entries = visit_plan_entries(plan, t, site, release_time=release_time)
    return bytes(calendar_of(entries, lang=lang, case_id=case_id, now=now).to_ical())


def aftercare_ics(
    plan: AftercarePlan,
    site: SiteProfile,
    lang: str,
    *,
    case_id: str,
    procedure_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The .ics bytes of the procedure and her aftercare milestones."""
    t = lang_of(lang)
    entries = aftercare_entries(plan, t, site, procedure_at=procedure_at)
    return bytes(calendar_of(entries, lang=lang, case_id=case_id, now=now).to_ical())
