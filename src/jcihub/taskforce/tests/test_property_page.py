"""The property page: the monthly chart (SVG with its table), the people linked to
incidents there as the access policy allows, and the taskforce cases the viewer may see."""

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import PersonFactory, user_with_role
from jcihub.incidents.models import Party
from jcihub.taskforce import services

from .helpers import incident, place

pytestmark = pytest.mark.django_db


def _page(user, at) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("places:detail", args=[at.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def norton():
    at = place()
    suspect = PersonFactory(given_name="Sid", family_name="Suspectson")
    victim = PersonFactory(given_name="Vera", family_name="Victimova")
    first = incident(at, 3, "13A")
    Party.objects.create(incident=first, party_key="1", involvement="SUS", person=suspect)
    Party.objects.create(incident=first, party_key="2", involvement="VIC", person=victim)
    incident(at, 40, "35A")
    return at


def test_the_chart_is_an_svg_with_a_description_and_the_table_beside_it(norton) -> None:
    page = _page(user_with_role(R.TASKFORCE_COORDINATOR), norton)
    assert '<svg class="jci-chart"' in page and 'role="img"' in page
    assert "2 in all" in page and "Incidents per month, newest first" in page


def test_people_are_shown_as_the_policy_allows_and_victims_are_not_named(norton) -> None:
    director_page = _page(user_with_role(R.DIRECTOR), norton)
    assert "Suspectson" in director_page and "Victimova" not in director_page
    assert AuditEntry.objects.filter(
        action=AuditAction.VIEW, summary__contains="people linked"
    ).exists()
    liaison_page = _page(user_with_role(R.AGENCY_LIAISON), norton)  # assigned to no one
    assert "Suspectson" not in liaison_page and "2 linked whom you may not see" in liaison_page
    analyst_page = _page(user_with_role(R.ANALYST), norton)  # no person records at all
    assert "Suspectson" not in analyst_page and "People linked to incidents" not in analyst_page


def test_cases_on_the_property_are_listed_for_those_who_may_see_them(norton) -> None:
    coordinator = user_with_role(R.TASKFORCE_COORDINATOR)
    case = services.open_case(coordinator, norton, "police", "Assaults")
    services.close_case(coordinator, case, "")
    services.open_case(coordinator, norton, "fire", "Arson risk")
    page = _page(coordinator, norton)
    assert "Taskforce cases" in page and page.count("taskforce/cases/") >= 2
    liaison = user_with_role(R.AGENCY_LIAISON)
    assert f"Case {case.pk}<" not in _page(liaison, norton)
