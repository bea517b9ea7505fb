"""The access policy's rules, one behaviour per test (docs/access.md).

Most tests ask `jcihub.access.policy` directly; a few drive the person page or the
selectors to show that what the policy decides is what reaches the screen.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.access.models import BreakGlassGrant
from jcihub.access.services import break_glass
from jcihub.accounts.models import Team, User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    TeamFactory,
    assign,
    consent,
    harm,
    user_with_role,
)
from jcihub.people import selectors, services
from jcihub.people.models import (
    Address,
    CaseAssignment,
    Consent,
    ContactPoint,
    Identifier,
    Person,
    PersonRelationship,
)

pytestmark = pytest.mark.django_db

# Written out here, not imported from the policy, so a change there has to be made twice.
DEPARTMENT_WIDE = {R.DIRECTOR, R.PROGRAM_MANAGER}
REGISTRY = {
    R.CASE_MANAGER,
    R.VICTIM_ADVOCATE,
    R.IPVI_COORDINATOR,
    R.OUTREACH_WORKER,
    R.REENTRY_NAVIGATOR,
    R.CORRECTIONS_OFFICER,
    R.CUSTODY_HEALTH,
    R.TASKFORCE_COORDINATOR,
}
NO_RECORDS = {R.ANALYST, R.AUDITOR, R.SYSTEM_ADMIN}
SEES_UNRESTRICTED = sorted(DEPARTMENT_WIDE | REGISTRY)
SECRET_LINE = "77 Hidden Shelter Rd"
SECRET_PHONE = "(816) 555-0199"


def _today() -> dt.date:
    return timezone.localdate()


def _page(user: User, person: Person) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("people:detail", args=[person.pk]))
    return response.status_code, response.content.decode()


def _addresses_seen(user: User, person: Person) -> set[str]:
    visible = policy.visible_sensitivities(user, person)
    return {a.line1 for a in selectors.person_addresses(person, visible)}


def _contacts_seen(user: User, person: Person) -> set[str]:
    visible = policy.visible_sensitivities(user, person)
    return {c.value for c in selectors.person_contact_points(person, visible)}


# --- Victim-locating information ------------------------------------------------------------


@pytest.fixture
def victim() -> Person:
    person = PersonFactory(given_name="Vera", family_name="Victim")
    AddressFactory(person=person, line1="1 Public St")
    AddressFactory(person=person, line1=SECRET_LINE, is_confidential=True)
    ContactPointFactory(person=person, value=SECRET_PHONE, is_confidential=True)
    return person


def test_victim_locating_details_are_for_victim_advocates_only(any_role, victim) -> None:
    user = user_with_role(any_role)
    may_see = policy.can_view_sensitivity(user, victim, Sensitivity.VICTIM_LOCATING)
    assert may_see == (any_role == R.VICTIM_ADVOCATE)
    if policy.can_view_person(user, victim):
        assert "1 Public St" in _addresses_seen(user, victim)
        assert (SECRET_LINE in _addresses_seen(user, victim)) == may_see
        assert (SECRET_PHONE in _contacts_seen(user, victim)) == may_see


@pytest.mark.parametrize(
    ("role", "shows_secret"), [(R.VICTIM_ADVOCATE, True), (R.CASE_MANAGER, False)]
)
def test_the_person_page_shows_confidential_details_only_to_the_advocate(
    victim, role, shows_secret
) -> None:
    status, html = _page(user_with_role(role), victim)
    assert status == 200
    assert "1 Public St" in html
    assert (SECRET_LINE in html) == shows_secret
    assert (SECRET_PHONE in html) == shows_secret


@pytest.fixture
def causer(victim) -> Person:
    person = PersonFactory(given_name="Dale", family_name="Causer")
    harm(person, victim)
    return person


def test_an_advocate_assigned_to_the_harm_causer_does_not_see_the_victims_location(
    victim, causer
) -> None:
    advocate = user_with_role(R.VICTIM_ADVOCATE)
    assign(causer, user=advocate)
    assert policy.can_view_person(advocate, victim)  # the victim's record itself, yes
    assert not policy.can_view_sensitivity(advocate, victim, Sensitivity.VICTIM_LOCATING)
    assert SECRET_LINE not in _addresses_seen(advocate, victim)
    assert SECRET_PHONE not in _contacts_seen(advocate, victim)
    status, html = _page(advocate, victim)
    assert status == 200 and SECRET_LINE not in html and SECRET_PHONE not in html


def test_an_advocate_on_the_harm_causers_team_does_not_see_it_either(victim, causer) -> None:
    team = TeamFactory()
    advocate = user_with_role(R.VICTIM_ADVOCATE, teams=[team])
    assign(causer, team=team)
    assert SECRET_LINE not in _addresses_seen(advocate, victim)


def test_harm_recorded_from_the_victims_side_also_shields_the_victim() -> None:
    victim = PersonFactory()
    AddressFactory(person=victim, line1=SECRET_LINE, is_confidential=True)
    causer = PersonFactory()
    PersonRelationship.objects.create(
        person=victim, related_person=causer, kind="ip_former", related_person_caused_harm=True
    )
    advocate = user_with_role(R.VICTIM_ADVOCATE)
    assign(causer, user=advocate)
    assert SECRET_LINE not in _addresses_seen(advocate, victim)


def test_an_advocate_with_no_tie_to_the_harm_causer_still_sees_the_location(victim, causer) -> None:
    assign(causer, user=user_with_role(R.VICTIM_ADVOCATE))  # someone else's caseload
    other_advocate = user_with_role(R.VICTIM_ADVOCATE)
    assert SECRET_LINE in _addresses_seen(other_advocate, victim)


def test_an_ended_assignment_to_the_harm_causer_no_longer_shields_the_victim(
    victim, causer
) -> None:
    advocate = user_with_role(R.VICTIM_ADVOCATE)
    CaseAssignment.objects.create(
        person=causer,
        user=advocate,
        started_on=_today() - dt.timedelta(days=60),
        ended_on=_today() - dt.timedelta(days=1),
    )
    assert SECRET_LINE in _addresses_seen(advocate, victim)


def test_recording_harm_makes_the_victims_existing_details_confidential() -> None:
    director = user_with_role(R.DIRECTOR)
    victim, causer = PersonFactory(), PersonFactory()
    AddressFactory(person=victim, line1="5 Home St")
    ContactPointFactory(person=victim, value="(816) 555-0111")
    services.add_relationship(director, causer, victim, "ip_current", person_caused_harm=True)
    case_manager = user_with_role(R.CASE_MANAGER)
    assert _addresses_seen(case_manager, victim) == set()
    assert _contacts_seen(case_manager, victim) == set()


def test_details_added_after_harm_was_recorded_are_confidential_too() -> None:
    """A victim who moves to get away must not have the new address shown to everyone."""
    director = user_with_role(R.DIRECTOR)
    victim, causer = PersonFactory(), PersonFactory()
    services.add_relationship(director, causer, victim, "ip_current", person_caused_harm=True)
    services.add_address(director, victim, line1="9 New Place", zip_code="64111")
    services.add_contact_point(director, victim, "phone", "816-555-0123")
    assert Address.objects.get(person=victim).is_confidential
    assert ContactPoint.objects.get(person=victim).is_confidential
    # The harm-causer's own new details are not victim-locating.
    services.add_address(director, causer, line1="3 Other St", zip_code="64111")
    assert not Address.objects.get(person=causer).is_confidential


# --- Partner organisations and consent -------------------------------------------------------


@pytest.fixture
def partner_team() -> Team:
    return TeamFactory(name="Hope House", kind=Team.Kind.PARTNER_ORGANIZATION)


@pytest.fixture
def partner(partner_team) -> User:
    return user_with_role(R.PARTNER_USER, teams=[partner_team])


@pytest.fixture
def client_person() -> Person:
    """A person with something of every sensitive class on record."""
    person = PersonFactory(given_name="Carla", family_name="Client")
    AddressFactory(person=person, line1=SECRET_LINE, is_confidential=True)
    Identifier.objects.create(person=person, system="kcpd", value="123456")
    Identifier.objects.create(person=person, system="hospital", value="MRN12345")
    Identifier.objects.create(person=person, system="program_intake", value="INT-1")
    return person


def _identifiers_seen(user: User, person: Person) -> set[str]:
    visible = policy.visible_sensitivities(user, person)
    return {i.system for i in person.identifiers.all() if i.sensitivity in visible}


def test_a_partner_sees_nobody_without_consent(partner, client_person) -> None:
    assert not policy.can_view_person(partner, client_person)
    assert not policy.visible_people(partner).exists()
    assert policy.visible_sensitivities(partner, client_person) == frozenset()


def test_a_partner_sees_a_consenting_person_for_general_information_only(
    partner, partner_team, client_person
) -> None:
    consent(client_person, partner_team, ["general"])
    assert policy.can_view_person(partner, client_person)
    assert list(policy.visible_people(partner)) == [client_person]
    assert policy.visible_sensitivities(partner, client_person) == {Sensitivity.GENERAL}
    assert _identifiers_seen(partner, client_person) == {"program_intake"}
    assert SECRET_LINE not in _addresses_seen(partner, client_person)


def test_a_partner_sees_the_categories_consented_but_never_criminal_history(
    partner, partner_team, client_person
) -> None:
    consent(client_person, partner_team, [s.value for s in Sensitivity])
    assert policy.visible_sensitivities(partner, client_person) == {
        Sensitivity.GENERAL,
        Sensitivity.VICTIM_LOCATING,
        Sensitivity.HEALTH,
        Sensitivity.SUBSTANCE_USE,
    }
    assert _identifiers_seen(partner, client_person) == {"program_intake", "hospital"}
    assert SECRET_LINE in _addresses_seen(partner, client_person)
    status, html = _page(partner, client_person)
    assert status == 200 and "MRN12345" in html and "123456" not in html


def test_consent_to_another_organisation_gives_this_partner_nothing(partner, client_person) -> None:
    consent(client_person, TeamFactory(kind=Team.Kind.PARTNER_ORGANIZATION), ["general"])
    assert not policy.can_view_person(partner, client_person)
    assert not policy.visible_people(partner).exists()


def test_revoking_consent_stops_sharing_at_once(partner, partner_team, client_person) -> None:
    shared = consent(client_person, partner_team, ["general", "health"])
    assert policy.can_view_person(partner, client_person)
    services.revoke_consent(user_with_role(R.CASE_MANAGER), shared, "withdrawn by phone")
    assert not policy.can_view_person(partner, client_person)
    assert not policy.visible_people(partner).exists()
    assert policy.visible_sensitivities(partner, client_person) == frozenset()
    assert _page(partner, client_person)[0] == 404


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(-60, -1), (1, 30)],
    ids=["expired", "not-yet-valid"],
)
def test_a_consent_outside_its_dates_gives_nothing(
    partner, partner_team, client_person, starts, ends
) -> None:
    today = _today()
    consent(
        client_person,
        partner_team,
        ["general", "health"],
        valid_from=today + dt.timedelta(days=starts),
        valid_until=today + dt.timedelta(days=ends),
    )
    assert not policy.can_view_person(partner, client_person)
    assert not policy.visible_people(partner).exists()


def test_a_consent_ending_today_still_counts_and_only_its_own_categories(
    partner, partner_team, client_person
) -> None:
    today = _today()
    consent(client_person, partner_team, ["general"], valid_from=today, valid_until=today)
    consent(
        client_person,
        partner_team,
        ["health"],
        valid_from=today - dt.timedelta(days=30),
        valid_until=today - dt.timedelta(days=1),
    )
    assert policy.visible_sensitivities(partner, client_person) == {Sensitivity.GENERAL}


# --- Sealed and restricted records -----------------------------------------------------------


def _tie_to(user: User, person: Person, team: Team) -> None:
    """Every relationship the policy knows: assignment, team, consent, emergency grant."""
    assign(person, user=user)
    assign(person, team=team)
    consent(person, team, [s.value for s in Sensitivity])
    BreakGlassGrant.objects.create(
        user=user,
        person=person,
        reason="sealed-record test grant",
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )


def test_a_sealed_record_is_invisible_to_every_role(any_role) -> None:
    team = TeamFactory()
    user = user_with_role(any_role, teams=[team])
    person = PersonFactory(family_name="Sealedperson")
    _tie_to(user, person, team)
    services.seal_person(user_with_role(R.DIRECTOR), person, "Expungement order 2026-CV-1")
    person.refresh_from_db()
    assert not policy.can_view_person(user, person)
    assert not policy.can_change_person(user, person)
    assert policy.visible_sensitivities(user, person) == frozenset()
    assert not policy.visible_people(user).filter(pk=person.pk).exists()
    assert selectors.search_people(user, person.record_number) == []
    assert selectors.search_people(user, f"{person.given_name} Sealedperson") == []


@pytest.fixture
def restricted() -> Person:
    return PersonFactory(given_name="Rita", family_name="Restricted", is_restricted=True)


@pytest.mark.parametrize("role", sorted(REGISTRY))
def test_registry_roles_do_not_see_a_restricted_record_without_assignment(restricted, role) -> None:
    user = user_with_role(role)
    assert not policy.can_view_person(user, restricted)
    assert not policy.visible_people(user).filter(pk=restricted.pk).exists()
    assert selectors.search_people(user, "Rita Restricted") == []
    assert selectors.search_people(user, restricted.record_number) == []


def test_the_break_glass_page_does_not_reveal_who_the_record_is(restricted) -> None:
    status, html = _page(user_with_role(R.CASE_MANAGER), restricted)
    assert status == 403
    assert "Restricted record" in html
    assert "Rita" not in html


@pytest.mark.parametrize("how", ["user", "team"])
def test_an_assignment_opens_a_restricted_record(restricted, how) -> None:
    team = TeamFactory()
    user = user_with_role(R.REENTRY_NAVIGATOR, teams=[team])
    if how == "user":
        assign(restricted, user=user)
    else:
        assign(restricted, team=team)
    assert policy.can_view_person(user, restricted)
    assert list(policy.visible_people(user).filter(is_restricted=True)) == [restricted]
    assert _page(user, restricted)[0] == 200


@pytest.mark.parametrize("role", sorted(DEPARTMENT_WIDE))
def test_department_wide_roles_see_restricted_records(restricted, role) -> None:
    user = user_with_role(role)
    assert policy.can_view_person(user, restricted)
    assert policy.visible_people(user).filter(pk=restricted.pk).exists()


def test_an_agency_liaison_sees_only_assigned_people(restricted) -> None:
    agency = TeamFactory(kind=Team.Kind.AGENCY)
    liaison = user_with_role(R.AGENCY_LIAISON, teams=[agency])
    plain = PersonFactory()
    assert not policy.visible_people(liaison).exists()
    assign(plain, team=agency)
    assert list(policy.visible_people(liaison)) == [plain]
    assert policy.can_view_person(liaison, plain)
    assert not policy.can_change_person(liaison, plain)
    assert Sensitivity.CRIMINAL_HISTORY in policy.visible_sensitivities(liaison, plain)


@pytest.mark.parametrize("role", sorted(NO_RECORDS))
def test_analysts_auditors_and_administrators_see_no_people_even_when_assigned(role) -> None:
    team = TeamFactory()
    user = user_with_role(role, teams=[team])
    person = PersonFactory()
    _tie_to(user, person, team)
    assert not policy.can_view_person(user, person)
    assert not policy.visible_people(user).exists()
    assert policy.visible_sensitivities(user, person) == frozenset()
    assert selectors.search_people(user, person.family_name) == []


# --- Break the glass -----------------------------------------------------------------------

REASON = "Client in crisis at the ER, need contacts now"


def test_break_glass_opens_a_restricted_record_until_it_expires(restricted) -> None:
    user = user_with_role(R.CASE_MANAGER)
    assert policy.may_break_glass(user, restricted)
    grant = break_glass(user, restricted, REASON)
    assert policy.can_view_person(user, restricted)
    assert policy.visible_people(user).filter(pk=restricted.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.BREAK_GLASS)
    assert (entry.actor, entry.person_id, entry.reason) == (user, restricted.pk, REASON)
    # Expiry: move the grant's end into the past, as if the hour had gone by.
    BreakGlassGrant.objects.filter(pk=grant.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert not policy.can_view_person(user, restricted)
    assert not policy.visible_people(user).filter(pk=restricted.pk).exists()


def test_a_grant_opens_only_the_record_it_was_given_for(restricted) -> None:
    other = PersonFactory(is_restricted=True)
    user = user_with_role(R.OUTREACH_WORKER)
    break_glass(user, restricted, REASON)
    assert not policy.can_view_person(user, other)
    assert not policy.can_view_person(user_with_role(R.OUTREACH_WORKER), restricted)


def test_break_glass_needs_a_real_reason(restricted) -> None:
    user = user_with_role(R.CASE_MANAGER)
    with pytest.raises(ValidationError):
        break_glass(user, restricted, "   because    ")
    assert not BreakGlassGrant.objects.exists()
    assert not policy.can_view_person(user, restricted)


@pytest.mark.parametrize(
    "role", [R.DIRECTOR, R.AGENCY_LIAISON, R.PARTNER_USER, R.ANALYST, R.AUDITOR]
)
def test_roles_without_emergency_access_cannot_break_the_glass(restricted, role) -> None:
    user = user_with_role(role)
    with pytest.raises(PermissionDenied):
        break_glass(user, restricted, REASON)
    assert not BreakGlassGrant.objects.exists()
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, person_id=restricted.pk).exists()


def test_the_glass_is_not_for_records_already_open_or_sealed(restricted) -> None:
    user = user_with_role(R.CASE_MANAGER)
    with pytest.raises(PermissionDenied):
        break_glass(user, PersonFactory(), REASON)  # not restricted: nothing to break
    services.seal_person(user_with_role(R.DIRECTOR), restricted, "Court order 2026-1")
    restricted.refresh_from_db()
    with pytest.raises(PermissionDenied):
        break_glass(user, restricted, REASON)
    assert not BreakGlassGrant.objects.exists()


def test_breaking_the_glass_from_the_page(restricted) -> None:
    client = Client()
    client.force_login(user_with_role(R.CUSTODY_HEALTH))
    detail = reverse("people:detail", args=[restricted.pk])
    assert client.get(detail).status_code == 403
    short = client.post(reverse("people:break_glass", args=[restricted.pk]), {"reason": "x"})
    assert short.status_code == 200 and not BreakGlassGrant.objects.exists()
    response = client.post(reverse("people:break_glass", args=[restricted.pk]), {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == detail
    page = client.get(detail)
    assert page.status_code == 200 and "Rita Restricted" in page.content.decode()


# --- The list form and the single-record form agree -------------------------------------------

RELATIONS = (
    "none",
    "assigned_user",
    "assigned_team",
    "assignment_ended",
    "assignment_not_started",
    "consent",
    "consent_revoked",
    "consent_expired",
    "consent_not_started",
    "consent_other_team",
    "grant",
    "grant_expired",
)


@dataclass(frozen=True)
class Case:
    sealed: bool
    restricted: bool
    relation: str


def _relate(person: Person, relation: str, user: User, team: Team, other_team: Team) -> None:
    today, now, day = _today(), timezone.now(), dt.timedelta(days=1)
    if relation == "assigned_user":
        assign(person, user=user)
    elif relation == "assigned_team":
        assign(person, team=team)
    elif relation == "assignment_ended":
        CaseAssignment.objects.create(
            person=person, user=user, started_on=today - 30 * day, ended_on=today - day
        )
    elif relation == "assignment_not_started":
        CaseAssignment.objects.create(person=person, team=team, started_on=today + day)
    elif relation == "consent":
        consent(person, team, ["general"])
    elif relation == "consent_revoked":
        Consent.objects.filter(pk=consent(person, team, ["general"]).pk).update(revoked_at=now)
    elif relation == "consent_expired":
        consent(person, team, ["general"], valid_from=today - 30 * day, valid_until=today - day)
    elif relation == "consent_not_started":
        consent(person, team, ["general"], valid_from=today + day, valid_until=today + 9 * day)
    elif relation == "consent_other_team":
        consent(person, other_team, ["general"])
    elif relation in {"grant", "grant_expired"}:
        expires = now + dt.timedelta(hours=1 if relation == "grant" else -1)
        BreakGlassGrant.objects.create(
            user=user, person=person, reason="population grant", expires_at=expires
        )


def _should_see(role: str, case: Case) -> bool:
    """The rule of docs/access.md, 'Who sees a person at all', written independently."""
    if case.sealed:
        return False
    assigned = case.relation in {"assigned_user", "assigned_team"}
    if role in DEPARTMENT_WIDE:
        return True
    if role in REGISTRY:
        return not case.restricted or assigned or case.relation == "grant"
    if role == R.AGENCY_LIAISON:
        return assigned
    if role == R.PARTNER_USER:
        return case.relation == "consent"
    return False


CASES = [Case(*combo) for combo in itertools.product([False, True], [False, True], RELATIONS)]


def test_visible_people_agrees_with_can_view_person_for_every_role_and_case(any_role) -> None:
    """48 people: every combination of sealed, restricted and relationship, per role."""
    team, other_team = TeamFactory(), TeamFactory()
    user = user_with_role(any_role, teams=[team])
    bystander = user_with_role(R.CASE_MANAGER)  # ties of someone else must not count
    people: dict[int, Case] = {}
    for case in CASES:
        created = PersonFactory(is_restricted=case.restricted)
        _relate(created, case.relation, user, team, other_team)
        _relate(created, "assigned_user", bystander, TeamFactory(), other_team)
        if case.sealed:
            Person.objects.filter(pk=created.pk).update(sealed_at=timezone.now())
        people[created.pk] = case

    listed = set(policy.visible_people(user).values_list("pk", flat=True))
    narrowed = set(
        policy.visible_people(user, Person.objects.filter(pk__in=list(people)[:24])).values_list(
            "pk", flat=True
        )
    )
    wrong = []
    for person in Person.objects.filter(pk__in=people):
        case = people[person.pk]
        single = bool(policy.can_view_person(user, person))
        expected = _should_see(any_role, case)
        if not (single == (person.pk in listed) == expected):
            wrong.append(
                f"{case}: expected {expected}, can_view {single}, listed {person.pk in listed}"
            )
        if single != bool(policy.visible_sensitivities(user, person)):
            wrong.append(f"{case}: visible_sensitivities disagrees with can_view_person")
    assert narrowed == listed & set(list(people)[:24])
    assert not wrong, f"{any_role}:\n" + "\n".join(wrong)
