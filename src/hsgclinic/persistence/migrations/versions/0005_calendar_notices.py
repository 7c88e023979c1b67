"""calendar_notices: a year's State Council holiday notice loaded by an administrator, one row per year (CAL-SOURCE)

Revision ID: 0005_calendar_notices
Revises: 0004_patient_contact
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_calendar_notices"
down_revision: str | None = "0004_patient_contact"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("notice", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_notices")),
        sa.UniqueConstraint("year", name=op.f("uq_calendar_notices_year")),
    )


def downgrade() -> None:
    op.drop_table("calendar_notices")
