import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jcihub.accounts import services
from jcihub.accounts.models import Team
from jcihub.accounts.roles import RoleCode


class Command(BaseCommand):
    help = (
        "Create a user with a role, e.g. `jcihub createuser alice --role victim_advocate "
        "--team 'Rose Brooks Center'`. Prompts for the password unless --password-stdin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=RoleCode.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--team", action="append", default=[], help="Team name (repeatable); must exist."
        )
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from standard input (for scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        teams = []
        for name in options["team"]:
            team = Team.objects.filter(name=name).first()
            if team is None:
                raise CommandError(f"No team named {name!r}.")
            teams.append(team)
        if options["password_stdin"]:
            password = sys.stdin.readline().strip()
        else:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = services.create_user(
                None,
                username=options["username"],
                password=password,
                role_code=options["role"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
                teams=teams,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({user.role})."))
