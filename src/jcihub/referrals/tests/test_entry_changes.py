"""Partner organisations keep their own directory entries current; the department reviews
each change before the directory shows it."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import TeamFactory, user_with_role
from jcihub.referrals.entry_changes import decide_change, propose_change
from jcihub.referrals.models import EntryChange, Service

from .factories import ServiceFactory

pytestmark = pytest.mark.django_db


def _partner_and_service() -> tuple[object, Service]:
    team = TeamFactory(kind="partner_org")
    service = ServiceFactory(wait_time="A month")
    service.organization.team = team
    service.organization.save()
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    return partner, service


def test_a_proposed_change_waits_and_approval_applies_it() -> None:
    partner, service = _partner_and_service()
    change = propose_change(partner, service, {"wait_time": "Two weeks", "email": ""})
    assert change.after == {"wait_time": "Two weeks"}  # only what differs
    assert Service.objects.get(pk=service.pk).wait_time == "A month"  # not yet
    manager = user_with_role(R.PROGRAM_MANAGER)
    decide_change(manager, change, approve=True)
    assert Service.objects.get(pk=service.pk).wait_time == "Two weeks"
    assert AuditEntry.objects.filter(actor=manager, summary__startswith="Approved change").exists()


def test_a_rejection_needs_a_reason_and_changes_nothing() -> None:
    partner, service = _partner_and_service()
    change = propose_change(partner, service, {"status": "temporarily closed"})
    manager = user_with_role(R.DIRECTOR)
    with pytest.raises(ValidationError, match="reason"):
        decide_change(manager, change, approve=False)
    decide_change(manager, change, approve=False, note="Call us first")
    assert Service.objects.get(pk=service.pk).status == Service.Status.ACTIVE
    assert EntryChange.objects.get().status == EntryChange.Status.REJECTED


def test_only_the_organisations_own_partners_propose_and_only_managers_decide() -> None:
    partner, service = _partner_and_service()
    with pytest.raises(PermissionDenied):
        propose_change(user_with_role(R.PARTNER_USER), service, {"wait_time": "now"})
    assert AuditEntry.objects.filter(action=AuditAction.DENIED).exists()
    change = propose_change(partner, service, {"wait_time": "now"})
    with pytest.raises(PermissionDenied):
        decide_change(partner, change, approve=True)


def test_nothing_different_one_pending_at_a_time_and_no_stale_approval() -> None:
    partner, service = _partner_and_service()
    with pytest.raises(ValidationError, match="Nothing is different"):
        propose_change(partner, service, {"wait_time": "A month"})
    change = propose_change(partner, service, {"wait_time": "Now"})
    with pytest.raises(ValidationError, match="already waiting"):
        propose_change(partner, service, {"wait_time": "Later"})
    Service.objects.filter(pk=service.pk).update(wait_time="Edited by the department")
    with pytest.raises(ValidationError, match="changed since"):
        decide_change(user_with_role(R.DIRECTOR), change, approve=True)


def test_the_pages_propose_list_and_decide() -> None:
    partner, service = _partner_and_service()
    client = Client()
    client.force_login(partner)
    page = client.get(f"/directory/services/{service.pk}/").content.decode()
    assert "Propose a change to this entry" in page
    sent = client.post(
        f"/directory/services/{service.pk}/propose/",
        {"description": service.description, "status": "active", "wait_time": "Same day"},
    )
    change = EntryChange.objects.get()
    assert sent["Location"] == f"/directory/changes/{change.pk}/"
    assert f"Change {change.pk}" in client.get("/directory/changes/").content.decode()
    bad = client.post(f"/directory/services/{service.pk}/propose/", {"email": "not-an-email"})
    assert "Nothing was saved" in bad.content.decode()
    manager = Client()
    manager.force_login(user_with_role(R.SYSTEM_ADMIN))
    refused = manager.post(f"/directory/changes/{change.pk}/", {"decision": "reject"})
    assert "Give the reason" in refused.content.decode()
    manager.post(f"/directory/changes/{change.pk}/", {"decision": "approve"})
    assert Service.objects.get(pk=service.pk).wait_time == "Same day"
    other = Client()
    other.force_login(user_with_role(R.PARTNER_USER))
    assert other.get(f"/directory/changes/{change.pk}/").status_code == 404
    assert other.get(f"/directory/services/{service.pk}/propose/").status_code == 404
