"""Referral follow-ups through the API: each role reads, adds and closes only what the
access policy and the consent in force allow, and bad input answers 4xx, never 500."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import PersonFactory, TeamFactory, consent, user_with_role
from jcihub.people.models import Person
from jcihub.people.services import revoke_consent
from jcihub.referrals import services
from jcihub.referrals.models import Referral, ReferralNote
from jcihub.referrals.tests.factories import sample_referral, sample_service

pytestmark = pytest.mark.django_db


@dataclass
class World:
    person: Person
    sender: User
    partner: User
    referral: Referral


@pytest.fixture
def world() -> World:
    person = PersonFactory(given_name="Marcus", family_name="Hale")
    team = TeamFactory(name="Hope Works", kind="partner_org")
    consent(person, team, ["general"])
    sender = user_with_role(R.CASE_MANAGER)
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    referral = sample_referral(person, sample_service(), team, sender, note="Boots.")
    return World(person, sender, partner, referral)


def api(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(referral: Referral, follow_up: Any = None) -> str:
    base = f"/api/v1/referrals/{referral.pk}/follow-ups/"
    return f"{base}{follow_up}/complete/" if follow_up is not None else base


def add(client: Client, referral: Referral, text: str, due_on: Any) -> Any:
    body = {"text": text, "due_on": str(due_on)}
    return client.post(url(referral), body, content_type="application/json")


def today() -> dt.date:
    return timezone.localdate()


def test_the_sender_adds_lists_and_closes_a_follow_up(world: World) -> None:
    sender = api(world.sender)
    made = add(sender, world.referral, "Call about the interview.", today())
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["kept_by"] == "sender" and body["due_on"] == today().isoformat()
    assert body["is_due"] and body["can_complete"] and not body["is_done"]
    listed = sender.get(url(world.referral))
    assert listed.status_code == 200 and [f["id"] for f in listed.json()] == [body["id"]]
    done = sender.post(url(world.referral, body["id"]))
    assert done.status_code == 200 and done.json()["is_done"]
    assert not done.json()["can_complete"] and not done.json()["is_due"]
    note = ReferralNote.objects.get(pk=body["id"])
    assert note.done_by == world.sender and note.done_at is not None
    again = sender.post(url(world.referral, body["id"]))
    assert again.status_code == 400 and "not open" in again.content.decode()


def test_the_partner_keeps_its_own_follow_ups_and_cannot_close_the_departments(
    world: World,
) -> None:
    theirs = services.add_note(
        world.sender, world.referral, "Ask for a start date.", due_on=today()
    )
    partner = api(world.partner)
    made = add(partner, world.referral, "Send the intake forms.", today() + dt.timedelta(days=2))
    assert made.status_code == 201 and made.json()["kept_by"] == "recipient"
    assert not made.json()["is_due"]
    listed = {f["id"]: f for f in partner.get(url(world.referral)).json()}
    assert set(listed) == {theirs.pk, made.json()["id"]}
    assert not listed[theirs.pk]["can_complete"] and listed[made.json()["id"]]["can_complete"]
    refused = partner.post(url(world.referral, theirs.pk))
    assert (
        refused.status_code == 403
        and "may not mark this follow-up done" in refused.json()["detail"]
    )
    theirs.refresh_from_db()
    assert theirs.done_at is None
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor=world.partner).exists()
    # And the department cannot close the organisation's.
    assert api(world.sender).post(url(world.referral, made.json()["id"])).status_code == 403
    assert partner.post(url(world.referral, made.json()["id"])).status_code == 200


def test_revoking_consent_withdraws_the_departments_follow_ups_from_the_partner(
    world: World,
) -> None:
    theirs = services.add_note(
        world.sender, world.referral, "Marcus starts Monday.", due_on=today()
    )
    own = services.add_note(world.partner, world.referral, "Order boots.", due_on=today())
    for active in world.person.consents.all():
        revoke_consent(world.sender, active, "withdrawn")
    partner = api(world.partner)
    listed = partner.get(url(world.referral))
    assert [f["id"] for f in listed.json()] == [own.pk]
    assert "Marcus" not in listed.content.decode()
    # What the partner can no longer read, it cannot reach either: 404, as for any stranger.
    assert partner.post(url(world.referral, theirs.pk)).status_code == 404
    # The department still sees both.
    staff = {f["id"] for f in api(world.sender).get(url(world.referral)).json()}
    assert staff == {theirs.pk, own.pk}


def test_another_organisations_user_finds_nothing(world: World) -> None:
    follow_up = services.add_note(world.sender, world.referral, "Check in.", due_on=today())
    stranger = user_with_role(R.PARTNER_USER)
    stranger.teams.add(TeamFactory(name="Other Org", kind="partner_org"))
    client = api(stranger)
    assert client.get(url(world.referral)).status_code == 404
    assert add(client, world.referral, "Hello.", today()).status_code == 404
    assert client.post(url(world.referral, follow_up.pk)).status_code == 404
    assert world.referral.notes.count() == 1


@pytest.mark.parametrize("role", [R.AGENCY_LIAISON, R.ANALYST, R.AUDITOR, R.SYSTEM_ADMIN])
def test_roles_without_referrals_are_refused(world: World, role: str) -> None:
    follow_up = services.add_note(world.sender, world.referral, "Check in.", due_on=today())
    client = api(user_with_role(role))
    assert client.get(url(world.referral)).status_code == 403
    assert add(client, world.referral, "Hello.", today()).status_code == 403
    assert client.post(url(world.referral, follow_up.pk)).status_code == 403


def test_staff_who_cannot_see_a_restricted_person_find_nothing(world: World) -> None:
    Person.objects.filter(pk=world.person.pk).update(is_restricted=True)
    navigator = api(user_with_role(R.REENTRY_NAVIGATOR))
    assert navigator.get(url(world.referral)).status_code == 404
    assert add(navigator, world.referral, "Hello.", today()).status_code == 404
    # The director sees the whole registry, and keeps the department's follow-ups too.
    director = api(user_with_role(R.DIRECTOR))
    made = add(director, world.referral, "Review the plan.", today())
    assert made.status_code == 201 and made.json()["kept_by"] == "sender"


def test_plain_notes_are_not_follow_ups(world: World) -> None:
    note = services.add_note(world.sender, world.referral, "Spoke to Marcus.")
    sender = api(world.sender)
    assert sender.get(url(world.referral)).json() == []
    assert sender.post(url(world.referral, note.pk)).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": "Call.", "due_on": "not a date"}, "due_on"),
        ({"text": "Call.", "due_on": "2026-02-30"}, "due_on"),
        ({"text": "Call."}, "due_on"),
        ({"text": "   ", "due_on": "2099-01-01"}, "text"),
        ({"text": "x" * 4001, "due_on": "2099-01-01"}, "text"),
        ({"text": "a\x00b", "due_on": "2099-01-01"}, "text"),
        ({"text": ["a list"], "due_on": "2099-01-01"}, "text"),
    ],
)
def test_bad_input_is_refused_with_the_field_named(
    world: World, body: dict[str, Any], field: str
) -> None:
    made = api(world.sender).post(url(world.referral), body, content_type="application/json")
    assert made.status_code == 400 and field in made.json()
    assert not world.referral.notes.exists()


def test_a_date_in_the_past_is_refused(world: World) -> None:
    made = add(api(world.sender), world.referral, "Late.", today() - dt.timedelta(days=1))
    assert made.status_code == 400 and "in the past" in made.content.decode()


@pytest.mark.parametrize("follow_up", ["99999999999999999999999", "0", "12345"])
def test_unknown_follow_ups_answer_404(world: World, follow_up: str) -> None:
    assert api(world.sender).post(url(world.referral, follow_up)).status_code == 404


@pytest.mark.parametrize("referral", ["abc", "99999999999999999999999", "-1"])
def test_unknown_referrals_answer_404(referral: str, world: World) -> None:
    client = api(world.sender)
    assert client.get(f"/api/v1/referrals/{referral}/follow-ups/").status_code == 404
    assert client.post(f"/api/v1/referrals/{referral}/follow-ups/1/complete/").status_code == 404


def test_a_follow_up_of_another_referral_is_not_found_through_this_one(world: World) -> None:
    other = sample_referral(
        world.person, world.referral.service, world.referral.organization.team, world.sender
    )
    follow_up = services.add_note(world.sender, other, "Check in.", due_on=today())
    assert api(world.sender).post(url(world.referral, follow_up.pk)).status_code == 404
    follow_up.refresh_from_db()
    assert follow_up.done_at is None


def test_reading_adding_and_closing_are_audited(world: World) -> None:
    sender = api(world.sender)
    made = add(sender, world.referral, "Call.", today()).json()
    sender.get(url(world.referral))
    sender.post(url(world.referral, made["id"]))
    mine = AuditEntry.objects.filter(actor=world.sender)
    assert mine.filter(action=AuditAction.VIEW, summary__contains="follow-ups (API)").exists()
    notes = mine.filter(object_type="referrals.referralnote")
    assert set(notes.values_list("action", flat=True)) == {AuditAction.CREATE, AuditAction.UPDATE}
