"""Every sensitive read lands in the audit trail: views, searches, exports and refusals.

Each test makes one request and reads the entries it wrote, checking the action, who,
about whom, and where from (the path the middleware records).
"""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import AddressFactory, PersonFactory, user_with_role
from jcihub.people.models import Identifier, Person

pytestmark = pytest.mark.django_db


def _last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


class Recorder:
    """A signed-in client that returns the audit entries each request wrote."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.client = Client()
        self.client.force_login(user)

    def get(self, url: str, data: dict[str, Any] | None = None) -> tuple[Any, list[AuditEntry]]:
        since = _last_id()
        response = self.client.get(url, data or {})
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a stream is only complete once read
        return response, list(AuditEntry.objects.filter(id__gt=since).order_by("id"))


@pytest.fixture
def person() -> Person:
    person = PersonFactory(given_name="Nina", family_name="Okafor")
    Identifier.objects.create(person=person, system="kcpd", value="445566")
    return person


def as_role(role: str) -> Recorder:
    return Recorder(user_with_role(role))


def _only(entries: list[AuditEntry], action: str) -> AuditEntry:
    matching = [e for e in entries if e.action == action]
    assert len(matching) == 1, [(e.action, e.summary) for e in entries]
    return matching[0]


# --- Views of a person ------------------------------------------------------------------


def test_opening_a_person_page_is_audited_with_the_sensitive_classes_shown(person) -> None:
    viewer = as_role(R.CASE_MANAGER)
    url = reverse("people:detail", args=[person.pk])
    response, entries = viewer.get(url)
    assert response.status_code == 200
    entry = _only(entries, AuditAction.VIEW_SENSITIVE)  # the KCPD number is CJIS
    assert (entry.actor, entry.person_id, entry.path) == (viewer.user, person.pk, url)
    assert entry.changes == {"sensitive": ["criminal_history"]}


def test_a_page_showing_nothing_sensitive_is_audited_as_a_plain_view(person) -> None:
    viewer = as_role(R.OUTREACH_WORKER)  # may not see criminal-justice identifiers
    _, entries = viewer.get(reverse("people:detail", args=[person.pk]))
    entry = _only(entries, AuditAction.VIEW)
    assert (entry.actor, entry.person_id) == (viewer.user, person.pk)
    assert not [e for e in entries if e.action == AuditAction.VIEW_SENSITIVE]


def test_victim_locating_details_on_the_page_are_named_in_the_entry(person) -> None:
    AddressFactory(person=person, line1="2 Safe House Ln", is_confidential=True)
    _, entries = as_role(R.VICTIM_ADVOCATE).get(reverse("people:detail", args=[person.pk]))
    assert _only(entries, AuditAction.VIEW_SENSITIVE).changes == {"sensitive": ["victim_locating"]}


def test_reading_a_person_through_the_api_is_audited(person) -> None:
    viewer = as_role(R.IPVI_COORDINATOR)
    url = reverse("person-detail", args=[person.pk])
    response, entries = viewer.get(url)
    assert response.status_code == 200
    entry = _only(entries, AuditAction.VIEW_SENSITIVE)
    assert (entry.actor, entry.person_id, entry.path) == (viewer.user, person.pk, url)
    assert "API" in entry.summary


def test_reading_a_timeline_through_the_api_is_audited(person) -> None:
    viewer = as_role(R.PROGRAM_MANAGER)
    response, entries = viewer.get(reverse("person-timeline", args=[person.pk]))
    assert response.status_code == 200
    entry = _only(entries, AuditAction.VIEW)
    assert (entry.actor, entry.person_id) == (viewer.user, person.pk)
    assert "timeline" in entry.summary


# --- Searches -------------------------------------------------------------------------------


def test_a_people_search_on_the_page_is_audited_with_query_and_count(person) -> None:
    searcher = as_role(R.CASE_MANAGER)
    response, entries = searcher.get(reverse("people:list"), {"q": "Nina Okafor"})
    assert response.status_code == 200
    entry = _only(entries, AuditAction.SEARCH)
    assert entry.actor == searcher.user
    assert entry.changes == {"query": "Nina Okafor", "results": 1}


def test_a_people_search_through_the_api_is_audited_once_with_query_and_count(person) -> None:
    PersonFactory(given_name="Nadia", family_name="Okafor")
    searcher = as_role(R.CASE_MANAGER)
    response, entries = searcher.get(reverse("person-list"), {"q": "Okafor"})
    assert response.status_code == 200 and response.json()["count"] == 2
    entry = _only(entries, AuditAction.SEARCH)
    assert entry.actor == searcher.user
    assert entry.changes == {"query": "Okafor", "results": 2}
    assert "API" in entry.summary


@pytest.mark.parametrize("name", ["people:list", "person-list"])
def test_a_search_with_control_characters_is_answered_and_audited(person, name) -> None:
    """PostgreSQL refuses NUL in text: it must not turn the search or its entry into a 500."""
    response, entries = as_role(R.CASE_MANAGER).get(reverse(name), {"q": "Nina\x00 Okafor 12\x00"})
    assert response.status_code == 200
    assert _only(entries, AuditAction.SEARCH).changes["query"] == "Nina Okafor 12"


def test_listing_people_without_a_query_is_not_a_search(person) -> None:
    _, entries = as_role(R.CASE_MANAGER).get(reverse("person-list"))
    assert not [e for e in entries if e.action == AuditAction.SEARCH]


def test_the_intake_match_lookup_is_audited(person) -> None:
    clerk = as_role(R.REENTRY_NAVIGATOR)
    response, entries = clerk.get(
        reverse("people:intake_matches"), {"given_name": "Nina", "family_name": "Okafor"}
    )
    assert response.status_code == 200 and b"Okafor" in response.content
    entry = _only(entries, AuditAction.SEARCH)
    assert entry.actor == clerk.user
    assert entry.changes == {"query": "Nina Okafor", "results": 1}


# --- Exports ------------------------------------------------------------------------------


def test_the_people_export_is_audited_with_its_row_count(person) -> None:
    PersonFactory()
    exporter = as_role(R.DIRECTOR)
    response, entries = exporter.get(reverse("people:export"))
    assert response.status_code == 200
    entry = _only(entries, AuditAction.EXPORT)
    assert (entry.actor, entry.object_type) == (exporter.user, "people.person")
    assert entry.changes["rows"] == 2


def test_the_audit_export_is_itself_audited_with_its_filters() -> None:
    auditor = as_role(R.AUDITOR)
    response, entries = auditor.get(reverse("audit:export"), {"action": "view"})
    assert response.status_code == 200
    entry = _only(entries, AuditAction.EXPORT)
    assert (entry.actor, entry.object_type) == (auditor.user, "audit.auditentry")
    assert entry.changes["filters"] == {"action": "view"}


# --- Refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["people:detail", "person-detail", "person-timeline"])
def test_reading_a_person_one_may_not_see_is_refused_as_not_found_and_audited(person, name) -> None:
    liaison = as_role(R.AGENCY_LIAISON)  # sees only people assigned to their agency
    response, entries = liaison.get(reverse(name, args=[person.pk]))
    assert response.status_code == 404
    entry = _only(entries, AuditAction.DENIED)
    assert (entry.actor, entry.person_id) == (liaison.user, person.pk)
    assert not [e for e in entries if e.action in (AuditAction.VIEW, AuditAction.VIEW_SENSITIVE)]


@pytest.mark.parametrize("name", ["people:detail", "person-detail"])
def test_a_role_without_people_access_is_refused_and_audited(person, name) -> None:
    analyst = as_role(R.ANALYST)
    response, entries = analyst.get(reverse(name, args=[person.pk]))
    assert response.status_code == 403
    entry = _only(entries, AuditAction.DENIED)
    assert entry.actor == analyst.user and "people.view" in entry.summary


def test_opening_a_restricted_record_without_a_grant_is_audited() -> None:
    hidden = PersonFactory(is_restricted=True)
    viewer = as_role(R.CASE_MANAGER)
    response, entries = viewer.get(reverse("people:detail", args=[hidden.pk]))
    assert response.status_code == 403  # the break-the-glass form
    entry = _only(entries, AuditAction.DENIED)
    assert (entry.actor, entry.person_id) == (viewer.user, hidden.pk)


def test_refused_break_the_glass_is_audited(person) -> None:
    viewer = as_role(R.CASE_MANAGER)  # the record is not restricted: nothing to break
    response, entries = viewer.get(reverse("people:break_glass", args=[person.pk]))
    assert response.status_code == 404
    assert _only(entries, AuditAction.DENIED).person_id == person.pk
