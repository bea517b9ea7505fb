"""Closing a victim-outreach case with a reason, and reopening it: off the open worklist,
no more attempts or offers while closed, every change audited and kept."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.ipvi import victim_services as outreach
from jcihub.ipvi.victims import CloseReason, VictimCaseClosing
from jcihub.people.models import SafetyFlag

from .test_victims import World, _attempt, _last, _post, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return World()


def test_closing_needs_a_reason_and_other_needs_its_text(world: World) -> None:
    with pytest.raises(ValidationError, match="Choose why"):
        outreach.close_case(world.advocate, world.case, "")
    with pytest.raises(ValidationError, match="Say why the case is closed"):
        outreach.close_case(world.advocate, world.case, CloseReason.OTHER, "short")
    with pytest.raises(ValidationError, match="record the contact attempts first"):
        outreach.close_case(world.advocate, world.case, CloseReason.UNREACHABLE)
    outreach.close_case(world.advocate, world.case, CloseReason.OTHER, "Case merged with 2026-11")
    world.case.refresh_from_db()
    assert world.case.is_closed and world.case.close_reason == "other"
    with pytest.raises(ValidationError, match="already closed"):
        outreach.close_case(world.advocate, world.case, CloseReason.MOVED)


def test_a_closed_case_leaves_the_worklist_and_refuses_attempts_and_offers(world: World) -> None:
    assert _attempt(world.advocate, world.case).status_code == 302
    response = _post(world.advocate, world.case, "close", reason="unreachable")
    assert response.status_code == 302
    client = client_for(world.advocate)
    open_list = client.get(reverse("ipvi_victims:list")).content.decode()
    assert "Vera Victim" not in open_list
    closed = client.get(reverse("ipvi_victims:list"), {"show": "closed"}).content.decode()
    assert "Vera Victim" in closed and "Closed: Unreachable after attempts" in closed
    page = client.get(reverse("ipvi_victims:case", args=[world.case.pk])).content.decode()
    assert "This outreach case is closed" in page
    assert "Record the attempt" not in page and "Record the offer" not in page
    assert "Reopen the case" in page
    since = _last()
    refused = _attempt(world.advocate, world.case)
    assert refused.status_code == 200 and "This outreach case is closed" in refused.content.decode()
    assert world.case.attempts.count() == 1
    denied = AuditEntry.objects.filter(id__gt=since, action=AuditAction.DENIED).get()
    assert denied.summary == "Refused: contact attempt on a closed outreach case"
    _post(world.advocate, world.case, "service", kind="shelter", offered_on="2026-11-21")
    assert not world.case.services.exists()


def test_reopening_needs_a_reason_and_the_history_keeps_both(world: World) -> None:
    outreach.close_case(world.advocate, world.case, CloseReason.SAFETY_GOALS_MET)
    assert _post(world.advocate, world.case, "reopen", note="no").status_code == 200
    done = _post(world.advocate, world.case, "reopen", note="New incident reported last night")
    assert done.status_code == 302
    world.case.refresh_from_db()
    assert not world.case.is_closed and world.case.close_reason == ""
    kinds = list(world.case.closings.order_by("id").values_list("kind", "reason"))
    assert kinds == [("closed", "safety_goals_met"), ("reopened", "")]
    page = client_for(world.advocate).get(reverse("ipvi_victims:case", args=[world.case.pk]))
    text = page.content.decode()
    assert "Safety goals met" in text and "New incident reported last night" in text
    assert (
        "Vera Victim"
        in client_for(world.advocate).get(reverse("ipvi_victims:list")).content.decode()
    )
    summaries = list(
        AuditEntry.objects.filter(person_id=world.victim.pk, action=AuditAction.UPDATE)
        .order_by("id")
        .values_list("summary", flat=True)
    )
    assert "IPVI outreach case closed: Safety goals met" in summaries
    assert summaries[-1] == "IPVI outreach case reopened"
    assert _attempt(world.advocate, world.case).status_code == 302


def test_closing_because_the_victim_declined_records_the_decline_and_reopening_keeps_it(
    world: World,
) -> None:
    outreach.close_case(world.advocate, world.case, CloseReason.DECLINED)
    world.case.refresh_from_db()
    assert world.case.has_declined
    flags = world.victim.safety_flags.filter(kind=SafetyFlag.Kind.DO_NOT_CONTACT)
    assert flags.filter(cleared_at__isnull=True).exists()
    outreach.reopen_case(world.advocate, world.case, "Court date set, review the file")
    world.case.refresh_from_db()
    assert not world.case.is_closed and world.case.has_declined  # only the victim lifts it
    with pytest.raises(ValidationError, match="declined contact"):
        outreach.offer_service(world.advocate, world.case, "shelter", world.incident.reported_date)


def test_only_advocates_close_and_the_director_reads_the_reason_without_the_note(
    world: World,
) -> None:
    director = user_with_role(R.DIRECTOR)
    assert _post(director, world.case, "close", reason="moved_away").status_code == 403
    outreach.close_case(world.advocate, world.case, CloseReason.OTHER, "Moved in with a sister")
    page = client_for(director).get(reverse("ipvi_victims:case", args=[world.case.pk]))
    text = page.content.decode()
    assert "This outreach case is closed" in text and "Other" in text
    assert "Moved in with a sister" not in text and "Close the case" not in text


def test_the_database_refuses_a_closing_without_its_reason(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        VictimCaseClosing.objects.create(case=world.case, kind="closed")
    with pytest.raises(IntegrityError), transaction.atomic():
        VictimCaseClosing.objects.create(case=world.case, kind="reopened")
