"""The patient's own access: access code (from her registration) + the last 4 characters of her ID."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from hsgclinic.services import staff
from hsgclinic.web.api.deps import SESSION_COOKIE, Ctx, client_address

router = APIRouter(tags=["patient"])


class PatientLoginIn(BaseModel):
    access_code: str = Field(min_length=4, max_length=16, pattern=r"^[0-9A-Za-z]+$")
    id_last4: str = Field(min_length=4, max_length=4, pattern=r"^[0-9A-Za-z]{4}$")


class PatientLoginOut(BaseModel):
    token: str
    expires_at: dt.datetime
    patient_id: int
    registration_id: int


@router.post("/patient/login", response_model=PatientLoginOut)
def patient_login(body: PatientLoginIn, request: Request, response: Response, ctx: Ctx) -> PatientLoginOut:
    got = staff.patient_login(
        ctx, access_code=body.access_code, id_last4=body.id_last4, address=client_address(request)
    )
    response.set_cookie(
        SESSION_COOKIE,
        got.token,
        httponly=True,
        samesite="lax",
        max_age=7200,
        secure=ctx.settings.environment == "production",
    )
    assert got.actor.patient_id is not None and got.actor.registration_id is not None
    return PatientLoginOut(
        token=got.token,
        expires_at=got.expires_at,
        patient_id=got.actor.patient_id,
        registration_id=got.actor.registration_id,
    )
