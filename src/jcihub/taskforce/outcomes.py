"""Did the intervention change anything? Incidents at a case's property before and after.

Method (docs/taskforce.md, "Outcomes"): the intervention starts on the day the case was
opened. For 6 and 12 months, count the police incidents at the property in that many
months before the start (the start day excluded) and after it (the start day included).
The "after" window stops at the end of the data (today, or the latest incident when the
data stop earlier), so a recent case has a shorter, partial after-window: the rate per
month, over the months actually observed, is what can be compared. With equal windows the
exact conditional test of two Poisson counts (a binomial test of after given the total,
with the share of time after as its probability) gives a p-value; when fewer than
`MIN_INCIDENTS` incidents fall in both windows together, the comparison is marked too
small to mean anything and no p-value is shown. Properties change for many reasons
(seasons, citywide trends, regression to the mean after a spike that flagged the
property): this is a before/after count, not proof of cause.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from scipy.stats import binomtest

from .models import TaskforceCase
from .selectors import default_end, located_incidents

WINDOW_MONTHS = (6, 12)
MIN_INCIDENTS = 10  # both windows together; fewer cannot show a change
DAYS_PER_MONTH = 365.25 / 12


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Comparison:
    months: int
    start: dt.date
    before: int
    after: int
    before_months: float
    after_months: float  # observed: less than `months` when the data end sooner

    @property
    def is_partial(self) -> bool:
        return self.after_months < self.months - 0.05

    @property
    def has_after(self) -> bool:
        return self.after_months > 0

    @property
    def before_rate(self) -> float:
        return self.before / self.before_months if self.before_months else 0.0

    @property
    def after_rate(self) -> float:
        return self.after / self.after_months if self.after_months else 0.0

    @property
    def is_too_small(self) -> bool:
        return self.before + self.after < MIN_INCIDENTS

    @property
    def change_percent(self) -> float | None:
        if not self.has_after or self.before_rate == 0:
            return None
        return 100 * (self.after_rate - self.before_rate) / self.before_rate

    @property
    def p_value(self) -> float | None:
        """Two-sided exact test that the monthly rate is the same before and after."""
        if self.is_too_small or not self.has_after:
            return None
        share_after = self.after_months / (self.before_months + self.after_months)
        return float(binomtest(self.after, self.before + self.after, share_after).pvalue)

    @property
    def note(self) -> str:
        if not self.has_after:
            return "The case opened after the last incident on record: nothing to compare yet."
        notes = []
        if self.is_too_small:
            notes.append(
                f"Only {self.before + self.after} incidents in both windows together (fewer "
                f"than {MIN_INCIDENTS}): too few to say whether anything changed."
            )
        elif self.p_value is not None and self.p_value >= 0.05:
            notes.append(f"The difference could be chance (p = {self.p_value:.2f}).")
        elif self.p_value is not None:
            notes.append(
                f"Unlikely to be chance alone (p = {self.p_value:.3f}); not proof of cause."
            )
        if self.is_partial:
            notes.append(
                f"The after-window is partial: {self.after_months:.1f} of {self.months} months "
                "observed so far; compare the rates, not the counts."
            )
        return " ".join(notes)


def intervention_start(case: TaskforceCase) -> dt.date:
    return timezone.localdate(case.opened_at)


def case_outcome(case: TaskforceCase, data_end: dt.date | None = None) -> list[Comparison]:
    """The before/after comparison for 6 and 12 months: one grouped query."""
    start = intervention_start(case)
    end = data_end or default_end()
    windows = {}
    for months in WINDOW_MONTHS:
        first = add_months(start, -months)
        last = min(add_months(start, months) - dt.timedelta(days=1), end)
        in_before = Q(reported_date__gte=first, reported_date__lt=start)
        in_after = Q(reported_date__gte=start, reported_date__lte=last)
        windows[months] = (first, last, in_before, in_after)
    counts = (
        located_incidents()
        .filter(raw_address__property=case.property_id)
        .aggregate(
            **{f"b{m}": Count("pk", filter=w[2]) for m, w in windows.items()},
            **{f"a{m}": Count("pk", filter=w[3]) for m, w in windows.items()},
        )
    )
    comparisons = []
    for months, (first, last, _, _) in windows.items():
        after_days = max((last - start).days + 1, 0)
        comparisons.append(
            Comparison(
                months=months,
                start=start,
                before=counts[f"b{months}"],
                after=counts[f"a{months}"] if after_days else 0,
                before_months=(start - first).days / DAYS_PER_MONTH,
                after_months=after_days / DAYS_PER_MONTH,
            )
        )
    return comparisons
