"""Search parameters and searchset Bundles with paging (``_count``, ``_offset``, links self/first/next/previous)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from hsgclinic.domain.messages import N_, Message
from hsgclinic.fhir.outcome import FhirError

DEFAULT_COUNT = 20
MAX_COUNT = 200
PAGING = ("_count", "_offset")
IGNORED = ("_format", "_pretty")  # harmless: always JSON


def invalid(message: Message) -> FhirError:
    return FhirError(400, "invalid", "invalid_search", message)


@dataclass(frozen=True)
class Args:
    """The query of one search, checked against the parameters the resource declares."""

    values: Mapping[str, list[str]]
    count: int
    offset: int

    def one(self, name: str) -> str | None:
        got = self.values.get(name) or []
        if len(got) > 1:
            raise invalid(N_("Give the search parameter {name} once.", name=name))
        return got[0] if got else None

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name) or [])

    def reference(self, name: str, kind: str) -> int | None:
        """``patient=12`` or ``patient=Patient/12`` → 12."""
        raw = self.one(name)
        if raw is None:
            return None
        tail = raw.rsplit("/", 1)
        if len(tail) == 2 and not tail[0].endswith(kind):
            raise invalid(N_("The search parameter {name} refers to a {kind}.", name=name, kind=kind))
        try:
            value = int(tail[-1])
        except ValueError:
            raise invalid(N_("The search parameter {name} refers to a {kind}.", name=name, kind=kind)) from None
        if not 1 <= value <= 2**31 - 1:
            raise invalid(N_("The search parameter {name} refers to a {kind}.", name=name, kind=kind))
        return value

    def days(self, name: str) -> tuple[dt.date | None, dt.date | None]:
        """Date prefixes eq/ge/gt/le/lt (days, clinic time) → an inclusive (first, last) range."""
        first: dt.date | None = None
        last: dt.date | None = None
        for raw in self.all(name):
            prefix, text = (raw[:2], raw[2:]) if raw[:2] in ("eq", "ge", "gt", "le", "lt") else ("eq", raw)
            try:
                day = dt.date.fromisoformat(text[:10])
            except ValueError:
                raise invalid(N_("The search parameter {name} takes a date (YYYY-MM-DD).", name=name)) from None
            if prefix in ("eq", "ge"):
                first = max(first, day) if first else day
            if prefix == "gt":
                nxt = day + dt.timedelta(days=1)
                first = max(first, nxt) if first else nxt
            if prefix in ("eq", "le"):
                last = min(last, day) if last else day
            if prefix == "lt":
                prev = day - dt.timedelta(days=1)
                last = min(last, prev) if last else prev
        return first, last

    def token(self, name: str, system: str | None = None) -> tuple[str | None, str] | None:
        raw = self.one(name)
        if raw is None:
            return None
        sys_, bar, code = raw.partition("|")
        return (sys_ or None, code) if bar else (system, raw)


def parse(query: QueryParams, declared: Sequence[str]) -> Args:
    values: dict[str, list[str]] = {}
    for key, value in query.multi_items():
        if key in IGNORED:
            continue
        if key not in declared and key not in PAGING:
            raise FhirError(
                400,
                "not-supported",
                "unknown_parameter",
                N_("This server does not support the search parameter {name}.", name=key),
            )
        values.setdefault(key, []).append(value)
    count = _int(values.pop("_count", []), "_count", DEFAULT_COUNT)
    offset = _int(values.pop("_offset", []), "_offset", 0)
    return Args(values, max(0, min(count, MAX_COUNT)), offset)


def _int(raw: list[str], name: str, default: int) -> int:
    if not raw:
        return default
    try:
        value = int(raw[-1])
    except ValueError:
        raise invalid(N_("The search parameter {name} takes a whole number.", name=name)) from None
    if value < 0 or value > 1_000_000:
        raise invalid(N_("The search parameter {name} takes a whole number.", name=name))
    return value


def searchset(
    base: str, kind: str, args: Args, resources: list[dict[str, Any]], total: int, extra: Sequence[dict[str, Any]] = ()
) -> dict[str, Any]:
    """A searchset Bundle: ``total``, absolute fullUrls and paging links that keep the other parameters."""
    params = [(k, v) for k, vs in args.values.items() for v in vs]

    def link(relation: str, offset: int) -> dict[str, str]:
        query = urlencode([*params, ("_count", str(args.count)), ("_offset", str(offset))])
        return {"relation": relation, "url": f"{base}/{kind}?{query}"}

    links = [link("self", args.offset), link("first", 0)]
    if args.count and args.offset + args.count < total:
        links.append(link("next", args.offset + args.count))
    if args.offset > 0:
        links.append(link("previous", max(0, args.offset - max(args.count, 1))))
    if args.count:
        links.append(link("last", ((max(total, 1) - 1) // args.count) * args.count))
    entries = [
        {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
        for r in resources
    ]
    entries += [
        {"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "include"}}
        for r in extra
    ]
    return {"resourceType": "Bundle", "type": "searchset", "total": total, "link": links, "entry": entries}
