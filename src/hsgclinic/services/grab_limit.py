"""The number-grab rate limit: ``grab_rate_per_minute`` attempts per client per clock minute, counted
in the database so that every server process and host enforces ONE limit (docs/decisions/0001-scarce-places.md).

``count_grab`` runs BEFORE the grant, in its own one-statement transaction (autocommit on PostgreSQL; on SQLite a
write transaction behind the process's write lock), and never touches a day counter. Every attempt counts, the
refused ones included, so a client that sends N attempts in a minute is refused exactly N − limit times.
"""

from __future__ import annotations

import threading

from hsgclinic.domain.messages import N_
from hsgclinic.persistence import rate_limits
from hsgclinic.services.context import ServiceContext
from hsgclinic.services.errors import TooManyRequests

KEEP_MINUTES = 2  # windows older than this are deleted (the current and the previous minute are kept)

_pruned_minute = 0  # per process, the last minute this process pruned in: a chore timer, never a decision
_prune_lock = threading.Lock()


def _due_for_pruning(minute: int) -> bool:
    global _pruned_minute
    with _prune_lock:
        if minute <= _pruned_minute:
            return False
        _pruned_minute = minute
        return True


def count_grab(ctx: ServiceContext, client_key: str) -> None:
    """Count one number-grab attempt of ``client_key`` (its address); refuse it past the limit (HTTP 429, with
    ``details.retry_after`` = seconds to the next minute)."""
    now = ctx.now().timestamp()
    minute = int(now // 60)
    key = client_key[:64] or "-"
    with ctx.uow(write=True, single_statement=True) as uow:
        count = rate_limits.bump(uow.session, key, minute)
        uow.commit()
    if _due_for_pruning(minute):  # at most once a minute per process, in its own tiny transaction
        with ctx.uow(write=True, single_statement=True) as uow:
            rate_limits.prune(uow.session, minute - KEEP_MINUTES + 1)
            uow.commit()
    limit = ctx.settings.grab_rate_per_minute
    if count > limit:
        retry_after = max(1, 60 - int(now % 60))
        raise TooManyRequests(
            "rate_limited",
            N_("Too many attempts from your address; please try again in {seconds} seconds.", seconds=retry_after),
            details={"retry_after": retry_after, "limit_per_minute": limit},
        )
