"""`hsgclinic dicom serve`: starts on the embedded database, answers dcmtk's echoscu from an allowed AE title,
stops on SIGTERM; a bad DICOM setting stops it at start-up with a message naming the setting."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

from dicompeers import need

HSGCLINIC = str(Path(sys.executable).with_name("hsgclinic"))


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")}
    return env | {"HSGCLINIC_DATA_DIR": str(tmp)} | extra


def test_serve_answers_an_echo_and_stops_on_sigterm(tmp_path: Path) -> None:
    echoscu = need("echoscu")
    proc = subprocess.Popen(
        [HSGCLINIC, "dicom", "serve", "--port", "0", "--lang", "en"],
        env=_env(tmp_path, HSGCLINIC_DICOM_ALLOWED_AE_TITLES="HSG_RF1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        port = None
        while port is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            found = re.search(r"DICOM worklist and MPPS service HSGCLINIC on 127\.0\.0\.1:(\d+)", line)
            port = int(found[1]) if found else None
        assert port, "the service did not start"
        ok = subprocess.run([echoscu, "-aet", "HSG_RF1", "-aec", "HSGCLINIC", "127.0.0.1", str(port)], timeout=30)
        assert ok.returncode == 0
        refused = subprocess.run(
            [echoscu, "-aet", "SOMEONE", "-aec", "HSGCLINIC", "127.0.0.1", str(port)], capture_output=True, timeout=30
        )
        assert refused.returncode != 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_a_bad_dicom_setting_stops_it_at_start_up(tmp_path: Path) -> None:
    r = subprocess.run(
        [HSGCLINIC, "dicom", "serve", "--lang", "en"],
        env=_env(tmp_path, HSGCLINIC_DICOM_CHARSET="latin1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode != 0 and "dicom_charset" in (r.stdout + r.stderr)
