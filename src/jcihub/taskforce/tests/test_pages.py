"""The pages: who sees the ranked list, its export and the property section, who edits
the offense categories, and that every change and export is audited."""

import csv
import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import PersonFactory, user_with_role
from jcihub.incidents.models import Party
from jcihub.taskforce.models import OffenseCode, TaskforceCase

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db

LIST = reverse("taskforce:properties")
EXPORT = reverse("taskforce:export")
CATEGORIES = reverse("taskforce:categories")


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


@pytest.fixture
def flagged():
    """A property with three violent incidents in 90 days; a known person in one."""
    norton = place()
    made = [incident(norton, days, "13A") for days in (1, 2, 3)]
    person = PersonFactory(given_name="Dale", family_name="Crane")
    Party.objects.create(incident=made[0], party_key="1", involvement="SUS", person=person)
    return norton, made


@pytest.mark.parametrize(
    "role", ["taskforce_coordinator", "director", "program_manager", "analyst"]
)
def test_taskforce_staff_see_the_ranked_list_with_rules_and_incident_links(
    role: str, flagged
) -> None:
    norton, made = flagged

    page = client_as(role).get(LIST).content.decode()

    assert norton.full_line in page
    assert "Repeated violence" in page
    assert "3 violent incidents in the 90 days to 2024-06-29" in page
    for each in made:
        assert reverse("incidents:detail", args=[each.pk]) in page
    assert "Crane" not in page  # people in the incidents are never on the list


@pytest.mark.parametrize(
    "role", ["case_manager", "system_admin", "agency_liaison", "partner_user", "auditor"]
)
def test_other_roles_are_refused_the_list_and_the_export(role: str, flagged) -> None:
    client = client_as(role)
    assert client.get(LIST).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).count() == 2


def test_the_filters_narrow_the_list_and_bad_ones_are_explained(flagged) -> None:
    client = client_as("taskforce_coordinator")
    assert "1 property flagged" in client.get(LIST, {"category": "violent"}).content.decode()
    assert "0 properties flagged" in client.get(LIST, {"category": "drug"}).content.decode()
    assert "0 properties flagged" in client.get(LIST, {"zip_code": "64105"}).content.decode()
    bad = client.get(LIST, {"zip_code": "641", "beat": "x"}).content.decode()
    assert "Enter a 5-digit ZIP code." in bad and "Enter a beat number" in bad
    # An earlier end date: the incidents are in its future.
    assert "0 properties" in client.get(LIST, {"end": "2024-01-01"}).content.decode()


def test_the_export_lists_the_ranked_properties_and_is_audited(flagged) -> None:
    norton, _ = flagged

    response = client_as("analyst").get(EXPORT, {"category": "violent"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["rank", "property", "address"]
    assert rows[1][:3] == ["1", norton.record_number, norton.full_line]
    assert "Repeated violence" not in rows[1][7] and "3 violent incidents" in rows[1][7]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.changes["rows"] == 1
    assert entry.changes["filters"]["category"] == "violent"
    assert entry.changes["filters"]["end"] == str(END - dt.timedelta(days=1))


def test_the_property_page_shows_counts_history_and_rules_to_taskforce_staff(flagged) -> None:
    norton, _ = flagged
    url = reverse("places:detail", args=[norton.pk])

    page = client_as("taskforce_coordinator").get(url).content.decode()

    assert "Incidents by category (taskforce)" in page
    assert "3, up 3 from 0" in page  # violent, last 30 days
    assert "Incidents per month, newest first" in page and "2024-06" in page
    assert "Flagged for taskforce review" in page
    # A case manager may open places, but not the taskforce's counts.
    other = client_as("case_manager").get(url).content.decode()
    assert "Incidents by category" not in other


@pytest.mark.parametrize("role", ["taskforce_coordinator", "director", "system_admin"])
def test_coordinators_and_administrators_edit_the_categories_and_it_is_audited(
    role: str,
) -> None:
    fraud = OffenseCode.objects.get(code="26A")
    url = reverse("taskforce:category_edit", args=[fraud.pk])
    client = client_as(role)
    assert client.get(url).status_code == 200

    response = client.post(url, {"label": "Swindle", "categories": ["property", "disorder"]})

    assert response.status_code == 302
    fraud.refresh_from_db()
    assert fraud.categories == ["property", "disorder"] and fraud.label == "Swindle"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(fraud.pk))
    assert entry.object_type == "taskforce.offensecode"
    assert entry.changes["categories"] == {"old": [], "new": ["property", "disorder"]}


@pytest.mark.parametrize("role", ["analyst", "program_manager", "case_manager"])
def test_other_roles_cannot_edit_the_categories(role: str) -> None:
    fraud = OffenseCode.objects.get(code="26A")
    client = client_as(role)
    url = reverse("taskforce:category_edit", args=[fraud.pk])
    assert client.post(url, {"categories": ["violent"]}).status_code == 403
    assert client.get(CATEGORIES).status_code == 403
    fraud.refresh_from_db()
    assert fraud.categories == []
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_an_unknown_category_is_refused_and_nothing_changes() -> None:
    fraud = OffenseCode.objects.get(code="26A")
    url = reverse("taskforce:category_edit", args=[fraud.pk])

    response = client_as("taskforce_coordinator").post(url, {"categories": ["gossip"]})

    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    fraud.refresh_from_db()
    assert fraud.categories == []


def test_a_new_code_is_added_once_and_audited(flagged) -> None:
    norton, _ = flagged
    client = client_as("taskforce_coordinator")
    incident(norton, 5, "99X")
    assert "99X" in client.get(CATEGORIES).content.decode()  # seen but not in the table

    response = client.post(CATEGORIES, {"code": "99x", "label": "Local", "categories": ["drug"]})
    again = client.post(CATEGORIES, {"code": "99X", "categories": []})

    assert response.status_code == 302
    assert OffenseCode.objects.get(code="99X").categories == ["drug"]
    assert "already in the table" in again.content.decode()
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.CREATE, object_type="taskforce.offensecode"
        ).count()
        == 1
    )


def test_a_flagged_property_under_review_links_its_open_case_instead_of_opening_one(
    flagged,
) -> None:
    norton, _ = flagged
    client = client_as("taskforce_coordinator")
    new_case = f"{reverse('taskforce:case_new')}?property={norton.pk}"
    assert new_case in client.get(LIST).content.decode()

    case = TaskforceCase.objects.create(property=norton, lead_agency="police", summary="x")
    page = client.get(LIST).content.decode()

    assert "Under review" in page
    assert reverse("taskforce:case", args=[case.pk]) in page
    assert new_case not in page
    case.status = TaskforceCase.Status.CLOSED
    case.save()
    assert new_case in client.get(LIST).content.decode()
