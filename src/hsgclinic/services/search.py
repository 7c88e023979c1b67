"""Patient search for the desk and radiology (issue 8): by name, the last 4 of the ID, phone, access code, form
number or hospital record number; a full ID number matches through its HMAC (``patients.id_hash``), so the number
itself is never read, compared or shown. Results carry the masked ID only. Every search is audited (the query's
kind, never its text)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from hsgclinic.domain.identity import IdentityError, IdKind, parse_identity
from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import ApplicationForm, Patient, ProcedureAppointment, RegistrationNumber
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden, InvalidInput
from hsgclinic.services.patients import id_hash

MAX_RESULTS = 50


@dataclass(frozen=True)
class Hit:
    patient_id: int
    name: str
    masked_id: str
    phone_tail: str
    latest_number_day: dt.date | None
    latest_registration_id: int | None
    form_id: int | None
    form_number: str | None
    appointment_id: int | None
    appointment_day: dt.date | None


def _kind(q: str) -> str:
    if re.fullmatch(r"\d{17}[\dX]", q):
        return "full_id"
    if re.fullmatch(r"[\dX]{4}", q):
        return "last4"
    if re.fullmatch(r"\+?[\d\- ]{7,20}", q):
        return "phone"
    if re.fullmatch(r"[2-9A-Z]{8}", q):
        return "access_code"
    return "text"


def search(ctx: ServiceContext, actor: Actor, query: str) -> list[Hit]:
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    raw = query.strip()
    if len(raw) < 2 or len(raw) > 64:
        raise InvalidInput("invalid_query", N_("Type 2 to 64 characters: a name, the last 4 of the ID, a phone…"))
    q = raw.upper().replace(" ", "") if not re.search(r"[\u4e00-\u9fff]", raw) else raw
    kind = _kind(q)
    conditions = []
    if kind == "full_id":
        try:
            identity = parse_identity(q, IdKind.RESIDENT)
        except IdentityError as exc:
            raise InvalidInput("invalid_query", exc.message) from None
        conditions.append(Patient.id_hash == id_hash(ctx.settings.secret_key, identity))
    elif kind == "last4":
        conditions.append(Patient.id_last4 == q)
        conditions.append(Patient.phone.like(f"%{q}"))
    elif kind == "phone":
        digits = re.sub(r"\D", "", q)
        conditions.append(func.replace(func.replace(Patient.phone, "-", ""), " ", "").like(f"%{digits}%"))
    else:
        codes = select(RegistrationNumber.patient_id).where(RegistrationNumber.access_code == q)
        forms = select(ApplicationForm.patient_id).where(func.upper(ApplicationForm.number) == q)
        conditions += [Patient.id.in_(codes), Patient.id.in_(forms), Patient.record_number == q]
        conditions.append(Patient.name.like(f"%{raw}%"))
        # a passport number, as typed
        with contextlib.suppress(IdentityError):
            conditions.append(Patient.id_hash == id_hash(ctx.settings.secret_key, parse_identity(q, IdKind.PASSPORT)))
    with ctx.write() as uow:
        s = uow.session
        patients = s.execute(
            select(Patient).where(or_(*conditions)).order_by(Patient.name).limit(MAX_RESULTS)
        ).scalars()
        hits: list[Hit] = []
        for p in patients:
            reg = (
                s.execute(
                    select(RegistrationNumber)
                    .where(RegistrationNumber.patient_id == p.id)
                    .order_by(RegistrationNumber.day.desc(), RegistrationNumber.id.desc())
                )
                .scalars()
                .first()
            )
            form = (
                s.execute(
                    select(ApplicationForm)
                    .where(ApplicationForm.patient_id == p.id)
                    .order_by(ApplicationForm.id.desc())
                )
                .scalars()
                .first()
            )
            appt = (
                s.execute(
                    select(ProcedureAppointment)
                    .where(ProcedureAppointment.application_form_id == form.id)
                    .order_by(ProcedureAppointment.active.is_(True).desc(), ProcedureAppointment.id.desc())
                )
                .scalars()
                .first()
                if form is not None
                else None
            )
            hits.append(
                Hit(
                    p.id,
                    p.name,
                    p.masked_id,
                    p.phone[-4:],
                    reg.day if reg else None,
                    reg.id if reg else None,
                    form.id if form else None,
                    form.number if form else None,
                    appt.id if appt else None,
                    appt.day if appt else None,
                )
            )
        audit.record(
            s, actor, "patient.search", "search", kind, at=ctx.now(), detail={"kind": kind, "count": len(hits)}
        )
        uow.commit()
    return hits


@dataclass(frozen=True)
class IdFacts:
    """Age and sex as the resident ID gives them (never the number itself); None for a passport."""

    age: int | None
    sex: str | None  # "F" / "M"

    @property
    def male(self) -> bool:
        return self.sex == "M"


def id_facts(
    ctx: ServiceContext, actor: Actor, *, patient_id: int | None = None, form_id: int | None = None
) -> IdFacts:
    """The screening and booking pages' line "33 years · female (from the ID)", and the male-ID warning."""
    from hsgclinic.domain.identity import age_on

    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    with ctx.read() as uow:
        s = uow.session
        if patient_id is None and form_id is not None:
            patient_id = s.execute(select(ApplicationForm.patient_id).where(ApplicationForm.id == form_id)).scalar()
        row = s.execute(select(Patient.birth_date, Patient.sex).where(Patient.id == patient_id)).first()
    if row is None:
        return IdFacts(None, None)
    birth, sex = row
    return IdFacts(age_on(birth, ctx.today()) if birth else None, sex)
