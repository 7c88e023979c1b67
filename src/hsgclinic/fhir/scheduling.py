"""HealthcareService (the HSG clinic), Schedule, Slot (one per procedure place of an open day) and Appointment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from hsgclinic.config import Settings
from hsgclinic.domain.booking import slot_times
from hsgclinic.domain.clinic_calendar import Closure, ClosureKind
from hsgclinic.fhir import codes
from hsgclinic.fhir.wire import instant, local, tidy
from hsgclinic.services.clinical_records import AppointmentRecord, DayPlaces

SERVICE_ID = "hsg"
SCHEDULE_ID = "hsg-procedures"
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# pathway status → Appointment.status (http://hl7.org/fhir/appointmentstatus)
STATUS = {"booked": "booked", "done": "fulfilled", "stopped": "cancelled", "cancelled": "cancelled"}


def slot_id(day: dt.date, number: int) -> str:
    return f"{day:%Y%m%d}-{number}"


def parse_slot_id(value: str) -> tuple[dt.date, int] | None:
    day, _, number = value.partition("-")
    try:
        return dt.datetime.strptime(day, "%Y%m%d").date(), int(number)  # noqa: DTZ007 - a date, no time
    except ValueError:
        return None


def _breaks(days: Iterable[tuple[dt.date, Closure]]) -> list[tuple[dt.date, dt.date, Closure]]:
    """Consecutive closed days with the same reason as one break (e.g. National Day, Oct 1–7)."""
    out: list[tuple[dt.date, dt.date, Closure]] = []
    for day, closure in sorted(days, key=lambda x: x[0]):
        if out and out[-1][1] + dt.timedelta(days=1) == day and out[-1][2].name == closure.name:
            out[-1] = (out[-1][0], day, closure)
        else:
            out.append((day, day, closure))
    return out


def healthcare_service(
    settings: Settings, capacity: int, closures: Iterable[tuple[dt.date, Closure]], english: bool
) -> dict[str, Any]:
    site = settings.site
    tz = ZoneInfo(settings.timezone)
    not_available = []
    for first, last, closure in _breaks(closures):
        kind = "Statutory holiday" if closure.kind is ClosureKind.STATUTORY else "Clinic closed"
        name = closure.name.en if english else closure.name.zh
        not_available.append(
            {
                "description": f"{kind}: {name} (CAL-OPEN)",
                "during": {
                    "start": local(first, dt.time(0), tz),
                    "end": local(last, dt.time(23, 59, 59), tz),
                },
            }
        )
    last_slot = slot_times(settings.first_slot, settings.slot_minutes, max(capacity, 1))[-1]
    end = (dt.datetime.combine(dt.date(2000, 1, 1), last_slot) + dt.timedelta(minutes=settings.slot_minutes)).time()
    return tidy(
        {
            "resourceType": "HealthcareService",
            "id": SERVICE_ID,
            "active": True,
            "name": site.name_en if english else site.name_zh,
            "comment": "Painless hysterosalpingography (HSG): screening visit, booking, procedure, report, aftercare.",
            "type": [{"coding": [codes.HSG]}],
            "location": [{"display": site.room_en if english else site.room_zh}],
            "telecom": [{"system": "phone", "value": site.phone, "use": "work"}],
            "availableTime": [
                {
                    "daysOfWeek": WEEK,
                    "availableStartTime": settings.first_slot.strftime("%H:%M:%S"),
                    "availableEndTime": end.strftime("%H:%M:%S"),
                }
            ],
            "availabilityExceptions": "Open every day except PRC statutory holidays (CAL-OPEN); make-up working days "
            "are open.",
            "notAvailable": not_available,
            "appointmentRequired": True,
        }
    )


def schedule(first: dt.date, last: dt.date) -> dict[str, Any]:
    return {
        "resourceType": "Schedule",
        "id": SCHEDULE_ID,
        "active": True,
        "serviceType": [{"coding": [codes.HSG]}],
        "actor": [{"reference": f"HealthcareService/{SERVICE_ID}"}],
        "planningHorizon": {"start": first.isoformat(), "end": last.isoformat()},
        "comment": "Procedure places of each open day (BOOK-OPEN); one Slot per place.",
    }


def slots(settings: Settings, day: DayPlaces) -> list[dict[str, Any]]:
    """One Slot per place of an open day: busy when its number is taken, free otherwise. A closed day has none."""
    if not day.open:
        return []
    tz = ZoneInfo(settings.timezone)
    times = slot_times(settings.first_slot, settings.slot_minutes, max(day.capacity, *day.taken, 0))
    taken = set(day.taken)
    out = []
    for n, start in enumerate(times, start=1):
        if n > day.capacity and n not in taken:
            continue
        begin = dt.datetime.combine(day.day, start, tz)
        out.append(
            tidy(
                {
                    "resourceType": "Slot",
                    "id": slot_id(day.day, n),
                    "serviceType": [{"coding": [codes.HSG]}],
                    "schedule": {"reference": f"Schedule/{SCHEDULE_ID}"},
                    "status": "busy" if n in taken else "free",
                    "start": begin.isoformat(timespec="seconds"),
                    "end": (begin + dt.timedelta(minutes=settings.slot_minutes)).isoformat(timespec="seconds"),
                    "comment": "Provisional calendar year (CAL-SOURCE)" if day.provisional else None,
                }
            )
        )
    return out


def _cancel_reason(a: AppointmentRecord) -> dict[str, Any] | None:
    if a.status == "stopped":
        return {
            "coding": [
                {
                    "system": codes.CANCEL_REASON,
                    "code": "prov-labs",
                    "display": "Provider: Labs Out of Acceptable Range",
                }
            ],
            "text": "Stopped before the procedure: positive urine hCG on the day (ELIG-PREG)",
        }
    if a.status != "cancelled":
        return None
    text = f"Rescheduled to {a.rescheduled_to.isoformat()}" if a.rescheduled_to else "Cancelled at the desk"
    return {"coding": [{"system": codes.CANCEL_REASON, "code": "other", "display": "Other"}], "text": text}


def appointment(settings: Settings, a: AppointmentRecord) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)
    begin = dt.datetime.combine(a.day, a.slot_time, tz)
    status = STATUS.get(a.status, "booked")
    participant_status = "declined" if status == "cancelled" else "accepted"
    return tidy(
        {
            "resourceType": "Appointment",
            "id": str(a.id),
            "identifier": [
                {"system": codes.FORM_NUMBER, "value": a.form_number},
                {"system": codes.ACCESSION, "value": a.accession_number} if a.accession_number else None,
            ],
            "status": status,
            "cancelationReason": _cancel_reason(a),
            "serviceType": [{"coding": [codes.HSG]}],
            "start": begin.isoformat(timespec="seconds"),
            "end": (begin + dt.timedelta(minutes=settings.slot_minutes)).isoformat(timespec="seconds"),
            "minutesDuration": settings.slot_minutes,
            "slot": [{"reference": f"Slot/{slot_id(a.day, a.slot_number)}"}],
            "created": instant(a.created_at, tz),
            "basedOn": [{"reference": f"ServiceRequest/{a.application_form_id}"}],
            "participant": [
                {
                    "actor": {"reference": f"Patient/{a.patient_id}"},
                    "required": "required",
                    "status": participant_status,
                },
                {
                    "actor": {"reference": f"HealthcareService/{SERVICE_ID}"},
                    "required": "required",
                    "status": participant_status,
                },
            ],
        }
    )


def proposed(settings: Settings, form_id: int, patient_id: int, day: dt.date, slot: int, note: str) -> dict[str, Any]:
    """An Appointment $find proposes (not stored): the first free place of an offered day."""
    tz = ZoneInfo(settings.timezone)
    start = slot_times(settings.first_slot, settings.slot_minutes, slot)[slot - 1]
    begin = dt.datetime.combine(day, start, tz)
    return tidy(
        {
            "resourceType": "Appointment",
            "status": "proposed",
            "serviceType": [{"coding": [codes.HSG]}],
            "start": begin.isoformat(timespec="seconds"),
            "end": (begin + dt.timedelta(minutes=settings.slot_minutes)).isoformat(timespec="seconds"),
            "minutesDuration": settings.slot_minutes,
            "slot": [{"reference": f"Slot/{slot_id(day, slot)}"}],
            "basedOn": [{"reference": f"ServiceRequest/{form_id}"}],
            "comment": note,
            "participant": [
                {"actor": {"reference": f"Patient/{patient_id}"}, "required": "required", "status": "needs-action"},
                {
                    "actor": {"reference": f"HealthcareService/{SERVICE_ID}"},
                    "required": "required",
                    "status": "accepted",
                },
            ],
        }
    )
