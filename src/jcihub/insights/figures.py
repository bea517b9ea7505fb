"""The outcome figures as rows, for the dashboard (whole counts) and for anything that
leaves the department (small cells suppressed): one function, so the two never differ
but in suppression."""

import datetime as dt
import statistics
from dataclasses import dataclass
from decimal import Decimal

from jcihub.funds.models import Authorisation, Programme

from .ipvi_outcomes import DECISION_WINDOW, Cohort, Outcomes
from .survival import is_small, published_count, published_figure, published_rate, rate

MILESTONES = (30, 90, 182, 365)
HEADER = (
    "Cohort",
    "Tier",
    "Month entered",
    "People",
    "Re-offended in 6 months",
    "Re-offended in 12 months",
    "Same partner in 12 months",
    "Escalated (of re-offences)",
    "Median days to re-offence",
    "Victims reached by advocates",
    "Victims who accepted a service",
)


# The certainty of the consequence: from each cohort's first re-offences to the
# prosecutor's charging decision. Charging decisions are recorded from the programme on.
CHARGING_HEADER = (
    "Cohort",
    "Tier",
    "Month entered",
    "Re-offences",
    "Charging decision recorded",
    "Median days to charging decision",
    f"Charging decision within {DECISION_WINDOW} days",
)
NOT_APPLICABLE = "not applicable"
BASELINE_CHARGING_NOTE = (
    "Charging decisions are recorded from the programme start, so the baseline has no time "
    "to a charging decision: it shows as not applicable, not as zero. The median counts only "
    "the decisions recorded; re-offences still awaiting one are in the first share."
)


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    small: bool  # some count in it is 1-10 (flagged on the page, suppressed outside)


def cohort_row(cohort: Cohort, *, published: bool) -> Row:
    count = published_count if published else (lambda n: f"{n:,}")
    share = published_rate if published else rate

    def fraction(numerator: int, denominator: int, empty: str = "too early") -> str:
        if not denominator:
            return empty
        return f"{share(numerator, denominator)} ({count(numerator)} of {count(denominator)})"

    median = (
        str(int(statistics.median(cohort.days_to_reoffence)))
        if cohort.days_to_reoffence and not (published and is_small(len(cohort.days_to_reoffence)))
        else ("suppressed" if cohort.days_to_reoffence else "none")
    )
    # Outreach began with the programme: the baseline has none to count.
    victimless = "not measured" if cohort.baseline else "no victim on record"
    counts = (
        cohort.people,
        cohort.victims,
        cohort.victims_reached,
        cohort.victims_served,
        cohort.followed_6,
        cohort.reoffended_6,
        cohort.followed_12,
        cohort.reoffended_12,
        cohort.same_partner_12,
        cohort.reoffended_ever,
        cohort.escalated,
    )
    return Row(
        (
            cohort.label,
            cohort.tier,
            cohort.month,
            count(cohort.people),
            fraction(cohort.reoffended_6, cohort.followed_6),
            fraction(cohort.reoffended_12, cohort.followed_12),
            fraction(cohort.same_partner_12, cohort.followed_12),
            fraction(cohort.escalated, cohort.reoffended_ever, "no re-offence"),
            median,
            fraction(cohort.victims_reached, cohort.victims, victimless),
            fraction(cohort.victims_served, cohort.victims, victimless),
        ),
        any(is_small(n) for n in counts),
    )


def charging_row(cohort: Cohort, *, published: bool) -> Row:
    """Time from re-offence to charging decision for one cohort (or a total)."""
    count = published_count if published else (lambda n: f"{n:,}")
    share = published_rate if published else rate
    lead = (cohort.label, cohort.tier, cohort.month)
    if cohort.baseline:
        reoffences = cohort.reoffended_ever
        return Row((*lead, count(reoffences), *(NOT_APPLICABLE,) * 3), is_small(reoffences))
    if not cohort.reoffended_ever:
        return Row((*lead, "0", *("no re-offence",) * 3), False)
    decided = len(cohort.days_to_decision)
    median = "none decided yet"
    if decided:
        median = f"{statistics.median(cohort.days_to_decision):g}"
        median = str(published_figure(median, decided)) if published else median

    def fraction(numerator: int, denominator: int) -> str:
        if not denominator:
            return "too early"
        return f"{share(numerator, denominator)} ({count(numerator)} of {count(denominator)})"

    counts = (cohort.reoffended_ever, decided, cohort.decision_due, cohort.decided_in_window)
    return Row(
        (
            *lead,
            count(cohort.reoffended_ever),
            fraction(decided, cohort.reoffended_ever),
            median,
            fraction(cohort.decided_in_window, cohort.decision_due),
        ),
        any(is_small(n) for n in counts),
    )


def charging_tier_rows(outcomes: Outcomes, *, published: bool) -> list[Row]:
    """Each tier, programme then baseline (not applicable), every month added up; then
    all tiers."""
    return [charging_row(total, published=published) for total in _tier_totals(outcomes)]


def _tier_totals(outcomes: Outcomes) -> list[Cohort]:
    totals = []
    for tier in outcomes.tiers():
        for baseline in (False, True):
            total = Cohort(baseline=baseline, tier=tier, month="all")
            for cohort in outcomes.cohorts:
                if cohort.tier == tier and cohort.baseline == baseline:
                    total.absorb(cohort)
            if total.people:
                totals.append(total)
    for baseline in (False, True):
        total = outcomes.totals(baseline=baseline)
        if total.people:
            totals.append(total)
    return totals


def tier_rows(outcomes: Outcomes, *, published: bool) -> list[Row]:
    """Each tier, programme then baseline, every month added up; then all tiers."""
    return [cohort_row(total, published=published) for total in _tier_totals(outcomes)]


def survival_rows(outcomes: Outcomes, *, published: bool) -> list[tuple[str, ...]]:
    """Share without a re-offence after 30, 90, 182 and 365 days, per tier and kind."""
    rows = []
    for (baseline, tier), curve in sorted(
        outcomes.curves.items(), key=lambda i: (i[0][1], i[0][0])
    ):
        small = published and is_small(curve.people)
        cells = []
        for day in MILESTONES:
            share = curve.at(day)
            cells.append(
                "suppressed" if small else ("n/a" if share is None else f"{100 * share:.0f}%")
            )
        people = published_count(curve.people) if published else f"{curve.people:,}"
        rows.append(("Baseline" if baseline else "Programme", tier, people, *cells))
    return rows


@dataclass(frozen=True)
class Spending:
    authorised: Decimal
    spent: Decimal
    spent_in_period: Decimal
    by_category: list[tuple[str, Decimal]]

    @property
    def remaining(self) -> Decimal:
        return self.authorised - self.spent


def ipvi_spending(start: dt.date | None = None, end: dt.date | None = None) -> Spending:
    """What the IPVI authorisations allow, what was spent to `end`, and in the period."""
    authorised = Decimal("0")
    spent = Decimal("0")
    in_period = Decimal("0")
    categories: dict[str, Decimal] = {}
    for authorisation in Authorisation.objects.filter(programme=Programme.IPVI):
        authorised += authorisation.amount
        ledger = authorisation.expenditures.filter(voided_at__isnull=True)
        if end:
            ledger = ledger.filter(spent_on__lte=end)
        for expenditure in ledger:
            spent += expenditure.amount
            label = expenditure.get_category_display()
            categories[label] = categories.get(label, Decimal("0")) + expenditure.amount
            if start and expenditure.spent_on >= start:
                in_period += expenditure.amount
    return Spending(authorised, spent, in_period, sorted(categories.items()))
