"""Screening and application form (doctor), booking and payment (registrar), procedure, report and aftercare
(radiologist). The patient may read her own screening, appointment, report and plan."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from hsgclinic.domain.cycle import CycleFacts
from hsgclinic.domain.eligibility import Contraindication, ContrastReaction, HcgResult, ScreeningInput
from hsgclinic.domain.findings import Finding
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.report import ContrastKind, ObstructionLevel, Patency, Spill
from hsgclinic.i18n import Translator
from hsgclinic.services import booking, payments, procedure, screening
from hsgclinic.services.context import Role
from hsgclinic.services.serialize import jsonable
from hsgclinic.web.api.deps import (
    MAX_ID,
    Ctx,
    DayListReader,
    DeskActor,
    DeskOrDoctor,
    DoctorActor,
    RadiologyActor,
    RecordId,
    Who,
    patient_or,
)
from hsgclinic.web.api.types import ApiDate, ApiDateTime, Text
from hsgclinic.web.errors import translator_for

router = APIRouter(tags=["pathway"])
DOCTOR, DESK, RADIOLOGY = (Role.DOCTOR,), (Role.REGISTRAR,), (Role.RADIOLOGIST,)


def findings_json(t: Translator, findings: tuple[Finding, ...] | list[Finding]) -> list[dict[str, str]]:
    return [{"rule": f.rule, "outcome": f.outcome.value, "message": t.render(f.message)} for f in findings]


class CycleIn(BaseModel):
    period_end: ApiDate
    period_start: ApiDate | None = None
    shortest_cycle: int | None = Field(default=None, ge=1, le=365)
    longest_cycle: int | None = Field(default=None, ge=1, le=365)
    age: int | None = Field(default=None, ge=1, le=120)
    irregular: bool = False


class LeukorrheaIn(BaseModel):
    cleanliness: Cleanliness | None = None
    wbc_per_hpf: int | None = Field(default=None, ge=0, le=1000)
    trichomonas: bool | None = None
    yeast: bool | None = None
    clue_cells: bool | None = None
    ph: Decimal | None = Field(default=None, ge=0, le=14)
    amine_test: bool | None = None
    sialidase: bool | None = None
    leukocyte_esterase: bool | None = None
    h2o2: bool | None = None


class ScreeningIn(BaseModel):
    patient_id: int = Field(ge=1, le=MAX_ID)
    registration_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    visit_date: ApiDate
    cycle: CycleIn
    temperature_c: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    respiratory_illness: bool | None = None
    lower_abdominal_pain: bool | None = None
    intercourse_since_period_end: bool | None = None
    intercourse_during_period: bool = False
    suspected_pregnancy: bool = False
    hcg: HcgResult | None = None
    leukorrhea: LeukorrheaIn | None = None
    contraindications: list[Contraindication] = []
    contrast_reaction: ContrastReaction = ContrastReaction.NONE
    contrast_reaction_agent: Text = Field(default="", max_length=100)
    contrast_reaction_description: Text = Field(default="", max_length=200)
    doctor_name: Text = Field(min_length=1, max_length=100)
    review_reasons: dict[str, Annotated[Text, Field(max_length=500)]] = Field(default={}, max_length=20)
    issue_form: bool = True

    def domain(self) -> ScreeningInput:
        return ScreeningInput(
            visit_date=self.visit_date,
            cycle=CycleFacts(**self.cycle.model_dump()),
            temperature_c=self.temperature_c,
            respiratory_illness=self.respiratory_illness,
            lower_abdominal_pain=self.lower_abdominal_pain,
            intercourse_since_period_end=self.intercourse_since_period_end,
            intercourse_during_period=self.intercourse_during_period,
            suspected_pregnancy=self.suspected_pregnancy,
            hcg=self.hcg,
            leukorrhea=LeukorrheaResult(**self.leukorrhea.model_dump()) if self.leukorrhea else None,
            contraindications=frozenset(self.contraindications),
            contrast_reaction=self.contrast_reaction,
            contrast_reaction_agent=self.contrast_reaction_agent,
            contrast_reaction_description=self.contrast_reaction_description,
        )


def _screening_out(t: Translator, v: screening.ScreeningView) -> dict[str, Any]:
    return {
        "screening_id": v.screening_id,
        "patient_id": v.patient_id,
        "visit_date": v.visit_date.isoformat(),
        "outcome": v.outcome.value,
        "findings": findings_json(t, v.findings),
        "confirmed_reviews": v.confirmed_reviews,
        "unconfirmed_reviews": list(v.unconfirmed_reviews),
        "doctor_name": v.doctor_name,
        "application_form_number": v.application_form_number,
    }


@router.post("/screenings", status_code=201)
def record_screening(body: ScreeningIn, request: Request, ctx: Ctx, actor: DoctorActor) -> dict[str, Any]:
    """Screen every ELIG rule; with ``issue_form`` the application form is issued when nothing is BLOCK and each
    REVIEW rule has a reason in ``review_reasons``."""
    v = screening.record_screening(
        ctx,
        actor,
        patient_id=body.patient_id,
        screening=body.domain(),
        doctor_name=body.doctor_name,
        review_reasons=body.review_reasons,
        registration_id=body.registration_id,
        issue_form=body.issue_form,
    )
    return _screening_out(translator_for(request), v)


@router.get("/screenings/{screening_id}")
def get_screening(screening_id: RecordId, request: Request, ctx: Ctx, actor: Who) -> dict[str, Any]:
    patient_or(actor, *DOCTOR)
    return _screening_out(translator_for(request), screening.get_screening(ctx, actor, screening_id))


@router.post("/screenings/{screening_id}/application-form", status_code=201)
def issue_form(screening_id: RecordId, ctx: Ctx, actor: DoctorActor) -> dict[str, Any]:
    f = screening.issue_application_form(ctx, actor, screening_id)
    return {
        "form_id": f.form_id,
        "number": f.number,
        "patient_id": f.patient_id,
        "screening_id": f.screening_id,
        "test_date": f.test_date.isoformat(),
        "issued_by": f.issued_by,
    }


@router.get("/application-forms/{form_id}/dates")
def offer_dates(form_id: RecordId, request: Request, ctx: Ctx, actor: DeskOrDoctor) -> dict[str, Any]:
    t = translator_for(request)
    o = booking.options(ctx, actor, form_id)
    return {
        "offers": [
            {
                "date": x.day.isoformat(),
                "places_left": x.places_left,
                "needs_review": x.needs_review,
                "findings": findings_json(t, x.verdict.findings),
            }
            for x in o.offers
        ],
        "refused": [{"date": v.day.isoformat(), "findings": findings_json(t, v.findings)} for v in o.refused],
        "next_cycle_start": o.next_cycle_start.isoformat() if o.next_cycle_start else None,
    }


class BookIn(BaseModel):
    date: ApiDate
    review_confirmed_by: Text | None = Field(default=None, max_length=100)


def _appt_out(a: booking.AppointmentView) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(a)
    data["date"] = data.pop("day")
    return data


@router.post("/application-forms/{form_id}/appointment", status_code=201)
def book(form_id: RecordId, body: BookIn, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return _appt_out(booking.book(ctx, actor, form_id, body.date, body.review_confirmed_by))


@router.get("/appointments")
def appointments(day: ApiDate, ctx: Ctx, actor: DayListReader) -> list[dict[str, Any]]:
    return [_appt_out(a) for a in booking.list_day(ctx, actor, day)]


@router.get("/appointments/{appointment_id}")
def appointment(appointment_id: RecordId, ctx: Ctx, actor: Who) -> dict[str, Any]:
    patient_or(actor, Role.REGISTRAR, Role.RADIOLOGIST)
    return _appt_out(booking.get_appointment(ctx, actor, appointment_id))


@router.post("/appointments/{appointment_id}/reschedule")
def reschedule(appointment_id: RecordId, body: BookIn, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return _appt_out(booking.reschedule(ctx, actor, appointment_id, body.date, body.review_confirmed_by))


@router.post("/appointments/{appointment_id}/cancel")
def cancel(appointment_id: RecordId, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return _appt_out(booking.cancel(ctx, actor, appointment_id))


class PayIn(BaseModel):
    method: Literal["cash", "card", "wechat", "alipay", "insurance_card"]  # = services.payments.METHODS
    amount_cny: Decimal | None = Field(default=None, ge=0, le=99_999_999, decimal_places=2)


@router.post("/appointments/{appointment_id}/payment")
def pay(appointment_id: RecordId, body: PayIn, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return dict(jsonable(payments.record_payment(ctx, actor, appointment_id, body.method, body.amount_cny)))


@router.post("/appointments/{appointment_id}/refund")
def refund(appointment_id: RecordId, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return dict(jsonable(payments.refund(ctx, actor, appointment_id)))


class ProcedureIn(BaseModel):
    hcg_result: HcgResult
    operator: Text = Field(min_length=1, max_length=100)
    started_at: ApiDateTime | None = None
    ended_at: ApiDateTime | None = None
    contrast_agent: Text = Field(default="", max_length=100)
    contrast_kind: ContrastKind | None = None
    volume_ml: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=1)
    fluoroscopy_s: Decimal | None = Field(default=None, ge=0, le=3600, decimal_places=1)
    dap_gy_cm2: Decimal | None = Field(default=None, ge=0, le=999999, decimal_places=3)
    air_kerma_mgy: Decimal | None = Field(default=None, ge=0, le=999999, decimal_places=3)


@router.post("/appointments/{appointment_id}/procedure", status_code=201)
def record_procedure(
    appointment_id: RecordId, body: ProcedureIn, request: Request, ctx: Ctx, actor: RadiologyActor
) -> dict[str, Any]:
    data = body.model_dump()
    for k in ("started_at", "ended_at"):
        if data[k] is not None and data[k].tzinfo is None:
            data[k] = data[k].replace(tzinfo=ctx.tz)
    v = procedure.record_procedure(ctx, actor, appointment_id, procedure.ProcedureInput(**data))
    return {
        "procedure_id": v.procedure_id,
        "appointment_id": v.appointment_id,
        "stopped": v.stopped,
        "hcg_result": v.hcg_result,
        "dose_findings": findings_json(translator_for(request), v.dose_findings),
    }


class CavityIn(BaseModel):
    shape: Text = Field(min_length=1, max_length=40, description='e.g. "normal", "arcuate", "septate"')
    anomaly: bool
    filling_defects: bool
    intravasation: bool


class TubeIn(BaseModel):
    patency: Patency
    obstruction_level: ObstructionLevel
    hydrosalpinx: bool
    spill: Spill


class FindingsIn(BaseModel):
    """REPORT-FIELDS: the structured findings (their consistency is checked by the rule: 422 REPORT-FIELDS)."""

    cavity: CavityIn
    left: TubeIn
    right: TubeIn
    impression: Text = Field(default="", max_length=2000)


class ReportIn(BaseModel):
    findings: FindingsIn
    reason: Text = Field(default="", max_length=500)


def _report_out(r: procedure.ReportView) -> dict[str, Any]:
    return dict(jsonable(r))


@router.put("/procedures/{procedure_id}/report")
def write_report(procedure_id: RecordId, body: ReportIn, ctx: Ctx, actor: RadiologyActor) -> dict[str, Any]:
    findings = procedure.findings_from_json(body.findings.model_dump(mode="json"))
    return _report_out(procedure.write_report(ctx, actor, procedure_id, findings, body.reason))


@router.get("/procedures/{procedure_id}/report")
def get_report(procedure_id: RecordId, ctx: Ctx, actor: Who) -> dict[str, Any]:
    patient_or(actor, *RADIOLOGY)
    return _report_out(procedure.get_report(ctx, actor, procedure_id))


@router.post("/reports/{report_id}/sign")
def sign(report_id: RecordId, ctx: Ctx, actor: RadiologyActor) -> dict[str, Any]:
    return _report_out(procedure.sign_report(ctx, actor, report_id))


class AftercareIn(BaseModel):
    antibiotic_days: int | None = Field(default=None, ge=1, le=14)
    pid_history: bool = False


@router.post("/procedures/{procedure_id}/aftercare", status_code=201)
def aftercare(
    procedure_id: RecordId, body: AftercareIn, request: Request, ctx: Ctx, actor: RadiologyActor
) -> dict[str, Any]:
    t = translator_for(request)
    plan = procedure.produce_aftercare(
        ctx, actor, procedure_id, antibiotic_days=body.antibiotic_days, pid_history=body.pid_history
    )
    data: dict[str, Any] = jsonable({k: v for k, v in plan.__dict__.items() if k != "items"})
    data["items"] = [
        {
            "rule": i.rule,
            "date": i.day.isoformat() if i.day else None,
            "warning": i.warning,
            "message": t.render(i.message),
        }
        for i in plan.items
    ]
    return data
