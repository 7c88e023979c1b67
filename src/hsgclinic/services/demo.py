"""``hsgclinic demo``: synthetic patients at every stage of the pathway, plus staff logins. No real data.

Stage names are English message ids (translated by the CLI, catalogue ``api.po``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from sqlalchemy import func, select

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import HcgResult, ScreeningInput
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
)
from hsgclinic.persistence.models import StaffUser
from hsgclinic.services import booking, payments, procedure, registration, screening, staff
from hsgclinic.services.context import Actor, FixedClock, Role, ServiceContext
from hsgclinic.services.errors import ServiceError
from hsgclinic.services.synthetic import synthetic_name, synthetic_phone, synthetic_resident_id

STAFF = (
    ("admin", Role.ADMIN, "管理员"),
    ("nurse", Role.REGISTRAR, "王护士"),
    ("doctor", Role.DOCTOR, "李医生"),
    ("radiologist", Role.RADIOLOGIST, "赵医生"),
)
PATENT = TubeFinding(Patency.PATENT, ObstructionLevel.NONE, False, Spill.FREE)
BLOCKED = TubeFinding(Patency.OBSTRUCTED, ObstructionLevel.PROXIMAL, False, Spill.NONE)


class HasCtx(Protocol):
    ctx: ServiceContext


@dataclass
class DemoResult:
    patients: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    logins: list[tuple[str, str, str]] = field(default_factory=list)
    # (stage, access code, last 4 of the ID) of one synthetic patient per stage: to try My visit and the kiosk
    access: list[tuple[str, str, str]] = field(default_factory=list)


def _at(ctx: ServiceContext, day: dt.date, hh: int, mm: int = 0) -> ServiceContext:
    local = dt.datetime.combine(day, dt.time(hh, mm), tzinfo=ctx.tz)
    return dataclasses.replace(ctx, clock=FixedClock(local.astimezone(dt.UTC)))


def _screening(visit: dt.date, **changes: object) -> ScreeningInput:
    base = ScreeningInput(
        visit_date=visit,
        cycle=CycleFacts(
            period_end=visit - dt.timedelta(days=2),
            period_start=visit - dt.timedelta(days=6),
            shortest_cycle=28,
            longest_cycle=30,
        ),
        temperature_c=Decimal("36.6"),
        respiratory_illness=False,
        lower_abdominal_pain=False,
        intercourse_since_period_end=False,
        leukorrhea=LeukorrheaResult(cleanliness=Cleanliness.II, trichomonas=False, yeast=False, clue_cells=False),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _open_day_on_or_before(ctx: ServiceContext, day: dt.date) -> dt.date:
    cal = ctx.calendar_for(day)
    while not cal.is_open(day) or not cal.is_open(day + dt.timedelta(days=1)):
        day -= dt.timedelta(days=1)
    return day


def fill_demo(clinic: HasCtx, *, if_empty: bool = False) -> DemoResult | None:
    ctx = clinic.ctx
    with ctx.read() as uow:
        users = uow.session.execute(select(func.count()).select_from(StaffUser)).scalar_one()
    if if_empty and users:
        return None
    result = DemoResult()
    cli = Actor(Role.ADMIN, "demo")
    suffix = secrets.token_hex(2) if users else ""
    for username, role, display in STAFF:
        password = secrets.token_urlsafe(9)
        name = username + suffix
        staff.create_user(ctx, cli, username=name, display_name=display, role=role.value, password=password)
        result.logins.append((name, password, role.value))
    nurse, doctor, rad = (
        Actor(Role.REGISTRAR, "nurse"),
        Actor(Role.DOCTOR, "doctor"),
        Actor(Role.RADIOLOGIST, "radiologist"),
    )
    base = 100_000 + (int(suffix, 16) * 100 if suffix else 0)
    today = ctx.today()
    past = _open_day_on_or_before(ctx, today - dt.timedelta(days=10))

    def person(n: int) -> dict[str, str]:
        return {
            "name": synthetic_name(base + n),
            "id_number": synthetic_resident_id(base + n),
            "phone": synthetic_phone(base + n),
        }

    def flow(n: int, visit: dt.date, last: str) -> None:
        c = _at(ctx, visit, 7, 5 + n % 50)
        contact: dict[str, str] = {}
        if n % 3 == 0:  # some patients also get their messages by email, a few of them in English
            contact = {"email": f"patient{base + n}@example.invalid", "lang": "en" if n % 2 else "zh_CN"}
        taken = registration.take_number(c, Actor.public("demo"), day=visit, **person(n), **contact)
        result.patients += 1
        if last not in {stage for stage, _code, _last4 in result.access}:
            result.access.append((last, taken.number.access_code, synthetic_resident_id(base + n)[-4:]))
        if last == "number":
            result.stages["Number taken"] += 1
            return
        registration.check_in(_at(ctx, visit, 8), nurse, taken.number.registration_id)
        if last == "checked_in":
            result.stages["Checked in"] += 1
            return
        pid = taken.number.patient_id
        c = _at(ctx, visit, 9)
        if last == "blocked":
            screening.record_screening(
                c,
                doctor,
                patient_id=pid,
                doctor_name="李医生",
                issue_form=True,
                screening=_screening(visit, temperature_c=Decimal("37.9")),
            )
            result.stages["Screening blocked (ELIG-TEMP)"] += 1
            return
        if last == "review":
            screening.record_screening(
                c,
                doctor,
                patient_id=pid,
                doctor_name="李医生",
                issue_form=True,
                screening=_screening(visit, intercourse_during_period=True, hcg=HcgResult.NEGATIVE),
            )
            result.stages["Screening awaiting a doctor's review (ELIG-ABSTAIN)"] += 1
            return
        view = screening.record_screening(
            c, doctor, patient_id=pid, doctor_name="李医生", issue_form=True, screening=_screening(visit)
        )
        form = screening.issue_application_form(c, doctor, view.screening_id)
        if last == "form":
            result.stages["Application form issued"] += 1
            return
        offers = booking.options(c, nurse, form.form_id)
        if not offers.offers:
            result.stages["Application form issued"] += 1
            return
        appt = booking.book(c, nurse, form.form_id, offers.offers[0].day)
        if last == "booked":
            result.stages["Procedure booked, unpaid"] += 1
            return
        payments.record_payment(c, nurse, appt.appointment_id, "wechat")
        if last == "paid":
            result.stages["Procedure booked and paid"] += 1
            return
        p = _at(ctx, appt.day, 9, 10)
        start = p.now()
        if last == "stopped":
            procedure.record_procedure(
                p, rad, appt.appointment_id, procedure.ProcedureInput(HcgResult.POSITIVE, "赵医生")
            )
            result.stages["Procedure stopped: hCG positive (ELIG-PREG)"] += 1
            return
        proc = procedure.record_procedure(
            p,
            rad,
            appt.appointment_id,
            procedure.ProcedureInput(
                hcg_result=HcgResult.NEGATIVE,
                operator="赵医生",
                started_at=start,
                ended_at=start + dt.timedelta(minutes=5),
                contrast_agent="碘海醇 iohexol",
                contrast_kind=ContrastKind.WATER,
                volume_ml=Decimal("10"),
                fluoroscopy_s=Decimal(40 + n % 30),
                dap_gy_cm2=Decimal("1.5"),
            ),
        )
        right = BLOCKED if n % 3 == 0 else PATENT
        findings = ReportFindings(
            CavityFinding("normal", False, False, False),
            PATENT,
            right,
            "左侧输卵管通畅。" + ("右侧输卵管近端梗阻。" if right is BLOCKED else "右侧输卵管通畅。"),
        )
        report = procedure.write_report(p, rad, proc.procedure_id, findings)
        if last == "report_draft":
            result.stages["Procedure done, report in draft"] += 1
            return
        procedure.sign_report(p, rad, report.report_id)
        procedure.produce_aftercare(p, rad, proc.procedure_id)
        result.stages["Report signed, aftercare plan made"] += 1

    plan: list[tuple[dt.date, str, int]] = [
        (past, "signed", 4),
        (past, "report_draft", 2),
        (past, "stopped", 1),
        (today, "number", 4),
        (today, "checked_in", 2),
        (today, "blocked", 1),
        (today, "review", 1),
        (today, "form", 1),
        (today, "booked", 2),
        (today, "paid", 2),
    ]
    n = 0
    for day, last, count in plan:
        for _ in range(count):
            n += 1
            try:
                flow(n, day, last)
            except ServiceError:
                result.stages["Skipped: a rule refused this step"] += 1
    return result
