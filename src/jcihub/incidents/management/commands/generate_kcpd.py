"""`jcihub generate-kcpd OUT --rows N`: write a synthetic KCPD crime-data file."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jcihub.incidents.generator import KcpdFileGenerator


class Command(BaseCommand):
    help = (
        "Write a synthetic KCPD crime-data file (CSV, or gzip if OUT ends in .gz) in the full "
        "column layout, with the real files' quirks, for tests and benchmarks. "
        "No row describes a real report or person."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", type=Path, help="File to write (.csv or .csv.gz).")
        parser.add_argument("--rows", type=int, default=10_000, help="Data rows (default 10,000).")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--year", type=int, default=2019)
        parser.add_argument(
            "--bad-share",
            type=float,
            default=0.0,
            help="Share of rows to break (bad dates, unknown codes, short lines), 0 to 1.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rows"] < 0 or not 0 <= options["bad_share"] <= 1:
            raise CommandError("--rows must be 0 or more and --bad-share between 0 and 1.")
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"No such folder: {out.parent}")
        generator = KcpdFileGenerator(
            options["seed"], year=options["year"], bad_share=options["bad_share"]
        )
        generator.write(out, options["rows"])
        self.stdout.write(f"Wrote {options['rows']:,} rows to {out}.")
