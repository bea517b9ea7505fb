from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jcihub.audit.services import verify_chain


class Command(BaseCommand):
    help = "Work with the audit trail. `jcihub audit verify` checks the hash chain end to end."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("verify", help="Check every link of the hash chain; exit 1 if broken.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            report = verify_chain()
            if report.is_intact:
                self.stdout.write(
                    self.style.SUCCESS(f"Audit chain intact: {report.checked} entries verified.")
                )
                return
            raise CommandError(
                f"Audit chain broken at entry {report.first_broken_id}: {report.problem} "
                f"({report.checked} entries before it verified)."
            )
