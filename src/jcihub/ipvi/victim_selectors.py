"""Read queries for victim outreach, with the victim-locating rule applied in one place.

Everything about where a victim is (every address, shelter, workplace, phone and email on
their record, and the advocates' notes) is victim-locating here, whatever the person
page's own flags say: `case_view` includes it only when `policy.may_see_victim_locating`
allows, which is never for anyone assigned to a person who caused the harm."""

from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from jcihub.access import policy
from jcihub.access.guards import deny
from jcihub.core.sensitivity import Sensitivity
from jcihub.incidents.models import Involvement, Party
from jcihub.people import selectors as people_selectors
from jcihub.people.models import Address, ContactPoint, PersonRelationship, ValidityQuerySet

from .models import Candidate
from .services import CAUSED_HARM
from .victims import (
    ContactAttempt,
    ContactOutcome,
    SafetyPlanNote,
    VictimCase,
    VictimCaseClosing,
    VictimScreen,
    VictimService,
)

REACHED_OUTCOMES = (ContactOutcome.REACHED, ContactOutcome.DECLINED)


def visible_cases(user: Any) -> QuerySet[VictimCase]:
    """Outreach cases whose victim the user may see."""
    return VictimCase.objects.filter(victim__in=policy.visible_people(user)).select_related(
        "victim", "incident", "advocate"
    )


def open_cases(cases: QuerySet[VictimCase]) -> QuerySet[VictimCase]:
    """The advocates' worklist: neither closed nor declined by the victim."""
    return cases.filter(closed_at__isnull=True, declined_contact_at__isnull=True)


def get_case_for_user(user: Any, pk: Any) -> VictimCase:
    try:
        case = VictimCase.objects.select_related("victim", "incident", "advocate").get(pk=int(pk))
    except (VictimCase.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not policy.can_view_person(user, case.victim):
        deny(
            user,
            "IPVI victim case not visible to this user",
            person_id=case.victim_id,
            not_found=True,
        )
    return case


def awaiting_outreach(user: Any) -> QuerySet[Party]:
    """Victims (linked to a person the user may see) of incidents in the IPVI queue who
    have no outreach case yet, newest incident first."""
    has_case = VictimCase.objects.filter(
        incident_id=OuterRef("incident_id"), victim_id=OuterRef("person_id")
    )
    queued = Candidate.objects.filter(incident_id=OuterRef("incident_id"))
    return (
        Party.objects.filter(involvement=Involvement.VICTIM, person__in=policy.visible_people(user))
        .filter(Exists(queued))
        .exclude(Exists(has_case))
        .select_related("person", "incident")
        .order_by("-incident__reported_date", "-incident_id", "id")
    )


def causer_ids(case: VictimCase) -> set[int]:
    """Everyone who caused this victim harm: the incident's suspects and arrestees, and
    anyone recorded in the registry as having harmed them."""
    in_incident = Party.objects.filter(
        incident_id=case.incident_id, involvement__in=CAUSED_HARM, person__isnull=False
    ).values_list("person_id", flat=True)
    return set(in_incident) | policy.harm_causers_of(case.victim_id)


@dataclass
class CaseView:
    case: VictimCase
    shows_locating: bool
    addresses: list[Address] = field(default_factory=list)
    contacts: list[ContactPoint] = field(default_factory=list)
    hidden_locating: int = 0
    attempts: list[ContactAttempt] = field(default_factory=list)
    notes: list[SafetyPlanNote] = field(default_factory=list)
    note_count: int = 0
    services: list[VictimService] = field(default_factory=list)
    screens: list[VictimScreen] = field(default_factory=list)
    hidden_screens: int = 0
    closings: list[VictimCaseClosing] = field(default_factory=list)

    @property
    def shown(self) -> set[Sensitivity]:
        """What the page shows, for the audit entry of the read."""
        return {Sensitivity.GENERAL} | (
            {Sensitivity.VICTIM_LOCATING} if self.shows_locating else set()
        )


def case_view(user: Any, case: VictimCase) -> CaseView:
    victim = case.victim
    shows = policy.may_see_victim_locating(user, victim, causer_ids(case))
    view = CaseView(case, shows)
    everything = frozenset(Sensitivity)
    today = timezone.localdate()
    addresses = people_selectors.person_addresses(victim, everything).current(today)
    contacts = cast(
        ValidityQuerySet, people_selectors.person_contact_points(victim, everything)
    ).current(today)
    if shows:
        view.addresses, view.contacts = list(addresses), list(contacts)
        view.notes = list(case.safety_notes.select_related("created_by"))
    else:
        view.hidden_locating = addresses.count() + contacts.count()
    view.note_count = len(view.notes) if shows else case.safety_notes.count()
    view.attempts = list(case.attempts.select_related("created_by"))
    view.closings = list(case.closings.select_related("created_by"))
    view.services = list(case.services.all())
    screens = case.screens.select_related("assessment__version__instrument")
    for screen in screens:
        subject = screen.assessment.version.instrument.subject
        if policy.may_see_assessments_of(user, victim, subject):
            view.screens.append(screen)
        else:
            view.hidden_screens += 1
    return view


@dataclass(frozen=True)
class OutreachSummary:
    """How far victim outreach has got for one incident, with nothing about where anyone
    is: for the coordinator, who sequences notifications after victims are reached."""

    victims: int  # victims of the incident linked to a person record
    cases: int  # of them, with an outreach case
    reached: int  # of them, spoken with at least once
    declined: int  # of them, who declined contact


def outreach_summaries(incident_ids: list[int]) -> dict[int, OutreachSummary]:
    victims: dict[int, set[int]] = {i: set() for i in incident_ids}
    for incident_id, person_id in Party.objects.filter(
        incident_id__in=incident_ids, involvement=Involvement.VICTIM, person__isnull=False
    ).values_list("incident_id", "person_id"):
        victims[incident_id].add(person_id)
    cases = VictimCase.objects.filter(incident_id__in=incident_ids)
    reached = set(
        ContactAttempt.objects.filter(
            case__incident_id__in=incident_ids, outcome__in=REACHED_OUTCOMES
        ).values_list("case_id", flat=True)
    )
    counts = {i: [0, 0, 0] for i in incident_ids}
    for case_id, incident_id, declined in cases.values_list(
        "pk", "incident_id", "declined_contact_at"
    ):
        counts[incident_id][0] += 1
        counts[incident_id][1] += case_id in reached
        counts[incident_id][2] += declined is not None
    return {
        i: OutreachSummary(len(victims[i]), counts[i][0], counts[i][1], counts[i][2])
        for i in incident_ids
    }


def victims_of(causer_id: int) -> set[int]:
    """Everyone this person caused harm to: victims of the incidents where they were a
    suspect or arrestee, and those the registry records them as having harmed."""
    incidents = Party.objects.filter(person_id=causer_id, involvement__in=CAUSED_HARM).values(
        "incident_id"
    )
    in_incidents = Party.objects.filter(
        incident_id__in=incidents, involvement=Involvement.VICTIM, person__isnull=False
    ).values_list("person_id", flat=True)
    recorded = PersonRelationship.objects.filter(person_id=causer_id, person_caused_harm=True)
    reverse = PersonRelationship.objects.filter(
        related_person_id=causer_id, related_person_caused_harm=True
    )
    return (
        set(in_incidents)
        | set(recorded.values_list("related_person_id", flat=True))
        | set(reverse.values_list("person_id", flat=True))
    ) - {causer_id}


def victim_locating_texts(causer_id: int) -> set[str]:
    """The locating details of this person's victims, as text: what nothing addressed to
    or about the person who caused harm (a letter, a notification, an export) may contain.
    Checks and tests of offender-facing output compare against it."""
    ids = victims_of(causer_id)
    lines = Address.objects.filter(person_id__in=ids).values_list("line1", "line2")
    contacts = ContactPoint.objects.filter(person_id__in=ids).values_list("value", flat=True)
    return {text for pair in lines for text in pair if text.strip()} | set(contacts)
