"""`hsgclinic sheet …` and `hsgclinic ics` on a throwaway Typer app: one-line errors, exit code 2, .ics output."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from hsgclinic.cli.documents import register


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def version() -> None:  # a second command, so that Typer keeps the command names
        """Print nothing."""

    register(app)
    return app


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, list(args))


def _one_line_error(result, *, contains: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert contains in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        (["--procedure-date", "2026-02-30", "--lang", "en"], "not a real date"),
        (["--procedure-date", "2026-02-30"], "2026-02-30"),
        (["--procedure-date", "2026-12-04", "--antibiotic-days", "6", "--lang", "en"], "3–5 days, not 6"),
        (["--procedure-date", "2026-12-04", "--antibiotic-days", "6"], "抗生素"),
        (["--procedure-date", "2026-12-04", "--antibiotic-days", "three", "--lang", "en"], "whole number"),
        (["--procedure-date", "2026-12-04", "--contrast", "iodine", "--lang", "en"], "water or oil"),
        (["--procedure-date", "2026-12-04", "--contrast", "iodine"], "水溶性"),
        (["--procedure-date", "2026-12-04", "--cycle-length", "200", "--lang", "en"], "--cycle-length"),
        (["--procedure-date", "2026-12-04", "--period-start", "2026-12-05", "--lang", "en"], "--period-start"),
        (["--lang", "en"], "--procedure-date"),
        (["--procedure-date", "2026-12-04", "--lang", "fr"], "fr"),
    ],
)
def test_sheet_aftercare_rejects_bad_input_in_one_line(app, tmp_path: Path, args: list[str], contains: str) -> None:
    out = tmp_path / "a.pdf"
    result = run(app, "sheet", "aftercare", *args, "--out", str(out))
    _one_line_error(result, contains=contains)
    assert not out.exists()


def test_errors_are_in_chinese_by_default(app, tmp_path: Path) -> None:
    result = run(
        app,
        "sheet",
        "aftercare",
        "--procedure-date",
        "2026-12-04",
        "--antibiotic-days",
        "6",
        "--out",
        str(tmp_path / "a.pdf"),
    )
    _one_line_error(result, contains="错误")


def test_sheet_before_refuses_a_holiday_and_a_bad_time(app, tmp_path: Path) -> None:
    out = str(tmp_path / "b.pdf")
    holiday = run(app, "sheet", "before", "--procedure-date", "2026-10-02", "--lang", "en", "--out", out)
    _one_line_error(holiday, contains="National Day")
    bad_time = run(
        app, "sheet", "before", "--procedure-date", "2026-12-04", "--time", "25:00", "--lang", "en", "--out", out
    )
    _one_line_error(bad_time, contains="HH:MM")


def test_ics_for_the_worked_example(app, tmp_path: Path) -> None:
    out = tmp_path / "hsg.ics"
    result = run(
        app,
        "ics",
        "--procedure-date",
        "2026-12-04",
        "--time",
        "08:15",
        "--lang",
        "en",
        "--out",
        str(out),
        "--today",
        "2026-12-01",
    )
    assert result.exit_code == 0, result.output
    assert str(out) in result.stdout
    cal = Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert events["HSG procedure"].decoded("dtstart").replace(tzinfo=None) == dt.datetime(2026, 12, 4, 8, 15)
    assert events["HSG report ready"].decoded("dtstart") == dt.date(2026, 12, 7)
    abstain = next(e for s, e in events.items() if s.startswith("No intercourse, no tub bath"))
    assert abstain.decoded("dtend") == dt.date(2026, 12, 19)


def test_ics_with_the_period_end_adds_her_visit_plan(app, tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    result = run(app, "ics", "--period-end", "2026-11-18", "--out", str(out), "--today", "2026-11-18")
    assert result.exit_code == 0, result.output
    summaries = [str(e["summary"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")]
    assert summaries.count("输卵管造影 初诊检查") == 2
    assert "可预约的造影日期" in summaries


def test_ics_uids_are_stable_between_runs(app, tmp_path: Path) -> None:
    def uids(name: str) -> list[str]:
        out = tmp_path / name
        run(app, "ics", "--procedure-date", "2026-12-04", "--case-id", "case-9", "--out", str(out))
        return sorted(str(e["uid"]) for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT"))

    assert uids("1.ics") == uids("2.ics")


@pytest.mark.parametrize(
    ("args", "contains"),
    [
        ([], "--procedure-date"),
        (["--period-end", "2026-12-30", "--today", "2026-11-18"], "2026年12月30日"),
        (["--procedure-date", "2026-12-04", "--time", "8h"], "HH:MM"),
    ],
)
def test_ics_rejects_bad_input_in_one_line(app, tmp_path: Path, args: list[str], contains: str) -> None:
    _one_line_error(run(app, "ics", *args, "--out", str(tmp_path / "x.ics")), contains=contains)


def test_an_unwritable_output_is_a_one_line_error(app, tmp_path: Path) -> None:
    result = run(
        app, "ics", "--procedure-date", "2026-12-04", "--lang", "en", "--out", str(tmp_path / "missing" / "x.ics")
    )
    _one_line_error(result, contains="Cannot write")


def test_registering_does_not_import_the_pdf_engine() -> None:
    import subprocess
    import sys

    code = (
        "import sys, typer; from hsgclinic.cli.documents import register; register(typer.Typer()); "
        "print('weasyprint' in sys.modules, 'icalendar' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]
