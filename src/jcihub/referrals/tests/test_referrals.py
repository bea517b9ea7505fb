"""Closed-loop referrals: who sees what, the state machine, consent and the directory's
say on what can be referred to, and the audit trail."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from jcihub.accounts.models import Team, User
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    PersonFactory,
    TeamFactory,
    client_for,
    consent,
    user_with_role,
)
from jcihub.people.models import Identifier, Person
from jcihub.people.services import revoke_consent
from jcihub.referrals import selectors, services
from jcihub.referrals.models import Referral, ReferralEvent, ReferralStatus, Service
from jcihub.referrals.tests.factories import ServiceFactory, sample_referral, sample_service

pytestmark = pytest.mark.django_db
S = ReferralStatus


@dataclass
class World:
    person: Person
    team: Team
    service: Service
    sender: User
    partner: User
    referral: Referral


@pytest.fixture
def world() -> World:
    person = PersonFactory(given_name="Marcus", family_name="Hale", birth_date=dt.date(1990, 5, 1))
    AddressFactory(person=person, line1="12 Open St")
    AddressFactory(person=person, line1="99 Hidden Ln", is_confidential=True)
    Identifier.objects.create(person=person, system="kcpd", value="KC-55501")
    team = TeamFactory(name="Hope Works", kind="partner_org")
    consent(person, team, ["general"])
    sender = user_with_role(R.CASE_MANAGER)
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(team)
    service = sample_service()
    referral = sample_referral(person, service, team, sender, note="Needs steel-toe boots.")
    return World(person, team, service, sender, partner, referral)


# --- Who sees what -------------------------------------------------------------------------


def test_a_partner_sees_only_referrals_to_their_own_organisation(world: World) -> None:
    other_team = TeamFactory(name="Other Org", kind="partner_org")
    other_person = PersonFactory(given_name="Nina", family_name="Stone")
    consent(other_person, other_team, ["general"])
    elsewhere = sample_referral(other_person, ServiceFactory(), other_team)
    draft = services.create_referral(world.sender, world.person, world.service, send=False)
    partner = client_for(world.partner)

    page = partner.get("/referrals/").content.decode()
    assert world.referral.number in page and "Marcus Hale" in page
    assert elsewhere.number not in page and "Nina Stone" not in page
    assert draft.number not in page  # a draft has not reached the organisation
    assert partner.get(f"/referrals/{elsewhere.pk}/").status_code == 404
    assert partner.get(f"/referrals/{draft.pk}/").status_code == 404
    listed = partner.get("/api/v1/referrals/").json()["results"]
    assert [row["id"] for row in listed] == [world.referral.pk]
    assert listed[0]["person"] is None  # partners learn who it is only from `shared`
    assert partner.get(f"/api/v1/referrals/{elsewhere.pk}/").status_code == 404


def test_a_partner_sees_only_the_fields_the_consent_covers(world: World) -> None:
    page = client_for(world.partner).get(f"/referrals/{world.referral.pk}/").content.decode()
    assert "Marcus Hale" in page and "1990-05-01" in page and "12 Open St" in page
    assert "Needs steel-toe boots." in page
    assert "99 Hidden Ln" not in page  # victim-locating: not in the consent
    assert "KC-55501" not in page  # criminal-justice information: never shared
    assert f'href="/people/{world.person.pk}/"' not in page


def test_consent_covering_locating_information_shares_it(world: World) -> None:
    consent(world.person, world.team, ["general", "victim_locating", "criminal_history"])
    body = client_for(world.partner).get(f"/api/v1/referrals/{world.referral.pk}/").json()
    values = {item["value"] for item in body["shared"]}
    assert any("99 Hidden Ln" in value for value in values)
    assert not any("KC-55501" in value for value in values)


def test_revoking_consent_withdraws_the_shared_details_at_once(world: World) -> None:
    partner = client_for(world.partner)
    assert "Marcus Hale" in partner.get(f"/referrals/{world.referral.pk}/").content.decode()
    for active in world.person.consents.all():
        revoke_consent(world.sender, active, "person withdrew consent")

    page = partner.get(f"/referrals/{world.referral.pk}/").content.decode()
    assert "Marcus Hale" not in page and "12 Open St" not in page
    assert "Needs steel-toe boots." not in page and "nothing about the person is shared" in page
    listing = partner.get("/referrals/").content.decode()
    assert world.referral.number in listing and "Marcus Hale" not in listing
    assert partner.get(f"/api/v1/referrals/{world.referral.pk}/").json()["shared"] == []


def test_staff_see_referrals_of_people_they_can_see(world: World) -> None:
    page = client_for(user_with_role(R.REENTRY_NAVIGATOR)).get("/referrals/").content.decode()
    assert world.referral.number in page and "Marcus Hale" in page
    for role in (R.AGENCY_LIAISON, R.ANALYST, R.AUDITOR, R.SYSTEM_ADMIN):
        assert client_for(user_with_role(role)).get("/referrals/").status_code == 403


def test_a_restricted_persons_referral_is_hidden_from_other_registry_staff(world: World) -> None:
    Person.objects.filter(pk=world.person.pk).update(is_restricted=True)
    navigator = client_for(user_with_role(R.REENTRY_NAVIGATOR))
    assert world.referral.number not in navigator.get("/referrals/").content.decode()
    assert navigator.get(f"/referrals/{world.referral.pk}/").status_code == 404
    # The person who sent it still finds it.
    assert client_for(world.sender).get(f"/referrals/{world.referral.pk}/").status_code == 200


def test_staff_are_shown_no_more_through_a_referral_than_through_the_person_page(
    world: World,
) -> None:
    consent(world.person, world.team, ["general", "victim_locating"])
    page = client_for(world.sender).get(f"/referrals/{world.referral.pk}/").content.decode()
    assert "12 Open St" in page and "99 Hidden Ln" not in page
    assert "1 further detail is shared but not shown to you" in page


# --- The state machine -----------------------------------------------------------------------


def test_the_whole_loop_keeps_a_timestamped_history(world: World) -> None:
    referral = world.referral
    services.move_referral(world.partner, referral, S.ACCEPTED)
    services.move_referral(world.partner, referral, S.IN_SERVICE)
    services.add_note(world.partner, referral, "Boots bought.", "service_delivered")
    services.move_referral(world.partner, referral, S.COMPLETED, "Started work on Monday.")
    referral.refresh_from_db()
    assert referral.status == S.COMPLETED and referral.outcome == "Started work on Monday."
    assert all((referral.sent_at, referral.answered_at, referral.service_started_at))
    assert referral.closed_at is not None
    moves = list(referral.events.values_list("from_status", "to_status", "side"))
    assert moves == [
        ("", S.DRAFT, "sender"),
        (S.DRAFT, S.SENT, "sender"),
        (S.SENT, S.ACCEPTED, "recipient"),
        (S.ACCEPTED, S.IN_SERVICE, "recipient"),
        (S.IN_SERVICE, S.COMPLETED, "recipient"),
    ]
    times = list(referral.events.values_list("occurred_at", flat=True))
    assert times == sorted(times)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), S.COMPLETED),
        ((), S.IN_SERVICE),
        ((), S.DRAFT),
        ((S.DECLINED,), S.ACCEPTED),
        ((S.ACCEPTED,), S.DECLINED),
        ((S.ACCEPTED, S.IN_SERVICE, S.COMPLETED), S.CLOSED_UNRESOLVED),
    ],
)
def test_illegal_moves_are_refused(world: World, path: tuple[str, ...], illegal: str) -> None:
    for step in path:
        services.move_referral(world.partner, world.referral, step, "because")
    with pytest.raises(ValidationError, match="cannot be moved"):
        services.move_referral(world.partner, world.referral, illegal, "because")
    assert Referral.objects.get(pk=world.referral.pk).status == (path[-1] if path else S.SENT)


def test_each_side_makes_only_its_own_moves(world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.move_referral(world.sender, world.referral, S.ACCEPTED)
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, actor=world.sender, person_id=world.person.pk
    ).exists()
    draft = services.create_referral(world.sender, world.person, world.service, send=False)
    with pytest.raises(PermissionDenied):
        services.move_referral(world.partner, draft, S.SENT)
    # A partner of another organisation cannot answer it either.
    stranger = user_with_role(R.PARTNER_USER)
    stranger.teams.add(TeamFactory(name="Elsewhere", kind="partner_org"))
    with pytest.raises(PermissionDenied):
        services.move_referral(stranger, world.referral, S.ACCEPTED)


def test_declining_needs_a_reason_and_closing_an_outcome(world: World) -> None:
    with pytest.raises(ValidationError, match="reason"):
        services.move_referral(world.partner, world.referral, S.DECLINED, "  ")
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    with pytest.raises(ValidationError, match="outcome"):
        services.move_referral(world.sender, world.referral, S.CLOSED_UNRESOLVED)
    services.move_referral(world.sender, world.referral, S.CLOSED_UNRESOLVED, "Moved away.")
    assert Referral.objects.get(pk=world.referral.pk).outcome == "Moved away."


def test_the_partner_declines_through_the_page_with_a_reason(world: World) -> None:
    partner = client_for(world.partner)
    url = f"/referrals/{world.referral.pk}/update/"
    page = partner.post(url, {"action": "declined", "text": ""}).content.decode()
    assert "Give the reason." in page
    assert Referral.objects.get(pk=world.referral.pk).status == S.SENT
    response = partner.post(url, {"action": "declined", "text": "No places until March."})
    assert response.status_code == 302
    referral = Referral.objects.get(pk=world.referral.pk)
    assert referral.status == S.DECLINED and referral.decline_reason == "No places until March."
    assert (
        "No places until March."
        in client_for(world.sender).get(f"/referrals/{referral.pk}/").content.decode()
    )


def test_a_follow_up_is_due_to_the_sender_until_marked_done(world: World) -> None:
    sender = client_for(world.sender)
    url = f"/referrals/{world.referral.pk}/update/"
    today = timezone.localdate()
    response = sender.post(
        url, {"action": "note", "text": "Call about the interview.", "due_on": today.isoformat()}
    )
    assert response.status_code == 302
    follow_up = world.referral.notes.get()
    assert follow_up.due_on == today and follow_up.done_at is None
    listed = sender.get("/referrals/").content.decode()
    assert "1 referral you sent has a follow-up due" in listed and "Follow-up due</span>" in listed
    filtered = sender.get("/referrals/", {"follow_up_due": "on"}).content.decode()
    assert world.referral.number in filtered
    detail = sender.get(f"/referrals/{world.referral.pk}/").content.decode()
    assert f"due {today:%Y-%m-%d}" in detail and f"follow_up_done:{follow_up.pk}" in detail
    assert sender.post(url, {"action": f"follow_up_done:{follow_up.pk}"}).status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None and follow_up.done_by == world.sender
    listed = sender.get("/referrals/").content.decode()
    assert "has a follow-up due" not in listed and "Follow-up due</span>" not in listed
    assert (
        f"done {today:%Y-%m-%d}" in sender.get(f"/referrals/{world.referral.pk}/").content.decode()
    )
    audited = AuditEntry.objects.filter(object_type="referrals.referralnote", actor=world.sender)
    assert set(audited.values_list("action", flat=True)) == {AuditAction.CREATE, AuditAction.UPDATE}


def test_a_follow_up_due_later_is_not_due_yet(world: World) -> None:
    later = timezone.localdate() + dt.timedelta(days=3)
    services.add_note(world.sender, world.referral, "Check in.", due_on=later)
    assert not selectors.search_referrals(world.sender, {"follow_up_due": True}).exists()
    assert "has a follow-up due" not in client_for(world.sender).get("/referrals/").content.decode()


def test_a_follow_up_date_must_be_ahead_and_only_on_a_follow_up(world: World) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="in the past"):
        services.add_note(world.sender, world.referral, "Late.", due_on=yesterday)
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    services.move_referral(world.partner, world.referral, S.IN_SERVICE)
    with pytest.raises(ValidationError, match="Only a follow-up note"):
        services.add_note(
            world.partner,
            world.referral,
            "Interview coaching.",
            kind="service_delivered",
            due_on=timezone.localdate(),
        )
    assert not world.referral.notes.exists()


def test_a_move_with_a_follow_up_date_is_refused_by_the_form(world: World) -> None:
    sender = client_for(world.sender)
    url = f"/referrals/{world.referral.pk}/update/"
    page = sender.post(
        url, {"action": "closed_unresolved", "text": "Moved away.", "due_on": "2099-01-01"}
    )
    assert page.status_code == 200
    assert "Only a follow-up note has a date to do it by." in page.content.decode()
    world.referral.refresh_from_db()
    assert world.referral.status == S.SENT


def test_an_organisation_cannot_close_the_departments_follow_up(world: World) -> None:
    follow_up = services.add_note(
        world.sender, world.referral, "Ask for the start date.", due_on=timezone.localdate()
    )
    page = client_for(world.partner).get(f"/referrals/{world.referral.pk}/").content.decode()
    assert f"follow_up_done:{follow_up.pk}" not in page
    with pytest.raises(PermissionDenied):
        services.complete_follow_up(world.partner, follow_up)
    follow_up.refresh_from_db()
    assert follow_up.done_at is None
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, actor=world.partner).exists()
    # The organisation's own follow-ups are theirs to keep, and never alert the sender.
    own = services.add_note(
        world.partner, world.referral, "Send forms.", due_on=timezone.localdate()
    )
    assert selectors.follow_ups_due(world.partner).get() == own
    assert list(selectors.follow_ups_due(world.sender)) == [follow_up]
    services.complete_follow_up(world.partner, own)
    with pytest.raises(ValidationError, match="not open"):
        services.complete_follow_up(world.partner, own)


def test_an_unanswered_referral_is_overdue_on_the_senders_list(world: World, settings) -> None:
    settings.REFERRAL_ANSWER_HOURS = 72
    sender = client_for(world.sender)
    assert "Overdue" not in sender.get("/referrals/").content.decode()
    Referral.objects.filter(pk=world.referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(hours=73)
    )
    page = sender.get("/referrals/").content.decode()
    assert "Overdue" in page
    assert "1 referral you sent has not been answered within 72 hours" in page
    other_sender = client_for(user_with_role(R.CASE_MANAGER)).get("/referrals/").content.decode()
    assert "Overdue" in other_sender and "you sent has not" not in other_sender
    assert world.referral.number in sender.get("/referrals/", {"overdue": "on"}).content.decode()
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    assert "Overdue" not in sender.get("/referrals/").content.decode()


def test_an_accepted_referral_not_started_in_time_is_overdue(world: World, settings) -> None:
    settings.REFERRAL_START_DAYS = 14
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    sender = client_for(world.sender)
    assert "Overdue" not in sender.get("/referrals/").content.decode()
    Referral.objects.filter(pk=world.referral.pk).update(
        answered_at=timezone.now() - dt.timedelta(days=15)
    )
    page = sender.get("/referrals/").content.decode()
    assert "1 referral you sent was accepted but the service has not started within 14 days" in page
    assert "has not been answered" not in page
    detail = sender.get(f"/referrals/{world.referral.pk}/").content.decode()
    assert "accepted, service not started within 14 days" in detail
    listed = sender.get("/api/v1/referrals/").json()["results"]
    assert [r["is_overdue"] for r in listed] == [True]
    services.move_referral(world.partner, world.referral, S.IN_SERVICE)
    assert "Overdue" not in sender.get("/referrals/").content.decode()


# --- Consent and the directory ---------------------------------------------------------------


def test_without_consent_in_force_a_referral_cannot_be_sent(world: World) -> None:
    person = PersonFactory(given_name="Ola", family_name="Ray")
    before = Referral.objects.count()
    with pytest.raises(ValidationError, match="no consent in force"):
        services.create_referral(world.sender, person, world.service)
    assert Referral.objects.count() == before  # nothing half-made
    page = client_for(world.sender).get(
        "/referrals/new/", {"person": f"P{person.pk:07d}", "service": str(world.service.pk)}
    )
    text = page.content.decode()
    assert "No consent to share with" in text and "cannot be sent" in text
    assert 'name="send" value="1"' not in text
    # A draft may wait for the consent, but cannot be sent without it.
    draft = services.create_referral(world.sender, person, world.service, send=False)
    with pytest.raises(ValidationError, match="no consent in force"):
        services.move_referral(world.sender, draft, S.SENT)


def test_an_expired_consent_is_no_consent(world: World) -> None:
    person = PersonFactory()
    today = timezone.localdate()
    consent(
        person,
        world.team,
        ["general"],
        valid_from=today - dt.timedelta(days=60),
        valid_until=today - dt.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="no consent in force"):
        services.create_referral(world.sender, person, world.service)


@pytest.mark.parametrize("status", ["defunct", "inactive", "temporarily closed"])
def test_a_service_no_longer_offered_is_refused(world: World, status: str) -> None:
    Service.objects.filter(pk=world.service.pk).update(status=status)
    service = Service.objects.get(pk=world.service.pk)
    with pytest.raises(ValidationError, match="no longer offers"):
        services.create_referral(world.sender, world.person, service)
    page = client_for(world.sender).get(
        "/referrals/new/", {"person": world.person.record_number, "service": str(service.pk)}
    )
    assert "no longer offers" in page.content.decode()


def test_a_draft_to_a_service_that_closed_since_cannot_be_sent(world: World) -> None:
    draft = services.create_referral(world.sender, world.person, world.service, send=False)
    Service.objects.filter(pk=world.service.pk).update(status="defunct")
    draft.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer offers"):
        services.move_referral(world.sender, draft, S.SENT)


def test_the_form_shows_what_will_be_shared_then_sends(world: World) -> None:
    staff = client_for(world.sender)
    url = f"/referrals/new/?person={world.person.record_number}&service={world.service.pk}"
    page = staff.get(url).content.decode()
    assert "What will be shared with" in page and "Marcus Hale" in page and "12 Open St" in page
    assert "KC-55501" not in page
    response = staff.post(url, {"note": "Wants forklift training.", "send": "1"})
    assert response.status_code == 302
    made = Referral.objects.latest("id")
    assert made.status == S.SENT and made.note == "Wants forklift training."
    assert made.created_by == world.sender


def test_a_partner_cannot_make_referrals(world: World) -> None:
    assert client_for(world.partner).get("/referrals/new/").status_code == 403
    with pytest.raises(PermissionDenied):
        services.create_referral(world.partner, world.person, world.service)


# --- Audit, timeline, export, report ---------------------------------------------------------


def test_every_change_and_every_view_of_shared_details_is_audited(world: World) -> None:
    created = AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="referrals.referral", person_id=world.person.pk
    )
    assert created.count() == 1
    sent = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(world.referral.pk))
    assert sent.get().changes == {"status": {"old": "draft", "new": "sent"}}
    client_for(world.partner).get(f"/referrals/{world.referral.pk}/")
    viewed = AuditEntry.objects.filter(actor=world.partner, person_id=world.person.pk)
    assert viewed.filter(action=AuditAction.VIEW).exists()
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    assert AuditEntry.objects.filter(
        action=AuditAction.UPDATE, actor=world.partner, object_id=str(world.referral.pk)
    ).exists()
    stranger = client_for(user_with_role(R.PARTNER_USER))
    assert stranger.get(f"/referrals/{world.referral.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.DENIED, person_id=world.person.pk).exists()


def test_referral_moves_are_on_the_persons_timeline(world: World) -> None:
    page = client_for(world.sender).get(f"/people/{world.person.pk}/").content.decode()
    assert f"Referral {world.referral.number} to" in page and ": sent" in page
    assert f"/referrals/new/?person={world.person.record_number}" in page  # the Refer action


def test_the_export_lists_record_numbers_not_names_and_is_audited(world: World) -> None:
    director = user_with_role(R.DIRECTOR)
    response = client_for(director).get("/referrals/export.csv")
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert world.referral.number in body and world.person.record_number in body
    assert "Marcus" not in body
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, actor=director).exists()
    assert client_for(world.sender).get("/referrals/export.csv").status_code == 403


def test_the_report_counts_by_organisation_and_need(world: World) -> None:
    services.move_referral(world.partner, world.referral, S.ACCEPTED)
    Referral.objects.filter(pk=world.referral.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=4)
    )
    services.move_referral(world.partner, world.referral, S.IN_SERVICE)
    services.move_referral(world.partner, world.referral, S.COMPLETED, "Hired.")
    other = PersonFactory()
    consent(other, world.team, ["general"])
    declined = services.create_referral(world.sender, other, world.service)
    services.move_referral(world.partner, declined, S.DECLINED, "Full.")
    rows = selectors.referral_report()
    assert len(rows) == 2  # one with the need, one without
    tagged = next(r for r in rows if r.need == "Employment")
    assert (tagged.sent, tagged.accepted, tagged.completed) == (1, 1, 1)
    assert tagged.median_days_to_service == pytest.approx(4.0, abs=0.1)
    untagged = next(r for r in rows if r.need == "Not categorised")
    assert (untagged.sent, untagged.accepted, untagged.completed) == (1, 0, 0)
    analyst = client_for(user_with_role(R.ANALYST))
    page = analyst.get("/referrals/report/").content.decode()
    assert world.service.organization.name in page and "Employment" in page
    csv = b"".join(analyst.get("/referrals/report/export.csv").streaming_content).decode()  # type: ignore[attr-defined]
    # The export leaves the department: one referral is a small cell, so it is suppressed
    # (the page above shows the whole counts) and the file says so.
    assert "median_days_to_first_service" in csv and "Employment,<11,<11,<11,suppressed" in csv
    assert "Employment,1,1,1" not in csv
    assert csv.rstrip().splitlines()[-1].startswith("Note: Counts from 1 to 10 are shown as <11")
    assert "small cells are suppressed" in page


def test_the_report_export_publishes_cells_of_eleven_or_more(world: World) -> None:
    for _ in range(11):
        other = PersonFactory()
        consent(other, world.team, ["general"])
        referral = services.create_referral(world.sender, other, world.service)
        services.move_referral(world.partner, referral, S.ACCEPTED)
        services.move_referral(world.partner, referral, S.IN_SERVICE)
    analyst = client_for(user_with_role(R.ANALYST))
    csv = b"".join(analyst.get("/referrals/report/export.csv").streaming_content).decode()  # type: ignore[attr-defined]
    # 11 sent without a need category, accepted and started the same day, none completed:
    # zero is no small cell, and 11 days-to-service values give a median.
    assert "Not categorised,11,11,0,0.0" in csv
    assert "Employment,<11,0,0," in csv  # the world's one referral (sent only), suppressed


def test_history_rows_exist_for_each_referral(world: World) -> None:
    assert ReferralEvent.objects.filter(referral=world.referral).count() == 2


def test_the_api_moves_a_referral_as_the_policy_allows(world: World) -> None:
    url = f"/api/v1/referrals/{world.referral.pk}/move/"
    staff = client_for(world.sender)
    assert staff.post(url, {"to": "accepted"}, content_type="application/json").status_code == 404
    partner = client_for(world.partner)
    refused = partner.post(url, {"to": "completed"}, content_type="application/json")
    assert refused.status_code == 400 and "cannot be moved" in refused.content.decode()
    done = partner.post(url, {"to": "accepted"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["status"] == "accepted"


def test_the_api_makes_referrals_only_with_consent(world: World) -> None:
    staff = client_for(world.sender)
    body = {"person": world.person.pk, "service": str(world.service.pk), "note": "Boots."}
    made = staff.post("/api/v1/referrals/", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["status"] == "sent"
    stranger = PersonFactory()
    body["person"] = stranger.pk
    refused = staff.post("/api/v1/referrals/", body, content_type="application/json")
    assert refused.status_code == 400 and "no consent in force" in refused.content.decode()
    assert not Referral.objects.filter(person=stranger).exists()


def test_a_service_page_offers_a_referral_only_where_one_can_be_made(world: World) -> None:
    url = f"/directory/services/{world.service.pk}/"
    link = f"/referrals/new/?service={world.service.pk}"
    assert link in client_for(world.sender).get(url).content.decode()
    assert link not in client_for(world.partner).get(url).content.decode()
    Service.objects.filter(pk=world.service.pk).update(status="defunct")
    assert link not in client_for(world.sender).get(url).content.decode()
    elsewhere = ServiceFactory()  # an organisation with no partner team
    page = client_for(world.sender).get(f"/directory/services/{elsewhere.pk}/").content.decode()
    assert "/referrals/new/" not in page
