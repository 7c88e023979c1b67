"""Running the independent DICOM peers of the tests (dcmtk findscu; Orthanc and Odil in their own tests)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset

from hsgtest import require_all


def need(tool: str, *also: str) -> str:
    """The tool's path (on PATH, else one of ``also``); a missing tool fails under HSGCLINIC_REQUIRE_ALL (CI),
    else skips."""
    path = shutil.which(tool) or next((p for p in also if Path(p).exists()), None)
    if path is None:
        if require_all():
            pytest.fail(f"{tool} is not installed (scripts/install-system-deps.sh test)")
        pytest.skip(f"{tool} is not installed")
    return path


def findscu(
    port: int,
    out: Path,
    keys: list[str | bytes],
    *,
    aet: str = "HSG_RF1",
    aec: str = "HSGCLINIC",
    check: bool = True,
) -> list[Dataset] | subprocess.CompletedProcess[str]:
    """``findscu -W`` with these ``-k`` keys; the answers (read from the files ``-X`` writes), or the finished
    process when ``check`` is False."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("rsp*.dcm"):
        old.unlink()
    cmd: list[str | bytes] = [
        need("findscu"),
        "-v",
        "-W",
        "-X",
        "-od",
        str(out),
        "-aet",
        aet,
        "-aec",
        aec,
        "-to",
        "20",
        "-ta",
        "20",
        "-td",
        "20",
    ]
    for k in keys:
        cmd += ["-k", k]
    cmd += ["127.0.0.1", str(port)]
    run = subprocess.run(cmd, capture_output=True, timeout=60)
    proc = subprocess.CompletedProcess(
        run.args, run.returncode, run.stdout.decode("utf-8", "replace"), run.stderr.decode("utf-8", "replace")
    )
    if not check:
        return proc
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return [pydicom.dcmread(p) for p in sorted(out.glob("rsp*.dcm"))]
