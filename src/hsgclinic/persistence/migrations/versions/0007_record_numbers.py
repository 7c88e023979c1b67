"""hospital record numbers for patients; accession number and pre-assigned StudyInstanceUID per appointment
(issue 9, DICOM Modality Worklist). Existing rows are backfilled: ``HSG`` + 8 digits of the patient's id,
``A`` + 9 digits of the appointment's id, and a fresh ``2.25.<UUID>`` study UID per appointment.

Revision ID: 0007_record_numbers
Revises: 0006_grab_windows
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_record_numbers"
down_revision: str | None = "0006_grab_windows"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("record_number", sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_patients_record_number"), ["record_number"])
    with op.batch_alter_table("procedure_appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accession_number", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("study_instance_uid", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_procedure_appointments_accession_number_active"), ["accession_number", "active"]
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_procedure_appointments_study_instance_uid_active"), ["study_instance_uid", "active"]
        )

    bind = op.get_bind()
    patients = sa.table("patients", sa.column("id", sa.Integer), sa.column("record_number", sa.String))
    appointments = sa.table(
        "procedure_appointments",
        sa.column("id", sa.Integer),
        sa.column("accession_number", sa.String),
        sa.column("study_instance_uid", sa.String),
    )
    for (patient_id,) in bind.execute(sa.select(patients.c.id).where(patients.c.record_number.is_(None))):
        bind.execute(patients.update().where(patients.c.id == patient_id).values(record_number=f"HSG{patient_id:08d}"))
    for (appointment_id,) in bind.execute(
        sa.select(appointments.c.id).where(appointments.c.accession_number.is_(None))
    ):
        bind.execute(
            appointments.update()
            .where(appointments.c.id == appointment_id)
            .values(accession_number=f"A{appointment_id:09d}", study_instance_uid=f"2.25.{uuid.uuid4().int}")
        )


def downgrade() -> None:
    with op.batch_alter_table("procedure_appointments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_procedure_appointments_study_instance_uid_active"), type_="unique")
        batch_op.drop_constraint(batch_op.f("uq_procedure_appointments_accession_number_active"), type_="unique")
        batch_op.drop_column("study_instance_uid")
        batch_op.drop_column("accession_number")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_patients_record_number"), type_="unique")
        batch_op.drop_column("record_number")
