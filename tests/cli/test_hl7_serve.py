"""``hsgclinic hl7 serve`` as an operator runs it: it says where it listens, answers python-hl7's ``mllp_send``,
stops cleanly on SIGTERM, and refuses a bad setting at start-up with a message naming it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from hsgclinic.services.synthetic import synthetic_resident_id
from hsgtest_hl7 import ack_fields, adt

BIN = Path(sys.executable).parent


def env_for(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")}
    return env | {"HSGCLINIC_DATA_DIR": str(tmp), **extra}


def test_hl7_serve_listens_answers_and_stops(tmp_path: Path) -> None:
    exe = shutil.which("hsgclinic", path=str(BIN))
    assert exe
    proc = subprocess.Popen(
        [exe, "hl7", "serve", "--port", "0", "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(tmp_path, HSGCLINIC_HL7_ALLOWED_FACILITIES="HOSP"),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("HL7 MLLP listener on 127.0.0.1:"), line
        port = line.split(":")[1].split()[0]
        message = tmp_path / "a04.hl7"
        message.write_text(adt("A04", "王小红", synthetic_resident_id(81), "13900000081", control="CLI1"), "utf-8")
        sent = subprocess.run(
            [str(BIN / "mllp_send"), "--file", str(message), "--loose", "--port", port, "127.0.0.1"],
            capture_output=True,
            timeout=60,
        )
        assert sent.returncode == 0, sent.stderr
        ack = ack_fields(sent.stdout.strip().strip(b"\x0b\x1c\r"))
        assert (ack["code"], ack["control_id"]) == ("AA", "CLI1")
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    assert code == 0


def test_a_bad_hl7_setting_stops_it_with_a_message_naming_the_setting(tmp_path: Path) -> None:
    exe = shutil.which("hsgclinic", path=str(BIN))
    assert exe
    done = subprocess.run(
        [exe, "hl7", "serve", "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env_for(tmp_path, HSGCLINIC_HL7_CHARSET="latin-1"),
    )
    assert done.returncode == 2
    assert "hl7_charset" in done.stderr and "Traceback" not in done.stderr


def test_hl7_outbox_and_resend_for_the_operator(tmp_path: Path) -> None:
    exe = shutil.which("hsgclinic", path=str(BIN))
    assert exe
    env = env_for(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([exe, "hl7", *args, "--lang", "en"], capture_output=True, text=True, timeout=60, env=env)

    empty = run("outbox")
    assert empty.returncode == 0, empty.stderr
    assert "Every HL7 message has been delivered." in empty.stdout
    missing = run("resend", "42")
    assert missing.returncode == 1 and "No such HL7 message." in missing.stderr
