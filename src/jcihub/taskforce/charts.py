"""A server-rendered bar chart of incidents per month: plain SVG, no script, with a title
and a description for screen readers; the page shows the same numbers as a table."""

import datetime as dt
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 220
LEFT = 40  # room for the axis labels
BOTTOM = 30
TOP = 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: dt.date
    count: int
    label: str  # shown under the bar ("" for most months)


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    top_value: int
    summary: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    top: int = TOP

    @property
    def axis_label_y(self) -> int:
        return self.baseline + 18


def monthly_bars(months: list[tuple[dt.date, int]]) -> BarChart:
    """Bars for (month, count) pairs, oldest first."""
    top_value = max([count for _, count in months] + [1])
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(months), 1)
    bars = []
    for index, (month, count) in enumerate(months):
        height = plot_height * count / top_value
        label = f"{month:%b %Y}" if index % 3 == 0 else ""
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                month=month,
                count=count,
                label=label,
            )
        )
    return BarChart(bars, top_value, _summary(months))


def _summary(months: list[tuple[dt.date, int]]) -> str:
    if not months:
        return "No months to show."
    total = sum(count for _, count in months)
    peak_month, peak = max(months, key=lambda pair: (pair[1], pair[0]))
    text = f"Incidents per month from {months[0][0]:%B %Y} to {months[-1][0]:%B %Y}: {total} in all"
    if peak:
        text += f", most in {peak_month:%B %Y} ({peak})"
    return text + ". The table below gives every month."
