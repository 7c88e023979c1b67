"""CLI commands for patient documents: ``hsgclinic sheet aftercare|before`` (PDF) and ``hsgclinic ics``.

Every option is parsed here (not by Click) so that bad input gets one line in the chosen language on stderr and
exit code 2, never a traceback. Heavy imports (WeasyPrint, the calendar) happen inside the commands.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from hsgclinic.cli.clinic_setup import clinic_calendar, clinic_today, load_settings
from hsgclinic.cli.input_errors import InputError, fail, lang_option, parse_date, parse_int
from hsgclinic.documents.fonts import ChineseFontMissing

if TYPE_CHECKING:
    from hsgclinic.config import Settings
    from hsgclinic.domain.aftercare import AftercarePlan
    from hsgclinic.domain.messages import Message
    from hsgclinic.domain.report import ContrastKind
    from hsgclinic.i18n import Translator

ProcedureDate = Annotated[
    str | None, typer.Option("--procedure-date", help="Procedure date, YYYY-MM-DD.", show_default=False)
]
Lang = Annotated[str | None, typer.Option("--lang", help="Language of the document: zh (default) or en.")]
Out = Annotated[Path | None, typer.Option("--out", help="File to write.", show_default=False)]
Today = Annotated[str | None, typer.Option("--today", hidden=True, help="Pretend today is YYYY-MM-DD (tests).")]


def _language(raw: str | None) -> Translator:
    from hsgclinic.i18n import translator

    try:
        return translator(lang_option(raw))
    except InputError as exc:
        fail(exc.message, None)


def _date(option: str, raw: str | None, *, required: bool = False) -> dt.date | None:
    from hsgclinic.domain.messages import N_

    if raw is None or not raw.strip():
        if required:
            raise InputError(N_("{option} is required.", option=option))
        return None
    return parse_date(raw, option)


def _int(option: str, raw: str | None, low: int, high: int) -> int | None:
    return parse_int(raw, option, low, high) if raw is not None and raw.strip() else None


def _time(raw: str | None) -> dt.time | None:
    from hsgclinic.domain.messages import N_

    if raw is None or not raw.strip():
        return None
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", raw.strip())
    if match is None:
        raise InputError(N_("--time: {value} is not a time; write it as HH:MM (24-hour).", value=raw))
    return dt.time(int(match[1]), int(match[2]))


def _contrast(raw: str) -> ContrastKind:
    from hsgclinic.domain.messages import N_
    from hsgclinic.domain.report import ContrastKind

    try:
        return ContrastKind(raw.strip().lower())
    except ValueError:
        raise InputError(N_("--contrast must be water or oil, not {value}.", value=raw)) from None


def _out(out: Path | None) -> Path:
    from hsgclinic.domain.messages import N_

    if out is None:
        raise InputError(N_("{option} is required.", option="--out"))
    return out


def _write(t: Translator, path: Path, data: bytes) -> None:
    from hsgclinic.domain.messages import N_

    try:
        path.write_bytes(data)
    except OSError:
        raise InputError(N_("Cannot write the file {path}.", path=str(path))) from None
    typer.echo(t("Wrote {path}.", path=str(path)))


def _aftercare_plan(
    *,
    procedure: dt.date,
    antibiotic_days: str | None,
    contrast: str,
    period_start: str | None,
    cycle_length: str | None,
    today: dt.date,
    settings: Settings,
) -> AftercarePlan:
    from hsgclinic.domain.aftercare import plan_aftercare
    from hsgclinic.domain.messages import N_

    rules = settings.rules()
    days = _int("--antibiotic-days", antibiotic_days, 1, 30)  # 3–5 is the domain's rule (its own message)
    kind = _contrast(contrast)
    lmp = _date("--period-start", period_start)
    length = _int("--cycle-length", cycle_length, rules.min_cycle_days, rules.max_cycle_days)
    if lmp is not None and not dt.timedelta(0) <= procedure - lmp <= dt.timedelta(days=rules.max_cycle_days):
        raise InputError(N_("--period-start must be within the cycle before the procedure date."))
    calendar = clinic_calendar(settings, today, [procedure])
    return plan_aftercare(
        procedure,
        calendar,
        rules,
        antibiotic_days=days,
        contrast=kind,
        period_start=lmp,
        cycle_length=length,
    )


def sheet_aftercare(
    procedure_date: ProcedureDate = None,
    antibiotic_days: Annotated[
        str | None, typer.Option("--antibiotic-days", help="Days of the antibiotic course (3–5; default 3).")
    ] = None,
    contrast: Annotated[str, typer.Option("--contrast", help="Contrast used: water or oil.")] = "water",
    period_start: Annotated[
        str | None, typer.Option("--period-start", help="First day of her last period, YYYY-MM-DD.")
    ] = None,
    cycle_length: Annotated[str | None, typer.Option("--cycle-length", help="Her usual cycle length in days.")] = None,
    lang: Lang = None,
    out: Out = None,
    today: Today = None,
) -> None:
    """Print the dated aftercare sheet (CARE-*) as a PDF."""
    t = _language(lang)
    try:
        from hsgclinic.documents.sheets import render_aftercare_pdf
        from hsgclinic.domain.aftercare import AftercareInputError
        from hsgclinic.domain.clinic_calendar import CalendarRangeError

        path = _out(out)
        procedure = _date("--procedure-date", procedure_date, required=True)
        assert procedure is not None
        settings = load_settings()
        try:
            plan = _aftercare_plan(
                procedure=procedure,
                antibiotic_days=antibiotic_days,
                contrast=contrast,
                period_start=period_start,
                cycle_length=cycle_length,
                today=clinic_today(today, settings),
                settings=settings,
            )
        except AftercareInputError as exc:
            raise InputError(exc.message) from None
        except CalendarRangeError:
            raise InputError(_far(procedure)) from None
        _write(t, path, render_aftercare_pdf(plan, settings.site, t.locale))
    except (InputError, ChineseFontMissing) as exc:
        fail(exc.message, t.locale)


def _far(day: dt.date) -> Message:
    from hsgclinic.domain.messages import N_

    return N_("{day} is too far from today for the clinic calendar.", day=day)


def sheet_before(
    procedure_date: ProcedureDate = None,
    time: Annotated[str | None, typer.Option("--time", help="Appointment time, HH:MM.")] = None,
    period_end: Annotated[str | None, typer.Option("--period-end", help="Last day of her period, YYYY-MM-DD.")] = None,
    lang: Lang = None,
    out: Out = None,
    today: Today = None,
) -> None:
    """Print the before-the-procedure sheet as a PDF."""
    t = _language(lang)
    try:
        from hsgclinic.documents.models import BeforeProcedureView
        from hsgclinic.documents.sheets import render_before_procedure_pdf
        from hsgclinic.domain.messages import N_
        from hsgclinic.domain.report import report_ready_on

        path = _out(out)
        procedure = _date("--procedure-date", procedure_date, required=True)
        assert procedure is not None
        at = _time(time)
        end = _date("--period-end", period_end)
        if end is not None and not dt.timedelta(0) < procedure - end <= dt.timedelta(days=30):
            raise InputError(N_("--period-end must be a few days before the procedure date."))
        settings = load_settings()
        calendar = clinic_calendar(settings, clinic_today(today, settings), [procedure])
        closure = calendar.closure(procedure)
        if closure is not None:
            raise InputError(N_("The clinic is closed that day ({name}).", name=closure.name))
        view = BeforeProcedureView(
            procedure_date=procedure,
            procedure_time=at,
            abstain_from=end,
            price=settings.price_cny,
            report_ready_on=report_ready_on(procedure, calendar),
            provisional=calendar.is_provisional(procedure),
        )
        _write(t, path, render_before_procedure_pdf(view, settings.site, t.locale))
    except (InputError, ChineseFontMissing) as exc:
        fail(exc.message, t.locale)


def ics(
    procedure_date: ProcedureDate = None,
    period_end: Annotated[
        str | None, typer.Option("--period-end", help="Last day of her period, YYYY-MM-DD: adds her visit plan.")
    ] = None,
    time: Annotated[str | None, typer.Option("--time", help="Procedure time, HH:MM.")] = None,
    period_start: Annotated[
        str | None, typer.Option("--period-start", help="First day of her last period, YYYY-MM-DD.")
    ] = None,
    cycle_length: Annotated[str | None, typer.Option("--cycle-length", help="Her usual cycle length in days.")] = None,
    antibiotic_days: Annotated[
        str | None, typer.Option("--antibiotic-days", help="Days of the antibiotic course (3–5; default 3).")
    ] = None,
    contrast: Annotated[str, typer.Option("--contrast", help="Contrast used: water or oil.")] = "water",
    case_id: Annotated[
        str | None, typer.Option("--case-id", help="Stable case key for the event UIDs (default: from the dates).")
    ] = None,
    lang: Lang = None,
    out: Out = None,
    today: Today = None,
) -> None:
    """Write an iCalendar (.ics) file with her visit plan and/or the procedure and aftercare dates."""
    t = _language(lang)
    try:
        from hsgclinic.documents import ics as ics_files
        from hsgclinic.domain.aftercare import AftercareInputError
        from hsgclinic.domain.clinic_calendar import CalendarRangeError
        from hsgclinic.domain.cycle import CycleFacts, CycleInputError
        from hsgclinic.domain.messages import N_
        from hsgclinic.domain.planning import plan_visit

        path = _out(out)
        procedure = _date("--procedure-date", procedure_date)
        end = _date("--period-end", period_end)
        if procedure is None and end is None:
            raise InputError(N_("Give --procedure-date, --period-end or both."))
        at = _time(time)
        if at is not None and procedure is None:
            raise InputError(N_("--time needs --procedure-date."))
        settings = load_settings()
        now = clinic_today(today, settings)
        lmp = _date("--period-start", period_start)
        entries: list[ics_files.CalendarEntry] = []
        key = case_id or "cli:" + ":".join(d.isoformat() for d in (end, procedure) if d is not None)
        try:
            if end is not None:
                rules = settings.rules()
                length = _int("--cycle-length", cycle_length, rules.min_cycle_days, rules.max_cycle_days)
                facts = CycleFacts.from_usual(end, period_start=lmp, cycle_length=length)
                calendar = clinic_calendar(settings, now, [end])
                visit = plan_visit(facts, calendar, settings.rules(), today=min(now, end) if procedure else now)
                entries += ics_files.visit_plan_entries(visit, t, settings.site, release_time=settings.release_time)
                if lmp is None:
                    lmp = facts.estimated_period_start(settings.rules())[0]
                    period_start = lmp.isoformat()
            if procedure is not None:
                plan = _aftercare_plan(
                    procedure=procedure,
                    antibiotic_days=antibiotic_days,
                    contrast=contrast,
                    period_start=period_start,
                    cycle_length=cycle_length,
                    today=now,
                    settings=settings,
                )
                when = dt.datetime.combine(procedure, at) if at is not None else None
                entries += ics_files.aftercare_entries(plan, t, settings.site, procedure_at=when)
        except (AftercareInputError, CycleInputError) as exc:
            raise InputError(exc.message) from None
        except CalendarRangeError:
            raise InputError(_far(procedure or end or now)) from None
        data = ics_files.calendar_of(entries, lang=t.locale, case_id=key).to_ical()
        _write(t, path, data)
    except InputError as exc:
        fail(exc.message, t.locale)


def register(app: typer.Typer) -> None:
    """Add ``sheet aftercare``, ``sheet before`` and ``ics`` to the main CLI."""
    sheet = typer.Typer(help="Print patient sheets (PDF).", no_args_is_help=True)
    sheet.command("aftercare")(sheet_aftercare)
    sheet.command("before")(sheet_before)
    app.add_typer(sheet, name="sheet")
    app.command("ics")(ics)
