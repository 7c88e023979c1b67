"""A patient's personal data: the full ID number opened for a role that must see it (DATA-REVEAL), the data keys
rotated (every sealed number re-sealed under the active key), and erasure (DATA-ERASE) within the retention rule
(DATA-RETAIN). See docs/security.md, "Data protection".

Erasure keeps the ``patients`` row as a pseudonym: its id is what the append-only audit trail (and the de-identified
clinical rows) refer to; once name, ID number, hash, contact and birth date are gone, nothing links that id back to
her. The audit trail itself is never changed (a database trigger refuses it) and never held the ID number.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hsgclinic.domain.identity import IdentityError, IdKind, parse_identity
from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import (
    AuthSession,
    OutboxMessage,
    Patient,
    ProcedureAppointment,
    RegistrationNumber,
    Screening,
)
from hsgclinic.persistence.notification_models import CheckinReport
from hsgclinic.persistence.sealing import SealError, id_number_binding
from hsgclinic.services import audit, patients
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import Forbidden, InvalidInput, NotFound, RuleRefused

REVEAL_ROLES = (Role.REGISTRAR, Role.DOCTOR, Role.ADMIN)
ERASED_NAME = "—"
RESEAL_BATCH = 200
UNSENT = ("pending", "sending")


class EraseScope(enum.StrEnum):
    CONTACT = "contact"  # phone, email, pending messages, logins: always allowed (her consent to messages ends)
    ALL = "all"  # identity too: only once the records' retention period has passed (DATA-RETAIN)


@dataclass(frozen=True)
class Erased:
    patient_id: int  # the pseudonym that stays
    scope: EraseScope
    messages_withdrawn: int


@dataclass(frozen=True)
class Expired:
    patient_id: int
    last_activity: dt.date
    erasable_from: dt.date


def _reason(reason: str) -> str:
    clean = " ".join(reason.split())
    if not 3 <= len(clean) <= 500:
        raise InvalidInput("reason_required", N_("Please give the reason (3–500 characters)."), rule="DATA-REVEAL")
    return clean


def reveal_id_number(ctx: ServiceContext, actor: Actor, patient_id: int, *, reason: str) -> str:
    """The full ID number, for registrar, doctor or admin with a stated reason (DATA-REVEAL); audited
    (``patient.id_reveal`` with the reason, never the number)."""
    if actor.role not in REVEAL_ROLES:
        raise Forbidden("forbidden", N_("Your role may not see full ID numbers."), rule="DATA-REVEAL")
    why = _reason(reason)
    with ctx.write() as uow:
        s = uow.session
        p = s.get(Patient, patient_id)
        if p is None or p.erased_at is not None or p.id_number_sealed is None:
            raise NotFound("unknown_patient", N_("No such patient."))
        number = ctx.key_ring.open(p.id_number_sealed, id_number_binding(p.id_hash))
        audit.record(
            s, actor, "patient.id_reveal", "patient", p.id, at=ctx.now(), patient_id=p.id, detail={"reason": why}
        )
        uow.commit()
    return number


def reseal_all(ctx: ServiceContext, actor: Actor) -> tuple[int, int]:
    """Re-seal every ID number not under the active key (after a new key was put first in the ring), one short
    transaction per batch so that the clinic keeps running. Returns (re-sealed, already current)."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    ring = ctx.key_ring
    resealed = current = 0
    last_id = 0
    while True:
        with ctx.write() as uow:
            s = uow.session
            rows = s.execute(
                select(Patient.id, Patient.id_hash, Patient.id_number_sealed)
                .where(Patient.id > last_id, Patient.id_number_sealed.is_not(None))
                .order_by(Patient.id)
                .limit(RESEAL_BATCH)
            ).all()
            if not rows:
                break
            moved = 0
            for row_id, id_hash, sealed in rows:
                assert sealed is not None
                if not ring.needs_reseal(sealed):
                    current += 1
                    continue
                binding = id_number_binding(id_hash)
                fresh = ring.seal(ring.open(sealed, binding), binding)
                s.execute(
                    update(Patient)
                    .where(Patient.id == row_id, Patient.id_number_sealed == sealed)
                    .values(id_number_sealed=fresh)
                )
                moved += 1
            last_id = rows[-1][0]
            if moved:
                audit.record(
                    s, actor, "keys.reseal", "patients", "-", at=ctx.now(), detail={"count": moved, "key": ring.active}
                )
            uow.commit()
            resealed += moved
    return resealed, current


def unreadable(ctx: ServiceContext) -> int:
    """How many sealed ID numbers the current key ring cannot open (0 on a healthy installation)."""
    ring = ctx.key_ring
    bad = 0
    with ctx.read() as uow:
        for id_hash, sealed in uow.session.execute(
            select(Patient.id_hash, Patient.id_number_sealed).where(Patient.id_number_sealed.is_not(None))
        ):
            try:
                ring.open(str(sealed), id_number_binding(id_hash))
            except SealError:
                bad += 1
    return bad


def find_patient(ctx: ServiceContext, *, record_number: str | None = None, id_number: str | None = None) -> int:
    """Her pseudonymous id from her record number ("HSG00000123") or her ID number (looked up by its hash)."""
    with ctx.read() as uow:
        s = uow.session
        if record_number:
            found = s.execute(select(Patient.id).where(Patient.record_number == record_number.strip())).scalar()
        elif id_number:
            hashes = []
            for kind in IdKind:
                try:
                    hashes.append(patients.id_hash(ctx.settings.secret_key, parse_identity(id_number, kind)))
                except IdentityError:
                    continue
            found = s.execute(select(Patient.id).where(Patient.id_hash.in_(hashes))).scalar() if hashes else None
        else:
            raise InvalidInput("patient_required", N_("Name the patient by record number or ID number."))
    if found is None:
        raise NotFound("unknown_patient", N_("No such patient."))
    return int(found)


def last_activity(s: Session, patient_id: int) -> dt.date:
    """The latest day anything happened on her record (registration, screening, procedure, check-in, creation)."""
    created = s.execute(select(Patient.created_at).where(Patient.id == patient_id)).scalar_one()
    days: list[dt.date] = [created.date()]
    for q in (
        select(func.max(RegistrationNumber.day)).where(RegistrationNumber.patient_id == patient_id),
        select(func.max(Screening.visit_date)).where(Screening.patient_id == patient_id),
        select(func.max(ProcedureAppointment.day)).where(ProcedureAppointment.patient_id == patient_id),
    ):
        value = s.execute(q).scalar()
        if value is not None:
            days.append(value)
    checkin = s.execute(
        select(func.max(CheckinReport.reported_at)).where(CheckinReport.patient_id == patient_id)
    ).scalar()
    if checkin is not None:
        days.append(checkin.date() if isinstance(checkin, dt.datetime) else checkin)
    return max(days)


def erasable_from(last: dt.date, years: int) -> dt.date:
    try:
        return last.replace(year=last.year + years)
    except ValueError:  # 29 February
        return last.replace(year=last.year + years, day=28)


def expired(ctx: ServiceContext, actor: Actor) -> list[Expired]:
    """Patients whose retention period (``retention_years`` after the last activity) has passed, not yet erased."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    today = ctx.today()
    out: list[Expired] = []
    with ctx.write() as uow:
        s = uow.session
        for (pid,) in s.execute(select(Patient.id).where(Patient.erased_at.is_(None)).order_by(Patient.id)).all():
            last = last_activity(s, pid)
            until = erasable_from(last, ctx.settings.retention_years)
            if until <= today:
                out.append(Expired(pid, last, until))
        audit.record(s, actor, "patient.retention_list", "patients", "-", at=ctx.now(), detail={"count": len(out)})
        uow.commit()
    return out


def erase(ctx: ServiceContext, actor: Actor, patient_id: int, *, scope: EraseScope, reason: str) -> Erased:
    """Erase her contact data (any time), or all her personal data once the retention period has passed
    (DATA-RETAIN); one transaction, audited as ``patient.erase`` under her pseudonymous id."""
    if actor.role is not Role.ADMIN:
        raise Forbidden("forbidden", N_("Only an administrator may erase personal data."), rule="DATA-ERASE")
    why = _reason(reason)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        p = s.get(Patient, patient_id)
        if p is None:
            raise NotFound("unknown_patient", N_("No such patient."))
        if p.erased_at is not None:
            raise RuleRefused(
                "already_erased", N_("This patient's personal data was already erased."), rule="DATA-ERASE"
            )
        if scope is EraseScope.ALL:
            until = erasable_from(last_activity(s, p.id), ctx.settings.retention_years)
            if until > ctx.today():
                raise RuleRefused(
                    "retention_period",
                    N_(
                        "Her records must be kept until {day} ({years} years after her last visit); only her "
                        "contact details can be erased now.",
                        day=until,
                        years=ctx.settings.retention_years,
                    ),
                    rule="DATA-RETAIN",
                    details={"erasable_from": until.isoformat()},
                )
        withdrawn = _erase_contact(s, p, now)
        if scope is EraseScope.ALL:
            _erase_identity(s, p, now)
        audit.record(
            s,
            actor,
            "patient.erase",
            "patient",
            p.id,
            at=now,
            patient_id=p.id,
            detail={"scope": scope.value, "reason": why, "messages_withdrawn": withdrawn},
        )
        uow.commit()
    return Erased(patient_id, scope, withdrawn)


def _erase_contact(s: Session, p: Patient, now: dt.datetime) -> int:
    p.phone = ""
    p.email = None
    unsent = list(
        s.execute(
            select(OutboxMessage.id).where(OutboxMessage.patient_id == p.id, OutboxMessage.status.in_(UNSENT))
        ).scalars()
    )
    if unsent:
        s.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(unsent))
            .values(status="withdrawn", last_error="personal data erased")
        )
    # The addresses and her name in every message of hers, sent or not, go too.
    s.execute(update(OutboxMessage).where(OutboxMessage.patient_id == p.id).values(payload={"erased": True}))
    s.execute(delete(AuthSession).where(AuthSession.patient_id == p.id))
    return len(unsent)


def _erase_identity(s: Session, p: Patient, now: dt.datetime) -> None:
    p.name = ERASED_NAME
    p.id_number_sealed = None
    p.id_last4 = ""
    p.id_hash = "erased:" + secrets.token_hex(16)  # unique, matches no ID: she would be a new patient
    p.birth_date = None
    p.sex = None
    p.erased_at = now
    # Her access codes (the patient login and the kiosk) and the addresses she registered from.
    for reg_id in s.execute(select(RegistrationNumber.id).where(RegistrationNumber.patient_id == p.id)).scalars():
        s.execute(
            update(RegistrationNumber)
            .where(RegistrationNumber.id == reg_id)
            .values(access_code="erased-" + secrets.token_hex(4), client_address="")
        )
    # Her own words on the check-in page.
    s.execute(update(CheckinReport).where(CheckinReport.patient_id == p.id).values(answers={"erased": True}))
