"""grab_windows: number-grab attempts per client per minute, counted in the database (one limit for every server)

On PostgreSQL the table is UNLOGGED: the per-attempt bump writes no WAL and commits without a disk flush; after a
crash the table is empty, which only forgets the current minute's counts (and it is not copied to standbys).

Revision ID: 0006_grab_windows
Revises: 0005_calendar_notices
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_grab_windows"
down_revision: str | None = "0005_calendar_notices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    unlogged = ["UNLOGGED"] if op.get_bind().dialect.name == "postgresql" else []
    op.create_table(
        "grab_windows",
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_minute", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_key", "window_minute", name=op.f("pk_grab_windows")),
        prefixes=unlogged,
    )
    op.create_index(op.f("ix_grab_windows_window_minute"), "grab_windows", ["window_minute"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_grab_windows_window_minute"), table_name="grab_windows")
    op.drop_table("grab_windows")
