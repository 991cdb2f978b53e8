"""Horizontal bar charts drawn on the server as SVG: one row per cell, its label, its bar
and its figure, so the chart reads at 360 px without any script."""

from __future__ import annotations

from dataclasses import dataclass

from shop.impact.queries import Cell

WIDTH = 320  # the SVG's own units; it scales to its box
ROW = 30
LABEL = 110  # room for the label left of the bars
VALUE = 70  # room for the figure right of the bars


@dataclass(frozen=True)
class Bar:
    """One row: the text to show, its figure (None when withheld) and its geometry."""

    label: str
    value: int | None
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A chart's rows and its size."""

    bars: list[Bar]
    width: int
    height: int
    bar_x: int
    value_x: int


def bar_chart(cells: list[Cell], labels: list[str], figure: str) -> Chart:
    """Bars for `figure` (a Figures attribute) of each cell, scaled to the largest one."""
    values = [None if c.figures.suppressed else getattr(c.figures, figure) for c in cells]
    best = max([v for v in values if v and v > 0] or [1])
    room = WIDTH - LABEL - VALUE
    bars = [
        Bar(label, value, index * ROW, max(0, round((value or 0) * room / best)))
        for index, (label, value) in enumerate(zip(labels, values, strict=True))
    ]
    return Chart(bars, WIDTH, max(ROW, len(bars) * ROW), LABEL, LABEL + room + 4)
