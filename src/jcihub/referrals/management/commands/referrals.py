"""`jcihub referrals remind`: mail each sender about their referrals past the
service-level timers, and about their open referrals to services no longer offered
(daily, from cron)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from jcihub.core.mail import describe_outcome, raise_if_failed
from jcihub.referrals import mail


class Command(BaseCommand):
    help = (
        "remind: mail each referral's sender when it is past its service-level timer (sent "
        "and not answered within JCIHUB_REFERRAL_ANSWER_HOURS, or accepted and not started "
        "within JCIHUB_REFERRAL_START_DAYS), and when an open referral's service is no "
        "longer offered (its directory status is not active); one message of each kind per "
        "sender, numbers and links only (JCIHUB_EMAIL_HOST; without one the mail is written "
        "here). A referral is mailed once per overdue spell, and once about its service; "
        "mail that failed is sent again by the next run. --dry-run (or --no-mail) lists "
        "what would be mailed and marks nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"], help="What to do.")
        parser.add_argument(
            "--dry-run",
            "--no-mail",
            dest="dry_run",
            action="store_true",
            help="Say who would be mailed about what; send nothing, mark nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = [
            (("overdue referral", "overdue referrals"), mail.mail_reminders, mail.describe_overdue),
            (
                (
                    "referral to a service no longer offered",
                    "referrals to services no longer offered",
                ),
                mail.mail_service_ended,
                mail.describe_service_ended,
            ),
        ]
        if options["dry_run"]:
            now = timezone.now()
            for what, run, describe in kinds:
                _, found = run(send=False)
                count = sum(len(theirs) for theirs in found.values())
                self.stdout.write(
                    f"Would mail {len(found)} sender{'' if len(found) == 1 else 's'} about "
                    f"{count} {what[0] if count == 1 else what[1]} (nothing sent):"
                )
                for user, theirs in found.items():
                    self.stdout.write(f"  {user.get_username()} <{user.email}>:")
                    for referral in theirs:
                        self.stdout.write(f"    {describe(referral, now)}")
            return
        outcomes = []
        written: set[str] = set()
        for what, run, _ in kinds:
            outcome, _ = run()
            outcomes.append(outcome)
            for line in describe_outcome(outcome, what):
                if line not in written:  # "no mail server" once
                    self.stdout.write(line)
                    written.add(line)
        raise_if_failed(*outcomes)
