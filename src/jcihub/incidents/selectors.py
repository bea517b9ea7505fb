"""Read queries about incidents, shared by pages, API and the person timeline."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from jcihub.core.sensitivity import Sensitivity
from jcihub.core.timeline import TimelineEvent
from jcihub.places.models import Property
from jcihub.places.sections import PropertySection, SectionItem

from .models import Incident, Involvement, Offense, Party


def person_timeline_events(person_id: int) -> list[TimelineEvent]:
    """The incidents a person is linked to. Police records are criminal-justice information
    (CJIS), so only roles cleared for it see them, whatever the person's part in them.

    Reads plain values, not model instances: a person well known to police has hundreds
    of these, and the person page builds its whole timeline on every view."""
    parties = list(
        Party.objects.filter(person_id=person_id).values_list(
            "involvement",
            "incident_id",
            "incident__report_number",
            "incident__source_key",
            "incident__reported_date",
            "incident__reported_time",
            "incident__from_date",
            "incident__updated_at",
        )
    )
    offenses: dict[int, list[str]] = defaultdict(list)
    for incident_id, description, code in Offense.objects.filter(
        incident_id__in={p[1] for p in parties}
    ).values_list("incident_id", "description", "code"):
        offenses[incident_id].append(description or code)
    labels = dict(Involvement.choices)
    events = []
    for involvement, incident_id, number, key, reported, time_of_day, began, updated in parties:
        day = reported or began
        when = (
            timezone.make_aware(dt.datetime.combine(day, time_of_day or dt.time.min))
            if day
            else updated
        )
        events.append(
            TimelineEvent(
                when,
                "incidents",
                "incident",
                f"KCPD report {number or key}: {str(labels[involvement]).lower()}",
                ", ".join(offenses[incident_id]) or "no offense recorded",
                Sensitivity.CRIMINAL_HISTORY,
            )
        )
    return events


def search_incidents(filters: dict[str, Any]) -> QuerySet[Incident]:
    """Incidents matching an IncidentFilterForm's cleaned data, newest first."""
    incidents = Incident.objects.all()
    if filters.get("since"):
        incidents = incidents.filter(reported_date__gte=filters["since"])
    if filters.get("until"):
        incidents = incidents.filter(reported_date__lte=filters["until"])
    if filters.get("offense"):
        text = filters["offense"]
        matching = Offense.objects.filter(
            Q(description__icontains=text) | Q(code__icontains=text) | Q(ibrs__iexact=text)
        )
        incidents = incidents.filter(pk__in=matching.values("incident_id"))
    dv_flags: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}
    if filters.get("dv") in dv_flags:
        incidents = incidents.filter(is_domestic_violence=dv_flags[filters["dv"]])
    if filters.get("beat"):
        incidents = incidents.filter(beat=filters["beat"])
    if filters.get("zip_code"):
        incidents = incidents.filter(zip_code=filters["zip_code"])
    if filters.get("address"):
        incidents = incidents.filter(address__icontains=filters["address"])
    if filters.get("property"):
        incidents = at_property(incidents, filters["property"])
    return incidents.order_by("-reported_date", "-id").prefetch_related("offenses")


def at_property(incidents: QuerySet[Incident], place: Property | int) -> QuerySet[Incident]:
    """The incidents whose raw address maps to the property, as the mapping is now."""
    return incidents.filter(raw_address__property=place)


SECTION_ITEMS = 10


def property_section(place: Property) -> PropertySection:
    """The police incidents at a property, for its page (`places.sections`)."""
    incidents = at_property(Incident.objects.all(), place).order_by("-reported_date", "-id")
    latest = list(incidents.prefetch_related("offenses")[:SECTION_ITEMS])
    items = tuple(
        SectionItem(
            text=f"KCPD report {incident}",
            url=reverse("incidents:detail", args=[incident.pk]),
            detail=" · ".join(
                part
                for part in (
                    f"{incident.reported_date:%Y-%m-%d}" if incident.reported_date else "",
                    "; ".join(str(o) for o in incident.offenses.all()) or "no offense recorded",
                    "domestic violence" if incident.is_domestic_violence else "",
                )
                if part
            ),
        )
        for incident in latest
    )
    total = len(items) if len(items) < SECTION_ITEMS else incidents.count()
    return PropertySection(
        title="Police incidents",
        items=items,
        total=total,
        more_url=f"{reverse('incidents:list')}?property={place.pk}",
        empty_text="No police incidents recorded at this property.",
    )


PEOPLE_SHOWN = 25


def people_section(place: Property, user: Any) -> PropertySection | None:
    """The people linked to incidents at the property, as far as the viewer may see them
    (the access policy decides each one; incidents are criminal history, and a victim is
    named only to a viewer who may see that victim's locating information). One audit
    entry records whom the viewer was shown."""
    from jcihub.access import policy
    from jcihub.audit.models import AuditAction
    from jcihub.audit.services import record

    if not policy.has_capability(user, policy.Cap.PEOPLE_VIEW):
        return None
    parties = Party.objects.filter(
        incident__raw_address__property=place, person__isnull=False
    ).values_list("person_id", "involvement")
    roles: dict[int, set[str]] = defaultdict(set)
    for person_id, involvement in parties:
        roles[person_id].add(involvement)
    visible = policy.visible_people(user).filter(pk__in=list(roles)).order_by("pk")
    shown = []
    for person in visible[: PEOPLE_SHOWN * 2]:
        allowed = policy.visible_sensitivities(user, person)
        if Sensitivity.CRIMINAL_HISTORY not in allowed:
            continue
        kinds = roles[person.pk]
        if Involvement.VICTIM in kinds and Sensitivity.VICTIM_LOCATING not in allowed:
            kinds = kinds - {Involvement.VICTIM}
            if not kinds:
                continue
        shown.append((person, kinds))
        if len(shown) == PEOPLE_SHOWN:
            break
    labels = dict(Involvement.choices)
    items = tuple(
        SectionItem(
            text=str(person),
            url=reverse("people:detail", args=[person.pk]),
            detail=", ".join(sorted(str(labels[k]) for k in kinds)),
        )
        for person, kinds in shown
    )
    if items:
        record(
            user,
            AuditAction.VIEW,
            place,
            summary=f"Viewed {len(items)} people linked to incidents at {place.record_number}",
            changes={"people": [person.pk for person, _ in shown]},
        )
    hidden = len(roles) - len(items)
    return PropertySection(
        title="People linked to incidents here",
        items=items,
        total=len(roles),  # the page says how many more are linked (not shown to this viewer)
        empty_text="No person you may see is linked to an incident here."
        + (f" ({hidden} linked whom you may not see.)" if hidden else ""),
    )
