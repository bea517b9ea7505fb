"""Time to an event with censoring (Kaplan-Meier, SciPy), and small-cell suppression.

Pure functions over plain values, so that the dashboard, the council report and the
tests compute the same figures.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

# Cells of 1 to 10 are not published outside the department (the usual public-health
# rule): with so few people a count can identify someone, and a rate means little.
SMALL_CELL = 11
SUPPRESSED = "<11"
# Said wherever suppressed figures go: the council report, and every CSV that leaves.
SUPPRESSION_NOTE = (
    f"Counts from 1 to {SMALL_CELL - 1} are shown as {SUPPRESSED} and rates built on them are "
    "suppressed: with so few people a figure can identify someone and means little."
)
# Past the day when fewer than this many people are still followed, a Kaplan-Meier curve
# swings on one person: it is not drawn, and its figures there are not given.
MIN_AT_RISK = 5


@dataclass(frozen=True)
class Curve:
    """The share of people still without the event after each number of days."""

    people: int
    events: int
    # (day, share still without the event), from (0, 1.0), one step per event day.
    steps: tuple[tuple[int, float], ...]
    # The longest anyone was followed: past it the curve says nothing.
    last_day: int = 0
    # The last day on which at least MIN_AT_RISK people were still followed.
    reliable_until: int = 0

    def at(self, days: int) -> float | None:
        """The share without the event after `days`; None where too few are followed."""
        if not self.steps or days > min(self.last_day, self.reliable_until):
            return None
        share = 1.0
        for day, value in self.steps:
            if day > days:
                break
            share = value
        return share

    @property
    def median(self) -> int | None:
        """The first day on which half or more have had the event; None if never."""
        for day, value in self.steps:
            if value <= 0.5:
                return day
        return None


def kaplan_meier(durations: Sequence[int], observed: Sequence[bool]) -> Curve:
    """`durations[i]` days followed; `observed[i]` whether the event ended them (else
    censored: the data ends, or the follow-up does, before any event)."""
    if len(durations) != len(observed):
        raise ValueError("durations and observed must be of the same length")
    if not durations:
        return Curve(0, 0, ())
    times = np.asarray(durations, dtype=float)
    happened = np.asarray(observed, dtype=bool)
    last_day = int(times.max())
    ordered = np.sort(times)[::-1]  # longest first: ordered[k] is followed by k + 1 people
    reliable = int(ordered[MIN_AT_RISK - 1]) if len(ordered) >= MIN_AT_RISK else 0
    if not happened.any():
        return Curve(len(times), 0, ((0, 1.0),), last_day=last_day, reliable_until=reliable)
    data = stats.CensoredData(uncensored=times[happened], right=times[~happened])
    survival = stats.ecdf(data).sf
    steps = [(0, 1.0)] + [
        (int(day), float(share))
        for day, share in zip(survival.quantiles, survival.probabilities, strict=True)
        if happened[times == day].any()
    ]
    return Curve(
        len(times), int(happened.sum()), tuple(steps), last_day=last_day, reliable_until=reliable
    )


def is_small(count: int | None) -> bool:
    return count is not None and 0 < count < SMALL_CELL


def published_count(count: int | None) -> str:
    """A count as it may leave the department."""
    if count is None:
        return ""
    return SUPPRESSED if is_small(count) else f"{count:,}"


def published_figure(value: object, *counts: int | None) -> object:
    """Any figure built on counts (a rate, a median of so many values) as it may leave
    the department: "suppressed" when one of the counts is small."""
    return "suppressed" if any(is_small(count) for count in counts) else value


def published_rate(numerator: int | None, denominator: int | None) -> str:
    """A percentage as it may leave the department: none when either count is small."""
    if not denominator or numerator is None:
        return "n/a"
    return str(published_figure(f"{100 * numerator / denominator:.0f}%", numerator, denominator))


def rate(numerator: int | None, denominator: int | None) -> str:
    """A percentage for the department's own pages."""
    if not denominator or numerator is None:
        return "n/a"
    return f"{100 * numerator / denominator:.0f}%"
