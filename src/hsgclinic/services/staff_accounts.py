"""Admin: staff accounts — change a role, deactivate / reactivate, reset a password.

Creating an account is :func:`hsgclinic.services.staff.create_user`; listing is :func:`list_accounts`. Each change is
one transaction with one audit event; a deactivation or a password reset ends the person's open sessions. An
administrator cannot lock themselves out (no self-deactivation, no dropping their own admin role).
"""

from __future__ import annotations

from sqlalchemy import delete, select

from hsgclinic.domain.messages import N_
from hsgclinic.persistence.models import AuthSession, StaffUser
from hsgclinic.services import audit
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import InvalidInput, NotFound, RuleRefused
from hsgclinic.services.staff import STAFF_ROLES, StaffView, hasher


def _view(u: StaffUser) -> StaffView:
    return StaffView(u.id, u.username, u.display_name, Role(u.role), u.active)


def _staff_role(role: str) -> Role:
    try:
        r = Role(role)
    except ValueError:
        r = Role.PUBLIC
    if r not in STAFF_ROLES:
        raise InvalidInput("invalid_role", N_("Unknown staff role."))
    return r


def list_accounts(ctx: ServiceContext) -> list[StaffView]:
    """Every staff account, active ones first, then by username."""
    with ctx.read() as uow:
        rows = uow.session.execute(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.username)).scalars()
        return [_view(u) for u in rows]


def change_role(ctx: ServiceContext, actor: Actor, user_id: int, role: str) -> StaffView:
    r = _staff_role(role)
    if user_id == actor.user_id and r is not Role.ADMIN:
        raise RuleRefused("own_admin_role", N_("You cannot take away your own administrator role."))
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        user = s.get(StaffUser, user_id)
        if user is None:
            raise NotFound("not_found", N_("No such staff account."))
        before = user.role
        if before != r.value:
            user.role = r.value
            s.execute(delete(AuthSession).where(AuthSession.staff_user_id == user.id))
            audit.record(s, actor, "staff.role", "staff_user", user.id, at=now, detail={"from": before, "to": r.value})
        uow.commit()
        return _view(user)


def set_active(ctx: ServiceContext, actor: Actor, user_id: int, active: bool) -> StaffView:
    if user_id == actor.user_id and not active:
        raise RuleRefused("own_account", N_("You cannot deactivate your own account."))
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        user = s.get(StaffUser, user_id)
        if user is None:
            raise NotFound("not_found", N_("No such staff account."))
        if user.active != active:
            user.active = active
            if not active:
                s.execute(delete(AuthSession).where(AuthSession.staff_user_id == user.id))
            action = "staff.activate" if active else "staff.deactivate"
            audit.record(s, actor, action, "staff_user", user.id, at=now)
        uow.commit()
        return _view(user)


def reset_password(ctx: ServiceContext, actor: Actor, user_id: int, password: str) -> StaffView:
    """A new password (at least 10 characters); the person's sessions end."""
    if len(password) < 10:
        raise InvalidInput("weak_password", N_("A password needs at least 10 characters."))
    digest = hasher(ctx).hash(password)
    now = ctx.now()
    with ctx.write() as uow:
        s = uow.session
        user = s.get(StaffUser, user_id)
        if user is None:
            raise NotFound("not_found", N_("No such staff account."))
        user.password_hash = digest
        s.execute(delete(AuthSession).where(AuthSession.staff_user_id == user.id))
        audit.record(s, actor, "staff.password_reset", "staff_user", user.id, at=now)
        uow.commit()
        return _view(user)
