"""The full ID number for a member of staff who must see it (DATA-REVEAL): registrar, doctor or admin, with a
reason; the service audits it (``patient.id_reveal``, the reason, never the number). Nowhere else does the API, a
page, a document, a message, a log, FHIR or DICOM carry more than the masked ID."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from hsgclinic.services import patient_data
from hsgclinic.services.context import Actor
from hsgclinic.web.api.deps import Ctx, RecordId, _role_check

MaySeeIds = Annotated[Actor, Depends(_role_check(*patient_data.REVEAL_ROLES))]

router = APIRouter(tags=["patients"])


class RevealIn(BaseModel):
    reason: str = Field(min_length=3, max_length=500, description="why she must be identified (kept in the audit)")


class RevealOut(BaseModel):
    patient_id: int
    id_number: str


@router.post(
    "/patients/{patient_id}/id-number",
    response_model=RevealOut,
    responses={
        401: {"description": "not_authenticated"},
        403: {"description": "forbidden: only registrar, doctor or admin (DATA-REVEAL)"},
        404: {"description": "unknown_patient (or her personal data was erased)"},
        422: {"description": "invalid input: a reason of 3–500 characters is required"},
    },
)
def reveal_id_number(patient_id: RecordId, body: RevealIn, actor: MaySeeIds, ctx: Ctx, response: Response) -> RevealOut:
    """Her full resident ID or passport number, opened from its sealed form for this request only."""
    number = patient_data.reveal_id_number(ctx, actor, patient_id, reason=body.reason)
    response.headers["Cache-Control"] = "no-store"
    return RevealOut(patient_id=patient_id, id_number=number)
