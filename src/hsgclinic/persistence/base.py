"""Declarative base: a MetaData naming convention (stable constraint names for Alembic) and UTC datetimes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, MetaData, Numeric, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """An instant, stored in UTC; always read back as an aware datetime (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        instant: dt.datetime = value
        if instant.tzinfo is None:
            return instant.replace(tzinfo=dt.UTC)
        return instant.astimezone(dt.UTC)


Money = Numeric(10, 2, asdecimal=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime(), Decimal: Money, dict[str, Any]: JSON()}  # noqa: RUF012


def load_all_models() -> None:
    """Import every module that defines tables: ``persistence.models`` and any ``persistence/*_models.py`` (other
    areas keep their tables beside ours), so that ``Base.metadata`` is complete for Alembic and ``db check``."""
    import importlib
    import pkgutil

    import hsgclinic.persistence as package

    importlib.import_module("hsgclinic.persistence.models")
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.endswith("_models"):
            importlib.import_module(f"hsgclinic.persistence.{info.name}")
