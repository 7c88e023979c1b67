"""patients get an optional email and a preferred language for their messages (issue 5, "Reminders")

Revision ID: 0004_patient_contact
Revises: 0003_audit_append_only
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_patient_contact"
down_revision: str | None = "0003_audit_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("preferred_lang", sa.String(length=8), server_default="zh_CN", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_column("preferred_lang")
        batch_op.drop_column("email")
