"""MPPS from Odil (Debian's python3-odil, a C++ DICOM stack, run with /usr/bin/python3): N-CREATE then N-SET with
the dose; the dose reaches the radiologist's procedure record, where REPORT-DOSE applies; the standard's failure
statuses for an unknown step, a second N-CREATE, an N-SET after COMPLETED, an unknown instance and a missing
attribute, with nothing half-written."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dicompeers import need
from hsgclinic.domain.eligibility import HcgResult
from hsgclinic.domain.report import ContrastKind
from hsgclinic.persistence.models import AuditEvent, PerformedStep, ProcedureRecord
from hsgclinic.services import identifiers, procedure, worklist_mpps
from hsgclinic.services.procedure import ProcedureInput

SCRIPT = Path(__file__).resolve().parents[2] / "peers" / "dicom" / "odil_mpps.py"
DEBIAN_PYTHON = "/usr/bin/python3"


def odil(port: int, steps: list[dict[str, Any]], tmp_path: Path, calling: str = "HSG_RF1") -> list[int]:
    need("python3", DEBIAN_PYTHON)
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import odil"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.fail("python3-odil is not installed for /usr/bin/python3 (scripts/install-system-deps.sh test)")
    path = tmp_path / f"steps-{len(list(tmp_path.glob('steps-*')))}.json"
    path.write_text(json.dumps(steps, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [DEBIAN_PYTHON, str(SCRIPT), "127.0.0.1", str(port), calling, "HSGCLINIC", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    statuses: list[int] = json.loads(proc.stdout.strip().splitlines()[-1])
    return statuses


def _create(ids: identifiers.OrderIdentifiers, uid: str, **changes: Any) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "SpecificCharacterSet": "ISO_IR 192",
        "PatientName": "王^小红",
        "PatientID": ids.record_number,
        "ScheduledStepAttributesSequence": [
            {
                "StudyInstanceUID": ids.study_instance_uid,
                "AccessionNumber": ids.accession_number,
                "RequestedProcedureID": "RP" + ids.accession_number[1:],
                "ScheduledProcedureStepID": "SPS" + ids.accession_number[1:],
            }
        ],
        "PerformedProcedureStepID": "PPS0001",
        "PerformedStationAETitle": "HSG_RF1",
        "PerformedStationName": "RF249",
        "PerformedProcedureStepStartDate": "20261121",
        "PerformedProcedureStepStartTime": "080500",
        "PerformedProcedureStepEndDate": "",
        "PerformedProcedureStepEndTime": "",
        "PerformedProcedureStepStatus": "IN PROGRESS",
        "PerformedProcedureStepDescription": "HSG",
        "Modality": "RF",
        "PerformedSeriesSequence": [],
    }
    for k, v in changes.items():
        if v is None:
            attributes.pop(k, None)
        else:
            attributes[k] = v
    return {"op": "create", "uid": uid, "attributes": attributes}


def _complete(uid: str, fluoro: int = 300) -> dict[str, Any]:
    return {
        "op": "set",
        "uid": uid,
        "attributes": {
            "PerformedProcedureStepStatus": "COMPLETED",
            "PerformedProcedureStepEndDate": "20261121",
            "PerformedProcedureStepEndTime": "081200",
            "TotalTimeOfFluoroscopy": fluoro,
            "TotalNumberOfExposures": 4,
            "ImageAndFluoroscopyAreaDoseProduct": "12.5",  # dGy·cm²
            "EntranceDoseInmGy": "3.2",
            "PerformedSeriesSequence": [],
        },
    }


@pytest.fixture
def wang_ids(clinic, booked, registrar, clock) -> identifiers.OrderIdentifiers:
    clock.set(dt.datetime(2026, 11, 21, 0, 30, tzinfo=dt.UTC))  # 08:30 in the clinic on the procedure day
    _, appt = booked["wang"]
    return identifiers.read(clinic.ctx, registrar, appt.appointment_id)


def test_odil_starts_and_completes_the_step_and_the_dose_reaches_the_procedure_record(
    clinic, scp, wang_ids, radiologist, tmp_path
):
    uid = "1.2.826.0.1.3680043.10.1017.1"
    assert odil(scp, [_create(wang_ids, uid)], tmp_path) == [0x0000]
    started = worklist_mpps.for_appointment(clinic.ctx, radiologist, wang_ids.appointment_id)
    assert started is not None and started.status == "IN PROGRESS"
    assert started.started_at == dt.datetime(2026, 11, 21, 0, 5, tzinfo=dt.UTC)
    assert odil(scp, [_complete(uid, fluoro=300)], tmp_path) == [0x0000]
    reported = worklist_mpps.for_appointment(clinic.ctx, radiologist, wang_ids.appointment_id)
    assert reported is not None and reported.status == "COMPLETED"
    assert (reported.fluoroscopy_s, reported.exposures, reported.dap_gy_cm2, reported.entrance_dose_mgy) == (
        Decimal("300.0"),
        4,
        Decimal("1.250"),
        Decimal("3.200"),
    )
    assert [f.rule for f in reported.dose_findings] == ["REPORT-DOSE"]  # 300 s is over the 240 s limit
    # The radiologist's form is filled from the report; she keeps the modality's values (confirms) and saves.
    view = procedure.record_procedure(
        clinic.ctx,
        radiologist,
        wang_ids.appointment_id,
        ProcedureInput(
            hcg_result=HcgResult.NEGATIVE,
            operator="dr.zhao",
            started_at=reported.started_at,
            ended_at=reported.ended_at,
            contrast_agent="iohexol",
            contrast_kind=ContrastKind.WATER,
            volume_ml=Decimal("10"),
            fluoroscopy_s=reported.fluoroscopy_s,
            dap_gy_cm2=reported.dap_gy_cm2,
            air_kerma_mgy=reported.entrance_dose_mgy,
        ),
    )
    assert [f.rule for f in view.dose_findings] == ["REPORT-DOSE"]
    with clinic.ctx.read() as uow:
        record = uow.session.get(ProcedureRecord, view.procedure_id)
        assert record is not None and record.fluoroscopy_s == Decimal("300.0") and record.dap_gy_cm2 == Decimal("1.250")
    confirmed = worklist_mpps.for_appointment(clinic.ctx, radiologist, wang_ids.appointment_id)
    assert confirmed is not None and confirmed.review["outcome"] == "confirmed" and confirmed.review["corrected"] == []


def test_a_correction_is_noted_field_by_field(clinic, scp, wang_ids, radiologist, tmp_path):
    uid = "1.2.826.0.1.3680043.10.1017.2"
    assert odil(scp, [_create(wang_ids, uid), _complete(uid, fluoro=90)], tmp_path) == [0, 0]
    reported = worklist_mpps.for_appointment(clinic.ctx, radiologist, wang_ids.appointment_id)
    assert reported is not None and reported.dose_findings == ()
    procedure.record_procedure(
        clinic.ctx,
        radiologist,
        wang_ids.appointment_id,
        ProcedureInput(
            hcg_result=HcgResult.NEGATIVE,
            operator="dr.zhao",
            started_at=reported.started_at,
            ended_at=reported.ended_at,
            contrast_agent="iohexol",
            contrast_kind=ContrastKind.WATER,
            volume_ml=Decimal("10"),
            fluoroscopy_s=Decimal("95"),  # she corrects the fluoroscopy time
            dap_gy_cm2=reported.dap_gy_cm2,
        ),
    )
    noted = worklist_mpps.for_appointment(clinic.ctx, radiologist, wang_ids.appointment_id)
    assert (
        noted is not None and noted.review["outcome"] == "corrected" and noted.review["corrected"] == ["fluoroscopy_s"]
    )


def _counts(clinic) -> tuple[int, int]:
    with clinic.ctx.read() as uow:
        steps = uow.session.execute(select(func.count()).select_from(PerformedStep)).scalar_one()
        events = uow.session.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("mpps.%"))
        ).scalar_one()
    return int(steps), int(events)


def test_the_standards_failure_statuses_and_nothing_half_written(clinic, scp, wang_ids, tmp_path):
    uid = "1.2.826.0.1.3680043.10.1017.3"
    unknown = _create(
        wang_ids,
        "1.2.826.0.1.3680043.10.1017.4",
        ScheduledStepAttributesSequence=[{"StudyInstanceUID": "1.2.3.4.5", "AccessionNumber": "A999999999"}],
    )
    missing = _create(wang_ids, "1.2.826.0.1.3680043.10.1017.5", PerformedProcedureStepStartDate=None)
    not_in_progress = _create(wang_ids, "1.2.826.0.1.3680043.10.1017.6", PerformedProcedureStepStatus="COMPLETED")
    assert odil(scp, [unknown, missing, not_in_progress], tmp_path) == [0x0110, 0x0120, 0x0106]
    assert _counts(clinic) == (0, 0)
    statuses = odil(
        scp,
        [
            _create(wang_ids, uid),
            _create(wang_ids, uid),  # the same SOP instance again
            {"op": "set", "uid": "1.2.826.0.1.3680043.10.1017.99", "attributes": {"TotalNumberOfExposures": 1}},
            {"op": "set", "uid": uid, "attributes": {"PerformedProcedureStepStatus": "COMPLETED"}},  # no end
            _complete(uid),
            _complete(uid),  # after COMPLETED
        ],
        tmp_path,
    )
    assert statuses == [0x0000, 0x0111, 0x0112, 0x0120, 0x0000, 0x0110]
    assert _counts(clinic) == (1, 2)  # one step, its create and its one accepted set
    with clinic.ctx.read() as uow:
        step = uow.session.execute(select(PerformedStep)).scalar_one()
        assert step.status == "COMPLETED" and step.fluoroscopy_s == Decimal("300.0")


def test_an_unknown_caller_cannot_report(clinic, scp, wang_ids, tmp_path):
    need("python3", DEBIAN_PYTHON)
    path = tmp_path / "steps.json"
    path.write_text(json.dumps([_create(wang_ids, "1.2.826.0.1.3680043.10.1017.7")]), encoding="utf-8")
    proc = subprocess.run(
        [DEBIAN_PYTHON, str(SCRIPT), "127.0.0.1", str(scp), "STRANGER", "HSGCLINIC", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "reject" in (proc.stdout + proc.stderr).lower()
    assert _counts(clinic) == (0, 0)
