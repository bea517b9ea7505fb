"""The flag-rule pages: the coordinator adds, changes and deactivates rules, each change
checked, audited and reflected in the ranked list at once; nobody else may."""

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import counts, selectors
from jcihub.taskforce.models import FlagRule

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db

RULES = reverse("taskforce:rules")
VIOLENCE = {
    "name": "Repeated violence",
    "category": "violent",
    "window_days": "90",
    "min_count": "3",
    "history_factor": "",
    "is_active": "on",
}


def client_as(role: str) -> Client:
    client = Client()
    client.force_login(user_with_role(role))
    return client


def edit_url(rule: FlagRule) -> str:
    return reverse("taskforce:rule_edit", args=[rule.pk])


def flagged_ids() -> list[int]:
    return [entry.place_id for entry in selectors.stored_ranking(END)]


@pytest.fixture
def coordinator() -> Client:
    return client_as("taskforce_coordinator")


@pytest.fixture
def two_violent():
    """A property with two violent incidents in 90 days: under the default threshold."""
    norton = place()
    for days in (1, 2):
        incident(norton, days, "13A")
    return norton


def test_lowering_a_threshold_flags_the_property_at_once_and_is_audited(
    coordinator: Client, two_violent
) -> None:
    assert flagged_ids() == []  # stored now; the change must not leave it in use
    rule = FlagRule.objects.get(name="Repeated violence")

    response = coordinator.post(edit_url(rule), {**VIOLENCE, "min_count": "2"})

    assert response.status_code == 302 and response.url == RULES
    rule.refresh_from_db()
    assert rule.min_count == 2
    assert flagged_ids() == [two_violent.pk]
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="taskforce.flagrule")
    assert entry.object_id == str(rule.pk)
    assert entry.changes["min_count"] == {"old": 3, "new": 2}


def test_a_new_rule_far_above_its_own_history_is_added_and_flags(
    coordinator: Client, two_violent
) -> None:
    response = coordinator.post(
        RULES,
        {
            **VIOLENCE,
            "name": "Violence, sudden",
            "window_days": "30",
            "min_count": "2",
            "history_factor": "2",
        },
    )

    assert response.status_code == 302
    added = FlagRule.objects.get(name="Violence, sudden")
    assert (added.window_days, added.min_count, added.history_factor) == (30, 2, 2)
    assert added.is_active
    hits = selectors.stored_ranking(END)[0].hits
    assert [hit.rule for hit in hits] == [added]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="taskforce.flagrule", object_id=str(added.pk)
    ).exists()
    assert "Violence, sudden" in coordinator.get(RULES).content.decode()


def test_a_deactivated_rule_flags_nothing(coordinator: Client, two_violent) -> None:
    incident(two_violent, 3, "13A")
    assert flagged_ids() == [two_violent.pk]
    rule = FlagRule.objects.get(name="Repeated violence")

    data = {key: value for key, value in VIOLENCE.items() if key != "is_active"}
    assert coordinator.post(edit_url(rule), data).status_code == 302

    rule.refresh_from_db()
    assert not rule.is_active
    assert flagged_ids() == []
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="taskforce.flagrule")
    assert entry.summary.startswith("Deactivated flag rule")
    assert "Not active" in coordinator.get(RULES).content.decode()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"min_count": "0"}, "min_count", "greater than or equal to 1"),
        ({"min_count": "x"}, "min_count", "whole number"),
        ({"history_factor": "1"}, "history_factor", "greater than or equal to 2"),
        ({"window_days": "60"}, "window_days", "valid choice"),
        ({"category": "arson"}, "category", "valid choice"),
        ({"name": " "}, "name", "required"),
        ({"name": "gun crime"}, "name", "Another rule is called"),  # a seeded rule's name
    ],
)
def test_a_rule_that_does_not_make_sense_is_refused_with_the_reason(
    coordinator: Client, change: dict[str, str], field: str, message: str
) -> None:
    rule = FlagRule.objects.get(name="Repeated violence")
    version = counts.current_version()

    response = coordinator.post(edit_url(rule), {**VIOLENCE, **change})

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    rule.refresh_from_db()
    assert (rule.name, rule.min_count, rule.history_factor) == ("Repeated violence", 3, None)
    assert counts.current_version() == version
    assert not AuditEntry.objects.filter(object_type="taskforce.flagrule").exists()


def test_saving_a_rule_unchanged_keeps_the_stored_ranking(coordinator: Client) -> None:
    rule = FlagRule.objects.get(name="Repeated violence")
    version = counts.current_version()

    assert coordinator.post(edit_url(rule), VIOLENCE).status_code == 302

    assert counts.current_version() == version
    assert not AuditEntry.objects.filter(object_type="taskforce.flagrule").exists()


@pytest.mark.parametrize("role", ["director", "system_admin", "analyst", "agency_liaison"])
def test_only_the_coordinator_edits_rules(role: str) -> None:
    client = client_as(role)
    rule = FlagRule.objects.get(name="Repeated violence")

    assert client.get(RULES).status_code == 403
    assert client.post(edit_url(rule), {**VIOLENCE, "min_count": "1"}).status_code == 403

    rule.refresh_from_db()
    assert rule.min_count == 3
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).count() == 2
