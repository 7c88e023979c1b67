"""the DICOM service's tables: Modality Performed Procedure Steps and the exchange log (issue 9)

Revision ID: 0009_dicom_mpps
Revises: 0008_sealed_id_numbers
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_dicom_mpps"
down_revision: str | None = "0008_sealed_id_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "performed_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sop_instance_uid", sa.String(length=64), nullable=False),
        sa.Column("appointment_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("station_ae_title", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fluoroscopy_s", sa.Numeric(precision=7, scale=1), nullable=True),
        sa.Column("exposures", sa.Integer(), nullable=True),
        sa.Column("dap_gy_cm2", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("entrance_dose_mgy", sa.Numeric(precision=10, scale=3), nullable=True),
        sa.Column("discontinuation_reason", sa.Text(), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("review", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["procedure_appointments.id"],
            name=op.f("fk_performed_steps_appointment_id_procedure_appointments"),
        ),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_performed_steps_patient_id_patients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performed_steps")),
        sa.UniqueConstraint("sop_instance_uid", name=op.f("uq_performed_steps_sop_instance_uid")),
    )
    op.create_index(op.f("ix_performed_steps_appointment_id"), "performed_steps", ["appointment_id"], unique=False)
    op.create_index(op.f("ix_performed_steps_patient_id"), "performed_steps", ["patient_id"], unique=False)
    op.create_table(
        "dicom_exchanges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("calling_ae_title", sa.String(length=16), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dicom_exchanges")),
    )
    op.create_index(op.f("ix_dicom_exchanges_at"), "dicom_exchanges", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_dicom_exchanges_at"), table_name="dicom_exchanges")
    op.drop_table("dicom_exchanges")
    op.drop_index(op.f("ix_performed_steps_patient_id"), table_name="performed_steps")
    op.drop_index(op.f("ix_performed_steps_appointment_id"), table_name="performed_steps")
    op.drop_table("performed_steps")
