"""Message texts per reminder kind, in the patient's language (zh-CN catalogue ``notifications.po``).

Each text is a gettext message id (English) with named parameters; :class:`~hsgclinic.i18n.Translator` formats
dates and times the way her language writes them. A post-procedure message carries her check-in link.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from hsgclinic.config import SiteProfile
from hsgclinic.domain.messages import N_, Localized, Message
from hsgclinic.domain.reminders import ReminderKind
from hsgclinic.i18n import Translator

SUBJECTS: Mapping[ReminderKind, str] = {
    ReminderKind.VISIT_EVE: N_("Your HSG screening visit is tomorrow").msgid,
    ReminderKind.PROCEDURE_EVE: N_("Your HSG is tomorrow").msgid,
    ReminderKind.ANTIBIOTIC_LAST_DAY: N_("Last day of your antibiotics").msgid,
    ReminderKind.REPORT_READY: N_("Your HSG report is ready").msgid,
    ReminderKind.BLEEDING_CHECK: N_("7 days after your HSG: how are you?").msgid,
    ReminderKind.ABSTAIN_ENDS: N_("The two weeks of rest are over").msgid,
    ReminderKind.CONCEIVE_FROM: N_("You can try to conceive").msgid,
    ReminderKind.APPOINTMENT_CANCELLED: N_("Your appointment has been cancelled").msgid,
    ReminderKind.APPOINTMENT_RESCHEDULED: N_("Your appointment has been moved").msgid,
    ReminderKind.DAY_CLOSED: N_("The clinic is closed on your appointment day").msgid,
    ReminderKind.NUMBER_FROM_LINE: N_("A number came back and it is yours").msgid,
}

APPOINTMENT_NAMES = {"visit": N_("screening visit"), "procedure": N_("HSG procedure")}

# Messages after the procedure carry the check-in link (CARE-BLEED).
WITH_CHECKIN = frozenset(
    {
        ReminderKind.ANTIBIOTIC_LAST_DAY,
        ReminderKind.REPORT_READY,
        ReminderKind.BLEEDING_CHECK,
        ReminderKind.ABSTAIN_ENDS,
    }
)


@dataclass(frozen=True)
class RenderedText:
    subject: str
    body: str  # the email body
    sms: str  # one short paragraph


def is_late(kind: ReminderKind, p: Mapping[str, object], sent_on: dt.date | None) -> bool:
    """Sent on a later day than the text was written for (the worker was down): the text is then re-worded so it
    never says "today"/"tomorrow" of a day that has passed (docs/decisions/0003-late-reminders.md)."""
    if sent_on is None:
        return False
    if kind is ReminderKind.PROCEDURE_EVE:
        at = p.get("procedure_at")
        return isinstance(at, dt.datetime) and sent_on >= at.date()
    day = p.get("resume") if kind is ReminderKind.ABSTAIN_ENDS else p.get("day")
    return isinstance(day, dt.date) and sent_on > day


def _lines(
    kind: ReminderKind, p: Mapping[str, object], site: SiteProfile, sent_on: dt.date | None = None
) -> list[Message]:
    place = Localized(site.room_zh, site.room_en)
    late = is_late(kind, p, sent_on)
    printer = Localized(site.printer_zh, site.printer_en)
    if kind is ReminderKind.VISIT_EVE:
        return [
            N_("Your screening visit for the painless HSG is tomorrow, {day}.", day=p["visit_day"]),
            N_(
                "Until then: no intercourse. If your temperature is 37.5 °C or higher, you have a cold, or you have "
                "lower abdominal pain, call us before you come."
            ),
            N_(
                "Take a registration number at the hospital from {time}; the clinic is in {place}.",
                time=p.get("release_time", dt.time(7, 0)),
                place=place,
            ),
            N_("Bring your ID card (or passport) and any earlier test results."),
        ]
    if kind is ReminderKind.PROCEDURE_EVE:
        at = p["procedure_at"]
        first = (
            N_("Your painless HSG is today at {time}, in {place}.", time=at.time(), place=place)
            if late and isinstance(at, dt.datetime)
            else N_("Your painless HSG is tomorrow, {when}, in {place}.", when=at, place=place)
        )
        return [
            first,
            N_("No intercourse before the procedure. A urine pregnancy test is done on the day, before the HSG."),
            N_("Bring the ID card or passport you registered with, the application form and the payment receipt."),
        ]
    if kind is ReminderKind.ANTIBIOTIC_LAST_DAY:
        if p.get("doxycycline"):
            return [
                N_(
                    "Today, {day}, is the last day of your {days}-day doxycycline course: take today's doses as "
                    "prescribed.",
                    day=p["day"],
                    days=p["days"],
                )
            ]
        return [
            N_(
                "Today, {day}, is the last day of your {days}-day antibiotic course: take today's doses as prescribed.",
                day=p["day"],
                days=p["days"],
            )
        ]
    if kind is ReminderKind.REPORT_READY:
        if late:
            return [N_("Your HSG report is signed and ready: print it at the kiosk ({printer}).", printer=printer)]
        return [
            N_(
                "Your HSG report can be printed from today, {day}, at the kiosk ({printer}).",
                day=p["day"],
                printer=printer,
            )
        ]
    if kind is ReminderKind.BLEEDING_CHECK:
        if late:
            return [
                N_("Any light bleeding after your HSG should have stopped by {day}, 7 days after it.", day=p["day"]),
                N_(
                    "If you are still bleeding, if bleeding is heavier than a period, if your temperature is 37.5 °C "
                    "or higher, or if abdominal pain is severe or getting worse, contact the clinic at once."
                ),
            ]
        return [
            N_("It is 7 days after your HSG: any light bleeding should have stopped by today, {day}.", day=p["day"]),
            N_(
                "If you are still bleeding, if bleeding is heavier than a period, if your temperature is 37.5 °C or "
                "higher, or if abdominal pain is severe or getting worse, contact the clinic at once."
            ),
        ]
    if kind is ReminderKind.ABSTAIN_ENDS:
        if late:
            return [
                N_(
                    "No intercourse and no tub bath were advised through {through}; since {resume} you may resume.",
                    through=p["through"],
                    resume=p["resume"],
                )
            ]
        return [
            N_(
                "No intercourse and no tub bath were advised through {through}; from today, {resume}, you may resume.",
                through=p["through"],
                resume=p["resume"],
            )
        ]
    if kind is ReminderKind.CONCEIVE_FROM:
        tubes = p.get("tubes")
        if tubes == "both":
            first = N_(
                "Both tubes were patent: you can try to conceive from about {day}; trying around ovulation improves "
                "the chance.",
                day=p["day"],
            )
        elif tubes == "one":
            first = N_(
                "Not both tubes were fully patent: you can try to conceive from about {day}; discuss your chances "
                "and the next steps with your doctor.",
                day=p["day"],
            )
        else:
            first = N_(
                "If your tubes are patent you can try to conceive from about {day}; trying around ovulation improves "
                "the chance.",
                day=p["day"],
            )
        return [
            first,
            N_("Once you are pregnant, come to the hospital early to rule out an ectopic pregnancy."),
            N_(
                "Open tubes are only one part of getting pregnant: for irregular periods, ovulation, endocrine or "
                "sperm problems see the gynaecology or reproductive endocrinology clinic."
            ),
        ]
    if kind is ReminderKind.NUMBER_FROM_LINE:
        return [
            N_("From the waiting line: number {number} for {day} is yours.", number=p["number"], day=p["day"]),
            N_("Come to {place} that day and show your ID at the desk; your access code stays the same.", place=place),
        ]
    what = APPOINTMENT_NAMES[str(p["appointment"])]
    if kind is ReminderKind.DAY_CLOSED:
        old = p.get("old_at")
        first = (
            N_("The clinic is closed on {day}, so your {what} cannot take place then.", day=old.date(), what=what)
            if isinstance(old, dt.datetime)
            else N_("The clinic is closed on the day of your {what}.", what=what)
        )
        return [first, N_("We will give you a new date and send it to you; nothing is lost.")]
    if kind is ReminderKind.APPOINTMENT_CANCELLED:
        first = (
            N_("Your {what} on {when} has been cancelled.", what=what, when=p["old_at"])
            if p.get("old_at")
            else N_("Your {what} has been cancelled.", what=what)
        )
        return [first, N_("Nothing is lost: call us to plan the next date.")]
    if p.get("old_at"):
        first = N_("Your {what} has moved from {old} to {new}.", what=what, old=p["old_at"], new=p["new_at"])
    else:
        first = N_("Your {what} has moved to {new}.", what=what, new=p["new_at"])
    return [first, N_("If the new time does not suit you, call us.")]


def render(
    kind: ReminderKind,
    params: Mapping[str, object],
    t: Translator,
    site: SiteProfile,
    *,
    name: str = "",
    checkin_url: str | None = None,
    sent_on: dt.date | None = None,
) -> RenderedText:
    """``sent_on``: the clinic-local day it is sent; a message sent later than the day it was written for is
    re-worded (:func:`is_late`)."""
    clinic = t.pick(Localized(site.name_zh, site.name_en))
    lines = [t.render(m) for m in _lines(kind, params, site, sent_on)]
    checkin = ""
    if checkin_url and kind in WITH_CHECKIN:
        checkin = t("Bleeding past day 7, fever or pain? Tell us here: {url}", url=checkin_url)
    contact = t("Questions: call {phone}.", phone=site.phone)
    greeting = t("Dear {name},", name=name) if name else t("Hello,")
    body_parts = [greeting, "", *lines]
    if checkin:
        body_parts += ["", checkin]
    body_parts += ["", contact, f"— {clinic}"]
    sep = "" if t.is_zh else " "
    sms_parts = [f"【{clinic}】" if t.is_zh else f"[{clinic}]", *lines, *([checkin] if checkin else []), contact]
    return RenderedText(subject=t.gettext(SUBJECTS[kind]), body="\n".join(body_parts), sms=sep.join(sms_parts))
