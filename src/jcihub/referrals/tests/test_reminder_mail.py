"""`jcihub referrals remind`: the sender of a referral past its service-level timer is
mailed once per overdue spell, with numbers and links and nothing of the person; mail
that failed goes again; only referrals the sender may still open are mentioned."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    PersonFactory,
    TeamFactory,
    consent,
    user_with_role,
)
from jcihub.core.tests.mail_backends import PARTLY_DOWN, UNREACHABLE
from jcihub.people.models import Identifier
from jcihub.referrals import services
from jcihub.referrals.mail import mail_reminders, mail_service_ended
from jcihub.referrals.models import Referral, ReferralStatus, Service
from jcihub.referrals.tests.factories import sample_referral, sample_service

pytestmark = pytest.mark.django_db
# Everything of the person the referral carries or links to.
PERSONAL = ["Marcus", "Hale", "1990-05-01", "05/01/1990", "12 Open St", "KC-55501", "boots"]


@pytest.fixture
def sender():
    return user_with_role(R.CASE_MANAGER, email="sender@example.org")


@pytest.fixture
def partner_team():
    return TeamFactory(name="Hope Works", kind="partner_org")


@pytest.fixture
def referral(sender, partner_team) -> Referral:
    person = PersonFactory(given_name="Marcus", family_name="Hale", birth_date=dt.date(1990, 5, 1))
    AddressFactory(person=person, line1="12 Open St")
    Identifier.objects.create(person=person, system="kcpd", value="KC-55501")
    consent(person, partner_team, ["general"])
    referral = sample_referral(person, sample_service(), partner_team, sender, "Needs boots.")
    return referral


def _age(referral: Referral, **ago: float) -> None:
    """Let this much time pass: move the referral's times back by it."""
    delta = dt.timedelta(**ago)
    referral.refresh_from_db()
    names = ["sent_at", "answered_at", "reminded_at"]
    for name in names:
        if value := getattr(referral, name):
            setattr(referral, name, value - delta)
    referral.save(update_fields=names)


def _remind(*args: str) -> str:
    out = StringIO()
    call_command("referrals", "remind", *args, stdout=out)
    return out.getvalue()


def test_an_unanswered_referral_past_its_time_is_mailed_to_its_sender(referral, settings) -> None:
    _age(referral, hours=75)
    outcome, _ = mail_reminders()
    assert [m.to for m in mail.outbox] == [["sender@example.org"]]
    assert outcome.items_mailed == 1 and outcome.sent and not outcome.failed
    message = mail.outbox[0]
    assert message.subject == "JCI Hub: 1 overdue referral"
    assert referral.number in message.body
    assert referral.organization.name in message.body and referral.service.name in message.body
    assert "not answered within 72 hours, overdue by 3 hours" in message.body
    assert f"{settings.SITE_URL}/referrals/{referral.pk}/" in message.body
    referral.refresh_from_db()
    assert referral.reminded_at is not None


def test_the_message_carries_nothing_of_the_person(referral) -> None:
    _age(referral, hours=100)
    mail_reminders()
    (message,) = mail.outbox
    for detail in PERSONAL:
        assert detail not in message.body and detail not in message.subject


def test_a_referral_within_its_time_is_not_mailed(referral) -> None:
    _age(referral, hours=70)
    outcome, _ = mail_reminders()
    assert mail.outbox == [] and outcome.items_mailed == 0


def test_a_second_run_sends_nothing(referral) -> None:
    _age(referral, hours=80)
    _remind()
    out = _remind()
    assert len(mail.outbox) == 1
    assert "Mailed 0 recipients about 0 overdue referrals." in out


def test_accepted_and_not_started_is_a_new_spell_mailed_again(referral, partner_team) -> None:
    _age(referral, hours=80)
    mail_reminders()
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(partner_team)
    services.move_referral(partner, referral, ReferralStatus.ACCEPTED)
    assert mail_reminders()[0].items_mailed == 0  # accepted just now: within the start time
    _age(referral, days=15)
    outcome, _ = mail_reminders()
    assert outcome.items_mailed == 1 and len(mail.outbox) == 2
    assert "accepted, service not started within 14 days" in mail.outbox[1].body
    assert mail_reminders()[0].items_mailed == 0


def test_each_message_sent_is_in_the_audit_trail(referral, sender) -> None:
    _age(referral, hours=80)
    mail_reminders()
    entry = AuditEntry.objects.get(
        action=AuditAction.EXPORT, object_type="accounts.user", object_id=str(sender.pk)
    )
    assert entry.summary.endswith(f"about overdue referrals {referral.number}")


def test_a_sender_who_may_no_longer_open_it_is_not_told(referral) -> None:
    _age(referral, hours=80)
    person = referral.person
    person.sealed_at = timezone.now()
    person.save(update_fields=["sealed_at"])
    mail_reminders()
    assert mail.outbox == []


def test_a_sender_who_left_is_not_told(referral, sender) -> None:
    _age(referral, hours=80)
    sender.is_active = False
    sender.save()
    mail_reminders()
    assert mail.outbox == []


def test_a_victim_services_referral_does_not_name_the_organisation(referral) -> None:
    Referral.objects.filter(pk=referral.pk).update(is_victim_service=True)
    referral.refresh_from_db()
    _age(referral, hours=80)
    mail_reminders()
    (message,) = mail.outbox
    assert referral.number in message.body and "a victim-services organisation" in message.body
    assert referral.organization.name not in message.body
    assert referral.service.name not in message.body


def test_mail_that_failed_is_not_marked_and_goes_again(referral, sender, settings) -> None:
    _age(referral, hours=80)
    sender.email = UNREACHABLE
    sender.save()
    settings.EMAIL_BACKEND = PARTLY_DOWN
    with pytest.raises(CommandError, match=r"Mail to 1 recipient\(s\) failed .*next run"):
        _remind()
    referral.refresh_from_db()
    assert referral.reminded_at is None and mail.outbox == []
    assert not AuditEntry.objects.filter(summary__contains="overdue referrals").exists()
    sender.email = "sender@example.org"
    sender.save()
    assert "Mailed 1 recipient about 1 overdue referral." in _remind()
    assert [m.to for m in mail.outbox] == [["sender@example.org"]]


def test_dry_run_lists_and_sends_nothing(referral) -> None:
    _age(referral, hours=80)
    out = _remind("--dry-run")
    assert "Would mail 1 sender about 1 overdue referral" in out and referral.number in out
    assert "Marcus" not in out
    assert mail.outbox == []
    referral.refresh_from_db()
    assert referral.reminded_at is None
    _remind("--no-mail")
    assert mail.outbox == []


def test_without_a_mail_server_the_command_says_so(referral, settings) -> None:
    settings.EMAIL_HOST = ""
    _age(referral, hours=80)
    out = _remind()
    assert "No mail server is set" in out
    assert "Mailed 1 recipient about 1 overdue referral." in out


# --- A service no longer offered ---------------------------------------------------------


def _end_service(referral: Referral, status: str = Service.Status.INACTIVE) -> None:
    Service.objects.filter(pk=referral.service_id).update(status=status)
    referral.refresh_from_db()


def test_the_sender_is_told_once_when_an_open_referrals_service_ends(referral) -> None:
    _end_service(referral)
    out = _remind()
    assert "Mailed 1 recipient about 1 referral to a service no longer offered." in out
    (message,) = mail.outbox
    assert message.subject == "JCI Hub: 1 referral to a service no longer offered"
    assert referral.number in message.body and referral.service.name in message.body
    assert "the directory now lists the service as inactive" in message.body
    for detail in PERSONAL:
        assert detail not in message.body and detail not in message.subject
    assert AuditEntry.objects.filter(
        summary__endswith=f"referrals to services no longer offered {referral.number}"
    ).exists()
    assert "about 0 referrals to services no longer offered" in _remind()
    assert len(mail.outbox) == 1


def test_an_in_service_referral_is_told_of_a_defunct_service(referral, partner_team) -> None:
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(partner_team)
    services.move_referral(partner, referral, ReferralStatus.ACCEPTED)
    services.move_referral(partner, referral, ReferralStatus.IN_SERVICE)
    _end_service(referral, Service.Status.DEFUNCT)
    assert mail_service_ended()[0].items_mailed == 1
    assert "(in service): the directory now lists the service as defunct" in mail.outbox[0].body


def test_closed_referrals_and_active_services_are_not_mentioned(referral, partner_team) -> None:
    assert mail_service_ended()[0].items_mailed == 0  # the service is active
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(partner_team)
    services.move_referral(partner, referral, ReferralStatus.DECLINED, "No places.")
    _end_service(referral)
    assert mail_service_ended()[0].items_mailed == 0 and mail.outbox == []


def test_a_service_notice_that_failed_goes_again(referral, sender, settings) -> None:
    _end_service(referral)
    sender.email = UNREACHABLE
    sender.save()
    settings.EMAIL_BACKEND = PARTLY_DOWN
    with pytest.raises(CommandError, match="failed"):
        _remind()
    referral.refresh_from_db()
    assert referral.service_ended_mailed_at is None
    sender.email = "sender@example.org"
    sender.save()
    assert mail_service_ended()[0].items_mailed == 1


def test_dry_run_lists_service_notices_and_marks_nothing(referral) -> None:
    _end_service(referral)
    out = _remind("--dry-run")
    assert "Would mail 1 sender about 1 referral to a service no longer offered" in out
    assert "no longer offered" in out and referral.number in out and mail.outbox == []
    referral.refresh_from_db()
    assert referral.service_ended_mailed_at is None


def test_the_referral_page_warns_while_open_to_a_service_no_longer_offered(
    referral, sender, partner_team
) -> None:
    client = Client()
    client.force_login(sender)
    warning = "This service is no longer offered"
    assert warning not in client.get(f"/referrals/{referral.pk}/").content.decode()
    _end_service(referral, Service.Status.TEMPORARILY_CLOSED)
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert warning in page and "as temporarily closed" in page and "still sent" in page
    partner = user_with_role(R.PARTNER_USER)
    partner.teams.add(partner_team)
    client.force_login(partner)
    assert warning in client.get(f"/referrals/{referral.pk}/").content.decode()
    services.move_referral(partner, referral, ReferralStatus.DECLINED, "Closed for now.")
    assert warning not in client.get(f"/referrals/{referral.pk}/").content.decode()
