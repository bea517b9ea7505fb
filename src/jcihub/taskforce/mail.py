"""Mail about escalated action items (`jcihub taskforce escalate`).

Each escalated item's owner, and every active taskforce coordinator, gets one message
listing their escalated items, after the escalation has committed. Mail leaves the
department's systems, so a message names cases and items by number, with the owning
agency, due date and days overdue, and links to the dashboard: no description, no
address, no person. An item is marked mailed once every message about it has gone out;
an item whose mail failed is mailed again by the next run."""

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode
from jcihub.core.mail import MailOutcome, send_audited

from .models import ActionItem, TaskforceCase


def items_to_mail() -> QuerySet[ActionItem]:
    """Escalated items, still open on open cases, whose mail has not gone out."""
    return (
        ActionItem.objects.filter(
            status=ActionItem.Status.OPEN,
            case__status=TaskforceCase.Status.OPEN,
            escalated_at__isnull=False,
            escalation_mailed_at__isnull=True,
        )
        .select_related("owner")
        .order_by("due_on", "id")
    )


def mail_escalations(today: dt.date, after_days: int) -> MailOutcome:
    """Send each recipient one message about their escalated items; mark the items whose
    every message went out."""
    outcome = MailOutcome()
    items = list(items_to_mail())
    failed_items: set[int] = set()
    for user, theirs in _by_recipient(items).items():
        if not _send(outcome, user, theirs, today, after_days):
            failed_items.update(item.pk for item in theirs)
    mailed = [item.pk for item in items if item.pk not in failed_items]
    outcome.items_mailed = ActionItem.objects.filter(pk__in=mailed).update(
        escalation_mailed_at=timezone.now()
    )
    return outcome


def _by_recipient(items: list[ActionItem]) -> dict[User, list[ActionItem]]:
    """Each recipient's items: the coordinators get every item, an owner their own; and
    only what the access policy lets that user see (an owner who has left the agency
    hears nothing more of its items)."""
    coordinators = set(
        User.objects.filter(is_active=True, role_id=RoleCode.TASKFORCE_COORDINATOR).exclude(
            email=""
        )
    )
    owners = {item.owner for item in items if item.owner and item.owner.is_active}
    ids = [item.pk for item in items]
    recipients: dict[User, list[ActionItem]] = {}
    for user in sorted(coordinators | {o for o in owners if o.email}, key=lambda u: u.pk):
        visible = set(
            policy.visible_action_items(user, ActionItem.objects.filter(pk__in=ids)).values_list(
                "pk", flat=True
            )
        )
        theirs = [
            item
            for item in items
            if item.pk in visible and (user in coordinators or item.owner_id == user.pk)
        ]
        if theirs:
            recipients[user] = theirs
    return recipients


def _send(
    outcome: MailOutcome, user: User, items: list[ActionItem], today: dt.date, after_days: int
) -> bool:
    count = len(items)
    lines = [
        f"{count} taskforce action item{'' if count == 1 else 's'} "
        f"{'is' if count == 1 else 'are'} overdue by more than "
        f"{after_days} days and escalated:",
        "",
        *(
            f"- case {item.case_id}, item {item.pk} ({item.get_owner_agency_display()}): "
            f"due {item.due_on:%Y-%m-%d}, {(today - item.due_on).days} days overdue"
            for item in items
        ),
        "",
        f"Sign in to see them: {settings.SITE_URL}{reverse('taskforce:cases')}",
    ]
    return send_audited(
        outcome,
        user,
        f"JCI Hub: {count} escalated taskforce action item{'' if count == 1 else 's'}",
        lines,
        f"Mailed {user.get_username()} about escalated action items "
        + ", ".join(str(item.pk) for item in items),
    )
