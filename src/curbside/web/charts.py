"""Key numbers drawn as a simple horizontal bar chart (inline SVG, no script).

Only figures that are honestly comparable are drawn: a single number with an outcome
unit (%, days, weeks, months, years), never a range or an inequality ("≥ 50%" has no bar
length), never a dose. A chart is drawn for a unit only when at least two such figures
share it, e.g. months of survival with treatment and with its comparator. Bars of one
chart share one scale starting at zero. The table beside the chart stays the record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FIGURE = re.compile(
    r"^\s*(?P<num>\d+(?:\.\d+)?)\s?(?P<unit>%|percent\b|months?\b|mo\b|years?\b|weeks?\b|days?\b)",
    re.IGNORECASE,
)
_RANGE_AFTER = re.compile(r"^\s*(?:–|-|to)\s*\d")
_UNITS = {
    "%": "%",
    "percent": "%",
    "month": "months",
    "months": "months",
    "mo": "months",
    "year": "years",
    "years": "years",
    "week": "weeks",
    "weeks": "weeks",
    "day": "days",
    "days": "days",
}

WIDTH = 680
LABEL_W = 250
BAR_AREA = 330
BAR_H = 14
BAR_GAP = 3
ROW_GAP = 14
TOP = 8


@dataclass(frozen=True)
class Bar:
    """One bar: ``kind`` is "value" (the reported figure) or "comparator"."""

    kind: str
    text: str
    x: int
    y: int
    width: int
    height: int
    text_x: int
    text_y: int


@dataclass(frozen=True)
class Row:
    """A key number's bars and its label."""

    label: str
    n: int
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class Chart:
    """Geometry of one chart, ready for the SVG template."""

    unit: str
    width: int
    height: int
    label_width: int
    rows: list[Row]
    title: str


def parse_figure(text: str) -> tuple[float, str] | None:
    """(number, normalised unit) for a single figure such as "14.3 months with X"."""
    match = _FIGURE.match(text or "")
    if match is None:
        return None
    rest = (text or "")[match.end("num") :]
    if _RANGE_AFTER.match(rest):
        return None
    return float(match.group("num")), _UNITS[match.group("unit").lower()]


def _shorten(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_charts(key_numbers: list[dict[str, Any]], max_charts: int = 2) -> list[Chart]:
    """Charts for the units that at least two comparable figures share."""
    groups: dict[str, list[tuple[dict[str, Any], float, float | None]]] = {}
    for k in key_numbers:
        value = parse_figure(str(k.get("value") or ""))
        if value is None:
            continue
        comp = parse_figure(str(k.get("comparator") or ""))
        comp_num = comp[0] if comp is not None and comp[1] == value[1] else None
        groups.setdefault(value[1], []).append((k, value[0], comp_num))
    charts: list[Chart] = []
    ranked = sorted(
        groups.items(), key=lambda kv: -sum(2 if c is not None else 1 for _, _, c in kv[1])
    )
    for unit, items in ranked:
        bars = sum(2 if c is not None else 1 for _, _, c in items)
        if bars < 2 or len(charts) >= max_charts:
            continue
        charts.append(_layout(unit, items))
    return charts


def _layout(unit: str, items: list[tuple[dict[str, Any], float, float | None]]) -> Chart:
    top = max(max(v, c or 0.0) for _, v, c in items) or 1.0
    rows: list[Row] = []
    y = TOP
    for k, value, comp in items:
        bars: list[Bar] = []
        pairs = [("value", value, str(k.get("value") or ""))]
        if comp is not None:
            pairs.append(("comparator", comp, str(k.get("comparator") or "")))
        row_top = y
        for kind, number, text in pairs:
            width = max(2, round(BAR_AREA * number / top))
            bars.append(
                Bar(
                    kind,
                    _shorten(text, 34),
                    LABEL_W,
                    y,
                    width,
                    BAR_H,
                    LABEL_W + width + 6,
                    y + BAR_H - 3,
                )
            )
            y += BAR_H + BAR_GAP
        label_y = row_top + (y - row_top - BAR_GAP) // 2 + 4
        rows.append(Row(_shorten(str(k.get("measure") or "")), int(k.get("n") or 0), label_y, bars))
        y += ROW_GAP - BAR_GAP
    name = "percent" if unit == "%" else unit
    return Chart(unit, WIDTH, y + TOP, LABEL_W, rows, f"Key numbers in {name}, drawn to scale")
