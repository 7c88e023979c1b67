"""FHIR JSON on the wire: ``application/fhir+json; charset=utf-8`` and the instants in clinic time with offset."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from starlette.responses import JSONResponse

FHIR_JSON = "application/fhir+json"


class FhirResponse(JSONResponse):
    media_type = FHIR_JSON

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def instant(value: dt.datetime | None, tz: ZoneInfo) -> str | None:
    """An aware instant in clinic time (``2026-11-20T07:30:00+08:00``); stored naive values are UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(tz).isoformat(timespec="seconds")


def local(day: dt.date, time: dt.time, tz: ZoneInfo) -> str:
    """A clinic-local wall time on ``day`` as an instant with its offset."""
    return dt.datetime.combine(day, time, tz).isoformat(timespec="seconds")


def clean(value: Any) -> Any:
    """Drop None, empty lists and empty objects (FHIR forbids empty elements)."""
    if isinstance(value, dict):
        out = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        items = [clean(v) for v in value]
        return [v for v in items if v not in (None, [], {}, "")]
    return value


def tidy(resource: dict[str, Any]) -> dict[str, Any]:
    """:func:`clean` for one resource."""
    out = clean(resource)
    assert isinstance(out, dict)
    return out
