"""`jcihub abandon-stale-imports`: mark import runs whose process died as abandoned."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jcihub.incidents.importer import STALE_AFTER, abandon_stale_runs


class Command(BaseCommand):
    help = (
        "Mark as abandoned the import runs left 'running' by a process that stopped: one on "
        "this machine whose process is gone, or any started more than --hours ago. Nothing "
        "of such a run was kept, so importing its file again redoes it cleanly. Every "
        "import does this first; run it by hand (or from cron) to clear the list sooner."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--hours",
            type=float,
            default=STALE_AFTER.total_seconds() / 3600,
            help=f"Age after which any running import counts as stopped "
            f"(default {STALE_AFTER.total_seconds() / 3600:g}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 0:
            raise CommandError("--hours must be 0 or more.")
        marked = abandon_stale_runs(older_than=dt.timedelta(hours=options["hours"]))
        self.stdout.write(f"{marked} import run{'s' if marked != 1 else ''} marked abandoned.")
