"""Reading notifications: who was notified when, and who re-offended after it.

A person counts as notified from the day a letter was delivered to them, a custom
notification was delivered, or they attended a call-in. Identity resolution decides who
"the person" is: a re-offence recorded under another record linked to theirs counts.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from jcihub.access import policy

from .models import Candidate
from .notifications import CallInInvitation, CustomNotification, Letter

M = TypeVar("M", bound=Model)


def get_visible(user: Any, queryset: QuerySet[M], pk: Any) -> M:
    """The record, if the user may see its person; 404 otherwise (the refusal audited)."""
    from jcihub.access.guards import deny

    try:
        found = queryset.filter(pk=int(pk)).first()
    except (ValueError, TypeError, OverflowError):
        raise Http404 from None
    if found is None:
        raise Http404
    person = getattr(found, "person", None)
    if person is not None and not policy.can_view_person(user, person):
        deny(user, "IPVI record of a person not visible to this user", not_found=True)
    return found


@dataclass(frozen=True)
class Notice:
    """One delivered notification, as the ladder and the liaisons see it."""

    kind: str  # "letter", "custom notification", "call-in"
    on: dt.date
    person_id: int
    candidate_id: int
    tier_id: int | None
    pk: int

    @property
    def label(self) -> str:
        return {"letter": "letter delivered", "call-in": "attended a call-in"}.get(
            self.kind, "custom notification delivered"
        )


def _day(moment: dt.datetime | None) -> dt.date:
    from django.utils import timezone

    return timezone.localtime(moment).date() if moment else dt.date.min


def delivered_notices(person_ids: Iterable[int] | None = None) -> list[Notice]:
    """Every delivered notification (of these records, when given), oldest first."""
    letters = Letter.objects.filter(status=Letter.Status.DELIVERED)
    visits = CustomNotification.objects.filter(status=CustomNotification.Status.DELIVERED)
    invitations = CallInInvitation.objects.filter(attendance=CallInInvitation.Attendance.ATTENDED)
    if person_ids is not None:
        ids = list(person_ids)
        letters, visits = letters.filter(person_id__in=ids), visits.filter(person_id__in=ids)
        invitations = invitations.filter(person_id__in=ids)
    found = [
        Notice("letter", _day(at), person, cand, tier, pk)
        for pk, at, person, cand, tier in letters.values_list(
            "pk", "delivered_at", "person_id", "candidate_id", "candidate__tier_id"
        )
    ]
    found += [
        Notice("custom notification", _day(at), person, cand, tier, pk)
        for pk, at, person, cand, tier in visits.values_list(
            "pk", "delivered_at", "person_id", "candidate_id", "candidate__tier_id"
        )
    ]
    found += [
        Notice("call-in", _day(at), person, cand, tier, pk)
        for pk, at, person, cand, tier in invitations.values_list(
            "pk", "call_in__held_at", "person_id", "candidate_id", "candidate__tier_id"
        )
    ]
    return sorted(found, key=lambda n: (n.on, n.pk))


def last_notice_before(notices: Iterable[Notice], day: dt.date | None) -> Notice | None:
    earlier = [n for n in notices if day is not None and n.on < day]
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class Reoffence:
    candidate: Candidate
    notice: Notice


def reoffences(user: Any) -> list[Reoffence]:
    """New DV incidents after a delivered notification, of people this user may see,
    newest first; each with the last notification before it."""
    from .services import identities

    notices = delivered_notices()
    if not notices:
        return []
    candidate_people = set(Candidate.objects.values_list("person_id", flat=True).distinct())
    identity = identities(candidate_people | {n.person_id for n in notices})
    by_identity: dict[int, list[Notice]] = defaultdict(list)
    for notice in notices:
        by_identity[identity[notice.person_id]].append(notice)
    records = {pid: root for pid, root in identity.items() if root in by_identity}
    earliest = notices[0].on
    candidates: QuerySet[Candidate] = (
        Candidate.objects.filter(person_id__in=list(records), incident_date__gt=earliest)
        .filter(person__in=policy.visible_people(user))
        .select_related("person", "incident", "proposed_tier", "tier")
        .order_by("-incident_date", "-id")
    )
    found: list[Reoffence] = []
    for candidate in candidates:
        notices_of = by_identity[records[candidate.person_id]]
        last = last_notice_before(notices_of, candidate.incident_date)
        if last is not None:
            found.append(Reoffence(candidate, last))
    return found


# --- The person timeline ------------------------------------------------------------------


def timeline_events(person_id: int) -> list[Any]:
    """Letters, custom notifications, call-ins and services offered, for the person page.
    They reveal a police matter (criminal-justice information); a substance-use or
    mental-health service offered carries that sensitivity instead."""
    from jcihub.core.sensitivity import Sensitivity
    from jcihub.core.timeline import TimelineEvent

    from .notifications import ServiceNeed, ServiceOffer

    cj = Sensitivity.CRIMINAL_HISTORY
    events = [
        TimelineEvent(at, "ipvi", "letter", f"IPVI letter made (tier {tier})", status, cj)
        for at, tier, status in Letter.objects.filter(person_id=person_id).values_list(
            "generated_at", "candidate__tier__code", "status"
        )
    ]
    events += [
        TimelineEvent(at, "ipvi", "notification", "IPVI custom notification", status, cj)
        for at, status in CustomNotification.objects.filter(person_id=person_id).values_list(
            "scheduled_for", "status"
        )
    ]
    events += [
        TimelineEvent(at, "ipvi", "call_in", f"Invited to the IPVI call-in {title}", seen, cj)
        for at, title, seen in CallInInvitation.objects.filter(person_id=person_id).values_list(
            "call_in__held_at", "call_in__title", "attendance"
        )
    ]
    needs = dict(ServiceNeed.choices)
    special: dict[str, Sensitivity] = {
        ServiceNeed.SUBSTANCE_USE: Sensitivity.SUBSTANCE_USE,
        ServiceNeed.MENTAL_HEALTH: Sensitivity.HEALTH,
    }
    events += [
        TimelineEvent(
            at,
            "ipvi",
            "service",
            f"IPVI service offered: {needs.get(need, need)}",
            answer,
            special.get(need, cj),
        )
        for at, need, answer in ServiceOffer.objects.filter(person_id=person_id).values_list(
            "offered_at", "need", "response"
        )
    ]
    return events
