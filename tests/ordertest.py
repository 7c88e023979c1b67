"""A patient booked (and paid) for a procedure, for the tests of what other systems see of the order (DICOM, …)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.services import booking, payments, registration, screening
from hsgclinic.services.booking import AppointmentView
from hsgclinic.services.context import Actor, ServiceContext

TODAY = dt.date(2026, 11, 20)
NORMAL_LEUK = LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False)


def good_screening(visit_date: dt.date = TODAY, **changes: object) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=visit_date,
        cycle=CycleFacts(
            period_end=dt.date(2026, 11, 18), period_start=dt.date(2026, 11, 14), shortest_cycle=28, longest_cycle=30
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=NORMAL_LEUK,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def book_patient(
    ctx: ServiceContext,
    person: dict[str, str],
    *,
    day: dt.date = dt.date(2026, 11, 21),
    pay: bool = True,
    public: Actor,
    doctor: Actor,
    registrar: Actor,
    screening_input: ScreeningInput | None = None,
    review_reasons: dict[str, str] | None = None,
) -> tuple[int, AppointmentView]:
    """(patient id, appointment) for a new patient screened on TODAY and booked on ``day``."""
    pid = registration.take_number(ctx, public, day=TODAY, **person).number.patient_id
    view = screening.record_screening(
        ctx,
        doctor,
        patient_id=pid,
        screening=screening_input or good_screening(),
        doctor_name="Dr Li",
        review_reasons=review_reasons,
        issue_form=True,
    )
    form = screening.issue_application_form(ctx, doctor, view.screening_id)
    appt = booking.book(ctx, registrar, form.form_id, day)
    if pay:
        payments.record_payment(ctx, registrar, appt.appointment_id, "wechat", Decimal("1000"))
    return pid, appt
