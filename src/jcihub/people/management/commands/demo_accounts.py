from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jcihub.accounts.models import Role, User
from jcihub.people.management.commands.seed_demo import DEMO_PASSWORD, STAFF


class Command(BaseCommand):
    help = "Print how to sign in to the demo as each role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="Where the demo is served (default http://127.0.0.1:8000).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        existing = set(
            User.objects.filter(username__in=[u for u, *_ in STAFF.values()]).values_list(
                "username", flat=True
            )
        )
        self.stdout.write(f"\nJCI Hub demo: open {options['url']} and sign in as any of:\n")
        labels = dict(Role.objects.values_list("code", "label"))
        self.stdout.write(f"  {'role':<28} username")
        for role, (username, *_rest) in STAFF.items():
            if username in existing:
                self.stdout.write(f"  {labels[role]:<28} {username}")
        self.stdout.write(f"\n  Password for every demo account: {DEMO_PASSWORD}")
        if not settings.REQUIRE_MFA:
            self.stdout.write(
                "  Multi-factor sign-in is optional in the demo (set it up under My account).\n"
            )
