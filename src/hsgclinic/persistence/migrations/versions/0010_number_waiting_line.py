"""number_waiting_line: people waiting, in arrival order, for a number of a sold-out day (REG-LINE)

Revision ID: 0010_number_waiting_line
Revises: 0009_dicom_mpps
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_number_waiting_line"
down_revision: str | None = "0009_dicom_mpps"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "number_waiting_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=True),
        sa.Column("access_code", sa.String(length=16), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_number_waiting_line_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration_numbers.id"],
            name=op.f("fk_number_waiting_line_registration_id_registration_numbers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_waiting_line")),
        sa.UniqueConstraint("access_code", name=op.f("uq_number_waiting_line_access_code")),
        sa.UniqueConstraint("day", "patient_id", "active", name=op.f("uq_number_waiting_line_day_patient_id_active")),
    )
    op.create_index("ix_number_waiting_line_day_active", "number_waiting_line", ["day", "active"], unique=False)
    op.create_index(op.f("ix_number_waiting_line_patient_id"), "number_waiting_line", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_number_waiting_line_patient_id"), table_name="number_waiting_line")
    op.drop_index("ix_number_waiting_line_day_active", table_name="number_waiting_line")
    op.drop_table("number_waiting_line")
