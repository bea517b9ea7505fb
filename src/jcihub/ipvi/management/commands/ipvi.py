"""`jcihub ipvi rebuild`: bring the IPVI candidate queue up to date (daily, from cron)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jcihub.ipvi.services import rebuild_queue


class Command(BaseCommand):
    help = (
        "Rebuild the IPVI candidate queue from the incident data: every person who caused "
        "harm in a domestic-violence incident (KCPD's DV flag, or a victim who is their "
        "recorded intimate partner) becomes a candidate with the tier the ladder proposes. "
        "Waiting candidates are refreshed, ones that no longer qualify withdrawn; decided "
        "ones are never changed. Running it twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"], help="What to do.")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs, cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        progress = Progress(
            TextColumn("Candidates"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=options["no_progress"],
        )
        task = progress.add_task("candidates", total=None)
        try:
            with progress:
                summary = rebuild_queue(
                    progress=lambda done, total: progress.update(task, completed=done, total=total)
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        console.print(
            f"IPVI queue: {summary.candidates:,} "
            f"candidate{'' if summary.candidates == 1 else 's'} ({summary.created:,} new, "
            f"{summary.updated:,} updated, {summary.unchanged:,} unchanged, "
            f"{summary.withdrawn:,} withdrawn, {summary.decided_kept:,} decided and kept, "
            f"{summary.youth:,} on the youth path)."
        )
