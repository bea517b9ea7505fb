"""IPVI outcomes: what happened after people were placed on the ladder, against a baseline.

A **cohort** is the people who entered the programme at one tier in one month. The
**programme cohorts** are people notified (letter delivered, custom notification
delivered, call-in attended), from their first notification (see `programme_entries`);
the **baseline cohorts** are people who caused harm in a domestic-violence incident in
the years before the programme began, at the tier the ladder would have proposed, from
the day of that incident. Re-offence is a later
domestic-violence incident in which any record of the same person caused harm.

Follow-up ends where the data ends (the latest incident imported): a 6- or 12-month
figure counts only the people whose whole window lies inside the data, and the time to
re-offence treats everyone else as censored (Kaplan-Meier). The figures are computed
from the records each time they are asked for; nothing is stored.

The certainty of the consequence: for each programme entry's first re-offence, the days
to the prosecutor's charging decision on it (charged, declined or referred back; the
current version of the decision), and whether it came within 30 days. The charging
record starts with the programme, so the baseline has no such figure.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from jcihub.incidents.models import Incident, Involvement, Party
from jcihub.ipvi import charging_selectors
from jcihub.ipvi import services as ipvi_services
from jcihub.ipvi.models import Candidate, Tier
from jcihub.ipvi.notification_selectors import delivered_notices
from jcihub.ipvi.victims import (
    ContactAttempt,
    ContactOutcome,
    ServiceResponse,
    VictimCase,
    VictimService,
)

from .survival import Curve, kaplan_meier

SIX_MONTHS = 182
# "Swift": the share of re-offences with a charging decision within this many days.
DECISION_WINDOW = 30
TWELVE_MONTHS = 365
Status = Candidate.Status


@dataclass(frozen=True)
class Entry:
    """One person entering a cohort: on which record, at which tier, from which day."""

    person_id: int
    tier: str
    start: dt.date
    incident_id: int
    baseline: bool = False


@dataclass(frozen=True)
class Harm:
    """A domestic-violence incident in which a person caused harm."""

    identity: int
    incident_id: int
    date: dt.date
    victims: frozenset[int]
    serious: bool


@dataclass(frozen=True)
class Engagement:
    """The victims of one incident and what the advocates' outreach reached."""

    victims: int = 0
    reached: int = 0  # spoken with (including those who then declined contact)
    served: int = 0  # accepted at least one service


@dataclass(frozen=True)
class Followed:
    """One entry followed through the data."""

    entry: Entry
    days_followed: int
    first_reoffence_day: int | None
    same_partner_day: int | None
    escalated: bool
    engagement: Engagement = Engagement()
    # From the first re-offence to the prosecutor's charging decision on it (None: none
    # recorded yet); and whether DECISION_WINDOW days have passed since the re-offence.
    days_to_decision: int | None = None
    decision_window_passed: bool = False
    first_reoffence_incident: int | None = None

    def reoffended_within(self, days: int) -> bool | None:
        """Whether a re-offence came within `days`; None when the data ends before the
        window does (whether or not they re-offended: counting the early re-offenders of
        a short follow-up and not the others would inflate the rate)."""
        if self.days_followed < days:
            return None
        return self.first_reoffence_day is not None and self.first_reoffence_day <= days

    def same_partner_within(self, days: int) -> bool | None:
        if self.days_followed < days:
            return None
        return self.same_partner_day is not None and self.same_partner_day <= days


@dataclass
class Cohort:
    """Counts for one cohort; each rate's denominator is the people followed long enough."""

    baseline: bool
    tier: str
    month: str  # "2026-03"
    people: int = 0
    followed_6: int = 0
    reoffended_6: int = 0
    followed_12: int = 0
    reoffended_12: int = 0
    same_partner_12: int = 0
    reoffended_ever: int = 0
    escalated: int = 0
    victims: int = 0
    victims_reached: int = 0
    victims_served: int = 0
    days_to_reoffence: list[int] = field(default_factory=list)
    # The certainty of the consequence: of the first re-offences, those DECISION_WINDOW
    # days old, and of them those decided within the window; days to each decision.
    decision_due: int = 0
    decided_in_window: int = 0
    days_to_decision: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        return "Baseline" if self.baseline else "Programme"

    def absorb(self, other: "Cohort") -> None:
        """Add another cohort's people into this one (for totals)."""
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.days_to_reoffence.extend(other.days_to_reoffence)
        self.days_to_decision.extend(other.days_to_decision)


@dataclass(frozen=True)
class Outcomes:
    data_end: dt.date | None
    programme_start: dt.date
    baseline_from: dt.date
    cohorts: list[Cohort]
    # (baseline?, tier) -> time to first re-offence
    curves: dict[tuple[bool, str], Curve]
    followed: list[Followed]

    def totals(self, *, baseline: bool) -> Cohort:
        """All cohorts of one kind added up (tier "all", month "all")."""
        total = Cohort(baseline=baseline, tier="all", month="all")
        for cohort in self.cohorts:
            if cohort.baseline == baseline:
                total.absorb(cohort)
        return total

    def tiers(self) -> list[str]:
        return sorted({cohort.tier for cohort in self.cohorts})


_COUNTS = (
    "people",
    "followed_6",
    "reoffended_6",
    "followed_12",
    "reoffended_12",
    "same_partner_12",
    "reoffended_ever",
    "escalated",
    "victims",
    "victims_reached",
    "victims_served",
    "decision_due",
    "decided_in_window",
)


def programme_start() -> dt.date:
    return dt.date.fromisoformat(settings.IPVI_PROGRAMME_START)


def compute(
    entries: Sequence[Entry],
    harms: Iterable[Harm],
    identity: dict[int, int],
    data_end: dt.date | None,
    *,
    start: dt.date,
    baseline_from: dt.date,
    engagement: dict[int, Engagement] | None = None,
    decisions: dict[tuple[int, int], dt.date] | None = None,
    decisions_as_of: dt.date | None = None,
) -> Outcomes:
    """The outcomes of `entries`, given every harm in the data, the outreach to the
    victims of each index incident, and the charging decisions on re-offences by
    (identity, incident id) known on `decisions_as_of` (pure: no queries)."""
    by_identity: dict[int, list[Harm]] = defaultdict(list)
    for harm in harms:
        by_identity[harm.identity].append(harm)
    for history in by_identity.values():
        history.sort(key=lambda h: (h.date, h.incident_id))
    index = {h.incident_id: h for history in by_identity.values() for h in history}
    reached = engagement or {}
    charged = Charging(decisions or {}, decisions_as_of or data_end)
    followed = [
        charged.follow(
            _follow(entry, by_identity, index, identity, data_end, reached.get(entry.incident_id)),
            identity,
        )
        for entry in entries
        if data_end is not None and entry.start <= data_end
    ]
    cohorts: dict[tuple[bool, str, str], Cohort] = {}
    for item in followed:
        entry = item.entry
        key = (entry.baseline, entry.tier, f"{entry.start:%Y-%m}")
        cohort = cohorts.setdefault(key, Cohort(*key))
        _add(cohort, item)
    curves = {}
    for kind in sorted({(item.entry.baseline, item.entry.tier) for item in followed}):
        group = [item for item in followed if (item.entry.baseline, item.entry.tier) == kind]
        curves[kind] = kaplan_meier(
            [
                item.first_reoffence_day
                if item.first_reoffence_day is not None
                else item.days_followed
                for item in group
            ],
            [item.first_reoffence_day is not None for item in group],
        )
    ordered = sorted(cohorts.values(), key=lambda c: (c.baseline, c.tier, c.month))
    return Outcomes(data_end, start, baseline_from, ordered, curves, followed)


def _follow(
    entry: Entry,
    by_identity: dict[int, list[Harm]],
    index: dict[int, Harm],
    identity: dict[int, int],
    data_end: dt.date | None,
    engagement: Engagement | None,
) -> Followed:
    assert data_end is not None
    who = identity.get(entry.person_id, entry.person_id)
    first = index.get(entry.incident_id)
    victims = first.victims if first else frozenset()
    serious_before = first.serious if first else False
    later = [h for h in by_identity.get(who, []) if entry.start < h.date <= data_end]
    first_day = (later[0].date - entry.start).days if later else None
    same = next((h for h in later if h.victims & victims), None)
    return Followed(
        entry=entry,
        days_followed=(data_end - entry.start).days,
        first_reoffence_day=first_day,
        first_reoffence_incident=later[0].incident_id if later else None,
        same_partner_day=(same.date - entry.start).days if same else None,
        escalated=bool(later) and later[0].serious and not serious_before,
        engagement=engagement or Engagement(),
    )


@dataclass(frozen=True)
class Charging:
    """The charging decisions, for attaching to each first re-offence after an entry."""

    decisions: dict[tuple[int, int], dt.date]
    as_of: dt.date | None

    def follow(self, item: Followed, identity: dict[int, int]) -> Followed:
        incident = item.first_reoffence_incident
        if item.first_reoffence_day is None or incident is None:
            return item
        if item.entry.baseline or self.as_of is None:
            return item
        reoffended_on = item.entry.start + dt.timedelta(days=item.first_reoffence_day)
        who = identity.get(item.entry.person_id, item.entry.person_id)
        decided = self.decisions.get((who, incident))
        return replace(
            item,
            days_to_decision=(decided - reoffended_on).days if decided else None,
            decision_window_passed=(self.as_of - reoffended_on).days >= DECISION_WINDOW,
        )


def _add(cohort: Cohort, item: Followed) -> None:
    cohort.people += 1
    cohort.victims += item.engagement.victims
    cohort.victims_reached += item.engagement.reached
    cohort.victims_served += item.engagement.served
    within_6 = item.reoffended_within(SIX_MONTHS)
    if within_6 is not None:
        cohort.followed_6 += 1
        cohort.reoffended_6 += int(within_6)
    within_12 = item.reoffended_within(TWELVE_MONTHS)
    if within_12 is not None:
        cohort.followed_12 += 1
        cohort.reoffended_12 += int(within_12)
        cohort.same_partner_12 += int(bool(item.same_partner_within(TWELVE_MONTHS)))
    if item.first_reoffence_day is not None:
        cohort.reoffended_ever += 1
        cohort.escalated += int(item.escalated)
        cohort.days_to_reoffence.append(item.first_reoffence_day)
    days = item.days_to_decision
    if days is not None:
        cohort.days_to_decision.append(days)
    if item.decision_window_passed or (days is not None and days <= DECISION_WINDOW):
        cohort.decision_due += 1
        cohort.decided_in_window += int(days is not None and days <= DECISION_WINDOW)


# --- Reading the records --------------------------------------------------------------------


def programme_entries(start: dt.date) -> list[Entry]:
    """Each person's first delivered notification since the programme began (a letter
    delivered, a custom notification delivered, a call-in attended), at the tier it
    carried: one entry per human, whichever of their records it was made on."""
    notices = [n for n in delivered_notices() if n.on >= start and n.tier_id is not None]
    identity = ipvi_services.identities({n.person_id for n in notices})
    codes = dict(Tier.objects.values_list("pk", "code"))
    incidents = dict(
        Candidate.objects.filter(pk__in={n.candidate_id for n in notices}).values_list(
            "pk", "incident_id"
        )
    )
    seen: set[int] = set()
    entries = []
    for notice in notices:  # oldest first
        who = identity.get(notice.person_id, notice.person_id)
        if who not in seen:
            seen.add(who)
            entries.append(
                Entry(
                    notice.person_id,
                    codes[notice.tier_id],  # type: ignore[index]
                    notice.on,
                    incidents[notice.candidate_id],
                )
            )
    return entries


def baseline_entries(start: dt.date, baseline_from: dt.date) -> list[Entry]:
    """The first domestic-violence incident of each person in the baseline years, at the
    tier the ladder proposes for it, from the incident date."""
    candidates = (
        Candidate.objects.filter(
            incident_date__gte=baseline_from,
            incident_date__lt=start,
            proposed_tier__isnull=False,
        )
        .exclude(status=Status.YOUTH)
        .values_list("person_id", "proposed_tier__code", "incident_date", "incident_id")
        .order_by("incident_date", "id")
    )
    rows = list(candidates)
    identity = ipvi_services.identities({row[0] for row in rows})
    seen: set[int] = set()
    entries = []
    for person_id, code, date, incident_id in rows:
        if date is None:
            continue
        who = identity.get(person_id, person_id)
        if who not in seen:
            seen.add(who)
            entries.append(Entry(person_id, code, date, incident_id, baseline=True))
    return entries


def harms_in_data() -> tuple[list[Harm], dict[int, int]]:
    """Every domestic-violence harm in the data, and each person's identity."""
    events = ipvi_services.dv_events()
    identity = ipvi_services.identities({e.person_id for e in events})
    # The incidents of linked causers as a subquery (a superset of the events'), not a
    # list: 50,000 ids in an IN clause cost seconds to send.
    incidents = Party.objects.filter(
        involvement__in=ipvi_services.CAUSED_HARM, person__isnull=False
    ).values("incident_id")
    signs = ipvi_services.serious_signs_of(incidents)
    victims: dict[int, set[int]] = defaultdict(set)
    for incident_id, person_id in Party.objects.filter(
        incident_id__in=incidents, involvement=Involvement.VICTIM, person__isnull=False
    ).values_list("incident_id", "person_id"):
        victims[incident_id].add(person_id)
    victim_identity = ipvi_services.identities({p for ids in victims.values() for p in ids})
    harms = [
        Harm(
            identity=identity.get(e.person_id, e.person_id),
            incident_id=e.incident_id,
            date=e.date,
            victims=frozenset(victim_identity.get(p, p) for p in victims.get(e.incident_id, ())),
            serious=bool(signs.get(e.incident_id)),
        )
        for e in events
        if e.date is not None
    ]
    return harms, identity


def outcomes(as_of: dt.date | None = None) -> Outcomes:
    """The programme's outcomes as the records stand, followed up to `as_of` (the end of
    a reporting quarter) or to the end of the data, whichever comes first."""
    start = programme_start()
    years = settings.IPVI_BASELINE_YEARS
    baseline_from = start.replace(year=start.year - years, day=min(start.day, 28))
    entries = programme_entries(start) + baseline_entries(start, baseline_from)
    harms, identity = harms_in_data()
    identity |= ipvi_services.identities({e.person_id for e in entries} - set(identity))
    data_end = Incident.objects.aggregate(end=Max("reported_date"))["end"]
    engagement = victim_engagement({e.incident_id for e in entries if not e.baseline})
    if as_of is not None and data_end is not None:
        data_end = min(data_end, as_of)
    decisions_as_of = as_of or timezone.localdate()
    decisions = charging_decisions(identity, decisions_as_of)
    return compute(
        entries,
        harms,
        identity,
        data_end,
        start=start,
        baseline_from=baseline_from,
        engagement=engagement,
        decisions=decisions,
        decisions_as_of=decisions_as_of,
    )


def charging_decisions(identity: dict[int, int], as_of: dt.date) -> dict[tuple[int, int], dt.date]:
    """The decision date on each re-offence, by (identity, incident id)."""
    found = charging_selectors.decided_by_incident(as_of)
    people = {person_id for person_id, _ in found} - set(identity)
    identity = identity | ipvi_services.identities(people) if people else identity
    return {
        (identity.get(person_id, person_id), incident_id): on
        for (person_id, incident_id), on in found.items()
    }


def victim_engagement(incident_ids: set[int]) -> dict[int, Engagement]:
    """For each incident: its victims on record, and how many the advocates reached and
    served (outreach began with the programme, so baseline incidents have none)."""
    victims: dict[int, set[int]] = defaultdict(set)
    for incident_id, person_id in Party.objects.filter(
        incident_id__in=incident_ids, involvement=Involvement.VICTIM, person__isnull=False
    ).values_list("incident_id", "person_id"):
        victims[incident_id].add(person_id)
    cases = VictimCase.objects.filter(incident_id__in=incident_ids)
    reached = set(
        ContactAttempt.objects.filter(
            case__in=cases, outcome__in=(ContactOutcome.REACHED, ContactOutcome.DECLINED)
        ).values_list("case__incident_id", "case__victim_id")
    )
    served = set(
        VictimService.objects.filter(case__in=cases, response=ServiceResponse.ACCEPTED).values_list(
            "case__incident_id", "case__victim_id"
        )
    )
    return {
        incident_id: Engagement(
            len(people),
            sum((incident_id, p) in reached for p in people),
            sum((incident_id, p) in served for p in people),
        )
        for incident_id, people in victims.items()
    }
