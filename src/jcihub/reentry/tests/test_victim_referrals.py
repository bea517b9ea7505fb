"""Referrals from a victim-services case locate the victim (a shelter, an advocate's
office): only victim advocates who do not work with whoever harmed the person, the sender
and the receiving organisation see them, on every path (list, page, API, case page,
timeline)."""

from dataclasses import dataclass

import pytest
from django.test import Client

from jcihub.access import policy
from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.core import timeline
from jcihub.core.sensitivity import Sensitivity
from jcihub.core.tests.factories import PersonFactory, consent, harm, user_with_role
from jcihub.people.models import CaseAssignment, Person
from jcihub.reentry import services
from jcihub.referrals.models import Referral

from .factories import open_reentry_case, open_victim_case, partner_service

pytestmark = pytest.mark.django_db


@dataclass
class World:
    victim: Person
    advocate: User
    partner: User
    referral: Referral
    case_id: int


@pytest.fixture
def world() -> World:
    victim, causer = PersonFactory(given_name="Dana"), PersonFactory(given_name="Cole")
    harm(causer, victim)
    case = open_victim_case(person=victim)
    service, team = partner_service()
    consent(victim, team, ["general"])
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    link = services.refer_from_plan(case.navigator, case, service, note="Needs a safe bed.")
    return World(victim, case.navigator, partner, link.referral, case.pk)


def assigned_to(person: Person, role: str) -> User:
    user = user_with_role(role)
    CaseAssignment.objects.create(person=person, user=user, purpose="caseload")
    return user


def causer_of(world: World) -> Person:
    return Person.objects.exclude(pk=world.victim.pk).get(given_name="Cole")


def sees(user: User, referral: Referral) -> bool:
    return policy.visible_referrals(user).filter(pk=referral.pk).exists()


def test_a_referral_from_a_victim_case_is_a_victim_service_and_one_from_reentry_is_not(
    world: World,
) -> None:
    assert world.referral.is_victim_service
    reentry = open_reentry_case(person=PersonFactory())
    service, team = partner_service()
    consent(reentry.person, team, ["general"])
    plain = services.refer_from_plan(reentry.navigator, reentry, service).referral
    assert not plain.is_victim_service
    assert sees(user_with_role(R.OUTREACH_WORKER), plain)


def test_who_sees_a_victim_services_referral(world: World) -> None:
    assert sees(world.advocate, world.referral)  # the sender
    assert sees(world.partner, world.referral)  # the receiving organisation
    assert sees(user_with_role(R.VICTIM_ADVOCATE), world.referral)
    # Staff who may see the person but not where a victim is: not the referral either.
    for role in (R.DIRECTOR, R.PROGRAM_MANAGER, R.CASE_MANAGER, R.OUTREACH_WORKER):
        assert policy.can_view_person(user_with_role(role), world.victim)
        assert not sees(user_with_role(role), world.referral), role
    # Nor an advocate who works with the person who harmed her.
    assert not sees(assigned_to(causer_of(world), R.VICTIM_ADVOCATE), world.referral)


def test_the_harm_causers_case_manager_finds_it_nowhere(world: World) -> None:
    worker = assigned_to(causer_of(world), R.CASE_MANAGER)
    client = Client()
    client.force_login(worker)
    number = world.referral.number
    assert number not in client.get("/referrals/").content.decode()
    assert client.get(f"/referrals/{world.referral.pk}/").status_code == 404
    assert client.get(f"/api/v1/referrals/{world.referral.pk}/").status_code == 404
    listed = client.get("/api/v1/referrals/").json()["results"]
    assert world.referral.pk not in [r["id"] for r in listed]
    page = client.get(f"/people/{world.victim.pk}/").content.decode()
    assert number not in page and "Needs a safe bed." not in page


def test_its_moves_are_on_the_timeline_only_for_those_who_may_see_locating(
    world: World,
) -> None:
    general = timeline.events_for(world.victim.pk, {Sensitivity.GENERAL})
    assert not [e for e in general if e.source == "referrals"]
    locating = {Sensitivity.GENERAL, Sensitivity.VICTIM_LOCATING}
    shown = [e for e in timeline.events_for(world.victim.pk, locating) if e.source == "referrals"]
    assert shown and all(e.sensitivity == Sensitivity.VICTIM_LOCATING for e in shown)


def test_the_director_sees_the_victim_case_but_not_where_she_was_referred(world: World) -> None:
    client = Client()
    client.force_login(user_with_role(R.DIRECTOR))
    organization = world.referral.organization.name
    page = client.get(f"/reentry/{world.case_id}/").content.decode()
    # (The organisation is still named in the directory's list of services to refer to.)
    assert f"/referrals/{world.referral.pk}/" not in page and world.referral.number not in page
    assert f"{organization}: {world.referral.service.name}</td>" not in page
    assert "1 referral from this victim-services plan is shown to victim advocates only" in page
    detail = client.get(f"/api/v1/reentry/cases/{world.case_id}/").json()
    assert detail["referrals"] == []
    advocate = Client()
    advocate.force_login(world.advocate)
    shown_page = advocate.get(f"/reentry/{world.case_id}/").content.decode()
    assert f"{organization}: {world.referral.service.name}</td>" in shown_page
    shown = advocate.get(f"/api/v1/reentry/cases/{world.case_id}/").json()["referrals"]
    assert [r["organization"] for r in shown] == [organization]
