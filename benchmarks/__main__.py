"""`make bench` / `python -m benchmarks`: run the benchmarks and print their figures.

Each benchmark runs in its own process per database, because Django binds its settings
(and so its database) once per process; each prints its own tables and a PASS or FAIL
line per target, and this command ends with a summary of all of them.

    python -m benchmarks                                  # everything, both databases
    python -m benchmarks --only search --backend postgres # one benchmark, one database
    python -m benchmarks --quick                          # small sizes: a smoke run

The first full run builds a million people per database (about 10 to 15 minutes each on
2 cores); later runs reuse them. Exit status: 0 when every run completed (targets
missed or not), 1 when a run failed, and with --strict also 1 when a target was missed.
"""

import argparse
import subprocess
import sys
import time

BENCHMARKS = {
    "search": "benchmarks.search",
    "page": "benchmarks.person_page",
    "imports": "benchmarks.imports",
    "directory": "benchmarks.directory",
    "linkage": "benchmarks.linkage",
    "taskforce": "benchmarks.taskforce",
    "ipvi": "benchmarks.ipvi",
}
MISSED = 3  # the exit status a benchmark uses for "ran, but missed its target"
QUICK_PEOPLE = 20_000


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Run JCI Hub's benchmarks and print their figures: person search over a million "
            "people (search), the person page under 20 concurrent clients (page), the KCPD "
            "import rate (imports), service directory search and HSDS export (directory), "
            "identity resolution's accuracy and run time (linkage), and the taskforce's "
            "ranked list of problem properties against DuckDB (taskforce), and the IPVI "
            "candidate queue over five years of DV incidents (ipvi)."
        ),
        epilog="What each measures, and the figures measured so far: docs/benchmarks.md.",
    )
    parser.add_argument(
        "--only",
        choices=sorted(BENCHMARKS),
        action="append",
        help="run only this benchmark (repeatable; default: all)",
    )
    parser.add_argument(
        "--backend",
        choices=["postgres", "sqlite", "both"],
        default="both",
        help="database: PostgreSQL on 127.0.0.1:5432, a SQLite file under var/bench/, or both",
    )
    parser.add_argument(
        "--people",
        type=int,
        help="people in the search and page database (default 1,000,000) and in the linkage "
        "run (default 100,000)",
    )
    parser.add_argument("--queries", type=int, help="search queries measured per path (700)")
    parser.add_argument("--requests", type=int, help="page requests per view at 20 clients (2000)")
    parser.add_argument("--workers", type=int, help="gunicorn workers for the page (cores + 1)")
    parser.add_argument("--rows", type=int, help="rows of the synthetic KCPD file (1,000,000)")
    parser.add_argument(
        "--incidents", type=int, help="incidents for the taskforce ranking (1,000,000)"
    )
    parser.add_argument(
        "--properties", type=int, help="properties for the taskforce ranking (100,000)"
    )
    parser.add_argument(
        "--loader",
        choices=["bulk", "orm"],
        help="how to write the people: COPY/executemany (bulk, default) or save_batch (orm)",
    )
    parser.add_argument("--rebuild", action="store_true", help="build the people again")
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: {QUICK_PEOPLE:,} people, 200 queries, 400 requests, 20,000 rows, "
        "FEBRL4 alone, 100,000 incidents at 10,000 properties, 5,000 DV incidents (IPVI)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def command_for(name: str, backend: str, args: argparse.Namespace) -> list[str]:
    command = [sys.executable, "-m", BENCHMARKS[name], "--backend", backend]
    people = args.people or (QUICK_PEOPLE if args.quick else None)
    options: dict[str, dict[str, object]] = {
        "search": {
            "--people": people,
            "--queries": args.queries or (200 if args.quick else None),
            "--warmup": 20 if args.quick else None,
            "--loader": args.loader,
        },
        "page": {
            "--people": people,
            "--requests": args.requests or (400 if args.quick else None),
            "--workers": args.workers,
        },
        "imports": {"--rows": args.rows or (20_000 if args.quick else None)},
        "taskforce": {
            "--incidents": args.incidents or (100_000 if args.quick else None),
            "--properties": args.properties or (10_000 if args.quick else None),
            "--repeat": 3 if args.quick else None,
            "--requests": args.requests or (5 if args.quick else None),
        },
        "directory": {"--queries": args.queries or (200 if args.quick else None)},
        "ipvi": {"--incidents": 5_000 if args.quick else None},  # 50,000: five KC years
        "linkage": {
            "--people": args.people or (QUICK_PEOPLE if args.quick else None),
            "--sets": "febrl4" if args.quick else None,
            # Accuracy runs in DuckDB alone, whatever the database: measure it once.
            "--part": "runtime" if backend == "sqlite" and args.backend == "both" else None,
        },
    }
    for option, value in options[name].items():
        if value is not None:
            command += [option, str(value)]
    if args.rebuild and name == "search":
        command.append("--rebuild")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    backends = ["postgres", "sqlite"] if args.backend == "both" else [args.backend]
    outcomes: list[tuple[str, str, str, float]] = []
    for name in args.only or list(BENCHMARKS):
        for backend in backends:
            command = command_for(name, backend, args)
            print(f"\n=== {name} on {backend}: {' '.join(command[1:])}", flush=True)
            started = time.monotonic()
            status = subprocess.run(command, check=False).returncode
            outcome = {0: "PASS", MISSED: "FAIL (target missed)"}.get(status, f"ERROR ({status})")
            outcomes.append((name, backend, outcome, time.monotonic() - started))
    print("\n=== Summary")
    for name, backend, outcome, seconds in outcomes:
        print(f"{name:<8} {backend:<9} {outcome:<22} {seconds:7.0f} s")
    verdicts = [outcome for _, _, outcome, _ in outcomes]
    if any(verdict.startswith("ERROR") for verdict in verdicts):
        return 1
    missed = any(verdict.startswith("FAIL") for verdict in verdicts)
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
