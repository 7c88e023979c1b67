"""The rush's losers at the door: ``POST /api/v1/registrations`` for a day this server knows is sold out is
answered before routing (docs/decisions/0004-rush-tail.md).

FastAPI's routing and dependency solving cost more than the whole answer of a sold-out day, and most of a rush is
phones and bots retrying after the last number has gone. This ASGI middleware reads the request's JSON body,
and when its ``date`` is on the process's :class:`~hsgclinic.services.sold_out.SoldOutBoard` it sends the very
answer the route would have sent (409 ``sold_out``, REG-QUOTA, in the reader's language; the response bytes are
kept per day and language). Everything else — another path or method, an ``Idempotency-Key`` (her stored answer
may exist), a body that is not JSON or has no valid date, a day not on the board — goes on to the route with the
body replayed. It sits inside the security middleware, so the answer carries the same headers as every other.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hsgclinic.i18n import Translator, negotiate
from hsgclinic.services import registration
from hsgclinic.services.context import ServiceContext
from hsgclinic.web.errors import service_error_body

PATH = "/api/v1/registrations"
MAX_BODY = 16_384  # a take-a-number body is ~150 bytes; anything larger is the route's business
_CACHE_LIMIT = 64


class SoldOutGate:
    def __init__(self, app: ASGIApp, *, ctx: ServiceContext) -> None:
        self.app = app
        self.ctx = ctx
        self._answers: dict[tuple[dt.date, str], bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
            or not self.ctx.sold_out.enabled
            or not self.ctx.sold_out.marked_days()
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if b"idempotency-key" in headers:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        day = _day_of(body) if complete else None
        if day is not None and self.ctx.sold_out.is_sold_out(day):
            locale = negotiate(headers.get(b"accept-language", b"").decode("latin-1"))
            payload = self._answer(day, locale)
            await send(
                {
                    "type": "http.response.start",
                    "status": 409,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": payload})
            return
        await self.app(scope, _replay(body, complete, receive), send)

    def _answer(self, day: dt.date, locale: str) -> bytes:
        key = (day, locale)
        cached = self._answers.get(key)
        if cached is None:
            answer = service_error_body(Translator(locale), registration.sold_out_refusal(day))
            cached = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
            if len(self._answers) >= _CACHE_LIMIT:
                self._answers.clear()
            self._answers[key] = cached
        return cached


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, and whether it is whole (False: too large or the client went away — not ours to judge)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_BODY:
            return b"".join(chunks), False


def _day_of(body: bytes) -> dt.date | None:
    try:
        data: Any = json.loads(body)
        return (
            dt.date.fromisoformat(data["date"])
            if isinstance(data, dict) and isinstance(data.get("date"), str)
            else None
        )
    except (ValueError, KeyError):
        return None


def _replay(body: bytes, complete: bool, receive: Receive) -> Receive:
    """Hand the route the body already read, then the rest of the stream (or the disconnect) as it comes."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replayed
