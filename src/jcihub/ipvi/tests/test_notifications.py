"""Custom notifications, call-ins, services offered, and the ladder on notification: a
notified person who re-offends is proposed one level up, and the liaisons see it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.models import Team
from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import AddressFactory, PersonFactory, TeamFactory, user_with_role
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.models import (
    CallIn,
    CallInInvitation,
    Candidate,
    CustomNotification,
    NotificationAttempt,
    ServiceOffer,
)
from jcihub.ipvi.notification_selectors import reoffences
from jcihub.ipvi.services import rebuild_queue
from jcihub.referrals.models import ReferralStatus
from jcihub.referrals.tests.factories import sample_service

from .notify_helpers import decided, dv_incident, seed

pytestmark = pytest.mark.django_db
Outcome = NotificationAttempt.Outcome
HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _seeded() -> None:
    seed()


def ago(days: int = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days) - HOUR


def scheduled(candidate: Candidate | None = None) -> CustomNotification:
    return notify.schedule_notification(None, candidate or decided(tier="C"), ago())


def staffed(notification: CustomNotification) -> CustomNotification:
    notify.add_team_member(None, notification, "police_officer", "Ofc. Ruiz", "KCPD")
    notify.add_team_member(None, notification, "community_member", "Rev. Hall", "Church")
    return notification


# --- Custom notifications ------------------------------------------------------------------


def test_a_custom_notification_needs_an_officer_a_community_member_and_what_was_said() -> None:
    visit = scheduled()
    with pytest.raises(ValidationError, match="police officer with a community member"):
        notify.record_attempt(None, visit, ago(), Outcome.DELIVERED)
    staffed(visit)
    with pytest.raises(ValidationError, match="what the team said"):
        notify.record_attempt(None, visit, ago(), Outcome.DELIVERED)
    notify.update_conversation(
        None,
        visit,
        said="Further violence will be prosecuted first.",
        offered="Batterer-intervention programme",
        follow_up="Call in two weeks",
        follow_up_due=dt.date(2026, 12, 20),
    )
    notify.record_attempt(None, visit, ago(), Outcome.DELIVERED, "at his work")
    visit.refresh_from_db()
    assert visit.status == CustomNotification.Status.DELIVERED and visit.delivered_at
    assert visit.follow_up_due == dt.date(2026, 12, 20)


def test_failed_attempts_are_kept_and_a_closed_notification_takes_no_more() -> None:
    visit = staffed(scheduled())
    notify.record_attempt(None, visit, ago(2), Outcome.NOT_FOUND)
    notify.record_attempt(None, visit, ago(1), Outcome.UNSAFE, "victim present")
    with pytest.raises(ValidationError):
        notify.close_undelivered(None, visit, "")
    notify.close_undelivered(None, visit, "Moved out of the city")
    with pytest.raises(ValidationError, match="closed"):
        notify.record_attempt(None, visit, ago(), Outcome.DELIVERED)
    assert [a.outcome for a in visit.attempts.all()] == ["not_found", "unsafe"]
    assert AuditEntry.objects.filter(person_id=visit.person_id, summary__contains="closed")


def test_an_attempt_cannot_be_in_the_future() -> None:
    with pytest.raises(ValidationError):
        notify.record_attempt(None, scheduled(), timezone.now() + HOUR, Outcome.NOT_FOUND)


def test_no_custom_notification_before_the_tier_is_decided() -> None:
    causer = PersonFactory()
    dv_incident(causer, None, dt.date(2025, 1, 5))
    rebuild_queue()
    with pytest.raises(ValidationError, match="Confirm or override"):
        scheduled(Candidate.objects.get(person=causer))


def test_the_coordinator_works_a_notification_from_its_page(client_for) -> None:
    candidate = decided(tier="C")
    client = client_for(user_with_role("ipvi_coordinator"))
    made = client.post(
        reverse("ipvi:notification_new", args=[candidate.pk]),
        {"scheduled_for": "2025-04-01T18:00"},
    )
    visit = CustomNotification.objects.get()
    url = reverse("ipvi:notification", args=[visit.pk])
    assert made["Location"] == url
    for role, name in (("police_officer", "Ofc. Ruiz"), ("community_member", "Rev. Hall")):
        client.post(url, {"form": "team", "team-role": role, "team-name": name})
    client.post(url, {"form": "conversation", "conversation-said": "We are watching."})
    refused = client.post(url, {"form": "attempt", "attempt-outcome": "delivered"})
    assert "This field is required" in refused.content.decode()
    client.post(
        url,
        {
            "form": "attempt",
            "attempt-outcome": "delivered",
            "attempt-attempted_at": "2025-04-01T18:30",
        },
    )
    visit.refresh_from_db()
    assert visit.status == "delivered" and visit.team.count() == 2
    assert client_for(user_with_role("director")).post(url, {"form": "close"}).status_code == 403


# --- Call-ins ------------------------------------------------------------------------------


def test_a_call_in_records_speakers_attendance_and_services_accepted() -> None:
    call_in = notify.create_call_in(None, "Spring call-in", ago(1), "Municipal Court, room 2")
    for kind, name in (("police", "Maj. Lee"), ("prosecutor", "ADA Cole"), ("services", "Hope")):
        notify.add_speaker(None, call_in, kind, name)
    invitation = notify.invite(None, call_in, decided(tier="B"))
    with pytest.raises(ValidationError, match="invited already"):
        notify.invite(None, call_in, invitation.candidate)
    notify.record_attendance(None, invitation, CallInInvitation.Attendance.ATTENDED)
    offer = notify.offer_service(
        None, invitation.candidate, "batterer_intervention", where=invitation
    )
    notify.answer_service(None, offer, ServiceOffer.Response.ACCEPTED)
    call_in.refresh_from_db()
    assert call_in.status == "held" and call_in.speakers.count() == 3
    assert offer.offered_where == "at a call-in" and offer.answered_at is not None


def test_attendance_waits_for_the_call_in_to_happen() -> None:
    call_in = notify.create_call_in(None, "Later", timezone.now() + dt.timedelta(days=3), "Hall")
    invitation = notify.invite(None, call_in, decided(tier="B"))
    with pytest.raises(ValidationError, match="once the call-in has taken place"):
        notify.record_attendance(None, invitation, "attended")


def test_the_call_in_page_invites_and_records_attendance(client_for) -> None:
    candidate = decided(tier="B")
    client = client_for(user_with_role("ipvi_coordinator"))
    client.post(
        reverse("ipvi:call_in_new"),
        {"title": "Call-in", "held_at": "2025-05-01T18:00", "venue": "City Hall"},
    )
    url = reverse("ipvi:call_in", args=[CallIn.objects.get().pk])
    client.post(url, {"form": "invite", "invite-candidate": candidate.pk})
    invitation = CallInInvitation.objects.get()
    client.post(url, {"form": "attendance", "invitation": invitation.pk, "attendance": "attended"})
    client.post(url, {"form": "service", "invitation": invitation.pk, "service-need": "employment"})
    invitation.refresh_from_db()
    assert invitation.attendance == "attended"
    assert invitation.services.get().need == "employment"
    page = client.get(url).content.decode()
    assert "Employment: offered, no answer yet" in page


# --- Services through the referrals app ----------------------------------------------------


def test_naming_a_directory_service_makes_a_draft_referral() -> None:
    candidate = decided()
    coordinator = user_with_role("ipvi_coordinator")
    service = sample_service()
    service.organization.team = Team.objects.create(name="Partner", kind="partner_org")
    service.organization.save()
    offer = notify.offer_service(
        coordinator, candidate, "employment", "Job readiness", directory_service=service
    )
    assert offer.referral is not None and offer.referral.status == ReferralStatus.DRAFT
    assert offer.referral.person == candidate.person


# --- The ladder on notification ------------------------------------------------------------


def _deliver_letter(candidate: Candidate, on: dt.datetime) -> None:
    letter = notify.generate_letter(None, candidate, "en")
    notify.record_letter_delivery(
        None, letter, is_delivered=True, occurred_at=on, method="officer", delivered_by="Ofc. Ruiz"
    )


def test_a_notified_person_who_reoffends_is_proposed_for_the_next_tier() -> None:
    first = decided(on=dt.date(2025, 1, 10), tier="C")
    visit = staffed(scheduled(first))
    notify.update_conversation(None, visit, said="Stop now.")
    notify.record_attempt(
        None, visit, dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC), Outcome.DELIVERED
    )
    later = dv_incident(first.person, None, dt.date(2025, 6, 1))
    rebuild_queue()
    candidate = Candidate.objects.get(incident=later)
    assert candidate.proposed_tier is not None and candidate.proposed_tier.code == "B"
    assert candidate.reasons[0].startswith(
        "re-offended after notification: custom notification delivered on 2025-02-01 (tier C)"
    )


def test_an_incident_before_the_notification_is_not_a_reoffence_after_it(client_for) -> None:
    first = decided(on=dt.date(2025, 1, 10))
    between = dv_incident(first.person, None, dt.date(2025, 1, 20))
    _deliver_letter(first, dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC))
    rebuild_queue()
    candidate = Candidate.objects.get(incident=between)
    assert not any("after notification" in reason for reason in candidate.reasons)
    assert reoffences(user_with_role("director")) == []


def test_the_liaison_sees_an_assigned_reoffence_with_the_letter_and_no_victim_address(
    client_for,
) -> None:
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, line1="4821 Wornall Rd", is_confidential=True)
    first = decided(victim=victim, on=dt.date(2025, 1, 10))
    _deliver_letter(first, dt.datetime(2025, 2, 1, 12, tzinfo=dt.UTC))
    dv_incident(first.person, victim, dt.date(2025, 6, 1), address="4800 WORNALL RD")
    rebuild_queue()
    liaison = user_with_role("agency_liaison")
    police = TeamFactory(name="KCPD liaison", kind=Team.Kind.AGENCY)
    liaison.teams.add(police)
    client = client_for(liaison)
    assert "No re-offence" in client.get(reverse("ipvi:reoffences")).content.decode()
    found = reoffences(user_with_role("ipvi_coordinator"))
    assert len(found) == 1 and found[0].notice.kind == "letter"
    coordinator = client_for(user_with_role("ipvi_coordinator"))
    share = reverse("ipvi:reoffence_share", args=[found[0].candidate.pk])
    assert coordinator.post(share, {"teams": [police.pk]}).status_code == 302
    listing = client.get(reverse("ipvi:reoffences")).content.decode()
    assert "Dale Crane" in listing
    page = client.get(reverse("ipvi:reoffence", args=[found[0].candidate.pk])).content.decode()
    assert "We know who you are" in page  # the letter is attached
    assert "B: Call-in" in page  # proposed for the next tier
    for secret in ("Wornall", "WORNALL", "4821", "4800", "Reyes"):
        assert secret not in page
    assert AuditEntry.objects.filter(actor=liaison, action="view", summary__contains="re-offence")


def test_the_person_timeline_shows_notifications_by_sensitivity() -> None:
    from jcihub.core import timeline
    from jcihub.core.sensitivity import Sensitivity

    candidate = decided()
    notify.generate_letter(None, candidate, "en")
    notify.offer_service(None, candidate, "substance_use")
    seen = timeline.events_for(candidate.person_id, {Sensitivity.CRIMINAL_HISTORY})
    titles = [event.title for event in seen if event.source == "ipvi"]
    assert titles == ["IPVI letter made (tier D)"]
    everything = timeline.events_for(candidate.person_id, set(Sensitivity))
    assert "IPVI service offered: Substance-use treatment" in [e.title for e in everything]
