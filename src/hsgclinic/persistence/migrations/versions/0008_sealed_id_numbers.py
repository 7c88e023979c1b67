"""resident ID numbers sealed at rest (AES-256-GCM, issue 11): ``patients.id_number_sealed`` replaces the plain
``id_number``; every existing row is sealed under the first key of ``HSGCLINIC_DATA_KEYS`` (bound to its
``id_hash``) before the plain column is dropped. ``patients.erased_at`` marks a patient whose personal data was
erased (DATA-ERASE); the row stays as the pseudonym the audit trail refers to.

Both column changes are plain ``ALTER TABLE … ADD/DROP COLUMN`` (SQLite ≥ 3.35 drops a column in place), so the
patients table, which many foreign keys point at, is never copied.

The key ring comes from the Alembic config's ``data_key_spec`` attribute (``schema.upgrade(engine, settings)``) or,
when run on its own, from the settings in the environment; it is only read when there are rows to seal.

Revision ID: 0008_sealed_id_numbers
Revises: 0007_record_numbers
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa
from alembic import op

if TYPE_CHECKING:
    from hsgclinic.persistence.sealing import KeyRing

revision: str = "0008_sealed_id_numbers"
down_revision: str | None = "0007_record_numbers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500


def _key_ring() -> KeyRing:
    from hsgclinic.persistence.sealing import KeyRing

    config = op.get_context().config
    spec = config.attributes.get("data_key_spec") if config is not None else None
    if not spec:
        from hsgclinic.config import load_settings

        spec = load_settings().data_key_spec
    return KeyRing.parse(spec)


def upgrade() -> None:
    from hsgclinic.persistence.sealing import id_number_binding

    op.add_column("patients", sa.Column("id_number_sealed", sa.String(length=200), nullable=True))
    op.add_column("patients", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    patients = sa.table(
        "patients",
        sa.column("id", sa.Integer),
        sa.column("id_hash", sa.String),
        sa.column("id_number", sa.String),
        sa.column("id_number_sealed", sa.String),
    )
    ring = None
    last = 0
    while True:
        rows = bind.execute(
            sa.select(patients.c.id, patients.c.id_hash, patients.c.id_number)
            .where(patients.c.id > last, patients.c.id_number_sealed.is_(None))
            .order_by(patients.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        ring = ring or _key_ring()
        for row_id, id_hash, number in rows:
            bind.execute(
                patients.update()
                .where(patients.c.id == row_id)
                .values(id_number_sealed=ring.seal(number, id_number_binding(id_hash)))
            )
        last = rows[-1][0]
    op.drop_column("patients", "id_number")


def downgrade() -> None:
    from hsgclinic.persistence.sealing import id_number_binding

    op.add_column("patients", sa.Column("id_number", sa.String(length=32), nullable=False, server_default=""))
    bind = op.get_bind()
    patients = sa.table(
        "patients",
        sa.column("id", sa.Integer),
        sa.column("id_hash", sa.String),
        sa.column("id_number", sa.String),
        sa.column("id_number_sealed", sa.String),
    )
    ring = None
    for row_id, id_hash, sealed in bind.execute(
        sa.select(patients.c.id, patients.c.id_hash, patients.c.id_number_sealed).where(
            patients.c.id_number_sealed.is_not(None)
        )
    ).all():
        ring = ring or _key_ring()
        bind.execute(
            patients.update()
            .where(patients.c.id == row_id)
            .values(id_number=ring.open(sealed, id_number_binding(id_hash)))
        )
    if bind.dialect.name == "postgresql":
        op.alter_column("patients", "id_number", server_default=None)
    op.drop_column("patients", "erased_at")
    op.drop_column("patients", "id_number_sealed")
