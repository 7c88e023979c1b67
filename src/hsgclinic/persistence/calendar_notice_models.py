"""CAL-SOURCE: a year's State Council holiday notice, loaded by an administrator and kept as a whole document.

One row per year. The calendar built for that year uses the notice instead of the ``holidays`` package's
rule-based guess, and marks the year official; single-day overrides (``calendar_overrides``) still apply on top.
Loading a later notice for the same year replaces the row; removing it brings the package's guess back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hsgclinic.persistence.base import Base


class CalendarNoticeRow(Base):
    __tablename__ = "calendar_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(unique=True)
    notice: Mapped[dict[str, Any]]  # the document as ``calendar_source.parse_notice`` reads it
    loaded_at: Mapped[dt.datetime]
    loaded_by: Mapped[str] = mapped_column(String(100))
