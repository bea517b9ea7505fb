"""Reading charging decisions: a re-offence's history, what a user may see, and the
decision on each re-offence (for the insights' time to the consequence)."""

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from jcihub.access import policy
from jcihub.access.policy import Cap

from .charging import DECIDED_OUTCOMES, ChargingDecision


def _decisions() -> QuerySet[ChargingDecision]:
    return ChargingDecision.objects.select_related(
        "reoffence__incident", "person", "recorded_by"
    ).order_by("-reoffence__incident_date", "reoffence_id", "-version")


def history(reoffence_id: int) -> list[ChargingDecision]:
    """Every version of the decision on this re-offence, the current (highest) first."""
    return list(_decisions().filter(reoffence_id=reoffence_id))


def visible_decisions(user: Any) -> QuerySet[ChargingDecision]:
    """The decisions this user may read: those who see re-offences (IPVI_LIAISON), for the
    people they may see (an agency liaison: those assigned to their agency)."""
    if not policy.has_capability(user, Cap.IPVI_LIAISON):
        return ChargingDecision.objects.none()
    return _decisions().filter(person__in=policy.visible_people(user))


def decided_by_incident(as_of: dt.date | None = None) -> dict[tuple[int, int], dt.date]:
    """For each re-offence with a decision that ended the wait (charged, declined or
    referred back; "pending review" does not), keyed by (person id, incident id): its
    decision date. The current version counts, since a correction fixes the record; with
    `as_of` (the end of a reporting quarter), only versions recorded by then and decisions
    dated by then, so a past quarter's figures stay as they were."""
    rows = ChargingDecision.objects.values_list(
        "reoffence__person_id", "reoffence__incident_id", "version", "outcome", "decided_on"
    )
    if as_of is not None:
        rows = rows.filter(recorded_at__date__lte=as_of, decided_on__lte=as_of)
    current: dict[tuple[int, int], tuple[int, str, dt.date]] = {}
    for person_id, incident_id, version, outcome, decided_on in rows:
        key = (person_id, incident_id)
        if key not in current or current[key][0] < version:
            current[key] = (version, outcome, decided_on)
    return {key: on for key, (_v, outcome, on) in current.items() if outcome in DECIDED_OUTCOMES}
