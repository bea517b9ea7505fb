"""Agency liaisons see and update only their agency's cases and items; the coordinating
roles see all; everyone else none. The page, the queryset and the predicate agree."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from jcihub.access import policy
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import TeamFactory, user_with_role
from jcihub.taskforce import services
from jcihub.taskforce.models import ActionItem, AgencyTeam, TaskforceCase

from .helpers import place

pytestmark = pytest.mark.django_db
DUE = dt.date(2024, 6, 1)


def liaison_for(agency: str):
    team = TeamFactory(kind="agency", name=f"{agency} team")
    AgencyTeam.objects.create(agency=agency, team=team)
    user = user_with_role(R.AGENCY_LIAISON)
    user.teams.add(team)
    return user


@pytest.fixture
def world():
    coordinator = user_with_role(R.TASKFORCE_COORDINATOR)
    police = liaison_for("police")
    health = liaison_for("health")
    shared = services.open_case(coordinator, place(), "police", "Shots", members=["health"])
    police_only = services.open_case(coordinator, place("1200  MAIN ST", "64105"), "police", "x")
    fire_only = services.open_case(coordinator, place("500  OAK ST", "64106"), "fire", "y")
    police_item = services.add_action_item(coordinator, shared, "Patrol", "police", DUE, police)
    health_item = services.add_action_item(coordinator, shared, "Inspect", "health", DUE, health)
    fire_item = services.add_action_item(coordinator, fire_only, "Check", "fire", DUE, coordinator)
    return locals()


def test_a_liaison_sees_the_cases_their_agency_leads_or_joins(world) -> None:
    seen = set(policy.visible_taskforce_cases(world["police"]))
    assert seen == {world["shared"], world["police_only"]}
    assert set(policy.visible_taskforce_cases(world["health"])) == {world["shared"]}


def test_a_liaison_sees_only_their_agencys_items_even_on_a_shared_case(world) -> None:
    assert set(policy.visible_action_items(world["police"])) == {world["police_item"]}
    assert set(policy.visible_action_items(world["health"])) == {world["health_item"]}


def test_coordinating_roles_see_everything(world) -> None:
    for role in (R.TASKFORCE_COORDINATOR, R.DIRECTOR, R.PROGRAM_MANAGER):
        user = user_with_role(role)
        assert policy.visible_taskforce_cases(user).count() == 3
        assert policy.visible_action_items(user).count() == 3


@pytest.mark.parametrize("role", [r for r in R.values if r not in policy.TASKFORCE_STAFF])
def test_other_roles_see_no_case(world, role: str) -> None:
    user = user_with_role(role)  # the agency liaison: of no agency
    assert not policy.visible_taskforce_cases(user).exists()
    assert not policy.visible_action_items(user).exists()


def test_the_analyst_sees_the_ranked_list_but_no_case(world) -> None:
    analyst = user_with_role(R.ANALYST)
    assert not policy.visible_taskforce_cases(analyst).exists()


def test_the_predicates_agree_with_the_querysets(world) -> None:
    users = [world["police"], world["health"], world["coordinator"], user_with_role(R.ANALYST)]
    for user in users:
        visible = set(policy.visible_taskforce_cases(user))
        for case in TaskforceCase.objects.all():
            assert policy.can_view_taskforce_case(user, case) == (case in visible)
        items = set(policy.visible_action_items(user))
        for item in ActionItem.objects.all():
            assert policy.can_update_action_item(user, item) == (item in items)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_liaison_cannot_open_another_agencys_case_page(world) -> None:
    response = _client(world["health"]).get(reverse("taskforce:case", args=[world["fire_only"].pk]))
    assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).exists()


def test_the_case_page_shows_a_liaison_only_their_items(world) -> None:
    page = _client(world["health"]).get(reverse("taskforce:case", args=[world["shared"].pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "Inspect" in text and "Patrol" not in text


def test_a_liaison_updates_their_item_but_not_another_agencys(world) -> None:
    client = _client(world["health"])
    url = reverse("taskforce:case", args=[world["shared"].pk])
    mine, theirs = world["health_item"], world["police_item"]
    assert (
        client.post(url, {"action": "status", "item": mine.pk, "status": "done"}).status_code == 302
    )
    refused = client.post(url, {"action": "status", "item": theirs.pk, "status": "done"})
    assert refused.status_code == 404
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.status == "done" and theirs.status == "open"


def test_a_liaison_cannot_add_items_or_close_the_case(world) -> None:
    client = _client(world["police"])
    url = reverse("taskforce:case", args=[world["shared"].pk])
    assert client.post(url, {"action": "close", "close-reason": "done"}).status_code == 403
    assert client.get(reverse("taskforce:case_new")).status_code == 403
    assert TaskforceCase.objects.get(pk=world["shared"].pk).status == "open"


def test_an_item_owner_must_act_for_its_agency(world) -> None:
    with pytest.raises(ValidationError, match="does not act for"):
        services.add_action_item(
            world["coordinator"], world["shared"], "Inspect", "fire", DUE, world["health"]
        )
    with pytest.raises(ValidationError, match="one person responsible"):
        services.add_action_item(
            world["coordinator"], world["shared"], "Inspect", "fire", DUE, None
        )


def test_an_items_agency_joins_the_case(world) -> None:
    case = world["police_only"]
    services.add_action_item(
        world["coordinator"], case, "Board up", "housing", DUE, world["coordinator"]
    )
    assert set(case.agencies.values_list("agency", flat=True)) == {"police", "housing"}


def test_the_owner_dashboard_lists_their_open_items_with_overdue_marked(world) -> None:
    page = _client(world["health"]).get(reverse("taskforce:my_items")).content.decode()
    assert "Inspect" in page and "Patrol" not in page and "overdue" in page


def test_the_coordinators_dashboard_lists_every_overdue_item(world) -> None:
    page = _client(world["coordinator"]).get(reverse("taskforce:cases")).content.decode()
    assert all(text in page for text in ("Patrol", "Inspect", "Check"))
    liaison = _client(world["police"]).get(reverse("taskforce:cases")).content.decode()
    assert "Patrol" in liaison and "Inspect" not in liaison and "Check" not in liaison


def test_linking_a_team_to_an_agency_is_audited() -> None:
    coordinator = user_with_role(R.TASKFORCE_COORDINATOR)
    team = TeamFactory(kind="agency", name="KCFD liaisons")
    response = _client(coordinator).post(
        reverse("taskforce:agencies"), {"agency": "fire", "team": team.pk}
    )
    assert response.status_code == 302
    link = AgencyTeam.objects.get()
    assert AuditEntry.objects.filter(
        object_type="taskforce.agencyteam", object_id=str(link.pk)
    ).exists()
