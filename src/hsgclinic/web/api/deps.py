"""Request plumbing for the JSON API: the clinic, who is asking, role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hsgclinic.bootstrap import Clinic
from hsgclinic.domain.messages import N_
from hsgclinic.services import staff
from hsgclinic.services.context import Actor, Role, ServiceContext
from hsgclinic.services.errors import Forbidden, NotAuthenticated
from hsgclinic.web.clients import client_address as client_address

SESSION_COOKIE = "hsg_session"


def get_clinic(request: Request) -> Clinic:
    clinic: Clinic = request.app.state.clinic
    return clinic


def get_ctx(request: Request) -> ServiceContext:
    return get_clinic(request).ctx


async def _ctx(request: Request) -> ServiceContext:
    """The same as :func:`get_ctx` as a dependency that runs on the event loop (a plain ``def`` dependency costs
    a hop through the worker threads on every request)."""
    return get_clinic(request).ctx


def session_token(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE)


# Declares the bearer scheme in the OpenAPI on every operation that asks who is calling (the session cookie the
# pages set is accepted too); a missing or malformed header is the public, never an error by itself.
BEARER = HTTPBearer(auto_error=False, description="the token from POST /api/v1/auth/login or /patient/login")


def get_actor(
    request: Request, _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None
) -> Actor:
    """The logged-in staff member or patient; anyone else is the public."""
    token = session_token(request)
    address = client_address(request)
    if token is None:
        return Actor.public(address)
    return staff.authenticate(get_ctx(request), token, address)


MAX_ID = 2**31 - 1
RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record's id")]
Ctx = Annotated[ServiceContext, Depends(_ctx)]
Who = Annotated[Actor, Depends(get_actor)]


def _role_check(*roles: Role) -> Callable[[Actor], Actor]:
    """A dependency: 401 for the public, 403 for a role not in ``roles``."""

    def check(actor: Who) -> Actor:
        if actor.role is Role.PUBLIC:
            raise NotAuthenticated("not_authenticated", N_("Please log in."))
        if actor.role not in roles:
            raise Forbidden("forbidden", N_("Your role may not do this."))
        return actor

    return check


AdminActor = Annotated[Actor, Depends(_role_check(Role.ADMIN))]
DoctorActor = Annotated[Actor, Depends(_role_check(Role.DOCTOR))]
DeskActor = Annotated[Actor, Depends(_role_check(Role.REGISTRAR))]
RadiologyActor = Annotated[Actor, Depends(_role_check(Role.RADIOLOGIST))]
DeskOrDoctor = Annotated[Actor, Depends(_role_check(Role.REGISTRAR, Role.DOCTOR))]
# The day's appointments: the desk, radiology and the admin dashboard, which shows the same list.
DayListReader = Annotated[Actor, Depends(_role_check(Role.REGISTRAR, Role.RADIOLOGIST, Role.ADMIN))]


def patient_or(actor: Actor, *roles: Role) -> None:
    """The patient herself (the service then checks it is her record) or one of ``roles``."""
    if actor.role is Role.PUBLIC:
        raise NotAuthenticated("not_authenticated", N_("Please log in."))
    if actor.role is not Role.PATIENT and actor.role not in roles:
        raise Forbidden("forbidden", N_("Your role may not do this."))


STAFF = (Role.REGISTRAR, Role.DOCTOR, Role.RADIOLOGIST, Role.ADMIN)
