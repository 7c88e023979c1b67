"""Finding or creating a patient by her ID (REG-REALNAME); the ID is looked up by its keyed hash only and stored
sealed (AES-256-GCM under the settings' key ring, bound to that hash)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hsgclinic.domain.identity import Identity, IdentityError, IdKind, parse_identity
from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import Patient
from hsgclinic.persistence.models.people import masked_from_last4
from hsgclinic.persistence.sealing import KeyRing, id_number_binding
from hsgclinic.services import identifiers
from hsgclinic.services.errors import InvalidInput

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
LANGS = ("zh_CN", "en")


def parse_contact(email: str | None, lang: str | None) -> tuple[str | None, str | None]:
    """Validated (email or None, language or None) for her messages; raises :class:`InvalidInput`."""
    clean_email = (email or "").strip() or None
    if clean_email is not None and (len(clean_email) > 254 or not _EMAIL.match(clean_email)):
        raise InvalidInput("invalid_email", N_("Please enter a valid email address, or leave it empty."))
    clean_lang = (lang or "").strip().replace("-", "_") or None
    if clean_lang is not None:
        clean_lang = {"zh": "zh_CN", "zh_cn": "zh_CN", "en_us": "en", "en_gb": "en"}.get(clean_lang.lower(), clean_lang)
        if clean_lang not in LANGS:
            raise InvalidInput("invalid_language", N_("Unknown language."))
    return clean_email, clean_lang


def id_hash(secret_key: str, identity: Identity) -> str:
    """HMAC-SHA256 of kind + number with the secret key: what uniqueness and lookups use."""
    msg = f"{identity.kind.value}:{identity.number}".encode()
    return hmac.new(secret_key.encode(), msg, hashlib.sha256).hexdigest()


def parse_person(name: str, id_number: str, phone: str, id_kind: str = "resident") -> tuple[str, Identity, str]:
    """Validated (name, identity, phone); raises :class:`InvalidInput` naming the field."""
    clean_name = " ".join(name.split())
    if not 1 <= len(clean_name) <= 100:
        raise InvalidInput("invalid_name", N_("Please enter the patient's real name."), rule="REG-REALNAME")
    try:
        kind = IdKind(id_kind)
    except ValueError:
        raise InvalidInput("invalid_id", N_("Unknown kind of ID document."), rule="REG-REALNAME") from None
    try:
        identity = parse_identity(id_number, kind)
    except IdentityError as exc:
        raise InvalidInput("invalid_id", exc.message, rule="REG-REALNAME") from None
    clean_phone = phone.strip()
    if not _PHONE.match(clean_phone):
        raise InvalidInput("invalid_phone", N_("Please enter a phone number we can reach."))
    return clean_name, identity, clean_phone


def find_or_create(
    session: Session,
    secret_key: str,
    name: str,
    identity: Identity,
    phone: str,
    now: dt.datetime,
    *,
    ring: KeyRing,
) -> Patient:
    """The patient with this ID (created on first sight, her ID sealed with ``ring``; concurrent first sights are
    safe)."""
    key = id_hash(secret_key, identity)
    patient = session.execute(select(Patient).where(Patient.id_hash == key)).scalar_one_or_none()
    if patient is not None:
        if patient.phone != phone:
            patient.phone = phone
        return patient
    values = {
        "id_kind": identity.kind.value,
        "id_hash": key,
        "id_number_sealed": ring.seal(identity.number, id_number_binding(key)),
        "id_last4": identity.last4,
        "name": name,
        "phone": phone,
        "birth_date": identity.birth_date,
        "sex": identity.sex,
        "created_at": now,
    }
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(maker(Patient).values(**values).on_conflict_do_nothing())
    patient = session.execute(select(Patient).where(Patient.id_hash == key)).scalar_one()
    if patient.record_number is None:
        identifiers.assign_record_number(session, patient.id)
        session.refresh(patient)
    return patient


@dataclass(frozen=True)
class PatientRow:
    id: int
    name: str
    masked_id: str
    record_number: str


def upsert(
    session: Session,
    secret_key: str,
    name: str,
    identity: Identity,
    phone: str,
    now: dt.datetime,
    *,
    ring: KeyRing,
    email: str | None = None,
    lang: str | None = None,
) -> PatientRow:
    """Find or create in ONE statement (``INSERT … ON CONFLICT (id_hash) DO UPDATE SET phone … RETURNING``): the
    rush path's round trips matter. The name stays as first registered; the phone is the latest given; an email
    or a language is updated only when given."""
    key = id_hash(secret_key, identity)
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = maker(Patient).values(
        id_kind=identity.kind.value,
        id_hash=key,
        id_number_sealed=ring.seal(identity.number, id_number_binding(key)),
        id_last4=identity.last4,
        name=name,
        phone=phone,
        birth_date=identity.birth_date,
        sex=identity.sex,
        created_at=now,
        email=email,
        preferred_lang=lang or "zh_CN",
    )
    updates: dict[str, object] = {"phone": stmt.excluded.phone}
    if email is not None:
        updates["email"] = stmt.excluded.email
    if lang is not None:
        updates["preferred_lang"] = stmt.excluded.preferred_lang
    stmt = stmt.on_conflict_do_update(index_elements=["id_hash"], set_=updates)
    row = session.execute(stmt.returning(Patient.id, Patient.name, Patient.record_number)).one()
    # Only the transaction that created her finds no record number: one more statement on her first visit only.
    record = row[2] if row[2] is not None else identifiers.assign_record_number(session, int(row[0]))
    return PatientRow(int(row[0]), str(row[1]), masked_from_last4(identity.kind.value, identity.last4), str(record))
