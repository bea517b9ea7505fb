"""Queries over the audit trail for the viewer, its export and the API."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    person_id: int | None = None
    object_type: str = ""
    text: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def search_entries(f: AuditFilter) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all().order_by("-id")
    if f.actor:
        qs = qs.filter(actor_username__iexact=f.actor)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.person_id is not None:
        qs = qs.filter(person_id=f.person_id)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.text:
        qs = qs.filter(Q(summary__icontains=f.text) | Q(reason__icontains=f.text))
    if f.since:
        qs = qs.filter(occurred_at__date__gte=f.since)
    if f.until:
        qs = qs.filter(occurred_at__date__lte=f.until)
    return qs
