"""Escalated action items are mailed to their owner and the coordinators, once, with
nothing in the message beyond case and item numbers; mail that failed goes again."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import TeamFactory, user_with_role
from jcihub.core.tests.mail_backends import PARTLY_DOWN, UNREACHABLE
from jcihub.taskforce import services
from jcihub.taskforce.mail import mail_escalations
from jcihub.taskforce.models import AgencyTeam

from .helpers import place

pytestmark = pytest.mark.django_db
TODAY = dt.date(2024, 6, 30)


@pytest.fixture
def coordinator():
    return user_with_role("taskforce_coordinator", email="coordinator@example.org")


@pytest.fixture
def owner():
    team = TeamFactory(kind="agency", name="Police team")
    AgencyTeam.objects.create(agency="police", team=team)
    user = user_with_role("agency_liaison", email="owner@example.org")
    user.teams.add(team)
    return user


@pytest.fixture
def late_item(coordinator, owner):
    case = services.open_case(coordinator, place(), "police", "Repeated violence")
    item = services.add_action_item(
        coordinator, case, "Board up 3400 Norton", "police", TODAY - dt.timedelta(days=30), owner
    )
    services.escalate_overdue_items(TODAY, 14)
    return item


def _escalate(*args: str) -> str:
    out = StringIO()
    call_command("taskforce", "escalate", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


def test_the_owner_and_the_coordinator_each_get_one_message(late_item) -> None:
    outcome = mail_escalations(TODAY, 14)
    assert sorted(m.to[0] for m in mail.outbox) == ["coordinator@example.org", "owner@example.org"]
    assert outcome.items_mailed == 1
    body = mail.outbox[0].body
    assert f"case {late_item.case_id}, item {late_item.pk} (Police (KCPD)): due 2024-05-31" in body
    assert "30 days overdue" in body
    assert "/taskforce/cases/" in body


def test_the_message_carries_no_description_or_address(late_item) -> None:
    mail_escalations(TODAY, 14)
    for message in mail.outbox:
        assert "Norton" not in message.body and "Board up" not in message.body
        assert "Norton" not in message.subject


def test_an_item_is_mailed_once(late_item) -> None:
    mail_escalations(TODAY, 14)
    again = mail_escalations(TODAY, 14)
    assert len(mail.outbox) == 2 and again.items_mailed == 0 and again.sent == []


def test_every_message_sent_is_in_the_audit_trail(late_item, owner) -> None:
    mail_escalations(TODAY, 14)
    entries = AuditEntry.objects.filter(
        action=AuditAction.EXPORT, summary__startswith="Mailed", object_type="accounts.user"
    )
    assert entries.count() == 2
    assert entries.filter(object_id=str(owner.pk), summary__endswith=str(late_item.pk)).exists()


def test_an_owner_without_mail_leaves_the_coordinators(late_item, owner) -> None:
    owner.is_active = False
    owner.save()
    mail_escalations(TODAY, 14)
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


def test_an_owner_who_left_the_agency_is_not_mailed_its_items(late_item, owner) -> None:
    owner.teams.clear()
    mail_escalations(TODAY, 14)
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]


def test_mail_that_failed_is_sent_again_by_the_next_run(late_item, owner, settings) -> None:
    owner.email = UNREACHABLE
    owner.save()
    settings.EMAIL_BACKEND = PARTLY_DOWN
    first = mail_escalations(TODAY, 14)
    assert first.failed.keys() == {owner.get_username()} and first.items_mailed == 0
    assert [m.to for m in mail.outbox] == [["coordinator@example.org"]]
    owner.email = "owner@example.org"
    owner.save()
    second = mail_escalations(TODAY, 14)
    assert second.items_mailed == 1 and not second.failed


def test_the_command_fails_loudly_when_mail_failed(late_item, owner, settings) -> None:
    owner.email = UNREACHABLE
    owner.save()
    settings.EMAIL_BACKEND = PARTLY_DOWN
    with pytest.raises(CommandError, match=r"Mail to 1 recipient\(s\) failed .*next run"):
        _escalate()


def test_the_command_mails_and_says_so(late_item, settings) -> None:
    settings.EMAIL_HOST = ""
    out = _escalate()
    assert "No mail server is set" in out
    assert "Mailed 2 recipients about 1 escalated item." in out


def test_no_mail_escalates_without_mailing(coordinator) -> None:
    case = services.open_case(coordinator, place(), "police", "x")
    services.add_action_item(
        coordinator, case, "y", "police", TODAY - dt.timedelta(days=30), coordinator
    )
    assert "Escalated 1 action item" in _escalate("--no-mail")
    assert mail.outbox == []


def test_a_reopened_item_escalated_again_is_mailed_again(late_item, coordinator) -> None:
    mail_escalations(TODAY, 14)
    services.set_item_status(coordinator, late_item, "done")
    services.set_item_status(coordinator, late_item, "open")
    services.escalate_overdue_items(TODAY, 14)
    assert mail_escalations(TODAY, 14).items_mailed == 1
