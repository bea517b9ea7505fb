"""Taskforce cases: opening one on a property, action items with one owner and a due
date, overdue items surfacing, and closing with open items only with a reason."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import selectors, services
from jcihub.taskforce.models import ActionItem, TaskforceCase

from .helpers import place

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 6, 30)


@pytest.fixture
def coordinator():
    return user_with_role("taskforce_coordinator")


@pytest.fixture
def case(coordinator) -> TaskforceCase:
    return services.open_case(coordinator, place(), "neighborhood_services", "Repeated violence")


def item(actor, case: TaskforceCase, due: dt.date, text: str = "Inspect") -> ActionItem:
    return services.add_action_item(actor, case, text, "police", due, actor)


def test_opening_a_case_and_adding_items_are_audited(coordinator, case) -> None:
    added = item(coordinator, case, TODAY)

    assert case.status == "open" and added.status == "open"
    entries = AuditEntry.objects.filter(action=AuditAction.CREATE).values_list(
        "object_type", flat=True
    )
    assert set(entries) >= {"taskforce.taskforcecase", "taskforce.actionitem"}


def test_overdue_items_are_open_items_past_due_on_open_cases(coordinator, case) -> None:
    late = item(coordinator, case, TODAY - dt.timedelta(days=3), "Board up")
    item(coordinator, case, TODAY, "Due today")  # not yet overdue
    done = item(coordinator, case, TODAY - dt.timedelta(days=9), "Done late")
    services.set_item_status(coordinator, done, "done")

    assert list(selectors.overdue_items(TODAY)) == [late]
    assert late.is_overdue(TODAY) and not done.is_overdue(TODAY)


def test_closing_with_open_items_needs_a_reason_and_records_it(coordinator, case) -> None:
    item(coordinator, case, TODAY)

    with pytest.raises(ValidationError) as refused:
        services.close_case(coordinator, case, "  ")
    assert "1 action item is still open" in str(refused.value)
    case.refresh_from_db()
    assert case.status == "open"

    services.close_case(coordinator, case, "Owner sold the property; new owner engaged")

    case.refresh_from_db()
    assert case.status == "closed" and case.closed_by == coordinator
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="taskforce.taskforcecase")
    assert entry.reason == "Owner sold the property; new owner engaged"
    assert entry.changes["status"] == {"old": "open", "new": "closed"}


def test_a_case_whose_items_are_all_done_closes_without_a_reason(coordinator, case) -> None:
    services.set_item_status(coordinator, item(coordinator, case, TODAY), "done")
    services.close_case(coordinator, case)
    assert TaskforceCase.objects.get(pk=case.pk).status == "closed"
    with pytest.raises(ValidationError):
        item(coordinator, case, TODAY)  # a closed case takes no more items


def test_an_item_moves_only_along_its_transitions(coordinator, case) -> None:
    added = item(coordinator, case, TODAY)
    with pytest.raises(ValidationError):
        services.set_item_status(coordinator, added, "open")
    services.set_item_status(coordinator, added, "cancelled")
    with pytest.raises(ValidationError):
        services.set_item_status(coordinator, added, "done")
    assert ActionItem.objects.get(pk=added.pk).status == "cancelled"


def _client(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


def test_the_pages_open_a_case_add_an_item_and_list_it_overdue(coordinator) -> None:
    norton = place()
    client = Client()
    client.force_login(coordinator)
    new = client.post(
        reverse("taskforce:case_new"),
        {"property": norton.record_number, "lead_agency": "police", "summary": "Shots fired"},
    )
    case = TaskforceCase.objects.get()
    assert new.status_code == 302 and case.property == norton
    url = reverse("taskforce:case", args=[case.pk])
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    client.post(
        url,
        {
            "action": "item",
            "item-description": "Nuisance abatement letter",
            "item-owner_agency": "neighborhood_services",
            "item-due_on": yesterday.isoformat(),
            "item-owner": coordinator.pk,
        },
    )
    assert case.items.get().description == "Nuisance abatement letter"
    listing = client.get(reverse("taskforce:cases")).content.decode()
    assert "No action item is overdue" not in listing and "Nuisance abatement letter" in listing

    refused = client.post(url, {"action": "close", "close-reason": ""}).content.decode()
    assert "still open: record why" in refused
    client.post(url, {"action": "status", "item": case.items.get().pk, "status": "done"})
    assert client.post(url, {"action": "close", "close-reason": ""}).status_code == 302
    assert TaskforceCase.objects.get().status == "closed"


def test_a_bad_property_number_is_explained() -> None:
    response = _client("director").post(
        reverse("taskforce:case_new"),
        {"property": "L9999999", "lead_agency": "police", "summary": "x"},
    )
    assert "There is no property with that record number." in response.content.decode()
    assert not TaskforceCase.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "case_manager", "system_admin"])
def test_only_coordinators_directors_and_programme_managers_work_cases(role: str, case) -> None:
    client = _client(role)
    assert client.get(reverse("taskforce:cases")).status_code == 403
    assert client.get(reverse("taskforce:case", args=[case.pk])).status_code == 403
    url = reverse("taskforce:case", args=[case.pk])
    assert client.post(url, {"action": "close", "close-reason": "no"}).status_code == 403
    assert TaskforceCase.objects.get(pk=case.pk).status == "open"
