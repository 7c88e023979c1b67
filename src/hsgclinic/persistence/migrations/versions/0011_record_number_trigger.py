"""PostgreSQL gives a new patient her hospital record number in the INSERT itself (a BEFORE INSERT trigger), so
the rush's one-statement patient upsert needs no second round trip; SQLite keeps the in-process UPDATE of
services/identifiers.py (same value: ``HSG`` + at least 8 digits of her id).

Revision ID: 0011_record_number_trigger
Revises: 0010_number_waiting_line
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0011_record_number_trigger"
down_revision: str | None = "0010_number_waiting_line"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION patients_record_number() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.record_number IS NULL THEN
                NEW.record_number := 'HSG' || CASE WHEN length(NEW.id::text) >= 8 THEN NEW.id::text
                                                   ELSE lpad(NEW.id::text, 8, '0') END;
            END IF;
            RETURN NEW;
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER patients_record_number BEFORE INSERT ON patients "
        "FOR EACH ROW EXECUTE FUNCTION patients_record_number()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER patients_record_number ON patients")
    op.execute("DROP FUNCTION patients_record_number()")
