"""Staff login/logout, who am I, and the admin's user management."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from hsgclinic.domain.messages import N_
from hsgclinic.services import staff
from hsgclinic.services.errors import NotFound
from hsgclinic.web.api.deps import SESSION_COOKIE, AdminActor, Ctx, RecordId, Who, client_address, session_token
from hsgclinic.web.api.types import Text

StaffRole = Literal["registrar", "doctor", "radiologist", "admin"]

router = APIRouter(tags=["staff"])


class LoginIn(BaseModel):
    username: Text = Field(min_length=1, max_length=64)
    password: Text = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    token: str
    expires_at: dt.datetime
    role: str
    name: str


class MeOut(BaseModel):
    role: str
    name: str
    patient_id: int | None = None


class UserIn(BaseModel):
    username: Text = Field(min_length=2, max_length=64)
    display_name: Text = Field(default="", max_length=100)
    role: StaffRole
    password: Text = Field(min_length=10, max_length=200, description="at least 10 characters")


class UserOut(BaseModel):
    user_id: int
    username: str
    display_name: str
    role: str
    active: bool


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, response: Response, ctx: Ctx) -> LoginOut:
    """Staff login (argon2; failed attempts rate-limited per username in the database). Sets the session cookie
    too; API clients send ``Authorization: Bearer <token>``."""
    got = staff.login(ctx, username=body.username, password=body.password, address=client_address(request))
    response.set_cookie(
        SESSION_COOKIE,
        got.token,
        httponly=True,
        samesite="lax",
        secure=ctx.settings.environment == "production",
        max_age=ctx.settings.session_hours * 3600,
    )
    return LoginOut(token=got.token, expires_at=got.expires_at, role=got.actor.role.value, name=got.actor.name)


@router.post("/auth/logout", status_code=204)
def logout(request: Request, response: Response, ctx: Ctx) -> Response:
    token = session_token(request)
    if token:
        staff.logout(ctx, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/auth/me", response_model=MeOut)
def me(actor: Who) -> MeOut:
    return MeOut(role=actor.role.value, name=actor.name, patient_id=actor.patient_id)


@router.get("/admin/users", response_model=list[UserOut])
def users(ctx: Ctx, actor: AdminActor) -> list[UserOut]:
    return [
        UserOut(user_id=u.user_id, username=u.username, display_name=u.display_name, role=u.role.value, active=u.active)
        for u in staff.list_users(ctx)
    ]


@router.post("/admin/users", response_model=UserOut, status_code=201)
def create_user(body: UserIn, ctx: Ctx, actor: AdminActor) -> UserOut:
    u = staff.create_user(
        ctx, actor, username=body.username, display_name=body.display_name, role=body.role, password=body.password
    )
    return UserOut(
        user_id=u.user_id, username=u.username, display_name=u.display_name, role=u.role.value, active=u.active
    )


class UserChange(BaseModel):
    role: StaffRole | None = None
    active: bool | None = None
    password: Text | None = Field(default=None, min_length=10, max_length=200)


@router.patch("/admin/users/{user_id}", response_model=UserOut)
def change_user(user_id: RecordId, body: UserChange, ctx: Ctx, actor: AdminActor) -> UserOut:
    """Change a role, deactivate / reactivate, reset a password (each a separate, audited change; deactivation
    and a reset end the person's sessions; an admin cannot lock themselves out)."""
    from hsgclinic.services import staff_accounts

    u = None
    if body.role is not None:
        u = staff_accounts.change_role(ctx, actor, user_id, body.role)
    if body.active is not None:
        u = staff_accounts.set_active(ctx, actor, user_id, body.active)
    if body.password is not None:
        u = staff_accounts.reset_password(ctx, actor, user_id, body.password)
    if u is None:
        u = next((x for x in staff_accounts.list_accounts(ctx) if x.user_id == user_id), None)
        if u is None:
            raise NotFound("not_found", N_("No such staff account."))
    return UserOut(
        user_id=u.user_id, username=u.username, display_name=u.display_name, role=u.role.value, active=u.active
    )
