"""`jcihub taskforce escalate`: escalate overdue action items (daily, from cron);
`jcihub taskforce recount`: count the kept daily counts again from every incident."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jcihub.core.mail import MailOutcome, describe_outcome, raise_if_failed
from jcihub.taskforce import counts
from jcihub.taskforce.mail import mail_escalations
from jcihub.taskforce.models import DailyCount
from jcihub.taskforce.services import escalate_overdue_items


class Command(BaseCommand):
    help = (
        "Escalate every open action item, on an open case, that is overdue by more than "
        "TASKFORCE_ESCALATE_AFTER_DAYS days (or --after-days): it is marked escalated on "
        "the coordinator's and the owner's dashboards, with an audit entry, and mailed to its "
        "owner and the taskforce coordinators (JCIHUB_EMAIL_HOST; without one the mail is "
        "written here). An item is escalated once; mail that failed is sent again by the "
        "next run; running the command again the same day changes nothing else. "
        "recount: count the taskforce's daily counts again from every incident (imports, "
        "address corrections and category changes keep them; this is for repairs)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["escalate", "recount"], help="What to do.")
        parser.add_argument(
            "--after-days",
            type=int,
            default=None,
            help="Days overdue before escalation (default: TASKFORCE_ESCALATE_AFTER_DAYS).",
        )
        parser.add_argument(
            "--today", type=dt.date.fromisoformat, default=None, help="As if on this date."
        )
        parser.add_argument(
            "--no-mail", action="store_true", help="Escalate without mailing anyone."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "recount":
            seconds = counts.rebuild("recounted by jcihub taskforce recount")
            rows = DailyCount.objects.count()
            self.stdout.write(f"Counted {rows:,} daily rows from the incidents in {seconds:.1f} s.")
            return
        after = options["after_days"]
        after = settings.TASKFORCE_ESCALATE_AFTER_DAYS if after is None else after
        today = options["today"] or timezone.localdate()
        try:
            escalated = escalate_overdue_items(today, after)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"Escalated {len(escalated)} action item{'' if len(escalated) == 1 else 's'} "
            f"overdue by more than {after} days on {today:%Y-%m-%d}."
        )
        for item in escalated:
            self.stdout.write(
                f"  case {item.case_id}, item {item.pk}: {item.description} "
                f"({item.get_owner_agency_display()}, due {item.due_on:%Y-%m-%d})"
            )
        if not options["no_mail"]:
            self._report_mail(mail_escalations(today, after))

    def _report_mail(self, outcome: MailOutcome) -> None:
        for line in describe_outcome(outcome, ("escalated item", "escalated items")):
            self.stdout.write(line)
        raise_if_failed(outcome)
