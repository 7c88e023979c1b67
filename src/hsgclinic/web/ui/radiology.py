"""The radiologist: today's worklist, the procedure record (PROC, hCG first) and the structured report
(REPORT-FIELDS) with its consistency checks, sign-off and correction history; signing produces the aftercare plan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.messages import N_
from hsgclinic.domain.report import (
    CavityFinding,
    ContrastKind,
    ObstructionLevel,
    Patency,
    ReportFindings,
    Spill,
    TubeFinding,
    check_report,
)
from hsgclinic.services import booking, desk, procedure, radiology_lists, worklist_mpps
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import NotFound, ServiceError
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
RADIOLOGY = (Role.RADIOLOGIST, Role.ADMIN)
PROC_FIELDS = (
    "hcg_result",
    "operator",
    "started_at",
    "ended_at",
    "contrast_agent",
    "contrast_kind",
    "volume_ml",
    "fluoroscopy_s",
    "dap_gy_cm2",
    "air_kerma_mgy",
)
SHAPES = ("normal", "arcuate", "septate", "bicornuate", "unicornuate", "didelphys", "T-shaped", "other")
SIDES = ("left", "right")
REPORT_FIELDS = (
    "cavity_shape",
    "cavity_anomaly",
    "cavity_filling_defects",
    "cavity_intravasation",
    "impression",
    "reason",
    "action",
    *(f"{side}_{part}" for side in SIDES for part in ("patency", "obstruction_level", "hydrosalpinx", "spill")),
)


def _not_found(request: Request) -> Response:
    return ui_state(request).pages.render(request, "errors/error.html", 404, code=404, detail=None)


@router.get("/staff/radiology")
async def worklist(request: Request) -> Response:
    """The day's worklist (``?day=``, default today) and the standing list across days: unsigned, overdue and
    REPORT-DOSE-flagged studies."""
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    ctx = ui.clinic.ctx
    today = ctx.today()
    raw = request.query_params.get("day")
    problem = None
    try:
        day = dt.date.fromisoformat(raw) if raw else today
    except ValueError:
        day, problem = today, N_("Please enter a date as year-month-day, e.g. 2026-11-18.")
    rows = [r for r in desk.schedule(ctx, actor, day) if r.status != "cancelled"]
    flags = radiology_lists.dose_flags(ctx, [r.procedure_id for r in rows if r.procedure_id])
    return ui.pages.render(
        request,
        "staff/worklist.html",
        422 if problem else 200,
        nav="radiology",
        day=day,
        today=today,
        rows=rows,
        flags=flags,
        standing=radiology_lists.standing_list(ctx, actor),
        problem=problem,
        prev_day=day - dt.timedelta(days=1),
        next_day=day + dt.timedelta(days=1),
        printable=request.query_params.get("print") == "1",
    )


# -- procedure record -------------------------------------------------------------------------------------------
def _time_on(form: FormState, name: str, day: dt.date, tz: Any) -> dt.datetime | None:
    raw = form.get(name).strip()
    if not raw:
        return None
    try:
        t = dt.time.fromisoformat(raw)
    except ValueError:
        form.error(name, N_("Please enter a time as hours:minutes, e.g. 08:15."))
        return None
    return dt.datetime.combine(day, t, tzinfo=tz).astimezone(dt.UTC)


def _procedure_input(
    form: FormState, day: dt.date, tz: Any, now: dt.datetime | None = None
) -> procedure.ProcedureInput | None:
    hcg = form.choice("hcg_result", {h.value for h in HcgResult}, required=True)
    operator = form.text("operator", required=True, max_len=100)
    started = _time_on(form, "started_at", day, tz)
    ended = _time_on(form, "ended_at", day, tz)
    kind = form.choice("contrast_kind", {k.value for k in ContrastKind})
    agent = form.text("contrast_agent", max_len=100) or ""
    volume = form.decimal("volume_ml", low=Decimal("0"), high=Decimal("100"))
    fluoro = form.decimal("fluoroscopy_s", low=Decimal("0"), high=Decimal("3600"))
    dap = form.decimal("dap_gy_cm2", low=Decimal("0"), high=Decimal("1000"))
    kerma = form.decimal("air_kerma_mgy", low=Decimal("0"), high=Decimal("10000"))
    if started and ended and ended < started:
        form.error("ended_at", N_("The end time is before the start time."))
    if now is not None:
        for name, at in (("started_at", started), ("ended_at", ended)):
            if at is not None and at > now + procedure.FUTURE_GRACE:
                form.error(
                    name,
                    N_(
                        "This time is later than now ({now}): record the procedure after it has ended.",
                        now=now.astimezone(tz).time().replace(second=0, microsecond=0),
                    ),
                )
    if hcg == HcgResult.NEGATIVE.value:
        for name, value in (
            ("started_at", started),
            ("ended_at", ended),
            ("contrast_kind", kind),
            ("volume_ml", volume),
            ("fluoroscopy_s", fluoro),
        ):
            if value is None:
                form.error(name, N_("Needed when the hCG test is negative (the procedure went ahead)."))
        if not agent:
            form.error("contrast_agent", N_("Needed when the hCG test is negative (the procedure went ahead)."))
        if dap is None and kerma is None:
            form.error("dap_gy_cm2", N_("Record the dose: DAP or air kerma."))
    if not form.ok or hcg is None or operator is None:
        return None
    return procedure.ProcedureInput(
        hcg_result=HcgResult(hcg),
        operator=operator,
        started_at=started,
        ended_at=ended,
        contrast_agent=agent,
        contrast_kind=ContrastKind(kind) if kind else None,
        volume_ml=volume,
        fluoroscopy_s=fluoro,
        dap_gy_cm2=dap,
        air_kerma_mgy=kerma,
    )


def _procedure_page(
    request: Request, actor: Actor, appointment_id: int, form: FormState, status_code: int = 200, **extra: Any
) -> Response:
    ui = ui_state(request)
    try:
        appt = booking.get_appointment(ui.clinic.ctx, actor, appointment_id)
    except ServiceError:
        return _not_found(request)
    who = desk.form_number(ui.clinic.ctx, actor, appt.application_form_id)
    reported = extra.pop("reported", None) or worklist_mpps.for_appointment(ui.clinic.ctx, actor, appointment_id)
    return ui.pages.render(
        request,
        "staff/procedure.html",
        status_code,
        nav="radiology",
        appt=appt,
        who=who,
        form=form,
        reported=reported,
        **extra,
    )


def _from_modality(step: worklist_mpps.StepView | None, tz: Any) -> dict[str, str]:
    """The form's values from what the modality reported (MPPS COMPLETED / DISCONTINUED): she confirms by saving
    them, or corrects a value before saving."""
    if step is None or step.status not in worklist_mpps.FINAL:
        return {}
    values: dict[str, str] = {}
    for name, at in (("started_at", step.started_at), ("ended_at", step.ended_at)):
        if at is not None:
            values[name] = at.astimezone(tz).strftime("%H:%M")
    for name, number in (
        ("fluoroscopy_s", step.fluoroscopy_s),
        ("dap_gy_cm2", step.dap_gy_cm2),
        ("air_kerma_mgy", step.entrance_dose_mgy),
    ):
        if number is not None:
            values[name] = format(Decimal(number).normalize(), "f")
    return values


@router.get("/staff/procedure/{appointment_id}")
async def procedure_page(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    reported = worklist_mpps.for_appointment(ui.clinic.ctx, actor, appointment_id)
    values = {"operator": actor.shown_name, "contrast_kind": "water", **_from_modality(reported, ui.clinic.ctx.tz)}
    return _procedure_page(request, actor, appointment_id, FormState.of(values), reported=reported)


@router.post("/staff/procedure/{appointment_id}")
async def record(request: Request, appointment_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    raw = await request.form()
    form = FormState.of({k: v for k, v in raw.items() if k in PROC_FIELDS and isinstance(v, str)})
    try:
        appt = booking.get_appointment(ui.clinic.ctx, actor, appointment_id)
    except ServiceError:
        return _not_found(request)
    data = _procedure_input(form, appt.day, ui.clinic.ctx.tz, ui.clinic.ctx.now())
    if data is None:
        return _procedure_page(request, actor, appointment_id, form, 422)
    try:
        view = procedure.record_procedure(ui.clinic.ctx, actor, appointment_id, data)
    except ServiceError as exc:
        return _procedure_page(request, actor, appointment_id, form, 409, refusal=exc)
    if view.stopped:
        return _procedure_page(request, actor, appointment_id, form, stopped=True)
    return RedirectResponse(f"/staff/report/{view.procedure_id}?recorded=1", status_code=303)


# -- structured report --------------------------------------------------------------------------------------------
def _report_form(form: FormState) -> ReportFindings | None:
    shape = form.choice("cavity_shape", set(SHAPES), required=True)
    tubes = {}
    for side in SIDES:
        patency = form.choice(f"{side}_patency", {p.value for p in Patency}, required=True)
        level = form.choice(f"{side}_obstruction_level", {o.value for o in ObstructionLevel}, required=True)
        spill = form.choice(f"{side}_spill", {s.value for s in Spill}, required=True)
        if patency and level and spill:
            tubes[side] = TubeFinding(
                Patency(patency), ObstructionLevel(level), form.checked(f"{side}_hydrosalpinx"), Spill(spill)
            )
    impression = form.text("impression", max_len=2000) or ""
    if not form.ok or shape is None or len(tubes) != 2:
        return None
    return ReportFindings(
        cavity=CavityFinding(
            shape,
            form.checked("cavity_anomaly"),
            form.checked("cavity_filling_defects"),
            form.checked("cavity_intravasation"),
        ),
        left=tubes["left"],
        right=tubes["right"],
        impression=impression,
    )


def _values_of(report: procedure.ReportView) -> dict[str, str]:
    f = report.findings
    values = {
        "cavity_shape": str(f["cavity"]["shape"]),
        "impression": str(f.get("impression", "")),
    }
    for key in ("anomaly", "filling_defects", "intravasation"):
        if f["cavity"].get(key):
            values[f"cavity_{key}"] = "on"
    for side in SIDES:
        for part in ("patency", "obstruction_level", "spill"):
            values[f"{side}_{part}"] = str(f[side][part])
        if f[side].get("hydrosalpinx"):
            values[f"{side}_hydrosalpinx"] = "on"
    return values


def _report_page(
    request: Request, actor: Actor, procedure_id: int, form: FormState | None, status_code: int = 200, **extra: Any
) -> Response:
    ui = ui_state(request)
    try:
        report: procedure.ReportView | None = procedure.get_report(ui.clinic.ctx, actor, procedure_id)
    except NotFound:
        report = None
    if form is None:
        form = FormState.of(_values_of(report)) if report else FormState.of({"cavity_shape": "normal"})
    who = desk.form_number_for_procedure(ui.clinic.ctx, actor, procedure_id)
    if who is None:
        return _not_found(request)
    return ui.pages.render(
        request,
        "staff/report.html",
        status_code,
        nav="radiology",
        who=who,
        procedure_id=procedure_id,
        report=report,
        form=form,
        shapes=SHAPES,
        dose=radiology_lists.dose_flags(ui.clinic.ctx, [procedure_id]).get(procedure_id, ()),
        **extra,
    )


@router.get("/staff/report/{procedure_id}")
async def report_page(request: Request, procedure_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    q = request.query_params
    return _report_page(request, actor, procedure_id, None, recorded=q.get("recorded") == "1", signed=q.get("signed"))


@router.post("/staff/report/{procedure_id}")
async def write(request: Request, procedure_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    raw = await request.form()
    form = FormState.of({k: v for k, v in raw.items() if k in REPORT_FIELDS and isinstance(v, str)})
    findings = _report_form(form)
    if findings is None:
        return _report_page(request, actor, procedure_id, form, 422)
    checks = check_report(findings)
    problems = [c for c in checks if c.outcome is Outcome.BLOCK]
    if problems or form.get("action") == "check":
        return _report_page(request, actor, procedure_id, form, 422 if problems else 200, checks=checks)
    try:
        procedure.write_report(ui.clinic.ctx, actor, procedure_id, findings, reason=form.get("reason"))
    except ServiceError as exc:
        if exc.code == "reason_required":
            form.error("reason", exc.message)
            return _report_page(request, actor, procedure_id, form, 422, checks=checks)
        if isinstance(exc, NotFound):
            return _not_found(request)
        return _report_page(request, actor, procedure_id, form, 409, refusal=exc, checks=checks)
    return _report_page(request, actor, procedure_id, None, saved=True, checks=checks)


@router.post("/staff/report/{procedure_id}/sign")
async def sign(request: Request, procedure_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *RADIOLOGY)
    try:
        report = procedure.get_report(ui.clinic.ctx, actor, procedure_id)
        procedure.sign_report(ui.clinic.ctx, actor, report.report_id)
        procedure.produce_aftercare(ui.clinic.ctx, actor, procedure_id)
    except NotFound:
        return _not_found(request)
    except ServiceError as exc:
        return _report_page(request, actor, procedure_id, None, 409, refusal=exc)
    return RedirectResponse(f"/staff/report/{procedure_id}?signed=1", status_code=303)
