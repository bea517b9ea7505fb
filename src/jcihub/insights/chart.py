"""A Kaplan-Meier chart as inline SVG: drawn on the server, with a table beside it."""

from dataclasses import dataclass

from .survival import Curve

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 12, 36
DAYS = 365


@dataclass(frozen=True)
class Line:
    label: str
    points: str  # the SVG polyline's points
    css_class: str


def _x(day: float) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * min(day, DAYS) / DAYS


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def step_line(curve: Curve, label: str, css_class: str) -> Line | None:
    """The curve as steps, drawn while enough people are followed (at most a year)."""
    if not curve.steps or not curve.reliable_until:
        return None
    end = min(curve.last_day, curve.reliable_until, DAYS)
    points = []
    previous = 1.0
    for day, share in curve.steps:
        if day > end:
            break
        points += [(_x(day), _y(previous)), (_x(day), _y(share))]
        previous = share
    points.append((_x(end), _y(previous)))
    return Line(label, " ".join(f"{x:.1f},{y:.1f}" for x, y in points), css_class)


def axes() -> dict[str, object]:
    """Grid lines and labels for the template."""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "x_ticks": [(f"{_x(d):.1f}", d) for d in (0, 90, 182, 273, 365)],
        "y_ticks": [(f"{_y(s / 100):.1f}", s) for s in (0, 25, 50, 75, 100)],
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
    }
