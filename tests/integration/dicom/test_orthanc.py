"""Orthanc (Debian's package) as the modality-side client: its REST ``POST /modalities/{id}/find-worklist`` queries
our worklist SCP over DICOM. Orthanc runs on its own free ports with a temporary configuration and storage."""

from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from dicompeers import need
from hsgclinic.services import identifiers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def orthanc(scp: int, tmp_path: Path) -> Iterator[str]:
    """Orthanc with our SCP configured as modality ``hsg``; yields its REST base URL."""
    binary = need("Orthanc", "/usr/sbin/Orthanc")
    http_port, dicom_port = _free_port(), _free_port()
    config = {
        "Name": "hsg-test-orthanc",
        "StorageDirectory": str(tmp_path / "storage"),
        "IndexDirectory": str(tmp_path / "index"),
        "HttpPort": http_port,
        "DicomPort": dicom_port,
        "DicomAet": "ORTHANC",
        "RemoteAccessAllowed": False,
        "AuthenticationEnabled": False,
        "DefaultEncoding": "Utf8",
        "DicomModalities": {"hsg": ["HSGCLINIC", "127.0.0.1", scp]},
        "Plugins": [],
    }
    path = tmp_path / "orthanc.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    log = (tmp_path / "orthanc.log").open("wb")
    proc = subprocess.Popen([binary, str(path)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{http_port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/system", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("Orthanc did not start: " + (tmp_path / "orthanc.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _find(base: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    r = httpx.post(f"{base}/modalities/hsg/find-worklist", json=query, timeout=60)
    assert r.status_code == 200, r.text
    answers: list[dict[str, Any]] = r.json()
    return answers


def test_orthanc_finds_the_days_worklist_through_our_scp(clinic, orthanc, booked, registrar):
    answers = _find(
        orthanc,
        {
            "SpecificCharacterSet": "ISO_IR 192",
            "PatientName": "",
            "PatientID": "",
            "AccessionNumber": "",
            "StudyInstanceUID": "",
            "ScheduledProcedureStepSequence": [
                {"Modality": "RF", "ScheduledProcedureStepStartDate": "20261121", "ScheduledStationAETitle": ""}
            ],
        },
    )
    by_name = {a["PatientName"]: a for a in answers}
    assert sorted(by_name) == ["李^静", "王^小红"]
    _, appt = booked["wang"]
    ids = identifiers.read(clinic.ctx, registrar, appt.appointment_id)
    wang = by_name["王^小红"]
    assert (wang["PatientID"], wang["AccessionNumber"], wang["StudyInstanceUID"]) == (
        ids.record_number,
        ids.accession_number,
        ids.study_instance_uid,
    )
    sps = wang["ScheduledProcedureStepSequence"][0]
    assert (sps["Modality"], sps["ScheduledProcedureStepStartDate"], sps["ScheduledStationAETitle"]) == (
        "RF",
        "20261121",
        "HSG_RF1",
    )


def test_orthanc_name_wildcard_and_range(orthanc, booked):
    answers = _find(
        orthanc,
        {
            "SpecificCharacterSet": "ISO_IR 192",
            "PatientName": "欧阳*",
            "ScheduledProcedureStepSequence": [{"ScheduledProcedureStepStartDate": "20261120-20261130"}],
        },
    )
    assert [a["PatientName"] for a in answers] == ["欧阳^娜娜"]
