"""Notification mail that leaves the department's systems, shared by the daily commands
(`jcihub taskforce escalate`, `jcihub referrals remind`).

A message names records by number and links to the hub: the caller composes it so, with
nothing of the person or place in it. Each message sent is in the audit trail (an export
to the recipient); a message the mail server refused is counted as failed, not as sent, so
the caller leaves its records unmarked and the next run sends it again; the command then
fails loudly (`raise_if_failed`)."""

import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import CommandError
from django.db import transaction

from jcihub.accounts.models import User
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record


@dataclass
class MailOutcome:
    is_mail_server_set: bool = field(default_factory=lambda: bool(settings.EMAIL_HOST))
    sent: list[User] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # username -> the server's error
    items_mailed: int = 0


def send_audited(
    outcome: MailOutcome, user: User, subject: str, lines: Sequence[str], summary: str
) -> bool:
    """Mail the user; on success record it (`summary`, e.g. "Mailed alice about ...") and
    add them to `outcome.sent`; on a server's refusal add the error to `outcome.failed`.
    True if the message went out."""
    try:
        send_mail(
            subject=subject, message="\n".join(lines), from_email=None, recipient_list=[user.email]
        )
    except (smtplib.SMTPException, OSError) as error:
        outcome.failed[user.get_username()] = str(error) or type(error).__name__
        return False
    outcome.sent.append(user)
    with transaction.atomic():
        record(
            None,
            AuditAction.EXPORT,
            object_type="accounts.user",
            object_id=str(user.pk),
            summary=summary,
        )
    return True


def describe_outcome(outcome: MailOutcome, what: tuple[str, str]) -> list[str]:
    """The command's report lines: `what` names the records, singular and plural."""
    lines = []
    if not outcome.is_mail_server_set:
        lines.append("No mail server is set (JCIHUB_EMAIL_HOST): the mail is above.")
    count = len(outcome.sent)
    lines.append(
        f"Mailed {count} recipient{'' if count == 1 else 's'} about {outcome.items_mailed} "
        f"{what[0] if outcome.items_mailed == 1 else what[1]}."
    )
    return lines


def raise_if_failed(*outcomes: MailOutcome) -> None:
    """A CommandError naming every recipient whose mail failed in any of the runs."""
    failed = {user: error for outcome in outcomes for user, error in outcome.failed.items()}
    if failed:
        failures = "; ".join(f"{user}: {error}" for user, error in failed.items())
        raise CommandError(
            f"Mail to {len(failed)} recipient(s) failed ({failures}); the next run sends it again."
        )
