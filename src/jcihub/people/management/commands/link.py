"""`jcihub link people`: batch identity resolution over every person record."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from jcihub.people.linkage import model as linkage_model
from jcihub.people.linkage.runs import (
    ENGINES,
    PHASES,
    LinkageError,
    LinkageOutcome,
    link_people,
)


class Command(BaseCommand):
    help = (
        "Find person records that stand for the same human (Splink, on DuckDB in this "
        "process or, with --engine postgres, on the PostgreSQL server). "
        "`link people` reads every unsealed person record, trains the model on them by "
        "expectation maximisation (or uses --model), and scores the pairs its blocking "
        "rules bring together: pairs at or above JCIHUB_LINK_AUTO_THRESHOLD are linked "
        "automatically, pairs from JCIHUB_LINK_REVIEW_THRESHOLD wait for review, the rest "
        "stay apart. A rejected pair is never proposed again, and running again on the "
        "same records changes nothing. The trained model is saved as Splink JSON under "
        "JCIHUB_LINKAGE_MODEL_DIR (var/linkage/)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["people"], help="What to link.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Score and report without storing links, queue or run (the audit trail "
            "still records that every record was read; the model file is still saved).",
        )
        parser.add_argument(
            "--model",
            type=Path,
            metavar="PATH",
            help="Score with this saved model (Splink JSON from an earlier run) instead of "
            "training one.",
        )
        parser.add_argument(
            "--export",
            action="append",
            choices=[d for d in linkage_model.DIALECTS if d != "duckdb"],
            default=[],
            help="Also write the model rendered for this SQL dialect, to run it on Spark or "
            "PostgreSQL (repeatable).",
        )
        parser.add_argument(
            "--engine",
            choices=sorted(ENGINES),
            default="duckdb",
            help="Where the model trains and scores: duckdb (default; in this process) or "
            "postgres (on the PostgreSQL server of DATABASE_URL, in a scratch schema "
            "jcihub_linkage that the run drops; needs the fuzzystrmatch extension). "
            "PostgreSQL does not block on shared identifiers or phones: see docs/people.md.",
        )
        parser.add_argument(
            "--print-model", action="store_true", help="Print the model's Splink JSON."
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress display (logs, cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=self.stdout, highlight=False)  # type: ignore[arg-type]
        if not console.is_terminal:
            console.width = 120  # logs and pipes: keep the tables on one line per row
        model_path: Path | None = options["model"]
        if model_path is not None and not model_path.is_file():
            raise CommandError(f"No such model file: {model_path}")
        try:
            with _PhaseDisplay(console, enabled=not options["no_progress"]) as display:
                outcome = link_people(
                    model_path=model_path,
                    dry_run=options["dry_run"],
                    export_dialects=tuple(options["export"]),
                    engine=options["engine"],
                    progress=display.update,
                )
        except LinkageError as error:
            raise CommandError(str(error)) from error
        _print_summary(console, outcome)
        _print_model(console, outcome, as_json=options["print_model"])


class _PhaseDisplay:
    """One progress line per phase of the run: a bar while records are read, a spinner
    with elapsed time for the others."""

    def __init__(self, console: Console, *, enabled: bool) -> None:
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            disable=not enabled,
        )
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "_PhaseDisplay":
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._finish_all()
        self.progress.stop()

    def update(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            self._finish_all()
            self.tasks[phase] = self.progress.add_task(PHASES[phase], total=total)
        self.progress.update(self.tasks[phase], completed=done, total=total)

    def _finish_all(self) -> None:
        for task in self.tasks.values():
            current = self.progress.tasks[task]
            if not current.finished:
                done = current.completed or 1
                self.progress.update(task, total=done, completed=done)
                self.progress.stop_task(task)


def _print_summary(console: Console, outcome: LinkageOutcome) -> None:
    title = "Identity resolution" + (" (dry run: nothing stored)" if outcome.dry_run else "")
    table = Table(title=title, title_justify="left")
    table.add_column("")
    table.add_column("count", justify="right")
    rows = (
        ("person records", outcome.records),
        ("pairs scored (blocked pairs)", outcome.pairs_scored),
        (f"linked automatically (p ≥ {outcome.auto_threshold:g}), new", outcome.auto_linked),
        (f"queued for review (p ≥ {outcome.review_threshold:g}), new", outcome.queued),
        ("review queue after the run (waiting or deferred)", outcome.queue_size),
        ("queued pairs re-scored", outcome.refreshed),
        ("queued pairs withdrawn (no longer reach review)", outcome.withdrawn),
        ("pairs already linked or decided, unchanged", outcome.unchanged),
        ("pairs rejected before, not proposed again", outcome.skipped_rejected),
        ("pairs recorded as related people, kept apart", outcome.skipped_related),
        (
            "automatic links held for review (would join records judged different)",
            outcome.held_apart,
        ),
    )
    for label, value in rows:
        table.add_row(label, f"{value:,}")
    console.print(table)
    phases = ", ".join(f"{phase} {seconds:.1f} s" for phase, seconds in outcome.seconds.items())
    console.print(f"Time: {sum(outcome.seconds.values()):.1f} s ({phases}).")
    if outcome.run_id is not None:
        console.print(f"Stored as linkage run {outcome.run_id}.")


def _print_model(console: Console, outcome: LinkageOutcome, *, as_json: bool) -> None:
    console.print(f"Model: {outcome.model_source}.")
    for path in outcome.model_files:
        console.print(f"Model saved to {path}")
    if as_json:
        console.print_json(json.dumps(outcome.model))
        return
    prior = outcome.model["probability_two_random_records_match"]
    table = Table(
        title=f"Trained model (prior: two random records match with p = {prior:.3g})",
        title_justify="left",
    )
    for column in ("comparison", "level", "m", "u", "Bayes factor"):
        table.add_column(column, justify="left" if column in ("comparison", "level") else "right")
    for comparison, level, m, u in linkage_model.level_weights(outcome.model):
        factor = f"{m / u:,.3g}" if u else "-"
        table.add_row(comparison, level, f"{m:.4g}", f"{u:.4g}", factor)
    console.print(table)
