"""The planning CLI, run as a newcomer runs it: the installed `hsgclinic` entry point in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"


def hsg(*args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    assert exe, "the hsgclinic entry point is installed in the venv"
    return subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)


def test_plan_json_gives_the_worked_example_dates() -> None:
    """domain.md: period ended Wed 2026-11-18 → visit 11-20/11-21, window 11-21 … 11-25 (BOOK-WINDOW)."""
    r = hsg("plan", "--period-end", "2026-11-18", "--today", "2026-11-19", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["visit_days"] == ["2026-11-20", "2026-11-21"]
    assert [w["date"] for w in data["window"]] == [f"2026-11-{d}" for d in range(21, 26)]
    assert data["next_cycle"] is None
    assert {"rule", "outcome", "message"} <= set(data["findings"][0])
    assert data["estimated_ovulation"] == "2026-11-27"


def test_plan_over_national_day_names_the_holiday_and_offers_next_cycle() -> None:
    """BOOK-OPEN + BOOK-NEXT: period ended 2026-09-28 → E+3…E+7 = Oct 1–5, all National Day."""
    r = hsg("plan", "--period-end", "2026-09-28", "--today", "2026-09-29", "--json", "--lang", "en")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["procedure_dates"] == []
    assert all(w["closed_reason"] == "National Day" for w in data["window"])
    assert data["next_cycle"] is not None
    assert any(f["rule"] == "BOOK-NEXT" for f in data["findings"])


def test_plan_prints_a_chinese_timeline_by_default() -> None:
    r = hsg("plan", "--period-end", "2026-11-18", "--today", "2026-11-19")
    assert r.returncode == 0, r.stderr
    assert "2026年11月20日" in r.stdout
    assert "造影" in r.stdout


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--period-end", "2026-02-30"], "2026-02-30"),
        (["--period-end", "2026-12-30", "--today", "2026-11-26"], "2026"),
        (["--period-end", "2026-11-18", "--cycle-length", "5"], "5"),
        (["--period-end", "2026-11-18", "--bogus"], "--bogus"),
        ([], "--period-end"),
    ],
)
def test_bad_input_is_one_line_exit_2_in_chinese(args: list[str], needle: str) -> None:
    r = hsg("plan", *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("错误")
    assert needle in lines[0]


def test_bad_input_in_english_when_asked() -> None:
    r = hsg("plan", "--period-end", "2026-11-18", "--cycle-length", "5", "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.strip() == "Error: --cycle-length: 5 is out of range; enter a number from 15 to 90."


def test_aftercare_json_matches_the_worked_example() -> None:
    """Procedure Fri 2026-12-04: report Mon 12-07, abstain through 12-18, bleeding by 12-11, antibiotics to 12-06."""
    r = hsg("aftercare", "--procedure-date", "2026-12-04", "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["report_ready_on"] == "2026-12-07"
    assert data["abstain_through"] == "2026-12-18"
    assert data["resume_from"] == "2026-12-19"
    assert data["antibiotics_through"] == "2026-12-06"
    assert data["bleeding_stops_by"] == "2026-12-11"
    assert data["provisional"] is False
    assert data["conceive_from"] >= data["resume_from"]


def test_aftercare_refuses_a_six_day_antibiotic_course() -> None:
    r = hsg("aftercare", "--procedure-date", "2026-12-04", "--antibiotic-days", "6", "--lang", "en")
    assert r.returncode == 2
    assert "3–5" in r.stderr


def test_aftercare_before_national_day_reports_on_october_8() -> None:
    r = hsg("aftercare", "--procedure-date", "2026-09-30", "--json")
    assert json.loads(r.stdout)["report_ready_on"] == "2026-10-08"


@pytest.mark.parametrize(("name", "outcome"), [("pass", "PASS"), ("block", "BLOCK"), ("review", "REVIEW")])
def test_screen_example_files(name: str, outcome: str) -> None:
    r = hsg("screen", str(EXAMPLES / f"screening-{name}.json"), "--json")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["outcome"] == outcome
    assert data["application_form_allowed"] is (outcome != "BLOCK")
    rules = {f["rule"] for f in data["findings"]}
    assert {"ELIG-TEMP", "ELIG-LEUK", "ELIG-ABSTAIN", "ELIG-RESP", "ELIG-PAIN", "ELIG-VISIT-DAY"} <= rules


def test_screen_rejects_a_broken_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"visit_date": "2026-11-20", "cycle": {}}', encoding="utf-8")
    r = hsg("screen", str(bad), "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.strip() == "Error: The field period_end is required."


def test_calendar_marks_make_up_days_and_provisional_years() -> None:
    r = hsg("calendar", "--from", "2026-10-09", "--to", "2026-10-10", "--json", "--lang", "en")
    days = json.loads(r.stdout)["days"]
    assert days[1] == {
        "date": "2026-10-10",
        "open": True,
        "working_day": True,
        "makeup_workday": True,
        "closed_reason": None,
        "closure_kind": None,
        "provisional": False,
    }
    r = hsg("calendar", "--from", "2027-01-04", "--to", "2027-01-04", "--json")
    assert json.loads(r.stdout)["days"][0]["provisional"] is True


def test_a_bad_setting_or_notice_file_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """The operator's configuration is input too: one line in the chosen language and exit 2."""
    import os

    exe = shutil.which("hsgclinic", path=str(Path(sys.executable).parent))
    assert exe
    notices = tmp_path / "notices"
    notices.mkdir()
    (notices / "2027.json").write_text("{bad", encoding="utf-8")
    for extra, needle in (
        ({"HSGCLINIC_DAILY_NUMBERS": "abc"}, "daily_numbers"),
        ({"HSGCLINIC_CALENDAR_NOTICE_DIR": str(notices)}, "2027.json"),
    ):
        env = os.environ | extra
        r = subprocess.run(
            [exe, "plan", "--period-end", "2026-11-18", "--lang", "en"],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert r.returncode == 2, r.stderr
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
        assert r.stderr.startswith("Error: ") and needle in r.stderr


# -- issue 11 classes (a)–(e) through the command line ------------------------------------------------------------
@pytest.mark.parametrize(("field", "value"), [("cycle_length", 14), ("cycle_length", 91), ("longest_cycle", 91)])
def test_screen_refuses_a_cycle_length_outside_15_to_90(tmp_path: Path, field: str, value: int) -> None:
    """docs/screening-input.md: cycle lengths are 15–90; 14 or 91 is a one-line error, not a screening."""
    data = json.loads((EXAMPLES / "screening-pass.json").read_text(encoding="utf-8"))
    data["cycle"][field] = value
    if field == "longest_cycle":
        data["cycle"]["shortest_cycle"] = 29
    path = tmp_path / "screening.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    r = hsg("screen", str(path), "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.strip() == f"Error: cycle.{field}: {value} is out of range; enter a number from 15 to 90."


def test_screen_refuses_a_period_that_ends_after_the_visit(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "screening-pass.json").read_text(encoding="utf-8"))
    data["cycle"]["period_end"] = "2026-11-21"
    path = tmp_path / "screening.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    r = hsg("screen", str(path), "--lang", "en")
    assert r.returncode == 2
    assert r.stderr.strip() == "Error: The day your period ended (Sat 21 Nov 2026) is in the future."


def test_aftercare_refuses_a_period_start_after_the_procedure() -> None:
    r = hsg("aftercare", "--procedure-date", "2026-12-04", "--period-start", "2026-12-05", "--lang", "en")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == (
        "Error: The first day of the last period (Sat 5 Dec 2026) must be on or before the procedure date "
        "(Fri 4 Dec 2026)."
    )


def test_plan_from_a_period_too_old_says_so_instead_of_past_dates() -> None:
    """BOOK-NEXT + ELIG-PREG: period ended 2025-05-14, today 2025-07-13 → no next cycle in the past."""
    r = hsg("plan", "--period-end", "2025-05-14", "--today", "2025-07-13", "--json", "--lang", "en")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["next_cycle"] is None
    outcomes = {f["rule"]: f["outcome"] for f in data["findings"]}
    assert outcomes["BOOK-NEXT"] == "BLOCK" and outcomes["ELIG-PREG"] == "BLOCK"
    assert any("too old to plan from" in f["message"] for f in data["findings"])


def test_calendar_marks_years_before_the_official_data_provisional() -> None:
    r = hsg("calendar", "--from", "1990-10-01", "--to", "1990-10-01", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["days"][0]["provisional"] is True
