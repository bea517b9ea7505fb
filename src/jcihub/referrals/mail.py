"""Mail to referrals' senders (`jcihub referrals remind`, daily from cron): referrals past
their service-level timer, and open referrals whose service is no longer offered.

The timers are the ones the referral list's banner shows (`selectors.unanswered`, sent and
not answered within REFERRAL_ANSWER_HOURS; `selectors.not_started`, accepted and not
started within REFERRAL_START_DAYS). A service is no longer offered when the directory's
status for it is not active (`selectors.service_has_ended`). Each sender gets one message
of each kind listing their referrals, by number, with the organisation, the service, what
is wrong and a link: nothing of the person referred (mail leaves the department's
systems), and for a victim-services referral not even the organisation, which would
locate the victim. A sender is told only of referrals the access policy still lets them
open. A referral is marked once every message about it went out (`core.mail`); an overdue
referral is not reminded again until a later move starts a new timer that runs out too."""

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from jcihub.access import policy
from jcihub.accounts.models import User
from jcihub.core.mail import MailOutcome, send_audited

from . import selectors
from .models import Referral


def reminders_to_mail() -> list[Referral]:
    return _rows(selectors.reminders_due())


def service_ended_to_mail() -> list[Referral]:
    return _rows(selectors.service_ended_notices_due())


def recipients(referrals: list[Referral]) -> dict[User, list[Referral]]:
    """Each sender's referrals, of those the policy still lets the sender open; a sender
    who has left, or has no address, is told nothing."""
    by_sender: dict[User, list[Referral]] = {}
    for referral in referrals:
        sender = referral.created_by
        if sender is not None and sender.is_active and sender.email:
            by_sender.setdefault(sender, []).append(referral)
    found = {}
    for sender, theirs in sorted(by_sender.items(), key=lambda pair: pair[0].pk):
        visible = set(
            policy.visible_referrals(
                sender, Referral.objects.filter(pk__in=[r.pk for r in theirs])
            ).values_list("pk", flat=True)
        )
        if shown := [r for r in theirs if r.pk in visible]:
            found[sender] = shown
    return found


def describe_overdue(referral: Referral, now: dt.datetime) -> str:
    reason = selectors.overdue_reason(referral)
    since = selectors.overdue_since(referral)
    late = f", overdue by {_duration(now - since)}" if since else ""
    return f"{referral.number} to {_destination(referral)}: {reason}{late}. {_link(referral)}"


def describe_service_ended(referral: Referral, now: dt.datetime) -> str:
    status = referral.service.get_status_display().lower()
    return (
        f"{referral.number} to {_destination(referral)} ({referral.get_status_display().lower()}"
        f"): the directory now lists the service as {status}. {_link(referral)}"
    )


def mail_reminders(*, send: bool = True) -> tuple[MailOutcome, dict[User, list[Referral]]]:
    """Mail each sender about their overdue referrals (or, with send=False, only say who
    would be mailed about what) and mark the referrals whose every message went out."""
    return _mail(
        reminders_to_mail(),
        send=send,
        what=("overdue referral", "overdue referrals"),
        heading="{count} referral{s} you sent {is_are} past the service-level time:",
        describe=describe_overdue,
        mark="reminded_at",
    )


def mail_service_ended(*, send: bool = True) -> tuple[MailOutcome, dict[User, list[Referral]]]:
    """Mail each sender about their open referrals to services no longer offered."""
    return _mail(
        service_ended_to_mail(),
        send=send,
        what=("referral to a service no longer offered", "referrals to services no longer offered"),
        heading=(
            "{count} open referral{s} you sent {is_are} to a service no longer offered; "
            "the person may need another referral:"
        ),
        describe=describe_service_ended,
        mark="service_ended_mailed_at",
    )


def _mail(
    referrals: list[Referral],
    *,
    send: bool,
    what: tuple[str, str],
    heading: str,
    describe: Callable[[Referral, dt.datetime], str],
    mark: str,
) -> tuple[MailOutcome, dict[User, list[Referral]]]:
    now = timezone.now()
    outcome = MailOutcome()
    found = recipients(referrals)
    if not send:
        return outcome, found
    failed: set[int] = set()
    for user, theirs in found.items():
        count = len(theirs)
        plural = {"count": count, "s": "" if count == 1 else "s"}
        lines = [
            heading.format(**plural, is_are="is" if count == 1 else "are"),
            "",
            *(f"- {describe(r, now)}" for r in theirs),
            "",
            "Sign in to see them; no details of the people referred are in this message.",
        ]
        if not send_audited(
            outcome,
            user,
            f"JCI Hub: {count} {what[0] if count == 1 else what[1]}",
            lines,
            f"Mailed {user.get_username()} about {what[1]} " + ", ".join(r.number for r in theirs),
        ):
            failed.update(r.pk for r in theirs)
    done = [r.pk for r in referrals if r.pk not in failed]
    outcome.items_mailed = Referral.objects.filter(pk__in=done).update(**{mark: now})
    return outcome, found


def _rows(referrals: QuerySet[Referral]) -> list[Referral]:
    return list(
        referrals.select_related("created_by", "organization", "service").order_by("sent_at", "id")
    )


def _destination(referral: Referral) -> str:
    if referral.is_victim_service:
        return "a victim-services organisation"
    return f"{referral.organization.name}, {referral.service.name}"


def _link(referral: Referral) -> str:
    return f"{settings.SITE_URL}{reverse('referrals:detail', args=[referral.pk])}"


def _duration(delta: dt.timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 48:
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{hours // 24} days"
