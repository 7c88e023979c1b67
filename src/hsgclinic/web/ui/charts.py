"""Server-side SVG charts for the admin dashboard: no JavaScript, no chart library, no CDN.

:func:`day_chart` draws one value per clinic day as bars, a line (e.g. the quota) or dots, with a title, both axes
and their titles, a legend, closed days shaded and a "today" marker. The picture is drawn on a narrow canvas
(380 × 290 user units) so that its words stay readable when a phone shows it at full width; on a desktop it scales
up. Every text is escaped; the caller passes words already translated.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from markupsafe import Markup, escape

WIDTH, HEIGHT = 380, 290
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 66, 54  # plot margins (title + legend above, day labels + axis title below)
PALETTE = {
    "brand": "#0b6e6e",
    "light": "#8cc7c2",
    "amber": "#c77d00",
    "red": "#b42318",
    "ink": "#12343a",
    "muted": "#5f7479",
    "grid": "#e3eaec",
    "closed": "#eef2f3",
}


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[float | None]
    kind: Literal["bar", "line", "dots"] = "bar"
    color: str = "brand"


@dataclass(frozen=True)
class DayChart:
    title: str
    x_title: str
    y_title: str
    labels: Sequence[str]  # one short label per day (e.g. "20" or "12/1")
    series: Sequence[Series]
    closed: Sequence[bool] = field(default_factory=tuple)
    closed_label: str = ""
    today_index: int | None = None
    today_label: str = ""
    description: str = ""
    decimals: int = 0


def nice_ticks(top: float, most: int = 5) -> list[float]:
    """0 and evenly spaced round ticks up to at least ``top`` (at most ``most`` + 1 of them)."""
    top = max(float(top), 1.0)
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1.0
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 6) for i in range(count + 1)]


def _num(value: float, decimals: int) -> str:
    if decimals == 0 or float(value).is_integer():
        return str(round(value))
    return f"{value:.{decimals}f}"


def _text(
    x: float, y: float, words: str, *, size: int = 11, anchor: str = "middle", fill: str = "ink", extra: str = ""
) -> str:
    color = PALETTE.get(fill, fill)
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{color}"{extra}>'
        f"{escape(words)}</text>"
    )


def day_chart(chart: DayChart, chart_id: str) -> Markup:
    """The chart as inline ``<svg>`` (role="img", labelled by its title and description)."""
    n = len(chart.labels)
    plot_w = WIDTH - LEFT - RIGHT
    plot_h = HEIGHT - TOP - BOTTOM
    values = [v for s in chart.series for v in s.values if v is not None]
    ticks = nice_ticks(max(values, default=0))
    y_max = ticks[-1]
    slot = plot_w / max(n, 1)

    def y_of(v: float) -> float:
        return TOP + plot_h - (v / y_max) * plot_h

    def x_mid(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    out: list[str] = [
        f'<svg class="dash-chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, -apple-system, &quot;PingFang SC&quot;, &quot;Noto Sans CJK SC&quot;, sans-serif">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(chart.description)}</desc>',
        _text(LEFT - 36, 20, chart.title, size=17, anchor="start", extra=' font-weight="700" class="chart-title"'),
    ]
    # Legend (one row under the title; wraps to a second row when the words are long)
    legend: list[tuple[str, str, str]] = [(s.label, s.kind, s.color) for s in chart.series]
    if chart.closed_label and any(chart.closed):
        legend.append((chart.closed_label, "closed", "closed"))
    lx, ly = float(LEFT - 36), 42.0
    out.append('<g class="chart-legend">')
    for label, kind, color in legend:
        width = 22 + _text_width(label, 13)
        if lx + width > WIDTH - 4 and lx > LEFT - 36:
            lx, ly = float(LEFT - 36), ly + 17
        c = PALETTE.get(color, color)
        if kind == "line":
            out.append(
                f'<line x1="{lx:.1f}" y1="{ly - 4:.1f}" x2="{lx + 14:.1f}" y2="{ly - 4:.1f}" '
                f'stroke="{c}" stroke-width="2.5"/>'
            )
        elif kind == "dots":
            out.append(f'<circle cx="{lx + 7:.1f}" cy="{ly - 4:.1f}" r="4" fill="{c}"/>')
        else:
            stroke = f' stroke="{PALETTE["muted"]}" stroke-width="0.5"' if kind == "closed" else ""
            out.append(f'<rect x="{lx:.1f}" y="{ly - 10:.1f}" width="14" height="11" fill="{c}"{stroke}/>')
        out.append(_text(lx + 18, ly, label, size=13, anchor="start", extra=' class="legend-label"'))
        lx += width + 8
    out.append("</g>")
    # Closed days, grid, y axis
    for i, closed in enumerate(chart.closed):
        if closed:
            out.append(
                f'<rect x="{LEFT + slot * i:.1f}" y="{TOP}" width="{slot:.1f}" height="{plot_h}" '
                f'fill="{PALETTE["closed"]}" class="closed-day"/>'
            )
    for t in ticks:
        y = y_of(t)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{PALETTE["grid"]}"/>')
        out.append(
            _text(LEFT - 6, y + 4, _num(t, 1 if not float(t).is_integer() else 0), size=12, anchor="end", fill="muted")
        )
    out.append(
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="{PALETTE["muted"]}"/>'
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="{PALETTE["muted"]}"/>'
    )
    out.append(
        _text(
            12,
            TOP + plot_h / 2,
            chart.y_title,
            size=13,
            fill="muted",
            extra=f' transform="rotate(-90 12 {TOP + plot_h / 2:.1f})" class="axis-title"',
        )
    )
    # Today marker
    if chart.today_index is not None and 0 <= chart.today_index < n:
        x = LEFT + slot * chart.today_index
        out.append(
            f'<line x1="{x:.1f}" y1="{TOP - 16}" x2="{x:.1f}" y2="{TOP + plot_h}" stroke="{PALETTE["ink"]}" '
            f'stroke-dasharray="3 3" class="today"/>'
        )
        if chart.today_label:
            out.append(_text(x + 3, TOP - 6, chart.today_label, size=12, anchor="start", fill="ink"))
    # Series
    bars = [s for s in chart.series if s.kind == "bar"]
    bar_w = min(slot * 0.8 / max(len(bars), 1), 18.0)
    for b, s in enumerate(bars):
        c = PALETTE.get(s.color, s.color)
        for i, v in enumerate(s.values):
            if v is None or v <= 0:
                continue
            x = x_mid(i) - bar_w * len(bars) / 2 + bar_w * b
            y = y_of(v)
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{TOP + plot_h - y:.1f}" fill="{c}" '
                f'class="bar"><title>{escape(chart.labels[i])}: {escape(s.label)} '
                f"{_num(v, chart.decimals)}</title></rect>"
            )
    for s in chart.series:
        c = PALETTE.get(s.color, s.color)
        if s.kind == "line":
            # a step line: flat across each day, so a quota reads as a level, not a slope
            segments: list[str] = []
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                y = y_of(v)
                segments.append(f"M{LEFT + slot * i:.1f},{y:.1f}H{LEFT + slot * (i + 1):.1f}")
            if segments:
                out.append(f'<path d="{"".join(segments)}" fill="none" stroke="{c}" stroke-width="2.5" class="line"/>')
        elif s.kind == "dots":
            for i, v in enumerate(s.values):
                if v is None:
                    continue
                out.append(
                    f'<circle cx="{x_mid(i):.1f}" cy="{y_of(v):.1f}" r="4" fill="{c}" class="dot">'
                    f"<title>{escape(chart.labels[i])}: {_num(v, chart.decimals)}</title></circle>"
                )
    # Day labels (every day when they fit, otherwise every other one) and the x axis title
    every = 1 if slot >= 20 else 2 if slot >= 10 else 3
    for i, label in enumerate(chart.labels):
        if i % every == 0:
            out.append(_text(x_mid(i), TOP + plot_h + 15, label, size=12, fill="muted", extra=' class="day-label"'))
    out.append(_text(LEFT + plot_w / 2, HEIGHT - 10, chart.x_title, size=13, fill="muted", extra=' class="axis-title"'))
    out.append("</svg>")
    return Markup("".join(out))  # noqa: S704 -- every word in it went through escape()


def _text_width(words: str, size: int) -> float:
    """Rough width of ``words`` in user units (CJK characters are about one em, Latin about 0.56 em)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in words)
