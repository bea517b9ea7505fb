"""`jcihub import incidents PATH...`: load KCPD crime-data files (CSV, plain or gzip)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from jcihub.incidents.importer import import_file
from jcihub.incidents.models import ImportRun


class Command(BaseCommand):
    help = (
        "Import data files. `import incidents PATH...` loads KCPD crime-data CSV files "
        "(plain or .gz, any year's column layout). Importing a file again changes nothing; "
        "rows that cannot be loaded are kept with the reason (see /incidents/imports/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["incidents"], help="What the files hold.")
        parser.add_argument("paths", nargs="+", type=Path, help="CSV or CSV.gz files.")
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (for logs and cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        paths: list[Path] = options["paths"]
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such file: {', '.join(missing)}")
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        failed = 0
        for path in paths:
            run = self._import(path, console, show_progress=not options["no_progress"])
            self._summary(console, run)
            failed += run.status != ImportRun.Status.COMPLETED
        if failed:
            raise CommandError(f"{failed} of {len(paths)} files did not import; see above.")

    def _import(self, path: Path, console: Console, *, show_progress: bool) -> ImportRun:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TextColumn("{task.fields[rows]:,} rows · {task.fields[rate]:,.0f} rows/s"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, disable=not show_progress) as bar:
            task = bar.add_task(path.name, total=path.stat().st_size, rows=0, rate=0.0)

            def progress(bytes_read: int, rows: int, phase: str) -> None:
                # The rate is the rows read over the whole time so far, merge included,
                # and the description says which phase runs (reading, then merging).
                elapsed = bar.tasks[task].elapsed or 0
                rate = rows / elapsed if elapsed else 0.0
                description = path.name if phase == "reading" else f"{path.name} · {phase}"
                bar.update(
                    task, completed=bytes_read, rows=rows, rate=rate, description=description
                )

            return import_file(path, progress=progress)

    def _summary(self, console: Console, run: ImportRun) -> None:
        seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
        table = Table(title=f"{run.file_name}: {run.get_status_display()}", title_justify="left")
        table.add_column("")
        table.add_column("count", justify="right")
        rate = f" ({run.rows_read / seconds:,.0f} rows/s)" if seconds else ""
        table.add_row("rows read" + rate, f"{run.rows_read:,}")
        table.add_row("rows rejected (kept with reasons)", f"{run.rows_rejected:,}")
        for what in ("incidents", "parties"):
            for outcome in ("created", "updated", "unchanged"):
                table.add_row(f"{what} {outcome}", f"{getattr(run, f'{what}_{outcome}'):,}")
        console.print(table)
        if run.variant:
            console.print(f"Layout: {run.variant}. Import run {run.pk}.")
        if run.message:
            console.print(run.message)
