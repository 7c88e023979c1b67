"""Building a case's schedule and putting it into the outbox the way a service does (one write unit of work)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hsgclinic.bootstrap import Clinic
from hsgclinic.domain.aftercare import plan_aftercare
from hsgclinic.domain.reminders import AppointmentEvent, CaseDates, case_reminders
from hsgclinic.notifications.outbox import Addressee, Contact, SyncResult, sync_case_reminders
from hsgclinic.persistence.models import OutboxMessage
from hsgclinic.persistence.notification_models import OutboxAttempt

VISIT = dt.date(2026, 11, 21)
PROCEDURE = dt.datetime(2026, 11, 23, 9, 0)
EMAIL = "li.na@example.invalid"
PHONE = "13800000001"


def case_dates(
    clinic: Clinic,
    *,
    procedure_at: dt.datetime | None = PROCEDURE,
    events: tuple[AppointmentEvent, ...] = (),
    cancelled: bool = False,
) -> CaseDates:
    plan = None
    if procedure_at is not None:
        d = procedure_at.date()
        plan = plan_aftercare(d, clinic.calendar.around(d), clinic.settings.rules(), period_start=dt.date(2026, 11, 14))
    signed = procedure_at + dt.timedelta(hours=2) if procedure_at is not None else None  # the report, signed
    return CaseDates(
        visit_day=VISIT,
        procedure_at=procedure_at,
        aftercare=plan,
        report_signed_at=signed,
        events=events,
        cancelled=cancelled,
    )


def enqueue(
    clinic: Clinic,
    case: CaseDates,
    *,
    lang: str = "zh_CN",
    contacts: tuple[Contact, ...] = (Contact("email", EMAIL),),
    case_ref: str = "case-1",
    name: str = "李娜",
) -> SyncResult:
    who = Addressee(
        case_ref=case_ref,
        patient_id=None,
        name=name,
        lang=lang,
        contacts=contacts,
        procedure_date=case.procedure_at.date() if case.procedure_at else None,
    )
    with clinic.ctx.write() as u:
        result = sync_case_reminders(u.session, who, case_reminders(case), now=clinic.ctx.now(), tz=clinic.ctx.tz)
        u.commit()
    return result


def set_local(clinic: Clinic, local: dt.datetime) -> None:
    clinic.clock.set(local.replace(tzinfo=clinic.ctx.tz).astimezone(dt.UTC))  # type: ignore[attr-defined]


def outbox(clinic: Clinic) -> list[OutboxMessage]:
    with clinic.ctx.read() as u:
        return list(u.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())


def attempts(clinic: Clinic, outbox_id: int) -> list[OutboxAttempt]:
    with clinic.ctx.read() as u:
        return list(
            u.session.execute(
                select(OutboxAttempt).where(OutboxAttempt.outbox_id == outbox_id).order_by(OutboxAttempt.number)
            ).scalars()
        )
