"""Read queries about people, shared by the pages, the API and reports."""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from jcihub.access import policy
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.timeline import TimelineEvent

from . import matching
from .linkage.intake import ModelOpinion, score_candidates
from .linkage.records import PersonRecord
from .models import (
    LINKED_STATUSES,
    Address,
    Consent,
    ContactPoint,
    Identifier,
    MatchCandidate,
    Person,
    PersonName,
    PersonRelationship,
    RelationshipKind,
    SafetyFlag,
    ValidityQuerySet,
)

BLOCK_LIMIT = 300  # rows per blocking key; a common surname never turns into a scan


def candidate_ids(query: matching.MatchQuery) -> set[int]:
    """Ids of people who share at least one blocking key with the query."""
    keys = matching.name_keys(query.given_name, query.family_name)
    swapped = matching.name_keys(query.family_name, query.given_name)
    ids: set[int] = set()
    names = PersonName.objects.values_list("person_id", flat=True)
    if keys.family_key:
        block = names.filter(family_key=keys.family_key)
        if keys.given_initial:
            block = block.filter(given_initial=keys.given_initial)
        ids.update(block[:BLOCK_LIMIT])
    if keys.given_key and query.birth_date is None:
        ids.update(
            names.filter(given_key=keys.given_key, family_key__startswith=keys.family_key[:1])[
                :BLOCK_LIMIT
            ]
        )
    if swapped.family_key and swapped.given_initial:
        ids.update(
            names.filter(family_key=swapped.family_key, given_initial=swapped.given_initial)[
                :BLOCK_LIMIT
            ]
        )
    if query.birth_date:
        ids.update(
            Person.objects.filter(birth_date=query.birth_date).values_list("id", flat=True)[
                :BLOCK_LIMIT
            ]
        )
    if query.identifiers:
        ids.update(
            Identifier.objects.filter(value__in=query.identifiers).values_list(
                "person_id", flat=True
            )[:BLOCK_LIMIT]
        )
    return ids


def _candidates(person_ids: Iterable[int]) -> list[matching.CandidateNames]:
    people = Person.objects.filter(id__in=list(person_ids)).values_list("id", "birth_date")
    names: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for person_id, kind, given, family in (
        PersonName.objects.filter(person_id__in=[p for p, _ in people])
        .values_list("person_id", "kind", "given_name", "family_name")
        .order_by("person_id")
    ):
        entry = (given, family)
        names[person_id].insert(0, entry) if kind == PersonName.Kind.LEGAL else names[
            person_id
        ].append(entry)
    identifiers: dict[int, set[str]] = defaultdict(set)
    for person_id, value in Identifier.objects.filter(
        person_id__in=[p for p, _ in people]
    ).values_list("person_id", "value"):
        identifiers[person_id].add(value)
    return [
        matching.CandidateNames(pid, tuple(names[pid]), dob, frozenset(identifiers[pid]))
        for pid, dob in people
    ]


@dataclass(frozen=True)
class RankedPerson:
    person: Person
    match: matching.Match
    opinion: ModelOpinion | None = None  # the linkage model's, at intake


def find_matches(
    user: Any, query: matching.MatchQuery, *, limit: int = 20, floor: float | None = None
) -> list[RankedPerson]:
    """People the user may see who plausibly are the one described, best first."""
    ids = candidate_ids(query)
    if not ids:
        return []
    visible = set(
        policy.visible_people(user, Person.objects.filter(id__in=ids)).values_list("id", flat=True)
    )
    floor = settings.PEOPLE_MATCH_FLOOR if floor is None else floor
    ranked = matching.rank(query, _candidates(visible), floor)[:limit]
    people = Person.objects.in_bulk([m.person_id for m in ranked])
    return [RankedPerson(people[m.person_id], m) for m in ranked]


INTAKE_MODEL_CANDIDATES = 50  # intake's best candidates the linkage model scores


def intake_matches(
    user: Any, query: matching.MatchQuery, record: PersonRecord, *, limit: int = 20
) -> list[RankedPerson]:
    """People who may be the one being entered at intake, best first.

    Intake's own keys find the candidates. With a stored linkage run, its model scores
    the best of them as that run would (`linkage.intake`) and decides, as in the batch:
    a candidate the run would link or queue for review is shown, one it would keep apart
    is not. Without a stored run, intake's own score and floor decide."""
    found = find_matches(user, query, limit=INTAKE_MODEL_CANDIDATES, floor=0)
    opinions = score_candidates(record, [row.person.pk for row in found])
    if not opinions:
        return [row for row in found if row.match.score >= settings.PEOPLE_MATCH_FLOOR][:limit]
    shown = [
        RankedPerson(row.person, row.match, opinions[row.person.pk])
        for row in found
        if row.person.pk in opinions and opinions[row.person.pk].verdict != "apart"
    ]
    return sorted(shown, key=lambda row: -opinions[row.person.pk].probability)[:limit]


_RECORD_NUMBER = re.compile(r"^P?0*(\d{1,12})$", re.IGNORECASE)
_DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m-%d-%Y")


def parse_date(token: str) -> dt.date | None:
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(token, fmt).date()
        except ValueError:
            continue
    return None


def parse_search(text: str) -> tuple[int | None, matching.MatchQuery]:
    """Read the header search box: a record number, or names with an optional birth date."""
    text = " ".join(text.split())[:200]
    record = _RECORD_NUMBER.match(text)
    if record and text.upper().startswith("P"):
        return int(record.group(1)), matching.MatchQuery()
    birth_date = None
    words: list[str] = []
    for token in text.replace(",", " ").split():
        parsed = parse_date(token)
        if parsed:
            birth_date = parsed
        else:
            words.append(token)
    given = " ".join(words[:-1]) if len(words) > 1 else ""
    family = words[-1] if words else ""
    identifiers = tuple(w for w in words if any(ch.isdigit() for ch in w))
    return None, matching.MatchQuery(given, family, birth_date, identifiers)


def search_people(user: Any, text: str, *, limit: int = 50) -> list[RankedPerson]:
    record_id, query = parse_search(text)
    if record_id is not None:
        person = policy.visible_people(user, Person.objects.filter(id=record_id)).first()
        return [RankedPerson(person, matching.Match(person.pk, 100.0))] if person else []
    if not (query.family_name or query.birth_date):
        return []
    return find_matches(user, query, limit=limit)


# --- The person page -------------------------------------------------------------------


def person_addresses(person: Person, visible: frozenset[Sensitivity]) -> ValidityQuerySet:
    qs = person.addresses.all()
    return qs if Sensitivity.VICTIM_LOCATING in visible else qs.filter(is_confidential=False)


def person_contact_points(
    person: Person, visible: frozenset[Sensitivity]
) -> QuerySet[ContactPoint]:
    qs = person.contact_points.all()
    return qs if Sensitivity.VICTIM_LOCATING in visible else qs.filter(is_confidential=False)


def hidden_locating_count(person: Person, visible: frozenset[Sensitivity]) -> int:
    if Sensitivity.VICTIM_LOCATING in visible:
        return 0
    return (
        person.addresses.filter(is_confidential=True).count()
        + person.contact_points.filter(is_confidential=True).count()
    )


@dataclass(frozen=True)
class RelationshipView:
    """One relationship seen from `person`'s record: the other person, who harmed whom, and
    whether the user may open the other record."""

    relationship: PersonRelationship
    other: Person
    can_open: bool
    this_person_caused_harm: bool
    other_caused_harm: bool


def person_relationships(user: Any, person: Person) -> list[RelationshipView]:
    """Every relationship of the person, recorded from either side."""
    rows = PersonRelationship.objects.filter(person=person).select_related("related_person")
    reverse = PersonRelationship.objects.filter(related_person=person).select_related("person")
    views = [
        (r, r.related_person, r.person_caused_harm, r.related_person_caused_harm) for r in rows
    ] + [(r, r.person, r.related_person_caused_harm, r.person_caused_harm) for r in reverse]
    return [
        RelationshipView(r, other, bool(policy.can_view_person(user, other)), mine, theirs)
        for r, other, mine, theirs in views
    ]


@dataclass(frozen=True)
class LinkedRecord:
    """Another record of the same human, as identity resolution linked them: `link` is
    the pair that joins it to this record, or None when it is linked through a third."""

    other: Person
    link: MatchCandidate | None
    can_open: bool


LINK_COMPONENT_LIMIT = 200  # records one identity may gather before the page stops looking


def linked_records(user: Any, person: Person) -> list[LinkedRecord]:
    """Every record linked to `person`, directly or through other linked records (the
    merged identity): links never change the records, so each stays its own."""
    linked = MatchCandidate.objects.filter(status__in=LINKED_STATUSES)
    direct: dict[int, MatchCandidate] = {}
    seen, frontier = {person.pk}, {person.pk}
    while frontier and len(seen) < LINK_COMPONENT_LIMIT:
        pairs = linked.filter(Q(person_a__in=frontier) | Q(person_b__in=frontier))
        found: set[int] = set()
        for pair in pairs:
            ends = (pair.person_a_id, pair.person_b_id)
            for this, other in (ends, ends[::-1]):
                if this == person.pk:
                    direct[other] = pair
                if this in frontier and other not in seen:
                    found.add(other)
        seen |= found
        frontier = found
    others = Person.objects.filter(pk__in=seen - {person.pk}).order_by("pk")
    return [
        LinkedRecord(other, direct.get(other.pk), bool(policy.can_view_person(user, other)))
        for other in others
    ]


def active_flags(person: Person) -> QuerySet[SafetyFlag]:
    return person.safety_flags.filter(cleared_at__isnull=True)


def person_consents(person: Person) -> QuerySet[Consent]:
    return person.consents.select_related("recipient")


# --- Timeline contributions of the people app -------------------------------------------


def person_timeline_events(person_id: int) -> list[TimelineEvent]:
    """The people app's events. Reads plain values, not model instances: the person page
    builds the whole timeline on every view, and a well-known person has hundreds."""
    created = Person.objects.filter(pk=person_id).values_list("created_at", flat=True).first()
    if created is None:
        return []
    events = [TimelineEvent(created, "people", "created", "Record created")]
    address_kinds = dict(Address.Kind.choices)
    for when, kind, line1, line2, city, state, confidential in Address.objects.filter(
        person_id=person_id
    ).values_list("created_at", "kind", "line1", "line2", "city", "state", "is_confidential"):
        events.append(
            TimelineEvent(
                when,
                "people",
                "address",
                f"{address_kinds.get(kind, kind)} address added",
                ", ".join(p for p in (line1, line2, city, state) if p),
                Sensitivity.VICTIM_LOCATING if confidential else Sensitivity.GENERAL,
            )
        )
    flag_kinds = dict(SafetyFlag.Kind.choices)
    for when, kind, note, cleared in SafetyFlag.objects.filter(person_id=person_id).values_list(
        "created_at", "kind", "note", "cleared_at"
    ):
        label = flag_kinds.get(kind, kind)
        events.append(TimelineEvent(when, "people", "flag", f"Flag raised: {label}", note))
        if cleared:
            events.append(TimelineEvent(cleared, "people", "flag", f"Flag cleared: {label}"))
    for when, recipient, purpose, revoked, note in Consent.objects.filter(
        person_id=person_id
    ).values_list("created_at", "recipient__name", "purpose", "revoked_at", "revocation_note"):
        events.append(
            TimelineEvent(
                when, "people", "consent", f"Consent recorded: share with {recipient}", purpose
            )
        )
        if revoked:
            events.append(
                TimelineEvent(revoked, "people", "consent", f"Consent revoked: {recipient}", note)
            )
    relationship_kinds = dict(RelationshipKind.choices)
    for when, kind in PersonRelationship.objects.filter(person_id=person_id).values_list(
        "created_at", "kind"
    ):
        events.append(
            TimelineEvent(
                when,
                "people",
                "relationship",
                f"Relationship recorded: {relationship_kinds.get(kind, kind)}",
            )
        )
    return events
