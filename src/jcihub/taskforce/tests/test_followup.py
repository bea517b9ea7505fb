"""Escalation after a set number of days, and the `jcihub taskforce escalate` command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import services

from .helpers import place

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 30)


@pytest.fixture
def coordinator():
    return user_with_role("taskforce_coordinator")


@pytest.fixture
def case(coordinator):
    return services.open_case(coordinator, place(), "police", "Repeated violence")


def _item(coordinator, case, days_overdue: int):
    due = TODAY - dt.timedelta(days=days_overdue)
    return services.add_action_item(
        coordinator, case, f"{days_overdue} late", "police", due, coordinator
    )


def test_only_items_overdue_by_more_than_the_limit_are_escalated(coordinator, case) -> None:
    late, limit, early = (
        _item(coordinator, case, 15),
        _item(coordinator, case, 14),
        _item(coordinator, case, 3),
    )
    escalated = services.escalate_overdue_items(TODAY, 14)
    assert escalated == [late]
    for item in (late, limit, early):
        item.refresh_from_db()
    assert (
        late.escalated_at is not None and limit.escalated_at is None and early.escalated_at is None
    )
    assert (
        AuditEntry.objects.filter(
            object_type="taskforce.actionitem", summary__startswith="Escalated"
        ).count()
        == 1
    )


def test_escalating_twice_changes_nothing(coordinator, case) -> None:
    _item(coordinator, case, 30)
    assert len(services.escalate_overdue_items(TODAY, 14)) == 1
    assert services.escalate_overdue_items(TODAY, 14) == []


def test_done_items_and_closed_cases_are_not_escalated(coordinator, case) -> None:
    done = _item(coordinator, case, 30)
    services.set_item_status(coordinator, done, "done")
    other = services.open_case(coordinator, place("1200  MAIN ST", "64105"), "police", "x")
    _item(coordinator, other, 30)
    services.close_case(coordinator, other, "Owner sold the property")
    assert services.escalate_overdue_items(TODAY, 14) == []


def test_reopening_an_item_clears_its_escalation(coordinator, case) -> None:
    item = _item(coordinator, case, 30)
    services.escalate_overdue_items(TODAY, 14)
    item.refresh_from_db()
    services.set_item_status(coordinator, item, "done")
    services.set_item_status(coordinator, item, "open")
    item.refresh_from_db()
    assert item.escalated_at is None


def test_the_command_escalates_with_the_configured_delay(coordinator, case, settings) -> None:
    settings.TASKFORCE_ESCALATE_AFTER_DAYS = 5
    _item(coordinator, case, 6)
    out = StringIO()
    call_command("taskforce", "escalate", "--today", TODAY.isoformat(), stdout=out)
    assert "Escalated 1 action item overdue by more than 5 days" in out.getvalue()
