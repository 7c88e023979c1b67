"""The DICOM service on a free port over the test clinic (SQLite and PostgreSQL), with booked, paid patients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from hsgclinic.bootstrap import Clinic
from hsgclinic.config import Settings
from hsgclinic.dicom.server import DicomService
from hsgclinic.domain.eligibility import ContrastReaction, HcgResult
from hsgtest import make_settings
from ordertest import book_patient, good_screening

DAY = dt.date(2026, 11, 21)  # the booked procedure day (the test clock says 2026-11-20 07:30)
CALLERS = "HSG_RF1,ORTHANC,ODIL,FINDSCU"


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return make_settings(
        db_url,
        tmp_path,
        daily_numbers=20,
        procedure_capacity=10,
        dicom_port=0,
        dicom_allowed_ae_titles=CALLERS,
    )


@pytest.fixture
def scp(clinic: Clinic) -> Iterator[int]:
    service = DicomService(clinic.ctx)
    port = service.start()
    yield port
    service.stop()


@pytest.fixture
def booked(clinic, person, public, doctor, registrar) -> dict[str, object]:
    """王小红 (mild contrast reaction to iohexol, hCG negative) and two others on DAY; one more on DAY + 1; one
    unpaid and one cancelled on DAY that must never appear."""
    from hsgclinic.services import booking

    ctx = clinic.ctx
    wang = {**person(1), "name": "王小红"}
    screening = good_screening(
        contrast_reaction=ContrastReaction.MILD,
        contrast_reaction_agent="碘海醇 iohexol",
        contrast_reaction_description="2019年 皮疹 rash",
        hcg=HcgResult.NEGATIVE,
    )
    wang_id, wang_appt = book_patient(
        ctx,
        wang,
        day=DAY,
        public=public,
        doctor=doctor,
        registrar=registrar,
        screening_input=screening,
        review_reasons={"ELIG-CONTRA": "mild rash in 2019; premedication discussed"},
    )
    li_id, li_appt = book_patient(
        ctx, {**person(2), "name": "李静"}, day=DAY, public=public, doctor=doctor, registrar=registrar
    )
    ouyang_id, ouyang_appt = book_patient(
        ctx,
        {**person(3), "name": "欧阳娜娜"},
        day=DAY + dt.timedelta(days=1),
        public=public,
        doctor=doctor,
        registrar=registrar,
    )
    _, unpaid = book_patient(
        ctx, {**person(4), "name": "王丽"}, day=DAY, pay=False, public=public, doctor=doctor, registrar=registrar
    )
    _, cancelled = book_patient(
        ctx, {**person(5), "name": "王芳"}, day=DAY, pay=False, public=public, doctor=doctor, registrar=registrar
    )
    booking.cancel(ctx, registrar, cancelled.appointment_id)
    return {
        "wang": (wang_id, wang_appt),
        "li": (li_id, li_appt),
        "ouyang": (ouyang_id, ouyang_appt),
        "unpaid": unpaid,
        "cancelled": cancelled,
    }
