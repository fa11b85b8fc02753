"""Bar charts drawn on the server as SVG: they work without JavaScript and each comes with a
title, a description, a one-line summary and a data table.

Bars are sized in percentages of the chart's width, so the chart fits any screen without the
text shrinking. Every bar has its value written beside its label, so colour is never the
only way to tell series apart.
"""

import textwrap
from dataclasses import dataclass, field

LABEL_LINE = 20  # each line of an item's label
LABEL_WRAP = 34  # characters: long labels wrap so they fit a 320px-wide screen
BAR_HEIGHT = 22
BAR_MAX_PERCENT = 50  # the rest of the width holds the value written after the bar
BAR_GAP = 6
ITEM_GAP = 14


@dataclass
class Bar:
    series: str  # e.g. "Claimed"; empty for a single-series chart
    value: float
    display: str  # the value as people read it, e.g. "42%"
    series_index: int = 0
    # Set by `BarChart.layout()`:
    y: int = 0
    width_percent: float = 0.0
    text_x_percent: float = 0.0
    text_y: int = 0


@dataclass
class Item:
    label: str
    bars: list[Bar]
    # Set by `BarChart.layout()`: (y, text) for each line of the label.
    lines: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class BarChart:
    slug: str  # unique on the page, for the title and description ids
    title: str
    description: str
    items: list[Item]
    max_value: float | None = None  # e.g. 100 for percentages; else the largest value
    # Shown instead of a chart with no bars: say why, where the reason is known.
    empty_text: str = "Nothing to chart yet for these filters."
    height: int = field(default=0, init=False)

    def __post_init__(self):
        self.layout()

    @property
    def is_empty(self) -> bool:
        return not any(bar.value for item in self.items for bar in item.bars)

    def layout(self) -> None:
        largest = self.max_value or max(
            (bar.value for item in self.items for bar in item.bars), default=0
        )
        y = 0
        for item in self.items:
            item.lines = []
            for line in textwrap.wrap(item.label, LABEL_WRAP) or [""]:
                item.lines.append((y + 15, line))  # the text baseline
                y += LABEL_LINE
            y += 2
            for bar in item.bars:
                share = min(max(bar.value, 0) / largest, 1) if largest else 0
                bar.y = y
                bar.width_percent = round(share * BAR_MAX_PERCENT, 2)
                bar.text_x_percent = round(bar.width_percent + 1.5, 2)
                bar.text_y = y + 16
                y += BAR_HEIGHT + BAR_GAP
            y += ITEM_GAP
        self.height = max(y, 1)


def single_series(slug, title, description, rows, *, max_value=None, empty_text=None) -> BarChart:
    """rows: (label, value, display) tuples; one bar per label."""
    chart = BarChart(
        slug=slug,
        title=title,
        description=description,
        items=[Item(label, [Bar("", value or 0, display)]) for label, value, display in rows],
        max_value=max_value,
    )
    if empty_text:
        chart.empty_text = empty_text
    return chart
