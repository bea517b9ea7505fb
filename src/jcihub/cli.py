"""The `jcihub` console command: a thin wrapper over Django's manage.py.

Subcommands with spaces or hyphens map to management commands:
`jcihub seed-demo` runs `seed_demo`; `jcihub audit verify` runs `audit verify`.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcihub.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["jcihub", *args])


if __name__ == "__main__":
    main()
