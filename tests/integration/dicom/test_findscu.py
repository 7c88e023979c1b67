"""Modality Worklist queries from dcmtk's findscu (an independent DICOM stack): dates, ranges, name wildcards,
accession and patient ID; only the keys asked for; Chinese names intact in UTF-8 and GB18030; refused callers."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from dicompeers import findscu, need
from hsgclinic.services import identifiers, worklist


def test_a_day_query_lists_the_paid_booked_steps_with_the_attributes_an_rf_unit_shows(
    clinic, scp, booked, registrar, tmp_path
):
    answers = findscu(
        scp,
        tmp_path,
        [
            "PatientName",
            "PatientID",
            "IssuerOfPatientID",
            "PatientBirthDate",
            "PatientSex",
            "AccessionNumber",
            "StudyInstanceUID",
            "RequestedProcedureID",
            "RequestedProcedureDescription",
            "RequestedProcedureCodeSequence[0].CodeValue",
            "ReferringPhysicianName",
            "MedicalAlerts",
            "Allergies",
            "PregnancyStatus",
            "LastMenstrualDate",
            "ScheduledProcedureStepSequence[0].Modality=RF",
            "ScheduledProcedureStepSequence[0].ScheduledStationAETitle",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartTime",
            "ScheduledProcedureStepSequence[0].ScheduledPerformingPhysicianName",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepDescription",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepID",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStatus",
            "ScheduledProcedureStepSequence[0].RequestedContrastAgent",
        ],
    )
    names = sorted(str(a.PatientName) for a in answers)
    assert names == ["李^静", "王^小红"]  # not the unpaid 王丽, not the cancelled 王芳, not 欧阳娜娜 the day after
    wang = next(a for a in answers if str(a.PatientName) == "王^小红")
    wang_id, wang_appt = booked["wang"]
    ids = identifiers.read(clinic.ctx, registrar, wang_appt.appointment_id)
    assert wang.SpecificCharacterSet == "ISO_IR 192"
    assert wang.PatientID == ids.record_number == f"HSG{wang_id:08d}"
    assert wang.IssuerOfPatientID == "HSGCLINIC"
    assert wang.PatientSex == "F" and len(wang.PatientBirthDate) == 8
    assert (wang.AccessionNumber, wang.StudyInstanceUID) == (ids.accession_number, ids.study_instance_uid)
    assert wang.RequestedProcedureCodeSequence[0].CodeValue == "HSG"
    assert wang.RequestedProcedureDescription.startswith("子宫输卵管造影")
    alerts = list(wang.MedicalAlerts) if wang["MedicalAlerts"].VM > 1 else [wang.MedicalAlerts]
    assert "contrast reaction: 轻度 mild" in alerts[0] and "皮疹" in alerts[1]
    assert "iohexol" in str(wang.Allergies)
    assert wang.PregnancyStatus == 1  # hCG negative at screening
    assert wang.LastMenstrualDate == "20261114"
    sps = wang.ScheduledProcedureStepSequence[0]
    assert (sps.Modality, sps.ScheduledStationAETitle, sps.ScheduledProcedureStepStartDate) == (
        "RF",
        "HSG_RF1",
        "20261121",
    )
    assert sps.ScheduledProcedureStepStartTime == "080000"
    assert sps.ScheduledProcedureStepStatus == "SCHEDULED"
    assert sps.ScheduledProcedureStepID.startswith("SPS")
    li = next(a for a in answers if str(a.PatientName) == "李^静")
    assert li.PregnancyStatus == 4 and li.MedicalAlerts == "" and li.ReferringPhysicianName == "Dr Li"


def test_only_the_keys_asked_for_come_back(scp, booked, tmp_path):
    answers = findscu(
        scp, tmp_path, ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121"]
    )
    assert len(answers) == 2
    for a in answers:
        assert {e.keyword for e in a} == {"SpecificCharacterSet", "PatientName", "ScheduledProcedureStepSequence"}
        assert {e.keyword for e in a.ScheduledProcedureStepSequence[0]} == {"ScheduledProcedureStepStartDate"}


def test_a_date_range_a_wildcard_an_accession_and_a_patient_id(clinic, scp, booked, registrar, tmp_path):
    in_range = findscu(
        scp,
        tmp_path,
        ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121-20261122"],
    )
    assert sorted(str(a.PatientName) for a in in_range) == ["李^静", "欧阳^娜娜", "王^小红"]
    open_end = findscu(
        scp, tmp_path, ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261122-"]
    )
    assert [str(a.PatientName) for a in open_end] == ["欧阳^娜娜"]
    wang = findscu(
        scp,
        tmp_path,
        ["PatientName=王*", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121-20261122"],
    )
    assert [str(a.PatientName) for a in wang] == ["王^小红"]
    _, li_appt = booked["li"]
    ids = identifiers.read(clinic.ctx, registrar, li_appt.appointment_id)
    by_accession = findscu(
        scp,
        tmp_path,
        [
            f"AccessionNumber={ids.accession_number}",
            "PatientName",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261120-20261130",
        ],
    )
    assert [str(a.PatientName) for a in by_accession] == ["李^静"]
    by_id = findscu(
        scp,
        tmp_path,
        [
            f"PatientID={ids.record_number}",
            "PatientName",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate",
        ],
    )
    assert by_id == []  # no date: today (2026-11-20) only — she is booked tomorrow
    station = findscu(
        scp,
        tmp_path,
        [
            "PatientName",
            "ScheduledProcedureStepSequence[0].ScheduledStationAETitle=OTHER_RF",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121",
        ],
    )
    assert station == []
    modality = findscu(
        scp,
        tmp_path,
        [
            "PatientName",
            "ScheduledProcedureStepSequence[0].Modality=CT",
            "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121",
        ],
    )
    assert modality == []


def test_a_query_without_a_date_returns_todays_steps(clinic, clock, scp, booked, tmp_path):
    clock.set(dt.datetime(2026, 11, 22, 0, 30, tzinfo=dt.UTC))  # 08:30 in the clinic on 2026-11-22
    answers = findscu(
        scp, tmp_path, ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate"]
    )
    assert [str(a.PatientName) for a in answers] == ["欧阳^娜娜"]
    assert answers[0].ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate == "20261122"


def test_chinese_names_survive_both_character_sets(scp, booked, tmp_path):
    for charset, codec in (("ISO_IR 192", "utf-8"), ("GB18030", "gb18030")):
        out = tmp_path / charset.replace(" ", "_")
        answers = findscu(
            scp,
            out,
            [
                f"SpecificCharacterSet={charset}",
                "PatientName=王*".encode(codec),  # the modality sends its query in the set it declares
                "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121",
            ],
        )
        assert [str(a.PatientName) for a in answers] == ["王^小红"]
        assert answers[0].SpecificCharacterSet == charset
        raw = next(out.glob("rsp*.dcm")).read_bytes()
        assert "王^小红".encode(codec) in raw


def test_the_configured_gb18030_is_used_when_the_modality_asks_for_nothing(clinic, booked, tmp_path):
    from hsgclinic.dicom.server import DicomService

    service = DicomService(clinic.ctx, clinic.ctx.settings.model_copy(update={"dicom_charset": "GB18030"}))
    port = service.start()
    try:
        answers = findscu(
            port,
            tmp_path,
            [
                "PatientName=王*".encode("gb18030"),
                "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121",
            ],
        )
    finally:
        service.stop()
    assert answers, "no answers"
    assert answers[0].SpecificCharacterSet == "GB18030" and str(answers[0].PatientName) == "王^小红"
    assert "王^小红".encode("gb18030") in next(tmp_path.glob("rsp*.dcm")).read_bytes()


def test_an_unknown_calling_ae_title_is_refused_and_logged(clinic, scp, booked, admin, tmp_path):
    result = findscu(scp, tmp_path, ["PatientName"], aet="INTRUDER", check=False)
    assert isinstance(result, subprocess.CompletedProcess) and result.returncode != 0
    assert "Calling AE Title Not Recognized" in (result.stdout + result.stderr)
    log = worklist.overview(clinic.ctx, admin).exchanges
    assert log[0].calling_ae_title == "INTRUDER" and log[0].status == "rejected"


def test_every_answer_is_audited_and_logged(clinic, scp, booked, admin, tmp_path):
    from sqlalchemy import select

    from hsgclinic.persistence.models import AuditEvent

    findscu(
        scp, tmp_path, ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20261121"]
    )
    with clinic.ctx.read() as uow:
        events = uow.session.execute(
            select(AuditEvent.action, AuditEvent.actor, AuditEvent.patient_id).where(
                AuditEvent.action.like("worklist.%")
            )
        ).all()
    assert sorted(e.action for e in events) == ["worklist.find", "worklist.read", "worklist.read"]
    assert {e.actor for e in events} == {"dicom:HSG_RF1"}
    assert {e.patient_id for e in events if e.action == "worklist.read"} == {booked["wang"][0], booked["li"][0]}
    view = worklist.overview(clinic.ctx, admin)
    assert view.exchanges[0].service == "C-FIND" and view.exchanges[0].answers == 2


def test_an_impossibly_wide_range_is_refused_out_of_resources(scp, booked, tmp_path):
    result = findscu(
        scp,
        tmp_path,
        ["PatientName", "ScheduledProcedureStepSequence[0].ScheduledProcedureStepStartDate=20200101-20291231"],
        check=False,
    )
    assert isinstance(result, subprocess.CompletedProcess)
    assert "Refused: OutOfResources" in result.stdout + result.stderr


@pytest.fixture(autouse=True)
def _findscu_installed() -> None:
    need("findscu")
