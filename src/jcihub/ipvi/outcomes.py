"""Outcomes of notification, per cohort: re-offence at 6 and 12 months, and the time to
re-offence as a Kaplan-Meier curve (SciPy), with small cells suppressed.

Method (docs/ipvi.md, "Outcomes"): a person enters the cohort of the tier and the month
of their **first** delivered notification (letter delivered, custom notification
delivered, or call-in attended); identity resolution decides who "the person" is. A
**re-offence** is the first later domestic-violence incident in which they caused harm
(any partner). People not re-offending are **censored** at the day of the report. The
6- and 12-month rates count only people followed that long (or who re-offended sooner);
the Kaplan-Meier estimate uses everyone, censoring included. Every count below 11, and
every rate or curve built on fewer than 11 people, is shown as suppressed.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy.stats import CensoredData, ecdf

SMALL_CELL = 11
SUPPRESSED = "<11"
HORIZONS = (182, 365)  # 6 and 12 months, in days
CURVE_DAYS = (90, 182, 273, 365)


@dataclass(frozen=True)
class FollowUp:
    """One notified person: when and at which tier, and when they re-offended (if)."""

    tier: str
    notified_on: dt.date
    reoffended_on: dt.date | None


@dataclass(frozen=True)
class Horizon:
    days: int
    followed: str  # people followed this long, or re-offending sooner
    reoffended: str
    rate: str


@dataclass(frozen=True)
class CohortOutcome:
    tier: str
    month: str  # "2025-03", or "all months"
    people: str
    horizons: tuple[Horizon, ...]
    survival: tuple[str, ...]  # share not re-offended at CURVE_DAYS, Kaplan-Meier


def cell(count: int) -> str:
    return SUPPRESSED if count < SMALL_CELL else str(count)


def _share(numerator: int, denominator: int) -> str:
    if numerator < SMALL_CELL or denominator < SMALL_CELL:
        return SUPPRESSED
    return f"{100 * numerator / denominator:.0f}%"


def horizon(people: Sequence[FollowUp], days: int, today: dt.date) -> Horizon:
    reoffended = [
        p for p in people if p.reoffended_on and (p.reoffended_on - p.notified_on).days <= days
    ]
    followed = [p for p in people if (today - p.notified_on).days >= days] + [
        p for p in reoffended if (today - p.notified_on).days < days
    ]
    return Horizon(
        days, cell(len(followed)), cell(len(reoffended)), _share(len(reoffended), len(followed))
    )


def survival(people: Sequence[FollowUp], today: dt.date) -> tuple[float, ...]:
    """The Kaplan-Meier estimate of the share not re-offended at each of CURVE_DAYS."""
    events = [(p.reoffended_on - p.notified_on).days for p in people if p.reoffended_on]
    censored = [max((today - p.notified_on).days, 0) for p in people if not p.reoffended_on]
    if not events:
        return tuple(1.0 for _ in CURVE_DAYS)
    curve = ecdf(CensoredData(uncensored=events, right=censored)).sf
    return tuple(float(value) for value in curve.evaluate(list(CURVE_DAYS)))


def cohort(tier: str, month: str, people: Sequence[FollowUp], today: dt.date) -> CohortOutcome:
    if len(people) < SMALL_CELL:
        curve = tuple(SUPPRESSED for _ in CURVE_DAYS)
    else:
        curve = tuple(f"{100 * share:.0f}%" for share in survival(people, today))
    return CohortOutcome(
        tier,
        month,
        cell(len(people)),
        tuple(horizon(people, days, today) for days in HORIZONS),
        curve,
    )


def cohorts(follow_ups: Iterable[FollowUp], today: dt.date) -> list[CohortOutcome]:
    """Each tier over all months, then each tier and month of notification."""
    by_tier: dict[str, list[FollowUp]] = defaultdict(list)
    for person in follow_ups:
        by_tier[person.tier].append(person)
    rows = []
    for tier in sorted(by_tier):
        people = by_tier[tier]
        rows.append(cohort(tier, "all months", people, today))
        by_month: dict[str, list[FollowUp]] = defaultdict(list)
        for person in people:
            by_month[f"{person.notified_on:%Y-%m}"].append(person)
        rows += [cohort(tier, month, by_month[month], today) for month in sorted(by_month)]
    return rows


def follow_ups_from_records() -> list[FollowUp]:
    """Each notified human (identity resolution's view) with their first notification and
    their first DV incident after it."""
    from .models import Candidate, Tier
    from .notification_selectors import Notice, delivered_notices
    from .services import _identities

    notices = delivered_notices()
    if not notices:
        return []
    incidents: list[tuple[int, dt.date]] = [
        (person_id, day)
        for person_id, day in Candidate.objects.values_list("person_id", "incident_date")
        if day is not None
    ]
    identity = _identities({p for p, _ in incidents} | {n.person_id for n in notices})
    first: dict[int, Notice] = {}
    for notice in notices:  # oldest first
        first.setdefault(identity[notice.person_id], notice)
    later: dict[int, list[dt.date]] = defaultdict(list)
    for person_id, day in incidents:
        root = identity[person_id]
        if root in first and day > first[root].on:
            later[root].append(day)
    codes = dict(Tier.objects.values_list("pk", "code"))
    return [
        FollowUp(codes.get(n.tier_id or 0, "?"), n.on, min(later[root]) if later[root] else None)
        for root, n in first.items()
    ]
