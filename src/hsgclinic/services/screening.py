"""The screening visit (ELIG-*) and the application form (申请单).

``record_screening`` stores every input and every rule outcome; REVIEW outcomes need a doctor's confirmation
(reason + doctor's name) per rule. ``issue_application_form`` issues the numbered form only when nothing is
BLOCK and every REVIEW rule is confirmed — only then can a procedure be booked.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hsgclinic.domain.cycle import CycleFacts, CycleInputError
from hsgclinic.domain.eligibility import ScreeningInput, ScreeningResult, screen
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.identity import age_on
from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import ApplicationForm, Patient, RegistrationNumber, Screening
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused
from hsgclinic.services.serialize import decode_findings, encode_findings, jsonable


@dataclass(frozen=True)
class ScreeningView:
    screening_id: int
    patient_id: int
    visit_date: dt.date
    outcome: Outcome
    findings: tuple[Finding, ...]
    confirmed_reviews: dict[str, str]  # rule → reason
    unconfirmed_reviews: tuple[str, ...]
    doctor_name: str
    application_form_number: str | None

    @property
    def can_issue_form(self) -> bool:
        return self.outcome is not Outcome.BLOCK and not self.unconfirmed_reviews


@dataclass(frozen=True)
class ApplicationFormView:
    form_id: int
    number: str
    patient_id: int
    screening_id: int
    test_date: dt.date
    issued_by: str
    issued_at: dt.datetime


def _review_rules(result: ScreeningResult) -> list[str]:
    return list(dict.fromkeys(f.rule for f in result.findings if f.outcome is Outcome.REVIEW))


def _view(row: Screening, form: ApplicationForm | None) -> ScreeningView:
    findings = decode_findings(row.findings)
    confirmed = {str(i["rule"]): str(i["reason"]) for i in row.overrides.get("items", [])}
    reviews = [f.rule for f in findings if f.outcome is Outcome.REVIEW]
    unconfirmed = tuple(dict.fromkeys(r for r in reviews if r not in confirmed))
    return ScreeningView(
        screening_id=row.id,
        patient_id=row.patient_id,
        visit_date=row.visit_date,
        outcome=Outcome(row.outcome),
        findings=findings,
        confirmed_reviews=confirmed,
        unconfirmed_reviews=unconfirmed,
        doctor_name=row.doctor_name,
        application_form_number=form.number if form else None,
    )


def _patient(session: Session, patient_id: int) -> Patient:
    patient = session.get(Patient, patient_id)
    if patient is None:
        raise NotFound("not_found", N_("No such patient."))
    return patient


def record_screening(
    ctx: ServiceContext,
    actor: Actor,
    *,
    patient_id: int,
    screening: ScreeningInput,
    doctor_name: str,
    review_reasons: Mapping[str, str] | None = None,
    registration_id: int | None = None,
    issue_form: bool = False,
) -> ScreeningView:
    """Screen (every ELIG rule), store inputs + outcomes + the doctor's REVIEW confirmations; with
    ``issue_form`` also issue the application form in the same transaction when allowed."""
    if not doctor_name.strip():
        raise InvalidInput("doctor_required", N_("The screening doctor's name is required."))
    reasons = {k: v.strip() for k, v in (review_reasons or {}).items() if v and v.strip()}
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        patient = _patient(s, patient_id)
        if registration_id is not None:
            reg = s.get(RegistrationNumber, registration_id)
            if reg is None or reg.patient_id != patient_id:
                raise NotFound("not_found", N_("No such registration number."))
        if screening.cycle.age is None and patient.birth_date is not None:
            cycle = dataclasses.replace(screening.cycle, age=age_on(patient.birth_date, screening.visit_date))
            screening = dataclasses.replace(screening, cycle=cycle)
        try:
            screening.cycle.validate(screening.visit_date, ctx.settings.rules())
        except CycleInputError as exc:
            raise InvalidInput("invalid_cycle", exc.message, rule="ELIG-VISIT-DAY") from None
        result = screen(screening, ctx.calendar_for(screening.visit_date), ctx.settings.rules())
        review_rules = _review_rules(result)
        overrides = [
            {"rule": r, "reason": reasons[r], "doctor": doctor_name.strip()} for r in review_rules if r in reasons
        ]
        row = Screening(
            patient_id=patient_id,
            registration_id=registration_id,
            visit_date=screening.visit_date,
            inputs=jsonable(screening),
            findings=encode_findings(result.findings),
            outcome=result.outcome.value,
            overrides={"items": overrides},
            doctor_name=doctor_name.strip(),
            recorded_by=actor.user_id,
            created_at=now,
        )
        s.add(row)
        s.flush()
        audit.record(
            s,
            actor,
            "screening.record",
            "screening",
            row.id,
            at=now,
            patient_id=patient_id,
            detail={"outcome": result.outcome.value},
        )
        form = None
        view = _view(row, None)
        if issue_form and view.can_issue_form:
            form = _issue(s, ctx, actor, row, view, now)
        uow.commit()
        return _view(row, form)


def _issue(
    s: Session, ctx: ServiceContext, actor: Actor, row: Screening, view: ScreeningView, now: dt.datetime
) -> ApplicationForm:
    if view.outcome is Outcome.BLOCK:
        blocking = tuple(f for f in view.findings if f.outcome is Outcome.BLOCK)
        raise RuleRefused(
            "screening_blocked",
            N_("The screening has blocking findings, so no application form can be issued."),
            findings=blocking,
        )
    if view.unconfirmed_reviews:
        raise RuleRefused(
            "review_unconfirmed",
            N_(
                "A doctor must confirm each item needing review (reason and name): {rules}.",
                rules=view.unconfirmed_reviews,
            ),
            findings=tuple(f for f in view.findings if f.rule in view.unconfirmed_reviews),
        )
    count = s.execute(
        select(func.count()).select_from(ApplicationForm).where(ApplicationForm.test_date == row.visit_date)
    ).scalar_one()
    number = f"AF{row.visit_date:%Y%m%d}-{count + 1:03d}-{row.id}"
    form = ApplicationForm(
        number=number,
        screening_id=row.id,
        patient_id=row.patient_id,
        test_date=row.visit_date,
        issued_by=row.doctor_name,
        issued_at=now,
    )
    s.add(form)
    s.flush()
    audit.record(
        s,
        actor,
        "application_form.issue",
        "application_form",
        form.id,
        at=now,
        patient_id=row.patient_id,
        detail={"number": number},
    )
    return form


def issue_application_form(ctx: ServiceContext, actor: Actor, screening_id: int) -> ApplicationFormView:
    """Issue the form for a stored screening (refused with the rule IDs while anything is BLOCK or unconfirmed)."""
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        row = s.get(Screening, screening_id)
        if row is None:
            raise NotFound("not_found", N_("No such screening."))
        existing = s.execute(
            select(ApplicationForm).where(ApplicationForm.screening_id == screening_id)
        ).scalar_one_or_none()
        form = existing or _issue(s, ctx, actor, row, _view(row, None), now)
        uow.commit()
        return _form_view(form)


def _form_view(form: ApplicationForm) -> ApplicationFormView:
    return ApplicationFormView(
        form.id, form.number, form.patient_id, form.screening_id, form.test_date, form.issued_by, form.issued_at
    )


def get_screening(ctx: ServiceContext, actor: Actor, screening_id: int) -> ScreeningView:
    with ctx.write() as uow:
        s = uow.session
        row = s.get(Screening, screening_id)
        if row is None or (not actor.is_staff and actor.patient_id != row.patient_id):
            raise NotFound("not_found", N_("No such screening."))
        form = s.execute(select(ApplicationForm).where(ApplicationForm.screening_id == row.id)).scalar_one_or_none()
        audit.record(s, actor, "screening.read", "screening", row.id, at=ctx.now(), patient_id=row.patient_id)
        uow.commit()
        return _view(row, form)


def cycle_of(inputs: Mapping[str, object]) -> CycleFacts:
    """The cycle facts stored with a screening (for booking)."""
    c = dict(inputs["cycle"])  # type: ignore[call-overload]
    return CycleFacts(
        period_end=dt.date.fromisoformat(str(c["period_end"])),
        period_start=dt.date.fromisoformat(str(c["period_start"])) if c.get("period_start") else None,
        shortest_cycle=c.get("shortest_cycle"),
        longest_cycle=c.get("longest_cycle"),
        age=c.get("age"),
        irregular=bool(c.get("irregular")),
    )
