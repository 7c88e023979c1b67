"""Who is signed in on a staff page: the ``hsg_session`` cookie (the same session the JSON API reads) → an Actor.

A page asks :func:`require_staff` for the roles it serves; nobody signed in is sent to the sign-in page (and back
afterwards), a signed-in person with another role gets a 403 page that says where to go instead.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import HTTPException, Request

from hsgclinic.services import staff as staff_service
from hsgclinic.services.context import Actor, Role
from hsgclinic.services.errors import NotAuthenticated
from hsgclinic.web.ui.locale import safe_next

SESSION_COOKIE = "hsg_session"

HOME_OF = {
    Role.REGISTRAR: "/staff/desk",
    Role.DOCTOR: "/staff/desk",
    Role.ADMIN: "/staff/admin",
    Role.RADIOLOGIST: "/staff/radiology",
}


def address_of(request: Request) -> str:
    return request.client.host if request.client else ""


def current_actor(request: Request, clinic: Any) -> Actor | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        actor = staff_service.authenticate(clinic.ctx, token, address_of(request))
    except NotAuthenticated:
        return None
    return actor if actor.is_staff else None


def require_staff(request: Request, clinic: Any, *roles: Role) -> Actor:
    """The signed-in staff member with one of ``roles`` (303 to sign-in when nobody, 403 for another role)."""
    actor = current_actor(request, clinic)
    if actor is None:
        target = safe_next(request.url.path + (("?" + request.url.query) if request.url.query else ""))
        raise HTTPException(303, headers={"Location": "/staff/login?next=" + quote(target)})
    if roles and actor.role not in roles:
        raise HTTPException(403)
    request.state.staff = actor
    return actor


def home_of(actor: Actor) -> str:
    return HOME_OF.get(actor.role, "/staff/desk")
