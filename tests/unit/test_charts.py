"""The dashboard's server-side SVG charts: well-formed, titled, both axes, a legend, escaped words, sane scales."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hsgclinic.web.ui.charts import HEIGHT, WIDTH, DayChart, Series, day_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**overrides: object) -> DayChart:
    values: dict[str, object] = {
        "title": "Numbers taken vs quota",
        "x_title": "Clinic day (month/day)",
        "y_title": "Numbers",
        "labels": ["11/18", "19", "20", "21"],
        "series": [
            Series("Numbers taken", [3, 0, 2, None], "bar", "brand"),
            Series("Quota", [3, None, 3, 3], "line", "amber"),
        ],
        "closed": [False, True, False, False],
        "closed_label": "Closed",
        "today_index": 2,
        "today_label": "Today",
        "description": "Numbers taken each day against the quota.",
    }
    values.update(overrides)
    return DayChart(**values)  # type: ignore[arg-type]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_the_chart_is_well_formed_svg_with_title_axes_and_legend() -> None:
    root = ET.fromstring(str(day_chart(_chart(), "c1")))
    assert root.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}" and root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Numbers taken vs quota"  # type: ignore[union-attr]
    texts = _texts(root)
    for words in (
        "Numbers taken vs quota",
        "Clinic day (month/day)",
        "Numbers",
        "Numbers taken",
        "Quota",
        "Closed",
        "Today",
    ):
        assert words in texts
    assert "11/18" in texts and "20" in texts


def test_bars_skip_zero_and_missing_values_and_closed_days_are_shaded() -> None:
    root = ET.fromstring(str(day_chart(_chart(), "c1")))
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
    assert len(bars) == 2
    assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "closed-day"]) == 1
    tall, short = sorted(bars, key=lambda r: float(r.get("height", "0")), reverse=True)
    assert float(tall.get("height", "0")) > float(short.get("height", "0")) > 0
    line = next(p for p in root.iter(f"{SVG}path") if p.get("class") == "line")
    assert line.get("d", "").count("M") == 3  # a step for each day that has a quota


def test_words_are_escaped() -> None:
    svg = str(day_chart(_chart(title="<b>&</b>", series=[Series("a<b", [1], "dots")], labels=["1"]), "x"))
    assert "<b>" not in svg and "&lt;b&gt;&amp;&lt;/b&gt;" in svg
    ET.fromstring(svg)


def test_chinese_words_and_an_empty_chart() -> None:
    svg = str(
        day_chart(
            _chart(title="挂号数与限额", series=[Series("已挂号数", [None, None], "bar")], labels=["1", "2"]), "z"
        )
    )
    root = ET.fromstring(svg)
    assert "挂号数与限额" in _texts(root) and not [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_long_legends_wrap_inside_the_canvas() -> None:
    series = [Series(f"A rather long legend label number {i}", [i], "bar") for i in range(4)]
    root = ET.fromstring(str(day_chart(_chart(series=series, labels=["1"], closed=[False]), "w")))
    legend = [t for t in root.iter(f"{SVG}text") if t.get("class") == "legend-label"]
    assert len({t.get("y") for t in legend}) > 1
    assert all(float(t.get("x", "0")) < WIDTH for t in legend)


def test_nice_ticks() -> None:
    assert nice_ticks(0) == [0, 1]
    assert nice_ticks(3) == [0, 1, 2, 3]
    assert nice_ticks(40) == [0, 10, 20, 30, 40]
    assert nice_ticks(43)[-1] >= 43 and len(nice_ticks(43)) <= 7
    assert nice_ticks(1.5) == [0, 1, 2]


def test_many_days_label_every_other_day() -> None:
    labels = [str(d) for d in range(1, 31)]
    root = ET.fromstring(str(day_chart(_chart(labels=labels, series=[Series("n", [1] * 30)], closed=[]), "m")))
    days = [t for t in root.iter(f"{SVG}text") if t.get("class") == "day-label"]
    assert 10 <= len(days) <= 16
