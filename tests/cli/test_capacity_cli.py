"""`hsgclinic capacity simulate`, run as the installed entry point against a fresh embedded database."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path


def hsg(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    assert exe, "the hsgclinic entry point is installed in the venv"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HSGCLINIC_")}
    env |= {"HSGCLINIC_DATA_DIR": str(tmp_path), "HSGCLINIC_CAPACITY_MONTHLY_DEMAND": "300"}
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=300, check=False, env=env)


PERIOD = ("--from", "2027-01-20", "--to", "2027-03-10")


def test_json_is_reproducible_with_a_seed_and_compares_policies_with_the_optimum(tmp_path: Path) -> None:
    args = ("capacity", "simulate", *PERIOD, "--seed", "4", "--json", "--optimum", "--what-if", "open:2027-02-10")
    first = hsg(tmp_path, *args)
    assert first.returncode == 0, first.stderr
    data = json.loads(first.stdout)
    again = json.loads(hsg(tmp_path, *args).stdout)
    data["optimum"].pop("seconds"), again["optimum"].pop("seconds")
    assert data == again
    assert data["inputs"]["demand_source"] == "setting"
    assert data["inputs"]["monthly_demand"]["2027-02"] == 300
    assert set(data["baseline"]["lost"]["by_cause"]) == {"holiday", "closure", "numbers", "capacity"}
    lost = {p["name"]: p["lost"] for p in data["policies"]}
    assert data["optimum"]["lost"] <= min(lost.values())
    (opened,) = data["what_ifs"]
    assert opened["spec"] == "open:2027-02-10" and opened["added"] == 20 and opened["saved"] >= 0


def test_table_output_in_chinese_by_default_and_english_on_request(tmp_path: Path) -> None:
    zh = hsg(tmp_path, "capacity", "simulate", *PERIOD)
    assert zh.returncode == 0, zh.stderr
    assert ("损失周期" in zh.stdout and "春节" in zh.stdout) or "Spring Festival" in zh.stdout
    en = hsg(tmp_path, "capacity", "simulate", *PERIOD, "--lang", "en", "--what-if", "capacity:22")
    assert en.returncode == 0, en.stderr
    assert "Lost cycles" in en.stdout and "What-ifs, ranked by cycles saved per added place" in en.stdout


def test_bad_input_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad_date = hsg(tmp_path, "capacity", "simulate", "--from", "2027-02-30", "--lang", "en")
    assert bad_date.returncode == 2 and "--from" in bad_date.stderr and "Traceback" not in bad_date.stderr
    bad_what_if = hsg(tmp_path, "capacity", "simulate", *PERIOD, "--what-if", "teleport:3", "--lang", "en")
    assert bad_what_if.returncode == 2 and "teleport" in bad_what_if.stderr
    backwards = hsg(tmp_path, "capacity", "simulate", "--from", "2027-03-01", "--to", "2027-02-01", "--lang", "en")
    assert backwards.returncode == 2 and "period" in backwards.stderr
