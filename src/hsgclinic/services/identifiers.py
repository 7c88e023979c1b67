"""The identifiers the clinic hands to other systems (DICOM worklist, FHIR, HL7): her hospital record number and,
per booked procedure, the accession number and the pre-assigned StudyInstanceUID.

* ``patients.record_number`` — ``HSG`` + 8 digits of her row id: assigned in the transaction that creates her,
  never changed, never derived from (or revealing) her ID number. On PostgreSQL the INSERT itself sets it (a
  trigger, migration 0011); on SQLite :func:`assign_record_number` does, in the same transaction.
* ``procedure_appointments.accession_number`` — ``A`` + 9 digits of the first booking's row id, and
  ``study_instance_uid`` — a ``2.25.<UUID>`` UID (ISO/IEC 9834-8, no registered root needed). Both are fixed when
  the procedure is first booked and carried over when it is rescheduled (a new row): the modality, the PACS and
  the FHIR ServiceRequest keep seeing the same order.

Other services call :func:`assign_record_number` / :func:`assign_order` inside their own transaction, and
:func:`for_appointment` / :func:`read` to read them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import Patient, ProcedureAppointment
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, ServiceContext
from hsgclinic.services.errors import NotFound

RECORD_PREFIX = "HSG"
ACCESSION_PREFIX = "A"


def record_number_of(patient_id: int) -> str:
    """Her hospital record number, from her row id (e.g. ``HSG00000123``)."""
    return f"{RECORD_PREFIX}{patient_id:08d}"


def accession_of(appointment_id: int) -> str:
    """The accession number of an order first booked as this appointment row (e.g. ``A000000042``)."""
    return f"{ACCESSION_PREFIX}{appointment_id:09d}"


def new_study_uid() -> str:
    """A fresh StudyInstanceUID under the UUID arc 2.25 (at most 44 characters)."""
    return f"2.25.{uuid.uuid4().int}"


def assign_record_number(session: Session, patient_id: int) -> str:
    """Give the patient her record number if she has none yet (only the creating transaction finds none)."""
    number = record_number_of(patient_id)
    session.execute(
        update(Patient)
        .where(Patient.id == patient_id, Patient.record_number.is_(None))
        .values(record_number=number)
        .execution_options(synchronize_session=False)
    )
    return number


def assign_order(
    session: Session, appointment: ProcedureAppointment, *, carried_from: ProcedureAppointment | None
) -> None:
    """Fix the order's accession number and study UID on a new appointment row: a reschedule keeps the old row's."""
    if carried_from is not None and carried_from.accession_number and carried_from.study_instance_uid:
        appointment.accession_number = carried_from.accession_number
        appointment.study_instance_uid = carried_from.study_instance_uid
    else:
        appointment.accession_number = accession_of(appointment.id)
        appointment.study_instance_uid = new_study_uid()


@dataclass(frozen=True)
class OrderIdentifiers:
    appointment_id: int
    patient_id: int
    record_number: str
    accession_number: str
    study_instance_uid: str


def for_appointment(session: Session, appointment_id: int) -> OrderIdentifiers | None:
    """The identifiers of one appointment, inside the caller's transaction (the caller audits its read)."""
    row = session.execute(
        select(
            ProcedureAppointment.id,
            ProcedureAppointment.patient_id,
            Patient.record_number,
            ProcedureAppointment.accession_number,
            ProcedureAppointment.study_instance_uid,
        )
        .join(Patient, Patient.id == ProcedureAppointment.patient_id)
        .where(ProcedureAppointment.id == appointment_id)
    ).one_or_none()
    if row is None:
        return None
    appt_id, patient_id, record, accession, study = row
    return OrderIdentifiers(
        appointment_id=int(appt_id),
        patient_id=int(patient_id),
        record_number=str(record or record_number_of(int(patient_id))),
        accession_number=str(accession or accession_of(int(appt_id))),
        study_instance_uid=str(study or ""),
    )


def live_by_accession(session: Session, accession_number: str) -> ProcedureAppointment | None:
    """The appointment that currently carries this accession number: the live booking, else the latest row."""
    return session.execute(
        select(ProcedureAppointment)
        .where(ProcedureAppointment.accession_number == accession_number)
        .order_by(ProcedureAppointment.active.is_(True).desc(), ProcedureAppointment.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def read(ctx: ServiceContext, actor: Actor, appointment_id: int) -> OrderIdentifiers:
    """Staff (or the patient herself) read an appointment's identifiers; audited."""
    with ctx.write() as uow:
        s = uow.session
        ids = for_appointment(s, appointment_id)
        if ids is None or (not actor.is_staff and actor.patient_id != ids.patient_id):
            raise NotFound("not_found", N_("No such appointment."))
        audit.record(
            s,
            actor,
            "identifiers.read",
            "procedure_appointment",
            appointment_id,
            at=ctx.now(),
            patient_id=ids.patient_id,
        )
        uow.commit()
        return ids
