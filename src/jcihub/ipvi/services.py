"""Building the candidate queue from the incident data, and the coordinator's decisions.

A candidate is a person who caused harm (a suspect or arrestee linked to a `Person`) in
an incident that is domestic violence: KCPD's DV flag, or an intimate-partner
relationship recorded between that person and a victim of the same incident. A person's
history is their whole identity: every record identity resolution links to theirs
(`people.linkage`), so a prior under another record of the same human counts.

`rebuild_queue` is idempotent: it adds new candidates, refreshes the proposal of those
still waiting, withdraws waiting ones that no longer qualify (an updated extract cleared
the DV flag), and never touches a decided one.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core import bulk
from jcihub.incidents.models import Incident, Involvement, Offense, Party
from jcihub.people.linkage.identities import Identities
from jcihub.people.models import (
    INTIMATE_PARTNER_KINDS,
    Person,
    PersonRelationship,
)

from . import rules
from .models import Candidate, Tier

CAUSED_HARM = (Involvement.SUSPECT, Involvement.ARRESTEE)
WRITE_BATCH = 1_000
# What a rebuild computes for a waiting candidate (see `_values`).
COMPUTED = (
    "incident_date",
    "why_domestic",
    "prior_incident_ids",
    "flags",
    "status",
    "proposed_tier",
    "reasons",
    "updated_at",
)
Status = Candidate.Status
DECIDED = (Status.CONFIRMED, Status.OVERRIDDEN)
# What a rebuild reads of each stored candidate: its keys, its decision, what it computed.
STORED = (
    "pk",
    "incident_id",
    "person_id",
    "tier_id",
    "proposed_tier_id",
    *(name for name in COMPUTED if name not in ("proposed_tier", "updated_at")),
)


@dataclass(frozen=True)
class _Event:
    """One person causing harm in one DV incident, as the data shows it."""

    incident_id: int
    person_id: int
    date: dt.date | None
    why_domestic: str
    reported_age: int | None


@dataclass
class RebuildSummary:
    candidates: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    decided_kept: int = 0
    youth: int = 0


def rebuild_queue(
    actor: Any = None, progress: Callable[[int, int], None] | None = None
) -> RebuildSummary:
    """Make the queue match the incident data (see the module)."""
    ladder = list(Tier.objects.order_by("level"))
    if not ladder:
        raise ValidationError("The tier ladder is empty: add at least one tier first.")
    events = dv_events()
    identity = identities({event.person_id for event in events})
    # The incidents and people of linked causers, as subqueries: a list of 50,000 ids in
    # an IN clause costs more to send than the query costs to run.
    causers = Party.objects.filter(involvement__in=CAUSED_HARM, person__isnull=False)
    signs = serious_signs_of(causers.values("incident_id"))
    births = dict(
        Person.objects.filter(pk__in=causers.values("person_id")).values_list("pk", "birth_date")
    )
    by_identity: dict[int, list[_Event]] = defaultdict(list)
    for event in events:
        by_identity[identity.get(event.person_id, event.person_id)].append(event)
    notices = _notices_by_identity(identity)
    summary = RebuildSummary()
    with transaction.atomic():
        # Rows, not model instances: building 50,000 of them was half the rebuild.
        stored = {
            (row["incident_id"], row["person_id"]): row
            for row in Candidate.objects.select_for_update().values(*STORED)
        }
        tiers_by_id = {tier.pk: tier for tier in ladder}
        wanted: set[tuple[int, int]] = set()
        new: list[dict[str, Any]] = []
        propose = functools.lru_cache(maxsize=4096)(functools.partial(_propose, tuple(ladder)))
        changed: list[Candidate] = []
        done = 0
        for history in by_identity.values():
            history.sort(key=lambda e: (e.date or dt.date.min, e.incident_id))
            notified = notices.get(identity.get(history[0].person_id, history[0].person_id), [])
            for event in history:
                key = (event.incident_id, event.person_id)
                wanted.add(key)
                values = _values(event, history, signs, births, stored, tiers_by_id, propose)
                _after_notice(values, event, notified, tiers_by_id, propose)
                _plan(key, values, stored.get(key), new, changed, summary)
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, len(events))
        bulk.insert_values(Candidate, new)
        Candidate.objects.bulk_update(changed, list(COMPUTED), batch_size=WRITE_BATCH)
        if progress:
            progress(done, len(events))
        stale = [
            row["pk"]
            for key, row in stored.items()
            if key not in wanted and row["status"] in (Status.PENDING, Status.YOUTH)
        ]
        stale = _without_charging_decisions(stale)
        Candidate.objects.filter(pk__in=stale).delete()
        summary.withdrawn = len(stale)
        summary.candidates = Candidate.objects.count()
        summary.youth = Candidate.objects.filter(status=Status.YOUTH).count()
        record(
            actor,
            AuditAction.UPDATE,
            object_type="ipvi.queue",
            object_id="rebuild",
            summary=(
                f"IPVI candidate queue rebuilt: {summary.created} new, {summary.updated} "
                f"updated, {summary.withdrawn} withdrawn"
            ),
            changes={name: getattr(summary, name) for name in vars(summary)},
        )
    return summary


def _without_charging_decisions(stale: list[int]) -> list[int]:
    """A withdrawn candidate that is a re-offence with a prosecutor's charging decision is
    kept (the decision is never deleted, so neither is the record it answers)."""
    from .charging import ChargingDecision

    # Every decided re-offence, not an IN list of the stale ones (which may be long): one
    # row per re-offence, so few beside the queue.
    kept = set(ChargingDecision.objects.values_list("reoffence_id", flat=True).distinct())
    return [pk for pk in stale if pk not in kept] if kept else stale


def dv_events() -> list[_Event]:
    """Every (incident, person who caused harm) that is domestic violence."""
    causers = Party.objects.filter(involvement__in=CAUSED_HARM, person__isnull=False)
    rows = causers.values_list(
        "incident_id",
        "person_id",
        "incident__reported_date",
        "age",
        "incident__is_domestic_violence",
    )
    victims: dict[int, set[int]] = defaultdict(set)
    for incident_id, person_id in Party.objects.filter(
        involvement=Involvement.VICTIM, person__isnull=False
    ).values_list("incident_id", "person_id"):
        victims[incident_id].add(person_id)
    partners = _intimate_partners()
    events: dict[tuple[int, int], _Event] = {}
    for incident_id, person_id, date, age, flagged in rows.order_by("incident_id", "id"):
        if flagged:
            why = "KCPD marked the incident as domestic violence"
        elif partners[person_id] & victims.get(incident_id, set()):
            why = "a victim of the incident is a recorded intimate partner"
        else:
            continue
        events.setdefault((incident_id, person_id), _Event(incident_id, person_id, date, why, age))
    return list(events.values())


def _notices_by_identity(identity: dict[int, int]) -> dict[int, list[Any]]:
    from .notification_selectors import delivered_notices

    found: dict[int, list[Any]] = defaultdict(list)
    for notice in delivered_notices():
        found[identity.get(notice.person_id, notice.person_id)].append(notice)
    return found


def _after_notice(
    values: dict[str, Any],
    event: _Event,
    notices: list[Any],
    tiers: dict[int, Tier],
    propose: Callable[[int, tuple[str, ...], Tier | None], rules.Proposal],
) -> None:
    """The ladder on notification: a new incident after a delivered notification is
    proposed at least one level above the tier that notification carried."""
    from .notification_selectors import last_notice_before

    notice = last_notice_before(notices, event.date)
    if values["status"] != Status.PENDING or notice is None or notice.tier_id not in tiers:
        return
    notified_tier = tiers[notice.tier_id]
    current = tiers.get(values["proposed_tier_id"]) if values["proposed_tier_id"] else None
    if current is None or current.level <= notified_tier.level:
        proposal = propose(len(values["prior_incident_ids"]), tuple(values["flags"]), notified_tier)
        values["proposed_tier_id"] = proposal.tier.pk if proposal.tier else None
        values["reasons"] = proposal.reasons
    values["reasons"] = [
        f"re-offended after notification: {notice.label} on {notice.on:%Y-%m-%d} "
        f"(tier {notified_tier.code})",
        *values["reasons"],
    ]


def _intimate_partners() -> dict[int, set[int]]:
    partners: dict[int, set[int]] = defaultdict(set)
    pairs = PersonRelationship.objects.filter(kind__in=INTIMATE_PARTNER_KINDS).values_list(
        "person_id", "related_person_id"
    )
    for one, other in pairs:
        partners[one].add(other)
        partners[other].add(one)
    return partners


def identities(person_ids: set[int]) -> dict[int, int]:
    """{person id: the lowest id of the records linked to it}: one key per human, from
    identity resolution's own union of links."""
    linked = Identities.from_database()
    return {person_id: linked.key(person_id) for person_id in person_ids}


def serious_signs_of(incident_ids: Collection[int] | QuerySet[Any]) -> dict[int, list[str]]:
    """The serious-violence signs of each of these incidents (ids, or a subquery of them)."""
    offenses: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    firearms = dict(Incident.objects.filter(pk__in=incident_ids).values_list("pk", "firearm_used"))
    for incident_id, code, ibrs, description in Offense.objects.filter(
        incident_id__in=incident_ids
    ).values_list("incident_id", "code", "ibrs", "description"):
        offenses[incident_id].append((code, ibrs, description))
    return {i: rules.serious_signs(firearms[i], offenses.get(i, [])) for i in firearms}


def _values(
    event: _Event,
    history: list[_Event],
    signs: dict[int, list[str]],
    births: dict[int, dt.date | None],
    stored: dict[tuple[int, int], dict[str, Any]],
    tiers: dict[int, Tier],
    propose: Callable[[int, tuple[str, ...], Tier | None], rules.Proposal],
) -> dict[str, Any]:
    """What the candidate for `event` should hold: its history and the proposal."""
    earlier = [
        e for e in history if e.incident_id != event.incident_id and _before(e.date, event.date)
    ]
    decided = [
        tiers[row["tier_id"]]
        for e in earlier
        if (row := stored.get((e.incident_id, e.person_id))) is not None
        and row["status"] in DECIDED
        and row["tier_id"] is not None
    ]
    last_tier = max(decided, key=lambda tier: tier.level) if decided else None
    found = signs.get(event.incident_id, [])
    values: dict[str, Any] = {
        "incident_date": event.date,
        "why_domestic": event.why_domestic,
        "prior_incident_ids": sorted({e.incident_id for e in earlier}),
        "flags": found,
    }
    age = rules.age_on(event.date, event.reported_age, births.get(event.person_id))
    if age is not None and age < rules.ADULT_AGE:
        return values | {
            "status": Status.YOUTH,
            "proposed_tier_id": None,
            "reasons": [
                f"under {rules.ADULT_AGE} on the incident date (age {age}): the youth path, "
                "not adult deterrence; no letter or notification from this programme"
            ],
        }
    proposal = propose(len(values["prior_incident_ids"]), tuple(found), last_tier)
    return values | {
        "status": Status.PENDING,
        "proposed_tier_id": proposal.tier.pk if proposal.tier else None,
        "reasons": proposal.reasons,
    }


def _propose(
    ladder: tuple[Tier, ...], priors: int, signs: tuple[str, ...], last_tier: Tier | None
) -> rules.Proposal:
    """`rules.propose`, for the cache: many candidates share the same inputs."""
    return rules.propose(ladder, priors, signs, last_tier)


def _before(one: dt.date | None, other: dt.date | None) -> bool:
    return one is not None and other is not None and one < other


def _plan(
    key: tuple[int, int],
    values: dict[str, Any],
    row: dict[str, Any] | None,
    new: list[dict[str, Any]],
    changed: list[Candidate],
    summary: RebuildSummary,
) -> None:
    """Add the candidate to what is written: new, changed, or left as it is."""
    if row is None:
        new.append({"incident_id": key[0], "person_id": key[1], **values})
        summary.created += 1
    elif row["status"] in DECIDED:
        summary.decided_kept += 1
    elif all(row[name] == value for name, value in values.items()):
        summary.unchanged += 1
    else:
        changed.append(Candidate(pk=row["pk"], updated_at=timezone.now(), **values))
        summary.updated += 1


@transaction.atomic
def decide(actor: Any, candidate: Candidate, tier: Tier, reason: str = "") -> Candidate:
    """Confirm the proposed tier, or override it: another tier needs a reason."""
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    reason = reason.strip()
    if locked.status == Status.YOUTH:
        raise ValidationError(
            "This person was under 18 at the incident: the youth path applies, not a tier."
        )
    if locked.is_decided:
        raise ValidationError("This candidate's tier has been decided already.")
    overridden = tier.pk != locked.proposed_tier_id
    if overridden and not reason:
        raise ValidationError({"reason": "Say why you choose a tier other than the one proposed."})
    locked.tier = tier
    locked.status = Status.OVERRIDDEN if overridden else Status.CONFIRMED
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.decision_reason = reason[:500]
    locked.save()
    proposed = locked.proposed_tier.code if locked.proposed_tier else "none"
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"IPVI tier {tier.code} "
        + (f"chosen over the proposed {proposed}" if overridden else "confirmed"),
        changes={"tier": {"old": None, "new": tier.code}, "proposed": proposed},
        reason=locked.decision_reason,
    )
    return locked


def person_tier_history(person_ids: list[int]) -> Any:
    """The decided candidates of these records (one human), oldest incident first."""
    return (
        Candidate.objects.filter(person_id__in=person_ids)
        .filter(Q(status=Status.CONFIRMED) | Q(status=Status.OVERRIDDEN))
        .select_related("tier", "incident", "decided_by")
        .order_by("incident_date", "id")
    )
