"""Point Django at a benchmark database (created if missing) and migrate it.

Each benchmark runs in its own process (see __main__), so the settings module, which
reads DATABASE_URL once, is bound to one database per process. Every data set has its
own database, so a quick run never throws away the million people of a full one:

- PostgreSQL: `jcihub_bench_<name>` on the local server (trust authentication), or
  `<JCIHUB_BENCH_PREFIX>_<name>` when that is set;
- SQLite: `var/bench/<name>.sqlite3`.
"""

import math
import os
import statistics
import sys
from pathlib import Path

from rich.console import Console

PROJECT = Path(__file__).resolve().parents[1]
BENCH_DIR = PROJECT / "var" / "bench"
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432"
BACKENDS = ("postgres", "sqlite")


def make_console() -> Console:
    """Rich output; 120 columns when written to a file or pipe, so tables stay readable."""
    return Console() if sys.stdout.isatty() else Console(width=120)


def machine() -> str:
    """The machine and how busy it was: figures from a shared machine need saying so."""
    one, five, _ = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {one:.1f} (1 min) / {five:.1f} (5 min)"


def database_name(name: str) -> str:
    """`jcihub_bench_<name>`, or `<JCIHUB_BENCH_PREFIX>_<name>`: engineers sharing one
    server give their own prefix so that a rebuild never drops another's data set."""
    return f"{os.environ.get('JCIHUB_BENCH_PREFIX') or 'jcihub_bench'}_{name}"


def database_url(backend: str, name: str) -> str:
    if backend == "postgres":
        return f"{POSTGRES_SERVER}/{database_name(name)}"
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{BENCH_DIR / name}.sqlite3"


def setup_django(backend: str, name: str) -> None:
    """Bind this process to the benchmark database `name` on `backend`, migrated."""
    os.environ["DATABASE_URL"] = database_url(backend, name)
    os.environ.setdefault("JCIHUB_SECRET_KEY", "benchmark-only-secret-key-not-for-production-00")
    os.environ.setdefault("JCIHUB_HTTPS", "0")
    os.environ.setdefault("JCIHUB_REQUIRE_MFA", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jcihub.settings")
    if backend == "postgres":
        _create_postgres_database(database_name(name))
    import django

    django.setup()
    _migrate()


def recreate_database() -> None:
    """Start the current benchmark database again, empty and migrated."""
    from django.db import connection, connections

    name = connection.settings_dict["NAME"]
    vendor = connection.vendor
    connections.close_all()
    if vendor == "postgresql":
        import psycopg

        with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _create_postgres_database(name)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{name}{suffix}").unlink(missing_ok=True)
    _migrate()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES_SERVER}/postgres", autocommit=True) as server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            server.execute(f'CREATE DATABASE "{name}"')


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values fall (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))
    return ordered[index]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "n": len(values_ms),
        "p50": percentile(values_ms, 0.50),
        "p95": percentile(values_ms, 0.95),
        "p99": percentile(values_ms, 0.99),
        "max": max(values_ms),
        "mean": statistics.fmean(values_ms),
    }
