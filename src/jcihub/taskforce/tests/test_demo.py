"""The demo's taskforce data: imported through the real importer, it flags repeat
addresses and gives the coordinator a case with an overdue item to follow up."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.roles import RoleCode
from jcihub.core.tests.factories import user_with_role
from jcihub.incidents.models import ImportRun
from jcihub.taskforce import selectors
from jcihub.taskforce.demo import seed_demo_taskforce
from jcihub.taskforce.models import ActionItem, Meeting, TaskforceCase

pytestmark = pytest.mark.django_db


def test_the_demo_flags_repeat_addresses_and_opens_a_case_to_follow_up() -> None:
    coordinator = user_with_role(RoleCode.TASKFORCE_COORDINATOR)
    rows = seed_demo_taskforce({RoleCode.TASKFORCE_COORDINATOR: coordinator})

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.COMPLETED
    assert rows == run.rows_read > 5_000
    ranked = selectors.rank_problem_properties(timezone.localdate())
    assert len(ranked) >= 3
    case = TaskforceCase.objects.get()
    assert case.property_id in {entry.place.pk for entry in ranked}
    statuses = sorted(case.items.values_list("status", flat=True))
    assert statuses == [ActionItem.Status.DONE, ActionItem.Status.OPEN, ActionItem.Status.OPEN]
    assert list(selectors.overdue_items(timezone.localdate())) == [
        case.items.get(owner_agency="neighborhood_services")
    ]
    assert Meeting.objects.get().agenda
    assert list(selectors.escalated_items()) == list(selectors.overdue_items(timezone.localdate()))

    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("taskforce:properties"))
    assert page.status_code == 200
    assert case.property.full_line in page.content.decode()
