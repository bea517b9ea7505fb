"""`jcihub load-instrument FILE.json ...`: load or update screening-instrument definitions."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jcihub.programs.definitions import DefinitionError
from jcihub.programs.services import load_instrument

SHIPPED = Path(__file__).resolve().parents[2] / "instruments"


class Command(BaseCommand):
    help = (
        "Check each definition file and load it as a new version of its instrument. "
        "Loading the same file again changes nothing; a changed definition needs a higher "
        "version number. --shipped loads the definitions that come with JCI Hub "
        "(skeletons of licensed instruments: see docs/programs.md)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="Definition files (JSON).")
        parser.add_argument(
            "--shipped", action="store_true", help="Also load the definitions shipped with JCI Hub."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = list(options["files"])
        if options["shipped"]:
            files += sorted(SHIPPED.glob("*.json"))
        if not files:
            raise CommandError("Name at least one definition file, or use --shipped.")
        failed = 0
        for path in files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                result = load_instrument(None, data, source_name=path.name)
            except OSError as error:
                failed += 1
                self.stderr.write(f"{path}: cannot read it ({error.strerror or error})")
            except json.JSONDecodeError as error:
                failed += 1
                self.stderr.write(f"{path}: not JSON (line {error.lineno}: {error.msg})")
            except DefinitionError as error:
                failed += 1
                self.stderr.write(f"{path}: not loaded:")
                for problem in error.problems:
                    self.stderr.write(f"  - {problem}")
            else:
                version = result.version
                self.stdout.write(
                    f"{path.name}: {version.instrument.code} version {version.version} "
                    f"({version.get_status_display().split(':')[0].lower()}): {result.outcome}"
                )
        if failed:
            raise CommandError(f"{failed} of {len(files)} definition(s) not loaded.")
