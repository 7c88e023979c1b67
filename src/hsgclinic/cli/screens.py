"""What the planning commands show a person: Rich tables and timelines in her language."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console
from rich.table import Table

from hsgclinic.domain.aftercare import AftercarePlan
from hsgclinic.domain.clinic_calendar import DayInfo
from hsgclinic.domain.eligibility import ScreeningResult
from hsgclinic.domain.findings import Finding, Outcome
from hsgclinic.domain.planning import VisitPlan
from hsgclinic.domain.procedure_window import DateVerdict
from hsgclinic.i18n import Translator

STYLE = {Outcome.PASS: "green", Outcome.REVIEW: "yellow", Outcome.BLOCK: "red"}
MARK = {Outcome.PASS: "✓", Outcome.REVIEW: "?", Outcome.BLOCK: "✗"}


def _console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def _outcome_label(outcome: Outcome, t: Translator) -> str:
    labels = {Outcome.PASS: t("pass"), Outcome.REVIEW: t("doctor review"), Outcome.BLOCK: t("not possible")}
    return f"[{STYLE[outcome]}]{MARK[outcome]} {labels[outcome]}[/]"


def _findings_table(findings: Iterable[Finding], t: Translator, title: str) -> Table:
    table = Table(title=title, show_lines=False, expand=False, title_justify="left")
    table.add_column(t("Rule"), style="bold", no_wrap=True)
    table.add_column(t("Outcome"), no_wrap=True)
    table.add_column(t("Why"), overflow="fold")
    for f in findings:
        table.add_row(f.rule, _outcome_label(f.outcome, t), t.render(f.message))
    return table


def _window_table(window: Sequence[DateVerdict], t: Translator, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(t("Date"), no_wrap=True)
    table.add_column(t("Cycle day"), justify="right")
    table.add_column(t("Status"), no_wrap=True)
    table.add_column(t("Why"), overflow="fold")
    for v in window:
        reasons = [f"{f.rule}: {t.render(f.message)}" for f in v.findings if f.outcome is not Outcome.PASS]
        if v.provisional:
            reasons.append(t("provisional calendar"))
        table.add_row(t.date(v.day), str(v.cycle_day), _outcome_label(v.outcome, t), "\n".join(reasons) or "—")
    return table


def show_plan(plan: VisitPlan, t: Translator) -> None:
    out = _console()
    out.print(
        "[bold]" + t("Your painless HSG dates") + "[/]  (" + t("period ended") + f" {t.date(plan.cycle.period_end)})"
    )
    if plan.period_start_estimated or plan.cycle_length_assumed:
        out.print(
            "[dim]"
            + t(
                "Some dates are estimates: enter the first day of your period and your usual cycle length "
                "for exact dates."
            )
            + "[/]"
        )
    out.print(
        t("No intercourse from") + f" {t.date(plan.abstain_from)} " + t("until the procedure") + " (ELIG-ABSTAIN)"
    )
    if plan.visit_days:
        days = t.join(t.date(v.day) for v in plan.visit_days)
        out.print("[bold green]" + t("Screening visit and leukorrhea test") + f":[/] {days} (ELIG-VISIT-DAY)")
    if plan.late_visit_days:
        days = t.join(t.date(v.day) for v in plan.late_visit_days)
        out.print("[yellow]" + t("Later visit days (a doctor must agree)") + f":[/] {days}")
    out.print(t("Estimated ovulation") + f": {t.date(plan.estimated_ovulation)} (ELIG-OVULATION)")
    if plan.report_ready_on:
        out.print(t("Report ready (earliest procedure date)") + f": {t.date(plan.report_ready_on)} (REPORT-READY)")
    out.print(_window_table(plan.window, t, t("Procedure window: day 3–7 after the period (BOOK-WINDOW)")))
    out.print(_findings_table(plan.findings, t, t("What the rules say")))
    if plan.next_cycle is not None:
        n = plan.next_cycle
        out.print(
            "[bold red]"
            + t("This cycle cannot work.")
            + "[/] "
            + t("Next period expected")
            + f": {t.date(n.expected_period_start)}"
        )
        if n.visit_days:
            out.print(t("Then visit on") + f": {t.join(t.date(v.day) for v in n.visit_days)}")
        out.print(_window_table(n.window, t, t("Next cycle's procedure window (estimated)")))
    if plan.provisional:
        out.print(
            "[yellow]"
            + t("Some dates fall in a year whose official holidays are not published yet: they are provisional.")
            + "[/]"
        )


def show_aftercare(plan: AftercarePlan, t: Translator) -> None:
    out = _console()
    out.print("[bold]" + t("Aftercare after your HSG on") + f" {t.date(plan.procedure_date)}[/]")
    table = Table(title_justify="left")
    table.add_column(t("Date"), no_wrap=True)
    table.add_column(t("Rule"), no_wrap=True)
    table.add_column(t("What to do"), overflow="fold")
    for item in sorted(plan.items, key=lambda i: (i.day is None, i.day)):
        when = t.date(item.day) if item.day else "—"
        text = t.render(item.message)
        table.add_row(when, item.rule, f"[red]{text}[/]" if item.warning else text)
    out.print(table)
    if plan.provisional:
        out.print(
            "[yellow]"
            + t("Some dates fall in a year whose official holidays are not published yet: they are provisional.")
            + "[/]"
        )


def show_screening(result: ScreeningResult, t: Translator) -> None:
    out = _console()
    out.print("[bold]" + t("Screening result") + f":[/] {_outcome_label(result.outcome, t)}")
    out.print(_findings_table(result.findings, t, t("Every rule")))
    if result.blocked:
        out.print("[red]" + t("The application form cannot be issued this time.") + "[/]")
    elif result.outcome is Outcome.REVIEW:
        out.print(
            "[yellow]"
            + t("A doctor must confirm each REVIEW item (with a reason) before the application form is issued.")
            + "[/]"
        )
    else:
        out.print("[green]" + t("All rules pass: the application form can be issued.") + "[/]")


def show_calendar(days: Sequence[DayInfo], t: Translator) -> None:
    out = _console()
    table = Table(title=t("Clinic calendar"), title_justify="left")
    table.add_column(t("Date"), no_wrap=True)
    table.add_column(t("Clinic"), no_wrap=True)
    table.add_column(t("Working day"), no_wrap=True)
    table.add_column(t("Note"), overflow="fold")
    for d in days:
        clinic = "[green]" + t("open") + "[/]" if d.open else "[red]" + t("closed") + "[/]"
        notes = []
        if d.closure is not None:
            notes.append(t.pick(d.closure.name))
        if d.makeup_workday:
            notes.append(t("make-up working day"))
        if d.provisional:
            notes.append(t("provisional"))
        table.add_row(t.date(d.day), clinic, t("yes") if d.working_day else t("no"), t.join(notes) or "")
    out.print(table)
