"""`jcihub directory import PATH` and `jcihub directory export PATH`: the service directory
in and out as Open Referral HSDS 3.0 JSON."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from jcihub.referrals import exporter, geo, hsds, importer, streetmedicinekc


class Command(BaseCommand):
    help = (
        "The service directory as Open Referral HSDS 3.0 JSON. `directory import PATH` loads "
        "a file of HSDS organisation or service documents (or, with --format "
        "streetmedicinekc, the Street Medicine KC guide's folder); a file with any problem "
        "loads nothing and every problem is listed per record; importing again changes "
        "nothing. New organisations with a victim-services need category (domestic "
        "violence, sexual assault, ...) are marked victim service providers. "
        "`directory export PATH` writes every organisation, services nested. "
        "`directory load-zips PATH` loads ZIP-code centroids from a GeoJSON file of ZIP "
        "Code Tabulation Areas, for searching by distance."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export", "load-zips"])
        parser.add_argument("path", type=Path, help="HSDS JSON file (or the guide's folder).")
        parser.add_argument(
            "--format",
            choices=["hsds", "streetmedicinekc"],
            default="hsds",
            help="What PATH holds (import only; default hsds).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (for logs and cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        show = not options["no_progress"]
        if options["action"] == "export":
            self._export(options["path"], console, show)
            return
        if options["action"] == "load-zips":
            try:
                added, updated = geo.load_zip_centroids(None, options["path"])
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {options['path']}: {error}") from error
            console.print(f"ZIP centroids: {added} added, {updated} updated.")
            return
        documents = self._documents(options["path"], options["format"])
        if not hsds.schemas_available():
            console.print(
                f"HSDS schemas not found in {hsds.schema_dir()} (JCIHUB_HSDS_SCHEMA_DIR): "
                "checking only what the directory's tables need."
            )
        try:
            with self._progress(console, show) as bar:
                summary = importer.import_documents(
                    documents, source=options["path"].name, progress=_reporter(bar)
                )
        except importer.DirectoryImportError as error:
            raise CommandError(str(error)) from error
        self._summary(console, summary)

    def _documents(self, path: Path, form: str) -> list[Any]:
        try:
            if form == "streetmedicinekc":
                return list(streetmedicinekc.guide_documents(path))
            if not path.is_file():
                raise CommandError(f"No such file: {path}")
            return importer.read_documents(path)
        except (importer.DirectoryImportError, streetmedicinekc.GuideMissing) as error:
            raise CommandError(str(error)) from error

    def _export(self, path: Path, console: Console, show: bool) -> None:
        if not path.parent.is_dir():
            raise CommandError(f"No such folder: {path.parent}")
        with self._progress(console, show) as bar:
            task = bar.add_task("organisations", total=None)
            written = exporter.write_export(
                path, lambda done, total: bar.update(task, completed=done, total=total)
            )
        console.print(f"Wrote {written:,} organisations to {path} (HSDS 3.0 JSON).")

    @staticmethod
    def _progress(console: Console, show: bool) -> Progress:
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
        )
        return Progress(*columns, console=console, disable=not show)

    @staticmethod
    def _summary(console: Console, summary: importer.ImportSummary) -> None:
        checked = "checked against the HSDS schemas" if summary.schema_checked else "imported"
        table = Table(title=f"{summary.records:,} records {checked}", title_justify="left")
        for column in ("rows", "created", "changed", "unchanged"):
            table.add_column(column, justify="right" if column != "rows" else "left")
        for kind, (created, changed, same) in summary.counts.items():
            table.add_row(kind.replace("_", " "), f"{created:,}", f"{changed:,}", f"{same:,}")
        console.print(table)
        if summary.victim_providers:
            console.print(
                f"{summary.victim_providers:,} new organisations offer victim services and "
                "were marked victim service providers: referrals to them are seen only by "
                "their sender, victim advocates and the organisation. Check them on each "
                "organisation's Settings page."
            )


def _reporter(bar: Progress) -> importer.Progress:
    tasks: dict[str, Any] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=total)
        bar.update(tasks[stage], completed=done, total=total)

    return report
