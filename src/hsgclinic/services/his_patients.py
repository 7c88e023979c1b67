"""A patient registered or updated by the hospital's HIS (HL7 ADT^A04 / ADT^A08): one use case, one transaction.

The person is validated exactly as at the desk (:func:`patients.parse_person`: real name, resident ID with its
GB 11643 check digit or a passport number, a reachable phone — REG-REALNAME) and stored the same way
(:func:`patients.upsert`). A registration (A04) of someone already known keeps the name as first registered and
takes the new phone, as the desk does; an update (A08) must name a known patient and may also correct the name.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import Patient
from hsgclinic.services import audit, patients
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import Forbidden, NotFound


@dataclass(frozen=True)
class HisPerson:
    name: str
    id_number: str
    phone: str
    id_kind: str = "resident"  # or "passport"


@dataclass(frozen=True)
class HisResult:
    patient_id: int
    created: bool


def register_or_update(ctx: ServiceContext, actor: Actor, person: HisPerson, *, update: bool) -> HisResult:
    """A04 (``update=False``): find or create; A08 (``update=True``): the known patient's name and phone."""
    if not actor.is_staff:
        raise Forbidden("forbidden", N_("Your role may not do this."))
    name, identity, phone = patients.parse_person(person.name, person.id_number, person.phone, person.id_kind)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        key = patients.id_hash(ctx.settings.secret_key, identity)
        known = s.execute(select(Patient).where(Patient.id_hash == key)).scalar_one_or_none()
        if update:
            if known is None:
                raise NotFound("unknown_patient", N_("No patient with this ID is registered."), rule="REG-REALNAME")
            changed = [f for f, old, new in (("name", known.name, name), ("phone", known.phone, phone)) if old != new]
            known.name, known.phone = name, phone
            patient_id, created = known.id, False
            action, detail = "patient.update", {"source": "hl7", "changed": changed}
        else:
            row = patients.upsert(s, ctx.settings.secret_key, name, identity, phone, now, ring=ctx.key_ring)
            patient_id, created = row.id, known is None
            action, detail = ("patient.create" if created else "patient.update"), {"source": "hl7"}
        audit.record(s, actor, action, "patient", patient_id, at=now, patient_id=patient_id, detail=detail)
        uow.commit()
    return HisResult(patient_id, created)
