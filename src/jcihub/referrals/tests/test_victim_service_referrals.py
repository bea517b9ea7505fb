"""A referral that tells where a victim can be found is a victim-services referral however
it is made: from the referral pages, the API or a case plan, to a victim service provider
or for a person the record shows as harmed. And the department marks which organisations
are victim service providers, and which partner team receives an organisation's
referrals, on the organisation's settings page."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jcihub.access import policy
from jcihub.accounts.models import Team, User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    PersonFactory,
    TeamFactory,
    client_for,
    consent,
    harm,
    user_with_role,
)
from jcihub.incidents.models import Incident
from jcihub.ipvi.victims import VictimCase
from jcihub.people.models import Person
from jcihub.referrals import entry_changes, services
from jcihub.referrals.models import Organization, Referral, Service
from jcihub.referrals.tests.factories import sample_referral, sample_service

pytestmark = pytest.mark.django_db


@dataclass
class World:
    person: Person
    team: Team
    service: Service
    sender: User


@pytest.fixture
def world() -> World:
    person = PersonFactory(given_name="Rae", family_name="Lund")
    team = TeamFactory(name="Safe Harbor", kind="partner_org")
    consent(person, team, ["general"])
    service = sample_service()
    Organization.objects.filter(pk=service.organization_id).update(team=team)
    service.refresh_from_db()
    return World(person, team, service, user_with_role(R.VICTIM_ADVOCATE))


def sees(user: User, referral: Referral) -> bool:
    return policy.visible_referrals(user).filter(pk=referral.pk).exists()


def test_an_ordinary_referral_stays_ordinary(world: World) -> None:
    referral = services.create_referral(world.sender, world.person, world.service)
    assert not referral.is_victim_service
    assert sees(user_with_role(R.CASE_MANAGER), referral)


def test_a_referral_from_the_pages_for_someone_harmed_is_a_victim_service(world: World) -> None:
    harm(PersonFactory(given_name="Cole"), world.person)
    url = f"/referrals/new/?person={world.person.record_number}&service={world.service.pk}"
    sender = client_for(world.sender)
    assert "This is a <strong>victim-services referral</strong>" in sender.get(url).content.decode()
    assert sender.post(url, {"note": "", "send": "1"}).status_code == 302
    referral = Referral.objects.get(person=world.person)
    assert referral.is_victim_service
    for role in (R.DIRECTOR, R.CASE_MANAGER, R.OUTREACH_WORKER):
        assert policy.can_view_person(user_with_role(role), world.person)
        assert not sees(user_with_role(role), referral), role
    assert sees(user_with_role(R.VICTIM_ADVOCATE), referral)
    page = sender.get(f"/referrals/{referral.pk}/").content.decode()
    assert "Seen only by its sender, victim advocates and the organisation" in page


def test_a_referral_by_api_for_an_ipvi_victim_is_a_victim_service(world: World) -> None:
    incident = Incident.objects.create(source_key="KC26000001", report_number="KC26000001")
    VictimCase.objects.create(victim=world.person, incident=incident)
    body = {"person": world.person.pk, "service": str(world.service.pk)}
    made = client_for(world.sender).post(
        "/api/v1/referrals/", body, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["is_victim_service"] is True
    assert not sees(user_with_role(R.CASE_MANAGER), Referral.objects.get(pk=made.json()["id"]))


def test_every_referral_to_a_victim_service_provider_is_a_victim_service(world: World) -> None:
    Organization.objects.filter(pk=world.service.organization_id).update(
        is_victim_service_provider=True
    )
    world.service.refresh_from_db()
    sender = user_with_role(R.CASE_MANAGER)
    referral = services.create_referral(sender, world.person, world.service)
    assert referral.is_victim_service
    assert sees(sender, referral)  # its sender still does
    assert not sees(user_with_role(R.CASE_MANAGER), referral)


# --- The organisation's settings ------------------------------------------------------------


def test_a_directory_manager_marks_a_provider_and_its_past_referrals_are_protected(
    world: World,
) -> None:
    past = sample_referral(world.person, world.service, world.team, user_with_role(R.CASE_MANAGER))
    assert not past.is_victim_service
    director = client_for(user_with_role(R.DIRECTOR))
    url = f"/directory/organizations/{world.service.organization_id}/settings/"
    form = director.get(url).content.decode()
    assert "Victim service provider" in form and "Safe Harbor" in form
    response = director.post(url, {"team": world.team.pk, "is_victim_service_provider": "on"})
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.is_victim_service
    assert not sees(user_with_role(R.CASE_MANAGER), past)
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert "1 past referrals now victim services" in entry.summary
    assert entry.changes["is_victim_service_provider"] == {"old": False, "new": True}
    page = director.get(response["Location"]).content.decode()
    assert "Victim service provider" in page
    # Unmarking leaves the past referral protected: it still told where a victim went.
    director.post(url, {"team": world.team.pk})
    past.refresh_from_db()
    assert past.is_victim_service


def test_the_settings_link_a_partner_team_and_refuse_what_is_wrong(world: World) -> None:
    organization = world.service.organization
    director = user_with_role(R.DIRECTOR)
    other = TeamFactory(name="Second Chance", kind="partner_org")
    entry_changes.set_referral_settings(
        director, organization, team=other, is_victim_service_provider=False
    )
    organization.refresh_from_db()
    assert organization.team == other
    with pytest.raises(ValidationError, match="Nothing was changed"):
        entry_changes.set_referral_settings(
            director, organization, team=other, is_victim_service_provider=False
        )
    agency = TeamFactory(name="KCPD", kind="agency")
    with pytest.raises(ValidationError, match="partner organisation's team"):
        entry_changes.set_referral_settings(
            director, organization, team=agency, is_victim_service_provider=False
        )
    for role in (R.CASE_MANAGER, R.VICTIM_ADVOCATE, R.PARTNER_USER):
        with pytest.raises(PermissionDenied):
            entry_changes.set_referral_settings(
                user_with_role(role), organization, team=None, is_victim_service_provider=True
            )
    organization.refresh_from_db()
    assert organization.team == other and not organization.is_victim_service_provider
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).count() == 3
    page = client_for(director).get(f"/directory/organizations/{organization.pk}/").content.decode()
    assert f"/directory/organizations/{organization.pk}/settings/" in page
    partner = client_for(user_with_role(R.PARTNER_USER))
    assert (
        f"/organizations/{organization.pk}/settings/"
        not in partner.get(f"/directory/organizations/{organization.pk}/").content.decode()
    )
