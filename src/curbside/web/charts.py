"""Key numbers drawn as a simple horizontal bar chart (inline SVG, no script).

Only figures that are honestly comparable are drawn: a single number with an outcome
unit (%, days, weeks, months, years), never a range or an inequality ("≥ 50%" has no bar
length), never a dose. Two figures are comparable only when they measure the same thing:
a figure and its comparator (months of survival with treatment and with placebo), or
figures from different sources whose stated measure is identical. Unrelated percentages
(a response rate beside a recurrence rate) are never drawn side by side, however many
share the unit. Bars of one chart share one scale starting at zero. The table beside the
chart stays the record.
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

WIDTH = 720
LABEL_W = 250
BAR_AREA = 300
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


def _measure_key(text: str) -> str:
    return " ".join(text.lower().split())


def build_charts(key_numbers: list[dict[str, Any]], max_charts: int = 2) -> list[Chart]:
    """Charts of comparable figures only, one per unit.

    A row is drawn for a figure with a comparator in the same unit, or for a figure whose
    measure (same words, same unit) is reported by at least one other key number.
    """
    parsed: list[tuple[dict[str, Any], float, str, float | None]] = []
    for k in key_numbers:
        value = parse_figure(str(k.get("value") or ""))
        if value is None:
            continue
        comp = parse_figure(str(k.get("comparator") or ""))
        comp_num = comp[0] if comp is not None and comp[1] == value[1] else None
        parsed.append((k, value[0], value[1], comp_num))
    shared: dict[tuple[str, str], int] = {}
    for k, _, unit, _ in parsed:
        key = (unit, _measure_key(str(k.get("measure") or "")))
        shared[key] = shared.get(key, 0) + 1
    groups: dict[str, list[tuple[dict[str, Any], float, float | None]]] = {}
    for k, number, unit, comp_num in parsed:
        measure = _measure_key(str(k.get("measure") or ""))
        if comp_num is not None or (measure and shared[(unit, measure)] >= 2):
            groups.setdefault(unit, []).append((k, number, comp_num))
    ranked = sorted(
        groups.items(), key=lambda kv: -sum(2 if c is not None else 1 for _, _, c in kv[1])
    )
    return [_layout(unit, items) for unit, items in ranked[:max_charts]]


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
                    _shorten(text, 22),
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
        # About 36 characters fit left of the axis at 12 px, "[nn]" included.
        label = _shorten(str(k.get("measure") or ""), 30)
        rows.append(Row(label, int(k.get("n") or 0), label_y, bars))
        y += ROW_GAP - BAR_GAP
    name = "percent" if unit == "%" else unit
    return Chart(unit, WIDTH, y + TOP, LABEL_W, rows, f"Key numbers in {name}, drawn to scale")
