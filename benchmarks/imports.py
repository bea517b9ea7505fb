"""KCPD import rate against the database's own bulk load of the same rows.

For each file (the largest real KCPD file under ../shared/data/kcpd, and a synthetic
file of N rows from `jcihub generate-kcpd`, kept under var/bench/), on an empty database:
the time `jcihub import incidents` takes, and the time the database takes to bulk-load
the same rows as plain text into a bare table (PostgreSQL `COPY`; SQLite `executemany`
in one transaction). Targets (issue 3): at least half the bare rate, and a
1,000,000-row import under 3 minutes.

    python -m benchmarks.imports --backend postgres --rows 1000000
"""

import argparse
import csv
import gzip
import io
import time
from pathlib import Path
from typing import Any

from rich.table import Table

from ._setup import PROJECT, machine, make_console, setup_django

console = make_console()
REAL = PROJECT.parent / "shared" / "data" / "kcpd" / "kcpd_2021_6cols.csv.gz"
BENCH = PROJECT / "var" / "bench"


def synthetic_file(rows: int) -> Path:
    from jcihub.incidents.generator import KcpdFileGenerator

    path = BENCH / f"kcpd-synthetic-{rows}.csv.gz"
    if not path.exists():
        console.print(f"Writing {rows:,} synthetic rows to {path} …")
        partial = path.with_name(path.name + ".partial")
        with gzip.open(partial, "wt", newline="", encoding="utf-8") as handle:
            KcpdFileGenerator(2026).write_to(handle, rows)
        partial.rename(path)
    return path


def _rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        return header, list(reader)


def _empty_incidents() -> None:
    """Empty the incident and places tables, so every address is normalised again."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "TRUNCATE incidents_incident, incidents_importrun, places_rawaddress, "
                "places_property RESTART IDENTITY CASCADE"
            )
        else:
            for table in (
                "incidents_party",
                "incidents_offense",
                "incidents_incident",
                "incidents_rejectedrow",
                "incidents_importrun",
                "places_rawaddress",
                "places_property",
            ):
                cursor.execute(f"DELETE FROM {table}")
    from jcihub.places.normalise import clear_caches

    clear_caches()


def bare_load(path: Path) -> float:
    """Seconds for the database to load the file's rows, as text, into a bare table."""
    from django.db import connection, transaction

    header, rows = _rows(path)
    columns = ", ".join(f"c{i} text" for i in range(len(header)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_bare_kcpd")
        cursor.execute(f"CREATE TABLE bench_bare_kcpd ({columns})")
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor, for COPY
            with raw.copy("COPY bench_bare_kcpd FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
    else:
        marks = ", ".join("?" for _ in header)
        width = len(header)
        padded = [(r + [""] * width)[:width] for r in rows]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO bench_bare_kcpd VALUES ({marks})", padded)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_bare_kcpd")
    return seconds


def measure(path: Path) -> dict[str, Any]:
    from jcihub.incidents.importer import import_file

    _empty_incidents()
    started, cpu = time.perf_counter(), time.process_time()
    run = import_file(path)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    bare = bare_load(path)
    return {
        "file": path.name,
        "rows": run.rows_read,
        "rejected": run.rows_rejected,
        "incidents": run.incidents_created,
        "seconds": seconds,
        "cpu": cpu,
        "rate": run.rows_read / seconds,
        "bare_rate": run.rows_read / bare,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic file size")
    parser.add_argument(
        "--database",
        default="imports",
        help="benchmark database name (jcihub_bench_NAME, var/bench/NAME.sqlite3), so "
        "runs side by side on one server do not empty each other's tables",
    )
    args = parser.parse_args(argv)
    BENCH.mkdir(parents=True, exist_ok=True)
    setup_django(args.backend, args.database)
    files = [p for p in (REAL, synthetic_file(args.rows)) if p.exists()]
    console.print(f"Measuring on {machine()}.")
    results = [measure(path) for path in files]
    console.print(f"Finished on {machine()}.")
    return 0 if report(args.backend, results) else 3


def report(backend: str, results: list[dict[str, Any]]) -> bool:
    """Print the figures; True if every target was met."""
    table = Table(title=f"KCPD import on {backend}", title_justify="left")
    for column in (
        "file",
        "rows",
        "rejected",
        "incidents",
        "seconds",
        "cpu s (Python)",
        "rows/s",
        "bare rows/s",
        "share of bare",
    ):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(
            r["file"],
            f"{r['rows']:,}",
            f"{r['rejected']:,}",
            f"{r['incidents']:,}",
            f"{r['seconds']:.1f}",
            f"{r['cpu']:.1f}",
            f"{r['rate']:,.0f}",
            f"{r['bare_rate']:,.0f}",
            f"{r['rate'] / r['bare_rate']:.2f}",
        )
    console.print(table)
    passed = True
    for r in results:
        half = r["rate"] >= r["bare_rate"] / 2
        passed &= half
        console.print(
            f"Target at least half the bare rate ({r['file']}): {'PASS' if half else 'MISS'}"
        )
        if r["rows"] >= 1_000_000:
            fast = r["seconds"] < 180
            passed &= fast
            console.print(
                f"Target 1,000,000 rows under 3 minutes ({backend}): {'PASS' if fast else 'MISS'}"
            )
    return passed


if __name__ == "__main__":
    raise SystemExit(main())
