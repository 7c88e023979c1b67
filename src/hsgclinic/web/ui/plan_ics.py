"""Her planned dates as an iCalendar file.

Uses ``hsgclinic.documents.ics`` when the documents package provides ``plan_ics(plan, translator, site)``;
until then a small local builder (all-day events, one per date) keeps the download working.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from icalendar import Calendar, Event

from hsgclinic.config import SiteProfile
from hsgclinic.domain.planning import VisitPlan
from hsgclinic.i18n import Translator


def _documents_builder() -> Any:
    try:
        module = importlib.import_module("hsgclinic.documents.ics")
    except ImportError:
        return None
    return getattr(module, "plan_ics", None)


def plan_to_ics(plan: VisitPlan, t: Translator, site: SiteProfile, base_url: str, release_time: dt.time) -> bytes:
    builder = _documents_builder()
    if builder is not None:
        try:
            result = builder(plan, t, site)
            return result if isinstance(result, bytes) else str(result).encode("utf-8")
        except TypeError:
            pass
    room = site.room_zh if t.is_zh else site.room_en
    place = f"{site.name_zh if t.is_zh else site.name_en}, {room}"
    cal = Calendar()
    cal.add("prodid", "-//hsgclinic//plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", t.gettext("My HSG dates"))
    stamp = dt.datetime.combine(plan.today, dt.time(0, 0), tzinfo=dt.UTC)

    def add(day: dt.date, summary: str, description: str, key: str) -> None:
        ev = Event()
        ev.add("uid", f"hsg-{key}-{day.isoformat()}@{base_url.split('//')[-1]}")
        ev.add("dtstamp", stamp)
        ev.add("dtstart", day)
        ev.add("dtend", day + dt.timedelta(days=1))
        ev.add("summary", summary)
        ev.add("description", description)
        ev.add("location", place)
        cal.add_component(ev)

    phone = t.gettext("Questions: call %(phone)s.") % {"phone": site.phone}
    for v in plan.visit_days:
        add(
            v.day,
            t.gettext("HSG screening visit and leukorrhea test"),
            t.gettext("Register in the morning; numbers are released at %(time)s.") % {"time": t.time(release_time)}
            + " "
            + phone,
            "visit",
        )
    for d in plan.procedure_dates:
        add(
            d,
            t.gettext("Possible HSG procedure date"),
            t.gettext("Booked at the desk after screening.") + " " + phone,
            "proc",
        )
    if plan.report_ready_on is not None:
        add(
            plan.report_ready_on,
            t.gettext("HSG report ready (if the procedure is on the first date)"),
            (site.printer_zh if t.is_zh else site.printer_en),
            "report",
        )
    if plan.next_cycle is not None:
        add(
            plan.next_cycle.expected_period_start,
            t.gettext("Next period expected (plan the HSG visit after it)"),
            phone,
            "next",
        )
    return bytes(cal.to_ical())
