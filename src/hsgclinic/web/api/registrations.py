"""Registration numbers: the public grab (the 07:00 rush), availability, and the desk's list/check-in/no-shows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from hsgclinic.domain.identity import IdKind
from hsgclinic.services import grab_limit, registration, waiting_line
from hsgclinic.services.context import Actor, Role
from hsgclinic.web.api.deps import Ctx, DeskActor, RecordId, Who, client_address, patient_or
from hsgclinic.web.api.types import ApiDate, Text

router = APIRouter(tags=["registration numbers"])
DESK = (Role.REGISTRAR,)


class TakeNumber(BaseModel):
    date: ApiDate
    name: Text = Field(min_length=1, max_length=100)
    id_number: Text = Field(min_length=5, max_length=32)
    phone: Text = Field(min_length=6, max_length=32)
    id_kind: IdKind = IdKind.RESIDENT
    email: Text | None = Field(None, max_length=254, description="Optional: reminders are also sent by email")
    language: Literal["zh_CN", "en"] | None = Field(None, description="Her messages' language (default zh_CN)")


class NumberOut(BaseModel):
    registration_id: int
    date: dt.date
    queue_number: int
    status: str
    name: str
    masked_id: str
    access_code: str


class AvailabilityOut(BaseModel):
    date: dt.date
    availability: str
    rule: str
    releases_at: str
    quota: int
    remaining: int


class CancelIn(BaseModel):
    reason: Literal["patient", "cycle_changed", "screening_failed", "staff"] = "patient"  # CANCEL_REASONS


def _out(v: registration.NumberView) -> NumberOut:
    return NumberOut(
        registration_id=v.registration_id,
        date=v.day,
        queue_number=v.queue_number,
        status=v.status,
        name=v.name,
        masked_id=v.masked_id,
        access_code=v.access_code,
    )


@router.post(
    "/registrations",
    status_code=201,
    response_model=NumberOut,
    responses={
        409: {"description": "sold_out, already_registered, closed, not_released, suspended"},
        422: {"description": "invalid input"},
        429: {
            "description": "rate_limited: more than grab_rate_per_minute attempts from this client this minute "
            "(one limit for all servers; Retry-After header)"
        },
    },
)
async def take_number(
    body: TakeNumber,
    request: Request,
    response: Response,
    ctx: Ctx,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> NumberOut:
    """Take the lowest free number for ``date`` in the patient's real name (REG-*). With an ``Idempotency-Key``
    a retry gets the first answer and never a second number. More than ``grab_rate_per_minute`` attempts from
    one client in a clock minute are refused with 429 (counted in the database: one limit for all servers)."""
    address = client_address(request)
    # a day this server knows is sold out is refused on the event loop: no worker thread, no database
    registration.refuse_if_known_sold_out(ctx, body.date, idempotency_key)

    def take() -> registration.NumberTaken:
        # asked again once a worker thread is free: requests that queued while the last numbers went are losers
        registration.refuse_if_known_sold_out(ctx, body.date, idempotency_key)
        grab_limit.count_grab(ctx, address)
        return registration.take_number(
            ctx,
            Actor.public(address),
            day=body.date,
            name=body.name,
            id_number=body.id_number,
            phone=body.phone,
            id_kind=body.id_kind.value,
            idempotency_key=idempotency_key,
            email=body.email,
            lang=body.language,
        )

    taken = await run_in_threadpool(take)
    if taken.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return _out(taken.number)


@router.get("/registrations/availability/{day}", response_model=AvailabilityOut)
def availability(day: ApiDate, ctx: Ctx) -> AvailabilityOut:
    a = registration.availability(ctx, day)
    return AvailabilityOut(
        date=day,
        availability=a.status.availability.value,
        rule=a.status.rule,
        releases_at=a.status.releases_at.isoformat(timespec="minutes"),
        quota=a.quota,
        remaining=a.remaining,
    )


@router.get("/registrations", response_model=list[NumberOut])
def list_day(day: ApiDate, ctx: Ctx, actor: DeskActor) -> list[NumberOut]:
    return [_out(v) for v in registration.list_day(ctx, actor, day)]


@router.get("/registrations/{registration_id}", response_model=NumberOut)
def get_number(registration_id: RecordId, ctx: Ctx, actor: Who) -> NumberOut:
    patient_or(actor, *DESK)
    return _out(registration.get_number(ctx, actor, registration_id))


@router.post("/registrations/{registration_id}/cancel", response_model=NumberOut)
def cancel(registration_id: RecordId, body: CancelIn, ctx: Ctx, actor: Who) -> NumberOut:
    patient_or(actor, *DESK)
    reason = body.reason if actor.is_staff else "patient"
    return _out(registration.cancel_number(ctx, actor, registration_id, reason))


@router.post("/registrations/{registration_id}/check-in", response_model=NumberOut)
def check_in(registration_id: RecordId, ctx: Ctx, actor: DeskActor) -> NumberOut:
    return _out(registration.check_in(ctx, actor, registration_id))


@router.post("/registrations/no-shows/{day}")
def no_shows(day: ApiDate, ctx: Ctx, actor: DeskActor) -> dict[str, Any]:
    return {"date": day.isoformat(), "marked": registration.mark_no_shows(ctx, actor, day)}


# -- the waiting line (REG-LINE): a sold-out day's cancelled numbers go to the people waiting, first come first served
class LinePlaceOut(BaseModel):
    date: dt.date
    status: str = Field(description="waiting, served, withdrawn, superseded or lapsed")
    position: int | None = Field(description="1 = the next number that comes back is hers (while waiting)")
    access_code: str = Field(description="keep it: it becomes her number's access code when she is served")
    queue_number: int | None = Field(description="her number once served")


LineCode = Annotated[str, Path(pattern=r"^[0-9A-Za-z]{8}$", description="the access code given on joining")]


def _place_out(p: waiting_line.LinePlace) -> LinePlaceOut:
    return LinePlaceOut(
        date=p.day, status=p.status, position=p.position, access_code=p.access_code, queue_number=p.queue_number
    )


@router.post(
    "/registrations/waiting-line",
    status_code=201,
    response_model=NumberOut | LinePlaceOut,
    responses={
        202: {"model": LinePlaceOut, "description": "sold out: she is in the line (REG-LINE), at this position"},
        409: {"description": "already_registered (REG-REALNAME), closed, not_released, suspended"},
        429: {"description": "rate_limited, as for taking a number"},
    },
)
def join_waiting_line(body: TakeNumber, request: Request, response: Response, ctx: Ctx) -> NumberOut | LinePlaceOut:
    """A number at once (201) if one is free; otherwise her place in the day's waiting line (202). A number that
    comes back (a cancellation) goes to the first person waiting, with the access code she was given here."""
    address = client_address(request)
    grab_limit.count_grab(ctx, address)
    joined = waiting_line.join(
        ctx,
        Actor.public(address),
        day=body.date,
        name=body.name,
        id_number=body.id_number,
        phone=body.phone,
        id_kind=body.id_kind,
        email=body.email,
        lang=body.language,
    )
    if joined.number is not None:
        return _out(joined.number)
    assert joined.place is not None
    response.status_code = 202
    return _place_out(joined.place)


@router.get("/registrations/waiting-line/{code}", response_model=LinePlaceOut)
def waiting_place(code: LineCode, ctx: Ctx) -> LinePlaceOut:
    """Where she stands now; once served, her number (``queue_number``)."""
    return _place_out(waiting_line.place(ctx, code))


@router.delete("/registrations/waiting-line/{code}", response_model=LinePlaceOut)
def leave_waiting_line(code: LineCode, request: Request, ctx: Ctx) -> LinePlaceOut:
    """She leaves the line (409 REG-LINE when her place is no longer waiting)."""
    return _place_out(waiting_line.withdraw(ctx, Actor.public(client_address(request)), code))
