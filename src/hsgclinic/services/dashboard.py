"""Admin: the dashboard's figures per clinic day — numbers taken against the quota, procedures against the
capacity, no-shows, and how many days after the procedure the report could be collected.

Read-only and free of patient data (counts only), so it is not audited.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select

from hsgclinic.domain.messages import Localized
from hsgclinic.persistence.locking import PROCEDURE, REGISTRATION
from hsgclinic.persistence.models import DayCounter, ProcedureAppointment, ProcedureRecord, RegistrationNumber, Report
from hsgclinic.services.context import ServiceContext

MAX_DAYS = 92


@dataclass(frozen=True)
class DayStats:
    day: dt.date
    open: bool
    closure: Localized | None
    quota: int  # REG-QUOTA: the day's counter quota, else the current setting; 0 when closed
    taken: int  # numbers taken and not cancelled
    no_shows: int
    capacity: int  # BOOK-OPEN
    booked: int  # procedures booked (not cancelled), done ones included
    done: int
    reports: int  # signed reports of that day's procedures
    days_to_report: float | None  # mean days from the procedure to the day the report could be collected


@dataclass(frozen=True)
class Dashboard:
    first: dt.date
    last: dt.date
    today: dt.date
    days: list[DayStats]

    @property
    def past(self) -> list[DayStats]:
        return [d for d in self.days if d.day < self.today]

    @property
    def coming(self) -> list[DayStats]:
        return [d for d in self.days if d.day >= self.today]

    def total(self, name: str, past_only: bool = False) -> int:
        rows = self.past if past_only else self.days
        return sum(int(getattr(d, name)) for d in rows)

    @property
    def mean_days_to_report(self) -> float | None:
        pairs = [(d.days_to_report, d.reports) for d in self.days if d.days_to_report is not None and d.reports]
        n = sum(c for _, c in pairs)
        return None if not n else sum(v * c for v, c in pairs if v is not None) / n


def dashboard(ctx: ServiceContext, first: dt.date, last: dt.date) -> Dashboard:
    """Figures for every day from ``first`` to ``last`` (at most 92 days)."""
    if last < first:
        first, last = last, first
    last = min(last, first + dt.timedelta(days=MAX_DAYS - 1))
    eff = ctx.effective()
    with ctx.read() as uow:
        s = uow.session
        counters = {
            (r.resource, r.day): r.quota
            for r in s.execute(select(DayCounter).where(DayCounter.day.between(first, last))).scalars()
        }
        numbers: dict[tuple[dt.date, str], int] = {
            (day, status): int(n)
            for day, status, n in s.execute(
                select(RegistrationNumber.day, RegistrationNumber.status, func.count())
                .where(RegistrationNumber.day.between(first, last))
                .group_by(RegistrationNumber.day, RegistrationNumber.status)
            ).all()
        }
        appointments: dict[tuple[dt.date, str], int] = {
            (day, status): int(n)
            for day, status, n in s.execute(
                select(ProcedureAppointment.day, ProcedureAppointment.status, func.count())
                .where(ProcedureAppointment.day.between(first, last))
                .group_by(ProcedureAppointment.day, ProcedureAppointment.status)
            ).all()
        }
        signed = s.execute(
            select(ProcedureAppointment.day, Report.ready_on, Report.signed_at)
            .join(ProcedureRecord, ProcedureRecord.appointment_id == ProcedureAppointment.id)
            .join(Report, Report.procedure_id == ProcedureRecord.id)
            .where(ProcedureAppointment.day.between(first, last), Report.signed_at.is_not(None))
        ).all()
    waits: dict[dt.date, list[int]] = defaultdict(list)
    for day, ready_on, signed_at in signed:
        if signed_at is None:
            continue
        if signed_at.tzinfo is None:
            signed_at = signed_at.replace(tzinfo=dt.UTC)
        signed_day = signed_at.astimezone(ctx.tz).date()
        waits[day].append((max(ready_on, signed_day) - day).days)
    days: list[DayStats] = []
    d = first
    while d <= last:
        calendar = ctx.calendar_for(d)
        closure = calendar.closure(d) if calendar.covers(d) else None
        is_open = closure is None
        w = waits.get(d, [])
        days.append(
            DayStats(
                day=d,
                open=is_open,
                closure=closure.name if closure else None,
                quota=counters.get((REGISTRATION, d), eff.daily_numbers if is_open else 0),
                taken=sum(n for (day, st), n in numbers.items() if day == d and st != "cancelled"),
                no_shows=numbers.get((d, "no_show"), 0),
                capacity=counters.get((PROCEDURE, d), eff.procedure_capacity if is_open else 0),
                booked=sum(n for (day, st), n in appointments.items() if day == d and st != "cancelled"),
                done=appointments.get((d, "done"), 0),
                reports=len(w),
                days_to_report=(sum(w) / len(w)) if w else None,
            )
        )
        d += dt.timedelta(days=1)
    return Dashboard(first, last, ctx.today(), days)
