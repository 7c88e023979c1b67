"""``hsgclinic capacity simulate``: the capacity planner on the command line (docs/capacity.md).

Imports of the model, the database and scipy happen inside the command so that ``hsgclinic --help`` stays fast.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from hsgclinic.cli.input_errors import InputError, fail, lang_option, parse_int, parse_optional_date
from hsgclinic.i18n import Translator, translator

LangOpt = Annotated[str | None, typer.Option("--lang", help="zh-CN (default) or en")]
UrlOpt = Annotated[str | None, typer.Option("--database-url", help="overrides HSGCLINIC_DATABASE_URL")]
CAUSE_WORDS = {"holiday": "holiday", "closure": "clinic closure", "numbers": "numbers sold out", "capacity": "capacity"}
POLICY_WORDS = {
    "today": "today's policy (earliest first)",
    "protect": "deadline-aware booking (BOOK-PROTECT, 1 place)",
    "reachable": "visit day with a reachable place",
}


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _print(t: Translator, result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=120)
    given, base = result["inputs"], result["baseline"]
    console.print(
        t(
            "{first} to {last}: {women} simulated women (seed {seed}), {numbers} numbers and {places} places a day, "
            "demand from {source}, screening failures {fail}, no-shows {noshow}.",
            first=given["from"],
            last=given["to"],
            women=base["women"],
            seed=result["seed"],
            numbers=given["daily_numbers"],
            places=given["procedure_capacity"],
            source=t(given["demand_source"]),
            fail=_pct(given["screening_fail_share"]),
            noshow=_pct(given["noshow_rate"]),
        )
    )
    lost = base["lost"]
    causes = ", ".join(f"{t(CAUSE_WORDS[c])} {n}" for c, n in lost["by_cause"].items())
    console.print(t("Lost cycles: {total} ({causes}).", total=lost["total"], causes=causes))
    w = base["waiting_days"]
    console.print(
        t(
            "Waiting days from the first wish to the procedure: mean {mean}, median {median}, 90th percentile {p90}.",
            mean=w["mean"] if w["mean"] is not None else "-",
            median=w["median"] if w["median"] is not None else "-",
            p90=w["p90"] if w["p90"] is not None else "-",
        )
    )
    console.print(t("Procedure places used: {share}.", share=_pct(base["utilisation"])))
    months = Table(title=t("Per month"))
    for col in ("Month", "Lost cycles", "holiday", "clinic closure", "numbers sold out", "capacity", "Places used"):
        months.add_column(t(col), justify="right")
    for m in base["months"]:
        c = m["lost"]
        months.add_row(
            m["month"],
            str(sum(c.values())),
            str(c["holiday"]),
            str(c["closure"]),
            str(c["numbers"]),
            str(c["capacity"]),
            _pct(m["utilisation"]),
        )
    console.print(months)
    if base["breaks"]:
        breaks = Table(title=t("Around each holiday break (a week before to 3 days after)"))
        for col in ("Break", "Days", "Lost cycles", "Places used"):
            breaks.add_column(t(col))
        for b in base["breaks"]:
            breaks.add_row(
                b["name_zh"] if t.lang_tag.startswith("zh") else b["name"],
                f"{b['first']} – {b['last']}",
                str(sum(b["lost"].values())),
                _pct(b["utilisation"]),
            )
        console.print(breaks)
    if "policies" in result:
        policies = Table(title=t("Booking policies on the same women"))
        policies.add_column(t("Policy"))
        policies.add_column(t("Lost cycles"), justify="right")
        for p in result["policies"]:
            policies.add_row(t(POLICY_WORDS[p["name"]]), str(p["lost"]))
        if "optimum" in result:
            o = result["optimum"]
            policies.add_row(t("offline optimum ({seconds} s)", seconds=o["seconds"]), str(o["lost"]))
        console.print(policies)
    if result["what_ifs"]:
        ranking = Table(title=t("What-ifs, ranked by cycles saved per added place"))
        for col in ("What-if", "Added", "Lost cycles", "Saved", "Saved per place"):
            ranking.add_column(t(col), justify="right")
        for x in result["what_ifs"]:
            per = "-" if x["saved_per_place"] is None else f"{x['saved_per_place']:.3f}"
            ranking.add_row(x["spec"], f"{x['added']} {t(x['unit'])}", str(x["lost"]), str(x["saved"]), per)
        console.print(ranking)


def register(app: typer.Typer) -> None:
    capacity = typer.Typer(help="The capacity planner: lost cycles, the optimum and what-ifs (docs/capacity.md).")
    app.add_typer(capacity, name="capacity")

    @capacity.command("simulate")
    def simulate(
        first: Annotated[str | None, typer.Option("--from", help="first day (default tomorrow)")] = None,
        last: Annotated[str | None, typer.Option("--to", help="last day (default a year after --from)")] = None,
        what_if: Annotated[
            list[str] | None,
            typer.Option(
                "--what-if", help="places:DAY:N, makeup:N, before-breaks:N, capacity:N, numbers:N, open:DAY, auto"
            ),
        ] = None,
        demand: Annotated[
            str | None, typer.Option("--demand", help="women a month (default: setting / history)")
        ] = None,
        seed: Annotated[str, typer.Option("--seed", help="random seed (same seed, same answer)")] = "1",
        compare: Annotated[bool, typer.Option("--compare", help="also run the other booking policies")] = False,
        optimum: Annotated[bool, typer.Option("--optimum", help="also solve the offline optimum (HiGHS)")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
        database_url: UrlOpt = None,
        lang: LangOpt = None,
    ) -> None:
        """Simulate the pathway over a period (default the next 12 months) with the clinic's calendar and quotas."""
        import json

        from rich.progress import Progress

        from hsgclinic.cli.records import _settings
        from hsgclinic.services import capacity as planner
        from hsgclinic.services.errors import ServiceError

        try:
            locale = lang_option(lang)
            d0 = parse_optional_date(first, "--from")
            d1 = parse_optional_date(last, "--to")
            n_demand = parse_int(demand, "--demand", 0, 1_000_000)
            n_seed = parse_int(seed, "--seed", 0, 2**31 - 1) or 0
        except InputError as exc:
            fail(exc.message, lang)
        t = translator(locale)
        if d0 is not None and d1 is None:
            d1 = planner.default_period(d0 - dt.timedelta(days=1))[1]
        from hsgclinic.bootstrap import build_clinic

        clinic = build_clinic(_settings(database_url))
        try:
            given = planner.inputs(clinic.ctx, d0, d1, monthly_demand=n_demand)
            with Progress(transient=True, disable=as_json) as bar:
                tasks: dict[str, Any] = {}

                def step(label: str, done: int, total: int) -> None:
                    if label not in tasks:
                        tasks[label] = bar.add_task(label, total=total)
                    bar.update(tasks[label], completed=done)

                result = planner.simulate(
                    clinic.ctx,
                    given,
                    seed=n_seed,
                    what_ifs=what_if or [],
                    compare=compare,
                    with_optimum=optimum,
                    step=step,
                )
        except ServiceError as exc:
            fail(exc.message, lang)
        finally:
            clinic.dispose()
        if as_json:
            typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        else:
            _print(t, result)
