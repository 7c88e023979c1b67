"""The administrator's capacity planner page: lost cycles per week with the holiday breaks shaded, a heat-map of
the places used per day and the what-if ranking (docs/capacity.md).

The page answers in a few seconds because its run is bounded: at most ``MAX_PAGE_DAYS`` days, one seed, today's
policy against the other two and the automatic what-ifs; the optimum and a whole year are for the CLI.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hsgclinic.domain.messages import N_, Message
from hsgclinic.i18n import Translator
from hsgclinic.services import capacity as planner
from hsgclinic.services.context import Role
from hsgclinic.services.errors import ServiceError
from hsgclinic.web.ui.capacity_charts import HeatDay, RankRow, heat_map, ranking
from hsgclinic.web.ui.charts import DayChart, Series, day_chart
from hsgclinic.web.ui.forms import FormState
from hsgclinic.web.ui.locale import translator_for
from hsgclinic.web.ui.staff_session import require_staff
from hsgclinic.web.ui.state import ui_state

router = APIRouter(include_in_schema=False)
MAX_PAGE_DAYS = 92
POLICY_NAMES = {
    "today": N_("Today's policy: no review first, then the earliest date"),
    "protect": N_("Deadline-aware booking: a day's last place kept for women whose window ends (BOOK-PROTECT)"),
    "reachable": N_(
        "Visit day with a reachable place: skip a day whose T+1/T+2 are full when a later visit day is left"
    ),
}
CAUSE_NAMES = {
    "holiday": N_("holiday break"),
    "closure": N_("clinic closure"),
    "numbers": N_("numbers sold out"),
    "capacity": N_("no procedure place"),
}


def what_if_label(spec: str) -> Message:
    kind, _, arg = spec.partition(":")
    if kind == "places":
        day, _, n = arg.partition(":")
        return N_("+{n} places on {day}", n=n, day=dt.date.fromisoformat(day))
    if kind == "makeup":
        return N_("+{n} places on each make-up working day", n=arg)
    if kind == "before-breaks":
        return N_("+{n} places on the last 2 open days before each break", n=arg)
    if kind == "capacity":
        return N_("{n} procedure places a day", n=arg)
    if kind == "numbers":
        return N_("{n} numbers a day", n=arg)
    return N_("Open {day}", day=dt.date.fromisoformat(arg))


def _weekly(result: dict[str, Any], t: Translator) -> Any:
    weeks = result["baseline"]["weeks"]
    every = 1 if len(weeks) <= 8 else 2 if len(weeks) <= 16 else 4
    labels = [f"{int(w['first'][5:7])}/{int(w['first'][8:10])}" if i % every == 0 else "" for i, w in enumerate(weeks)]
    calendar_lost = [w["lost"]["holiday"] + w["lost"]["closure"] for w in weeks]
    places_lost = [w["lost"]["numbers"] + w["lost"]["capacity"] for w in weeks]
    return day_chart(
        DayChart(
            title=t("Lost cycles per week"),
            x_title=t("Week starting"),
            y_title=t("Lost cycles"),
            labels=labels,
            series=[
                Series(t("holiday or closure"), calendar_lost, "bar", "amber"),
                Series(t("full"), places_lost, "bar", "red"),
            ],
            closed=[w["holiday_days"] > 0 for w in weeks],
            closed_label=t("holiday week"),
            description=t(
                "Cycles lost per week by the week her procedure window opened; weeks with a holiday break shaded."
            ),
        ),
        "capacity-weekly",
    )


def _heat(result: dict[str, Any], t: Translator) -> Any:
    days = []
    for d in result["baseline"]["days"]:
        day = dt.date.fromisoformat(d["day"])
        if d["utilisation"] is None:
            tip = t("{day}: closed", day=day)
        else:
            tip = t("{day}: {booked} of {capacity} places", day=day, booked=d["booked"], capacity=d["capacity"])
        days.append(HeatDay(day, d["utilisation"], tip))
    return heat_map(
        days,
        "capacity-heat",
        title=t("Places used per day"),
        description=t("Each square is a day, weeks from left to right, Monday at the top; darker is fuller."),
        weekday_labels=[t("Mon"), t("Tue"), t("Wed"), t("Thu"), t("Fri"), t("Sat"), t("Sun")],
        closed_label=t("closed"),
        scale_labels=["<20 %", "20–40 %", "40–60 %", "60–80 %", "≥80 %"],
    )


def _ranking(result: dict[str, Any], t: Translator) -> Any:
    rows = [
        RankRow(
            t.render(what_if_label(x["spec"])),
            x["saved_per_place"],
            t("{saved} cycles saved, {added} added", saved=x["saved"], added=x["added"]),
        )
        for x in result["what_ifs"]
        if x["saved_per_place"] is not None
    ]
    return ranking(
        rows,
        "capacity-ranking",
        title=t("Cycles saved per added place"),
        description=t("Each change run on the same simulated women; best first."),
        empty=t("No what-if adds places in this period."),
    )


@router.get("/staff/admin/capacity")  # a plain def: the bounded run (seconds) goes to the thread pool
def capacity_page(request: Request) -> Response:
    require_staff(request, ui_state(request).clinic, Role.ADMIN)
    ui = ui_state(request)
    ctx = ui.clinic.ctx
    t = translator_for(request)
    form = FormState.of({k: v for k, v in request.query_params.items() if k in ("from", "to", "seed", "demand")})
    today = ctx.today()
    first = form.date("from") or today + dt.timedelta(days=1)
    last = form.date("to") or first + dt.timedelta(days=MAX_PAGE_DAYS - 1)
    seed = form.integer("seed", low=0, high=1_000_000) or 1
    demand = form.integer("demand", low=1, high=100_000)
    if form.ok and last < first:
        form.error("to", N_("The end date must not be before the start date."))
    if form.ok and (last - first).days >= MAX_PAGE_DAYS:
        form.error("to", N_("Show at most {n} days at a time.", n=MAX_PAGE_DAYS))
    result: dict[str, Any] | None = None
    if form.ok:
        try:
            given = planner.inputs(ctx, first, last, monthly_demand=demand)
            result = planner.simulate(ctx, given, seed=seed, what_ifs=["auto"], compare=True)
        except ServiceError as exc:
            form.error("from", exc.message)
    form.values.setdefault("from", first.isoformat())
    form.values.setdefault("to", last.isoformat())
    form.values.setdefault("seed", str(seed))
    charts = [_weekly(result, t), _heat(result, t), _ranking(result, t)] if result else []
    return ui.pages.render(
        request,
        "admin/capacity.html",
        200 if form.ok else 422,
        nav="admin",
        section="capacity",
        form=form,
        result=result,
        charts=charts,
        policy_names=POLICY_NAMES,
        cause_names=CAUSE_NAMES,
        what_if_label=what_if_label,
        max_days=MAX_PAGE_DAYS,
    )
