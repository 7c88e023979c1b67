"""`make run`'s two steps as a newcomer meets them: demo data with logins she can read again, and a URL."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path


def hsg(tmp: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    assert exe
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")}
    env |= {"HSGCLINIC_DATA_DIR": str(tmp), "HSGCLINIC_PASSWORD_HASH_COST": "fast-for-tests"}
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False)


def _staff_logins(stdout: str) -> list[str]:
    """The lines under 'Staff logins' (up to the synthetic patients' access codes that follow them)."""
    section = stdout.split("Staff logins", 1)[1].split("Synthetic patients", 1)[0]
    return [line.strip() for line in section.splitlines() if line.count(" / ") == 2 and "(" not in line]


def test_demo_if_empty_shows_the_same_logins_on_every_run(tmp_path: Path) -> None:
    first = hsg(tmp_path, "demo", "--if-empty", "--lang", "en")
    assert first.returncode == 0, first.stderr
    logins = _staff_logins(first.stdout)
    assert {line.split(" / ")[0] for line in logins} == {"admin", "nurse", "doctor", "radiologist"}
    assert "access code / last 4 of the ID / stage" in first.stdout  # development only: a code per stage
    again = hsg(tmp_path, "demo", "--if-empty", "--lang", "en")
    assert again.returncode == 0, again.stderr
    assert "nothing added" in again.stdout
    assert _staff_logins(again.stdout) == logins
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o077 == 0


def test_serve_prints_the_url_to_open(tmp_path: Path) -> None:
    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    assert exe
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")} | {
        "HSGCLINIC_DATA_DIR": str(tmp_path)
    }
    proc = subprocess.Popen(
        [exe, "serve", "--port", "0", "--lang", "en"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert line.startswith("hsgclinic is running: open http://127.0.0.1:0/")
