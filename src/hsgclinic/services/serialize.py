"""JSON for what the services store: domain inputs, findings and messages (so they can be rendered again later)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.messages import Localized, Message


def jsonable(value: Any) -> Any:
    """Plain JSON (dates ISO, Decimals as strings, enums by value, sets sorted)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def encode_param(value: object) -> object:
    if isinstance(value, Message):
        return {"$message": encode_message(value)}
    if isinstance(value, Localized):
        return {"$localized": {"zh": value.zh, "en": value.en}}
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return {"$date": value.isoformat()}
    if isinstance(value, tuple | list):
        return {"$tuple": [encode_param(v) for v in value]}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    return value


def decode_param(value: object) -> object:
    if isinstance(value, dict):
        if "$message" in value:
            return decode_message(value["$message"])
        if "$localized" in value:
            return Localized(value["$localized"]["zh"], value["$localized"]["en"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        if "$tuple" in value:
            return tuple(decode_param(v) for v in value["$tuple"])
        if "$decimal" in value:
            return Decimal(value["$decimal"])
    return value


def encode_message(message: Message) -> dict[str, Any]:
    return {"msgid": message.msgid, "params": {k: encode_param(v) for k, v in message.params.items()}}


def decode_message(data: Mapping[str, Any]) -> Message:
    params = {k: decode_param(v) for k, v in dict(data.get("params", {})).items()}
    return Message(str(data["msgid"]), MappingProxyType(params))


def encode_findings(findings: Iterable[Finding]) -> dict[str, Any]:
    return {
        "items": [{"rule": f.rule, "outcome": f.outcome.value, "message": encode_message(f.message)} for f in findings]
    }


def decode_findings(data: Mapping[str, Any]) -> tuple[Finding, ...]:
    return tuple(
        Finding(str(i["rule"]), Outcome(i["outcome"]), decode_message(i["message"])) for i in data.get("items", [])
    )
