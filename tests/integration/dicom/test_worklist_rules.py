"""What the worklist leaves out and how a started step shows (service level, SQLite and PostgreSQL): refunded,
stopped and closed-day appointments never appear; a step with an MPPS IN PROGRESS is STARTED, one COMPLETED is
gone; settings are validated."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from hsgclinic.config import Settings
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.services import admin as admin_service
from hsgclinic.services import identifiers, payments, procedure, worklist, worklist_mpps
from hsgclinic.services.procedure import ProcedureInput
from hsgclinic.services.worklist_mpps import StepStart, StepUpdate

DAY = dt.date(2026, 11, 21)
Q = worklist.WorklistQuery(date_from=DAY, date_to=DAY + dt.timedelta(days=1), dated=True)


def names(clinic) -> list[str]:
    answer = worklist.find(clinic.ctx, "HSG_RF1", "127.0.0.1", Q)
    return sorted(f"{i.family_name}{i.given_name}" for i in answer.items)


def test_refunded_and_stopped_appointments_never_appear(clinic, booked, registrar, radiologist, clock):
    assert names(clinic) == ["李静", "欧阳娜娜", "王小红"]
    _, li = booked["li"]
    payments.refund(clinic.ctx, registrar, li.appointment_id, "changed her mind")
    assert names(clinic) == ["欧阳娜娜", "王小红"]
    clock.set(dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC))
    _, wang = booked["wang"]
    procedure.record_procedure(
        clinic.ctx, radiologist, wang.appointment_id, ProcedureInput(hcg_result=HcgResult.POSITIVE, operator="dr.zhao")
    )
    assert names(clinic) == ["欧阳娜娜"]


def test_a_day_closed_after_booking_disappears(clinic, booked, admin):
    admin_service.set_override(clinic.ctx, admin, DAY + dt.timedelta(days=1), "clinic_closed", "停诊", "Closed")
    assert names(clinic) == ["李静", "王小红"]


def test_started_then_completed(clinic, booked, registrar):
    _, wang = booked["wang"]
    ids = identifiers.read(clinic.ctx, registrar, wang.appointment_id)
    start = dt.datetime(2026, 11, 21, 0, 5, tzinfo=dt.UTC)
    worklist_mpps.start(
        clinic.ctx,
        "HSG_RF1",
        "127.0.0.1",
        StepStart("1.2.3.9", "IN PROGRESS", start, study_instance_uid=ids.study_instance_uid),
    )
    items = {i.family_name + i.given_name: i for i in worklist.find(clinic.ctx, "HSG_RF1", "", Q).items}
    assert items["王小红"].status == "STARTED" and items["李静"].status == "SCHEDULED"
    worklist_mpps.update(
        clinic.ctx,
        "HSG_RF1",
        "127.0.0.1",
        StepUpdate("1.2.3.9", status="COMPLETED", ended_at=start + dt.timedelta(minutes=6)),
    )
    assert names(clinic) == ["李静", "欧阳娜娜"]


def test_the_patient_id_is_never_her_resident_id(clinic, booked, person):
    for item in worklist.find(clinic.ctx, "HSG_RF1", "", Q).items:
        assert item.record_number.startswith("HSG")
        assert all(item.record_number != person(n)["id_number"] for n in range(1, 6))


def test_dicom_settings_are_validated(tmp_path):
    ok = Settings(data_dir=tmp_path, dicom_allowed_ae_titles=" HSG_RF1 , RF2 ", dicom_allowed_addresses="10.1.2.0/24")
    assert ok.dicom_callers == frozenset({"HSG_RF1", "RF2"}) and ok.dicom_networks is not None
    assert Settings(data_dir=tmp_path, dicom_charset="gb18030").dicom_charset == "GB18030"
    for bad in (
        {"dicom_ae_title": "A_TITLE_LONGER_THAN_16"},
        {"dicom_allowed_ae_titles": ""},
        {"dicom_allowed_addresses": "10.1.2.300"},
        {"dicom_charset": "ISO_IR 100"},
        {"dicom_port": 70000},
    ):
        with pytest.raises(ValidationError):
            Settings(data_dir=tmp_path, **bad)  # type: ignore[arg-type]


def test_the_no_date_bound_is_a_setting(clinic, booked, clock):
    clock.set(dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC))
    undated = worklist.WorklistQuery()
    assert len(worklist.find(clinic.ctx, "HSG_RF1", "", undated).items) == 2
    wider = clinic.ctx.settings.model_copy(update={"dicom_undated_query_days": 2})
    clinic.ctx.settings = wider
    assert len(worklist.find(clinic.ctx, "HSG_RF1", "", undated).items) == 3


def test_a_days_list_can_show_which_steps_the_modality_has_started(clinic, booked, registrar, radiologist):
    _, wang = booked["wang"]
    _, li = booked["li"]
    ids = identifiers.read(clinic.ctx, registrar, wang.appointment_id)
    start = dt.datetime(2026, 11, 21, 0, 5, tzinfo=dt.UTC)
    worklist_mpps.start(clinic.ctx, "HSG_RF1", "", StepStart("1.2.3.10", "IN PROGRESS", start, ids.study_instance_uid))
    got = worklist_mpps.states(clinic.ctx, radiologist, [wang.appointment_id, li.appointment_id])
    assert got == {wang.appointment_id: "IN PROGRESS"}
