"""The doctor's screening form (ELIG-*): leukorrhea routine, temperature, symptoms, abstinence, contraindications.

"Check" shows every rule's outcome with its ID (and a small script asks ``/staff/screening/preview`` as the form
is filled in); "Record" stores it through ``services.screening.record_screening`` and issues the application form.
Every REVIEW needs a reason and the confirming doctor's name before it is recorded.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from hsgclinic.domain.cycle import CycleFacts, CycleInputError
from hsgclinic.domain.eligibility import (
    CONTRAINDICATION_TEXT,
    Contraindication,
    ContrastReaction,
    HcgResult,
    ScreeningInput,
    ScreeningResult,
    screen,
)
from hsgclinic.domain.findings import Outcome
from hsgclinic.domain.leukorrhea import Cleanliness, LeukorrheaResult
from hsgclinic.domain.messages import N_
from hsgclinic.services import registration, screening
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.services.registration import NumberView
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
SCREEN_ROLES = (Role.DOCTOR, Role.ADMIN)

POS_NEG = ("negative", "positive")
ENZYMES = ("amine_test", "sialidase", "leukocyte_esterase", "h2o2")
REQUIRED_SMEAR = ("trichomonas", "yeast", "clue_cells")
YES_NO = ("respiratory_illness", "lower_abdominal_pain", "intercourse_since_period_end")
CHECKS = ("irregular", "intercourse_during_period", "suspected_pregnancy")
TEXTS = ("doctor_name", "contrast_reaction_agent", "contrast_reaction_description")
FIELDS = (
    *("period_end", "period_start", "shortest_cycle", "longest_cycle", "temperature_c", "hcg", "cleanliness"),
    *("wbc_per_hpf", "ph", "contrast_reaction"),
    *ENZYMES,
    *REQUIRED_SMEAR,
    *YES_NO,
    *CHECKS,
    *TEXTS,
)


def _pos_neg(form: FormState, name: str, *, required: bool) -> bool | None:
    value = form.choice(name, set(POS_NEG), required=required)
    return None if value is None else value == "positive"


def parse(form: FormState, today: dt.date) -> ScreeningInput | None:
    """The typed answers → a :class:`ScreeningInput` (``None`` with field errors when something is unreadable)."""
    period_end = form.date("period_end", required=True)
    period_start = form.date("period_start")
    shortest = form.integer("shortest_cycle", low=15, high=90)
    longest = form.integer("longest_cycle", low=15, high=90)
    temperature = form.decimal("temperature_c", low=Decimal("34"), high=Decimal("43"), required=True)
    answers = {name: form.yes_no(name, required=True) for name in YES_NO}
    hcg = form.choice("hcg", set(POS_NEG))
    grade = form.choice("cleanliness", {"1", "2", "3", "4"}, required=True)
    wbc = form.integer("wbc_per_hpf", low=0, high=500)
    ph = form.decimal("ph", low=Decimal("3.0"), high=Decimal("8.0"))
    smear = {name: _pos_neg(form, name, required=True) for name in REQUIRED_SMEAR}
    enzymes = {name: _pos_neg(form, name, required=False) for name in ENZYMES}
    reaction = form.choice("contrast_reaction", {r.value for r in ContrastReaction}) or ContrastReaction.NONE.value
    agent = form.text("contrast_reaction_agent", max_len=100) or ""
    description = form.text("contrast_reaction_description", max_len=300) or ""
    if reaction != ContrastReaction.NONE.value and not (agent and description):
        form.error("contrast_reaction_agent", N_("Record the contrast agent and the reaction, not just 'allergy'."))
    contra = frozenset(c for c in Contraindication if form.checked(f"contra_{c.value}"))
    if not form.ok or period_end is None or temperature is None:
        return None
    cycle = CycleFacts(
        period_end=period_end,
        period_start=period_start,
        shortest_cycle=shortest if shortest is not None else longest,
        longest_cycle=longest if longest is not None else shortest,
        irregular=form.checked("irregular"),
    )
    return ScreeningInput(
        visit_date=today,
        cycle=cycle,
        temperature_c=temperature,
        respiratory_illness=answers["respiratory_illness"],
        lower_abdominal_pain=answers["lower_abdominal_pain"],
        intercourse_since_period_end=answers["intercourse_since_period_end"],
        intercourse_during_period=form.checked("intercourse_during_period"),
        suspected_pregnancy=form.checked("suspected_pregnancy"),
        hcg=HcgResult(hcg) if hcg else None,
        leukorrhea=LeukorrheaResult(
            cleanliness=Cleanliness(int(grade)) if grade else None,
            wbc_per_hpf=wbc,
            trichomonas=smear["trichomonas"],
            yeast=smear["yeast"],
            clue_cells=smear["clue_cells"],
            ph=ph,
            amine_test=enzymes["amine_test"],
            sialidase=enzymes["sialidase"],
            leukocyte_esterase=enzymes["leukocyte_esterase"],
            h2o2=enzymes["h2o2"],
        ),
        contraindications=contra,
        contrast_reaction=ContrastReaction(reaction),
        contrast_reaction_agent=agent,
        contrast_reaction_description=description,
    )


def check(clinic: Any, form: FormState, today: dt.date) -> tuple[ScreeningInput | None, ScreeningResult | None]:
    data = parse(form, today)
    if data is None:
        return None, None
    settings = clinic.settings
    try:
        data.cycle.validate(today, settings.rules())
    except CycleInputError as exc:
        form.error("period_end", exc.message)
        return None, None
    return data, screen(data, clinic.ctx.calendar_for(today), settings.rules())


def review_rules(result: ScreeningResult | None) -> list[str]:
    if result is None:
        return []
    return list(dict.fromkeys(f.rule for f in result.findings if f.outcome is Outcome.REVIEW))


def _form_data(raw: Any) -> dict[str, str]:
    allowed = set(FIELDS)
    return {
        k: v
        for k, v in raw.items()
        if isinstance(v, str) and (k in allowed or k.startswith(("contra_", "reason_")) or k == "action")
    }


def _number(request: Request, actor: Actor, registration_id: int) -> NumberView:
    return registration.get_number(ui_state(request).clinic.ctx, actor, registration_id)


def _id_facts(request: Request, number: NumberView) -> Any:
    from hsgclinic.services import search

    actor = getattr(request.state, "staff", None)
    return search.id_facts(ui_state(request).clinic.ctx, actor, patient_id=number.patient_id) if actor else None


def _render(request: Request, number: NumberView, form: FormState, status_code: int = 200, **extra: Any) -> Response:
    return ui_state(request).pages.render(
        request,
        "staff/screening.html",
        status_code,
        nav="desk",
        number=number,
        id_facts=_id_facts(request, number),
        form=form,
        contraindications=[(c.value, CONTRAINDICATION_TEXT[c]) for c in Contraindication],
        **extra,
    )


@router.get("/staff/screening/{registration_id}")
async def screening_page(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *SCREEN_ROLES)
    try:
        number = _number(request, actor, registration_id)
    except ServiceError:
        return ui.pages.render(request, "errors/error.html", 404, code=404, detail=None)
    form = FormState.of({"doctor_name": actor.shown_name})
    return _render(request, number, form, result=None, reviews=[])


@router.post("/staff/screening/preview")
async def screening_preview(request: Request) -> Response:
    """The outcome of each rule so far, for the script on the form (JSON; nothing is stored)."""
    ui = ui_state(request)
    require_staff(request, ui.clinic, *SCREEN_ROLES)
    form = FormState.of(_form_data(await request.form()))
    _data, result = check(ui.clinic, form, ui.clinic.ctx.today())
    t = translator_for(request)
    if result is None:
        return JSONResponse({"complete": False, "findings": []})
    return JSONResponse(
        {
            "complete": True,
            "outcome": result.outcome.value,
            "findings": [
                {"rule": f.rule, "outcome": f.outcome.value, "text": t.render(f.message)} for f in result.findings
            ],
            "reviews": review_rules(result),
        }
    )


@router.post("/staff/screening/{registration_id}")
async def screening_submit(request: Request, registration_id: int) -> Response:
    ui = ui_state(request)
    actor = require_staff(request, ui.clinic, *SCREEN_ROLES)
    try:
        number = _number(request, actor, registration_id)
    except ServiceError:
        return ui.pages.render(request, "errors/error.html", 404, code=404, detail=None)
    form = FormState.of(_form_data(await request.form()))
    today = ui.clinic.ctx.today()
    data, result = check(ui.clinic, form, today)
    reviews = review_rules(result)
    if data is None or result is None:
        return _render(request, number, form, 422, result=None, reviews=[])
    if form.get("action") != "record":
        return _render(request, number, form, result=result, reviews=reviews)
    doctor = form.text("doctor_name", required=True, max_len=100)
    reasons = {}
    for rule in reviews:
        reason = form.text(f"reason_{rule}", max_len=300)
        if reason is None:
            form.error(f"reason_{rule}", N_("Give the reason the doctor accepts this ({rule}).", rule=rule))
        else:
            reasons[rule] = reason
    if not form.ok or doctor is None:
        return _render(request, number, form, 422, result=result, reviews=reviews)
    try:
        view = screening.record_screening(
            ui.clinic.ctx,
            actor,
            patient_id=number.patient_id,
            screening=data,
            doctor_name=doctor,
            review_reasons=reasons,
            registration_id=number.registration_id,
            issue_form=True,
        )
    except ServiceError as exc:
        return _render(request, number, form, 409, result=result, reviews=reviews, refusal=exc)
    extra: dict[str, Any] = {}
    if view.application_form_number:
        issued = screening.issue_application_form(ui.clinic.ctx, actor, view.screening_id)  # the same form again
        extra["booking_url"] = f"/staff/booking/{issued.form_id}"
    return ui.pages.render(request, "staff/screening_done.html", nav="desk", number=number, view=view, **extra)
