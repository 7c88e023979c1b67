"""``hsgclinic``: plan a visit, screen, aftercare dates and the clinic calendar from the command line.

The planning commands import only the domain, the calendar adapter and the translator, so they start fast;
web, database and PDF code is imported only by the commands that need it (registered from
:mod:`hsgclinic.cli.records` and :mod:`hsgclinic.cli.documents`).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from typer.exceptions import TyperException

from hsgclinic.cli import capacity, dicom_commands, documents, hl7_commands, operations, records, worker
from hsgclinic.cli.clinic_setup import clinic_calendar, clinic_today, load_settings
from hsgclinic.cli.input_errors import InputError, fail, lang_option, parse_date, parse_int, parse_optional_date
from hsgclinic.domain.messages import N_, MessageError

app = typer.Typer(
    name="hsgclinic",
    help="hsgclinic — the painless HSG (hysterosalpingogram) pathway: plan, screen, book, report, aftercare.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh (default) or en")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output (see docs/cli.md)")]
TodayOpt = Annotated[str | None, typer.Option("--today", help="YYYY-MM-DD; default: today in the clinic's timezone")]


def _emit_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _answer(result: object, locale: str, as_json: bool, view: str) -> None:
    """Print ``result`` for a machine (``presenters.<view>_json``) or a person (``screens.show_<view>``)."""
    from hsgclinic import presenters
    from hsgclinic.cli import screens
    from hsgclinic.i18n import translator

    t = translator(locale)
    if as_json:
        _emit_json(getattr(presenters, f"{view}_json")(result, t))
    else:
        getattr(screens, f"show_{view}")(result, t)


@app.command()
def plan(
    period_end: Annotated[str, typer.Option("--period-end", help="Last day with bleeding, YYYY-MM-DD")],
    period_start: Annotated[str | None, typer.Option("--period-start", help="First day of the period")] = None,
    cycle_length: Annotated[str | None, typer.Option("--cycle-length", help="Usual cycle length in days")] = None,
    shortest: Annotated[str | None, typer.Option("--shortest", help="Shortest usual cycle (days)")] = None,
    longest: Annotated[str | None, typer.Option("--longest", help="Longest usual cycle (days)")] = None,
    age: Annotated[str | None, typer.Option("--age")] = None,
    irregular: Annotated[bool, typer.Option("--irregular", help="Periods are irregular")] = False,
    today: TodayOpt = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Her own dates: visit days, the procedure window, estimated ovulation, or the next cycle's dates."""
    from hsgclinic.domain.cycle import CycleFacts
    from hsgclinic.domain.planning import plan_visit

    locale = _lang(lang)
    try:
        settings = load_settings()
        rules = settings.rules()
        facts = CycleFacts.from_usual(
            parse_date(period_end, "--period-end"),
            period_start=parse_optional_date(period_start, "--period-start"),
            cycle_length=parse_int(cycle_length, "--cycle-length", rules.min_cycle_days, rules.max_cycle_days),
            shortest=parse_int(shortest, "--shortest", rules.min_cycle_days, rules.max_cycle_days),
            longest=parse_int(longest, "--longest", rules.min_cycle_days, rules.max_cycle_days),
            age=parse_int(age, "--age", 14, 60),
            irregular=irregular,
        )
        day = clinic_today(today, settings)
        horizon = facts.period_end + dt.timedelta(days=rules.max_cycle_days * 2)
        calendar = clinic_calendar(settings, day, [facts.period_end, horizon])
        result = plan_visit(facts, calendar, rules, today=day)
    except MessageError as exc:
        fail(exc.message, locale)
    _answer(result, locale, as_json, "plan")


@app.command()
def aftercare(
    procedure_date: Annotated[str, typer.Option("--procedure-date", help="YYYY-MM-DD")],
    antibiotic_days: Annotated[str | None, typer.Option("--antibiotic-days", help="3, 4 or 5")] = None,
    contrast: Annotated[str, typer.Option("--contrast", help="water or oil")] = "water",
    period_start: Annotated[str | None, typer.Option("--period-start")] = None,
    cycle_length: Annotated[str | None, typer.Option("--cycle-length")] = None,
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every aftercare item (CARE-*) as a date, with the report pick-up day (REPORT-READY)."""
    from hsgclinic.domain.aftercare import plan_aftercare
    from hsgclinic.domain.report import ContrastKind

    locale = _lang(lang)
    try:
        settings = load_settings()
        rules = settings.rules()
        day = parse_date(procedure_date, "--procedure-date")
        if contrast not in ("water", "oil"):
            raise InputError(N_("--contrast must be water or oil, not {value!r}.", value=contrast))
        length = parse_int(cycle_length, "--cycle-length", rules.min_cycle_days, rules.max_cycle_days)
        days = parse_int(antibiotic_days, "--antibiotic-days", 1, 30)
        horizon = day + dt.timedelta(days=rules.max_cycle_days * (rules.oil_contrast_wait_cycles + 1))
        calendar = clinic_calendar(settings, day, [horizon])
        result = plan_aftercare(
            day,
            calendar,
            rules,
            antibiotic_days=days,
            contrast=ContrastKind(contrast),
            period_start=parse_optional_date(period_start, "--period-start"),
            cycle_length=length,
        )
    except MessageError as exc:
        fail(exc.message, locale)
    _answer(result, locale, as_json, "aftercare")


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="Screening input as JSON (docs/screening-input.md)")],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every eligibility rule's outcome (ELIG-*) for one screening visit."""
    from hsgclinic.cli.screening_file import read_screening_file
    from hsgclinic.domain.eligibility import screen as run_screen

    locale = _lang(lang)
    try:
        settings = load_settings()
        rules = settings.rules()
        data = read_screening_file(file, rules)
        calendar = clinic_calendar(settings, data.visit_date, [data.cycle.period_end])
        result = run_screen(data, calendar, rules)
    except MessageError as exc:
        fail(exc.message, locale)
    _answer(result, locale, as_json, "screening")


@app.command("calendar")
def calendar_command(
    date_from: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    date_to: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    lang: LangOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Open / closed (with the holiday's name) / working day / provisional, day by day (CAL-*)."""
    from hsgclinic.domain.clinic_calendar import describe_day
    from hsgclinic.i18n import translator

    locale = _lang(lang)
    try:
        settings = load_settings()
        first = parse_date(date_from, "--from")
        last = parse_date(date_to, "--to")
        if last < first:
            raise InputError(N_("--to must not be before --from."))
        if (last - first).days > 3660:
            raise InputError(N_("Ask for at most ten years at a time."))
        calendar = clinic_calendar(settings, first, [last], reach_years=10)
        infos = [describe_day(calendar, d) for d in calendar.days(first, last)]
    except MessageError as exc:
        fail(exc.message, locale)
    t = translator(locale)
    if as_json:
        from hsgclinic.presenters import day_json

        _emit_json({"days": [day_json(i, t) for i in infos], "lang": t.locale})
    else:
        from hsgclinic.cli.screens import show_calendar

        show_calendar(infos, t)


def _lang(value: str | None) -> str:
    try:
        return lang_option(value)
    except MessageError as exc:
        fail(exc.message, None)


# The records (db, serve, demo, staff), documents (sheet, ics) and worker commands import their web, database and
# PDF code inside the command functions, so registering them here keeps the planning commands fast.
for _commands in (records, documents, worker, hl7_commands, operations, dicom_commands, capacity):
    _commands.register(app)


def _usage_lang(argv: list[str]) -> str:
    for i, arg in enumerate(argv):
        value = (
            arg.split("=", 1)[1]
            if arg.startswith("--lang=")
            else (argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None)
        )
        if value is not None:
            try:
                return lang_option(value)
            except InputError:
                return "zh_CN"
    return "zh_CN"


def run() -> None:
    """Entry point: usage errors (unknown option, missing value) as one line and exit code 2."""
    argv = sys.argv[1:] or ["--help"]
    try:
        code = app(args=argv, standalone_mode=False)
    except TyperException as exc:
        if not hasattr(exc, "format_message"):
            raise
        from hsgclinic.i18n import translator

        t = translator(_usage_lang(argv))
        ctx = getattr(exc, "ctx", None)
        hint = t("Run `{command} --help` for the options.", command=ctx.command_path if ctx else "hsgclinic")
        sys.stderr.write(f"{t('Error')}: {exc.format_message()} {hint}\n")
        raise SystemExit(2) from None
    except typer.Abort:
        raise SystemExit(130) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)
