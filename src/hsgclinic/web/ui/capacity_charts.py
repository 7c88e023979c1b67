"""Server-side SVG plots of the capacity planner (same style as :mod:`hsgclinic.web.ui.charts`): a heat-map of the
places used per day (weeks across, weekdays down) and a horizontal bar ranking of the what-ifs. Every text is
escaped; the caller passes words already translated."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from hsgclinic.web.ui.charts import PALETTE, _text, _text_width

FONT = "system-ui, -apple-system, &quot;PingFang SC&quot;, &quot;Noto Sans CJK SC&quot;, sans-serif"
SHADES = ("#e6f2f1", "#b9dcd8", "#8cc7c2", "#4f9e99", "#0b6e6e")  # light → dark: 0–20 … 80–100 %+


def _open_svg(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return [
        f'<svg class="dash-chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg" font-family="{FONT}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        _text(8, 20, title, size=17, anchor="start", extra=' font-weight="700" class="chart-title"'),
    ]


def shade(share: float) -> str:
    return SHADES[min(int(max(share, 0.0) * 5), 4)]


@dataclass(frozen=True)
class HeatDay:
    day: dt.date
    share: float | None  # places used / places; None when closed
    tip: str


def heat_map(
    days: Sequence[HeatDay],
    chart_id: str,
    *,
    title: str,
    description: str,
    weekday_labels: Sequence[str],
    closed_label: str,
    scale_labels: Sequence[str],
) -> Markup:
    """One square per day: weeks left to right, Monday at the top; closed days hatched grey."""
    if not days:
        return Markup("")
    first = days[0].day - dt.timedelta(days=days[0].day.weekday())
    weeks = (days[-1].day - first).days // 7 + 1
    cell = 11 if weeks > 30 else 16
    left, top = 30, 54
    legend = [*zip(SHADES, scale_labels, strict=False), (PALETTE["closed"], closed_label)]
    legend_w = sum(22 + _text_width(label, 11) for _, label in legend) + left
    width = round(max(left + weeks * cell + 10, 380, legend_w + 10))
    height = top + 7 * cell + 44
    out = _open_svg(chart_id, width, height, title, description)
    for i, label in enumerate(weekday_labels):
        out.append(_text(left - 4, top + i * cell + cell * 0.75, label, size=10, anchor="end", fill="muted"))
    month_seen: set[tuple[int, int]] = set()
    for d in days:
        col, row = (d.day - first).days // 7, d.day.weekday()
        x, y = left + col * cell, top + row * cell
        if (d.day.year, d.day.month) not in month_seen and d.day.day <= 7:
            month_seen.add((d.day.year, d.day.month))
            out.append(_text(x, top - 6, f"{d.day.month}", size=10, anchor="start", fill="muted"))
        fill = PALETTE["closed"] if d.share is None else shade(d.share)
        stroke = PALETTE["muted"] if d.share is None else "#ffffff"
        out.append(
            f'<rect x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="0.5" class="{"closed-day" if d.share is None else "heat-day"}">'
            f"<title>{escape(d.tip)}</title></rect>"
        )
    ly = top + 7 * cell + 18
    lx = float(left)
    for colour, label in legend:
        out.append(f'<rect x="{lx:.1f}" y="{ly - 10}" width="12" height="11" fill="{colour}" stroke="#ccd"/>')
        out.append(_text(lx + 15, ly, label, size=11, anchor="start", fill="muted"))
        lx += 22 + _text_width(label, 11)
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 -- every word in it went through escape()


@dataclass(frozen=True)
class RankRow:
    label: str
    value: float  # lost cycles saved per added place
    note: str  # e.g. "42 saved / 20 places"


def ranking(rows: Sequence[RankRow], chart_id: str, *, title: str, description: str, empty: str) -> Markup:
    """Horizontal bars, best first, each under its label; a negative value (the change lost cycles) is drawn in
    red to the left of the zero line."""
    width, left, right, top, bar, label_h, gap = 380, 8, 48, 40, 16, 15, 9
    row_h = label_h + bar + gap
    height = top + max(len(rows), 1) * row_h + 8
    out = _open_svg(chart_id, width, height, title, description)
    if not rows:
        out.append(_text(8, top + 16, empty, size=13, anchor="start", fill="muted"))
    top_value = max((abs(r.value) for r in rows), default=1.0) or 1.0
    negative = any(r.value < 0 for r in rows)
    zero = left + (width - left - right) * (0.25 if negative else 0.0)
    for i, r in enumerate(rows):
        y = top + i * row_h
        out.append(_text(left, y + 11, r.label, size=12, anchor="start"))
        room = (width - right - zero) if r.value >= 0 else (zero - left)
        w = max(abs(r.value) / top_value * room, 1.0)
        x = zero if r.value >= 0 else zero - w
        colour = PALETTE["brand"] if r.value >= 0 else PALETTE["red"]
        by = y + label_h
        out.append(
            f'<rect x="{x:.1f}" y="{by}" width="{w:.1f}" height="{bar}" fill="{colour}" class="bar">'
            f"<title>{escape(r.label)}: {escape(r.note)}</title></rect>"
        )
        tx = x + w + 4 if r.value >= 0 else zero + 4
        out.append(_text(tx, by + bar * 0.8, f"{r.value:.2f}", size=11, anchor="start", fill="muted"))
    out.append(f'<line x1="{zero:.1f}" y1="{top - 4}" x2="{zero:.1f}" y2="{height - 6}" stroke="{PALETTE["muted"]}"/>')
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 -- every word in it went through escape()
