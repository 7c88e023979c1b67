"""Admin: the audit trail searched by date range, actor, action and record, a page at a time.

Reading the trail is itself recorded (``audit.search``), like :func:`hsgclinic.services.admin.list_audit`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select

from hsgclinic.persistence.models import AuditEvent
from hsgclinic.services import audit
from hsgclinic.services.admin import AuditView
from hsgclinic.services.context import Actor, ServiceContext

MAX_PER_PAGE = 200


@dataclass(frozen=True)
class AuditFilter:
    """``first``/``last`` are clinic-local days (inclusive); ``record`` matches ``type`` or ``type:id``."""

    first: dt.date | None = None
    last: dt.date | None = None
    actor: str | None = None
    action: str | None = None
    record: str | None = None


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditView]
    total: int
    page: int
    per_page: int
    actions: list[str]  # every action in the trail, for the filter's choices
    actors: list[str]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _where(q: Select[Any], f: AuditFilter, ctx: ServiceContext) -> Select[Any]:
    if f.first is not None:
        start = dt.datetime.combine(f.first, dt.time(0), ctx.tz).astimezone(dt.UTC)
        q = q.where(AuditEvent.at >= start)
    if f.last is not None:
        end = dt.datetime.combine(f.last + dt.timedelta(days=1), dt.time(0), ctx.tz).astimezone(dt.UTC)
        q = q.where(AuditEvent.at < end)
    if f.actor:
        q = q.where(AuditEvent.actor == f.actor)
    if f.action:
        q = q.where(AuditEvent.action == f.action)
    if f.record:
        record_type, _, record_id = f.record.partition(":")
        q = q.where(AuditEvent.record_type == record_type.strip())
        if record_id.strip():
            q = q.where(AuditEvent.record_id == record_id.strip())
    return q


def search(ctx: ServiceContext, actor: Actor, f: AuditFilter, *, page: int = 1, per_page: int = 50) -> AuditPage:
    """One page of the trail, newest first."""
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    with ctx.write() as uow:
        s = uow.session
        total = s.execute(_where(select(func.count()).select_from(AuditEvent), f, ctx)).scalar_one()
        q = _where(select(AuditEvent), f, ctx).order_by(AuditEvent.id.desc())
        rows = s.execute(q.offset((page - 1) * per_page).limit(per_page)).scalars().all()
        items = [
            AuditView(
                r.id,
                r.at,
                r.actor,
                r.role,
                r.action,
                r.record_type,
                r.record_id,
                r.patient_id,
                r.address,
                dict(r.detail),
            )
            for r in rows
        ]
        actions = list(s.execute(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).scalars())
        actors = list(s.execute(select(AuditEvent.actor).distinct().order_by(AuditEvent.actor)).scalars())
        detail = {k: str(v) for k, v in vars(f).items() if v is not None}
        audit.record(s, actor, "audit.search", "audit_events", "-", at=ctx.now(), detail={**detail, "page": page})
        uow.commit()
    return AuditPage(items, int(total), page, per_page, actions, actors)
