"""``Idempotency-Key``: a retried request gets the first answer, never a second number."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import IdempotencyKey
from hsgclinic.services.errors import InvalidInput


def request_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def lookup(session: Session, scope: str, key: str, digest: str) -> dict[str, Any] | None:
    """The stored answer for ``key`` (None if new); the same key with a different request is refused."""
    row = session.execute(
        select(IdempotencyKey).where(IdempotencyKey.scope == scope, IdempotencyKey.key == key)
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.request_hash != digest:
        raise InvalidInput(
            "idempotency_key_reused", N_("This Idempotency-Key was already used for a different request.")
        )
    return dict(row.response)


def store(
    session: Session, scope: str, key: str, digest: str, status_code: int, response: dict[str, Any], now: dt.datetime
) -> None:
    session.execute(
        insert(IdempotencyKey).values(
            scope=scope, key=key, request_hash=digest, status_code=status_code, response=response, created_at=now
        )
    )
