"""The benchmark population: N synthetic people, made by the demo data generator.

`jcihub.people.demo.PeopleGenerator(seed)` yields the people with their names (and the
names' matching keys), identifiers, addresses and contacts, exactly as
`jcihub seed-demo` makes them. They are written once per database and kept: a marker
entry in the audit trail records the seed, the size and how long the build took, so a
later run finds them and starts measuring at once (`--rebuild` starts again).

Two loaders write the same rows:

- `orm`: `jcihub.people.demo.save_batch`, the ORM bulk inserts `seed-demo` uses;
- `bulk` (default): `jcihub.core.bulk`, as the KCPD importer writes: each row's column
  values taken exactly as Django's INSERT takes them, sent with one PostgreSQL `COPY` or
  one SQLite `executemany` per table and batch; person ids drawn as the INSERT would.

After loading, PostgreSQL gets `VACUUM ANALYZE`, the state autovacuum leaves a table in;
SQLite gets nothing, as the application never analyses it either.
"""

import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ._setup import make_console, recreate_database

SEED = 2026
BATCH = 5_000
MARKER = "benchmarks.population"
LOADERS = ("bulk", "orm")
console = make_console()


@dataclass(frozen=True)
class Population:
    people: int
    seed: int
    loader: str
    build_seconds: float
    built_now: bool


def ensure_population(
    people: int, *, seed: int = SEED, loader: str = "bulk", rebuild: bool = False
) -> Population:
    """Make sure the current database holds the `people` people of `seed`; build if not."""
    from jcihub.people.models import Person

    found = None if rebuild else _recorded(people, seed)
    if found is not None:
        return found
    if rebuild or Person.objects.exists():
        console.print("[yellow]The benchmark database holds other data: starting it again.")
        recreate_database()
    started = time.perf_counter()
    _load(people, seed, loader)
    _analyse()
    seconds = time.perf_counter() - started
    _record(people, seed, loader, seconds)
    return Population(people, seed, loader, seconds, built_now=True)


def _recorded(people: int, seed: int) -> Population | None:
    from jcihub.audit.models import AuditEntry
    from jcihub.people.models import Person

    entry = AuditEntry.objects.filter(object_type=MARKER, object_id=f"{seed}:{people}").first()
    # The page benchmark adds its person to the same database, hence ">=".
    if entry is None or Person.objects.count() < people:
        return None
    changes = entry.changes
    return Population(people, seed, changes["loader"], changes["seconds"], built_now=False)


def _record(people: int, seed: int, loader: str, seconds: float) -> None:
    from jcihub.audit.models import AuditAction
    from jcihub.audit.services import record

    record(
        None,
        AuditAction.CREATE,
        object_type=MARKER,
        object_id=f"{seed}:{people}",
        summary=f"Benchmark population: {people:,} people, seed {seed}",
        changes={"loader": loader, "seconds": round(seconds, 1)},
    )


def _load(people: int, seed: int, loader: str) -> None:
    from django.db import transaction

    from jcihub.people.demo import GeneratedPerson, PeopleGenerator, save_batch

    write: Callable[[list[GeneratedPerson]], Any] = save_batch if loader == "orm" else write_batch
    generator = PeopleGenerator(seed)
    started = time.perf_counter()
    with _progress() as progress:
        task = progress.add_task(f"{people:,} people ({loader})", total=people)
        done = 0
        while done < people:
            batch = list(generator.people(min(BATCH, people - done)))
            with transaction.atomic():
                write(batch)
            done += len(batch)
            progress.update(task, completed=done)
            if not console.is_terminal and (done % 100_000 == 0 or done == people):
                rate = done / (time.perf_counter() - started)
                print(f"Built {done:,} of {people:,} people ({rate:,.0f}/s)", flush=True)


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:,.0f} people/s")


def _progress() -> Progress:
    return Progress(
        TextColumn("Building {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=console,
        disable=not console.is_terminal,
    )


def write_batch(batch: Iterable[Any]) -> None:
    """Write generated people (`demo.GeneratedPerson`) with one bulk load per table."""
    from jcihub.core import bulk

    generated = list(batch)
    bulk.insert_with_ids([g.person for g in generated])
    children: dict[type[Any], list[Any]] = defaultdict(list)
    for g in generated:
        for row in (*g.names, *g.identifiers, *g.addresses, *g.contacts):
            row.person = g.person
            children[type(row)].append(row)
    for rows in children.values():
        bulk.insert(rows)


def _analyse() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    console.print("VACUUM ANALYZE …")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
