"""The JSON API's strict value types: what the OpenAPI says is exactly what is accepted (docs/security.md).

Pydantic's lax mode would take ``0`` or ``"2026-11-20T00:00"`` for a date (a Unix time, a midnight datetime) and a
string with a NUL character for a name (which PostgreSQL cannot store: a 500 instead of a 422). These types refuse
both with the usual 422 naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer, StringConstraints, WithJsonSchema

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _iso_date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        return value
    raise ValueError("a date written YYYY-MM-DD")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return value
    raise ValueError("a date and time written YYYY-MM-DDTHH:MM[:SS][+08:00]")


def _hhmm(value: Any) -> Any:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str) and _HHMM.match(value):
        return value
    raise ValueError("a time written HH:MM")


def no_control_characters(value: str) -> str:
    """Text a person typed: tabs and line breaks are fine, other control characters (NUL …) are refused."""
    if _CONTROL.search(value):
        raise ValueError("text with control characters")
    return value


ApiDate = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar day, ``YYYY-MM-DD`` only."""

ApiDateTime = Annotated[
    dt.datetime,
    BeforeValidator(_iso_datetime),
    WithJsonSchema({"type": "string", "pattern": _ISO_DATETIME.pattern, "examples": ["2026-11-22T08:15:00+08:00"]}),
]
"""An instant, ISO 8601 ``YYYY-MM-DDTHH:MM[:SS][offset]``; without an offset it is clinic time (Asia/Shanghai)."""

ApiTime = Annotated[
    dt.time,
    BeforeValidator(_hhmm),
    PlainSerializer(lambda t: t.strftime("%H:%M"), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": _HHMM.pattern, "examples": ["07:00"]}),
]
"""A clinic time, ``HH:MM`` both ways (an RFC 3339 ``time`` would need a UTC offset)."""

Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
"""Free text: no control characters but tab, CR and LF."""


def text(*, min_length: int | None = None, max_length: int, pattern: str | None = None, **extra: Any) -> Any:
    """``Field`` for a :data:`Text` value (lengths in characters)."""
    return Field(min_length=min_length, max_length=max_length, pattern=pattern, **extra)
