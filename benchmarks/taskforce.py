"""The taskforce's ranked list of problem properties over N incidents at M properties.

Builds N synthetic incidents (with 1-2 offenses each, KCPD-like offense codes, DV and
firearm flags, two years and a bit of dates, skewed so that some properties are hot
spots) at M block properties, once per size, and their kept daily counts
(`counts.rebuild`, timed once), then times, as the pages run them:

- `compute_ranking`: every active rule over every property from the daily counts (what
  a page computes when the stored ranking is out of date);
- a refresh after an import that changed 1,000 incidents, and 300 (a day of KCPD's
  reports): what the import's hook does (`counts.incidents_changing`: the changed
  incidents read before and after, only the cells they left or reached written, the
  stored ranking patched for their properties) and the page's read of it;
- `property_counts`: every property's counts by category and window with the window
  before (one grouped query over the daily counts), and DuckDB computing the same counts
  from the same daily-count rows and from the incidents themselves (loaded into DuckDB
  beforehand; the load is not timed); the answers are compared;
- the ranked-list page itself, as a taskforce coordinator (Django's test client): the
  first request after a change (computes and stores the ranking), then the others (read
  the stored ranking).

Target (issue 5): the ranked list over 1,000,000 incidents at 100,000 properties on
PostgreSQL under 1 s to compute or refresh, the page under 300 ms p95; report the ratio
to DuckDB.

    python -m benchmarks.taskforce --backend postgres --incidents 1000000 --properties 100000
"""

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable, Iterator
from typing import Any

from rich.table import Table

from ._setup import machine, make_console, percentile, recreate_database, setup_django

console = make_console()
END = dt.date(2025, 12, 31)
SPAN_DAYS = 800  # a little more than the two years the windows and their previous reach
BATCH = 10_000
# (IBRS code, weight): roughly KCPD's mix (see ../shared/data/kcpd), with codes of no
# category (fraud, all other offenses) among them.
CODES = (
    ("13B", 15),
    ("13A", 10),
    ("290", 9),
    ("23F", 8),
    ("240", 8),
    ("23H", 8),
    ("90Z", 7),
    ("220", 6),
    ("23C", 6),
    ("35A", 5),
    ("26A", 4),
    ("120", 4),
    ("90J", 4),
    ("13C", 3),
    ("90C", 3),
    ("520", 2),
    ("09A", 1),
)


def _batches(rows: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build(incidents: int, properties: int) -> None:
    """Write the data set (explicit ids, so offenses need no read-back)."""
    from django.db import connection, transaction

    from jcihub.incidents.models import Incident, Offense
    from jcihub.places.models import Property, RawAddress

    recreate_database()
    rng = random.Random(2026)
    codes, weights = zip(*CODES, strict=True)
    started = time.perf_counter()
    with transaction.atomic():
        for batch in _batches(iter(range(1, properties + 1))):
            Property.objects.bulk_create(
                Property(
                    id=n,
                    kind="block",
                    line=f"{n % 90 * 100} BLOCK BENCH ST {n}",
                    city="KANSAS CITY",
                    state="MO",
                    zip5=f"641{n % 60:02d}",
                    key=f"bench|{n}",
                )
                for n in batch
            )
            RawAddress.objects.bulk_create(
                RawAddress(id=n, source="bench", raw_key=f"{n:032x}", property_id=n) for n in batch
            )
        for batch in _batches(iter(range(1, incidents + 1))):
            made = []
            offenses = []
            for n in batch:
                # Skewed: a few properties get many incidents, most get few.
                place = 1 + int(properties * rng.random() ** 1.5)
                made.append(
                    Incident(
                        id=n,
                        source_key=f"B{n}",
                        report_number=f"B{n}",
                        reported_date=END - dt.timedelta(days=rng.randrange(SPAN_DAYS)),
                        beat=str(100 + n % 150),
                        raw_address_id=place,
                        is_domestic_violence=rng.random() < 0.06,
                        firearm_used=rng.random() < 0.04,
                    )
                )
                picked = set(rng.choices(codes, weights, k=1 + (rng.random() < 0.3)))
                offenses += [Offense(incident_id=n, ibrs=code) for code in picked]
            Incident.objects.bulk_create(made)
            Offense.objects.bulk_create(offenses)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("incidents_incident", "incidents_offense", "places_rawaddress"):
                cursor.execute(f"ANALYZE {table}")
    console.print(
        f"Built {incidents:,} incidents at {properties:,} properties "
        f"in {time.perf_counter() - started:.0f} s"
    )
    recount()


def recount() -> float:
    from jcihub.taskforce import counts

    seconds = counts.rebuild("benchmark data built")
    console.print(f"Daily counts rebuilt from every incident in {seconds:.1f} s")
    return seconds


def ensure_data(incidents: int, properties: int, rebuild: bool) -> None:
    from jcihub.incidents.models import Incident
    from jcihub.places.models import Property
    from jcihub.taskforce.models import DailyCount

    if rebuild or (Incident.objects.count(), Property.objects.count()) != (
        incidents,
        properties,
    ):
        build(incidents, properties)
    elif not DailyCount.objects.exists():
        recount()


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Milliseconds of each run after one warm-up, and the last answer."""
    answer = function()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = function()
        times.append((time.perf_counter() - started) * 1000)
    return times, answer


DuckCounts = Callable[[], dict[tuple[int, str], tuple[int, ...]]]


def duckdb_counts() -> tuple[DuckCounts, DuckCounts, float]:
    """Functions computing the counts in DuckDB from the same daily-count rows and from
    the incidents, offenses and category table, and the load time."""
    import duckdb
    import pandas as pd

    from jcihub.incidents.models import Incident, Offense
    from jcihub.taskforce.models import DailyCount, OffenseCode
    from jcihub.taskforce.selectors import WINDOWS

    started = time.perf_counter()
    duck = duckdb.connect()
    incidents = pd.DataFrame.from_records(
        Incident.objects.filter(raw_address__property__isnull=False)
        .values_list(
            "id", "raw_address__property", "reported_date", "is_domestic_violence", "firearm_used"
        )
        .iterator(chunk_size=50_000),
        columns=["id", "place", "d", "dv", "fa"],
    )
    offenses = pd.DataFrame.from_records(
        Offense.objects.values_list("incident_id", "ibrs").iterator(chunk_size=50_000),
        columns=["incident_id", "ibrs"],
    )
    codes = pd.DataFrame.from_records(
        [
            (code, category)
            for code, categories in OffenseCode.objects.values_list("code", "categories")
            for category in categories
        ],
        columns=["code", "category"],
    )
    daily = pd.DataFrame.from_records(
        DailyCount.objects.values_list("property_id", "day", "category", "n").iterator(
            chunk_size=50_000
        ),
        columns=["place", "d", "category", "n"],
    )
    frames = (("incidents", incidents), ("offenses", offenses), ("codes", codes), ("daily", daily))
    for name, frame in frames:
        duck.register(f"{name}_frame", frame)
        duck.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_frame")
    load = time.perf_counter() - started
    end = f"DATE '{END.isoformat()}'"
    windows = []
    for days in WINDOWS:
        windows.append(f"count(*) FILTER (WHERE d > {end} - {days} AND d <= {end}) AS c{days}")
        windows.append(
            f"count(*) FILTER (WHERE d > {end} - {2 * days} AND d <= {end} - {days}) AS p{days}"
        )
    query = f"""
        WITH inc AS (
            SELECT id, place, CAST(d AS DATE) AS d, dv, fa FROM incidents
            WHERE CAST(d AS DATE) > {end} - {2 * max(WINDOWS)} AND CAST(d AS DATE) <= {end}
        ),
        cat AS (
            SELECT o.incident_id AS id, c.category FROM offenses o JOIN codes c ON c.code = o.ibrs
            UNION SELECT id, 'domestic_violence' FROM inc WHERE dv
            UNION SELECT id, 'firearm' FROM inc WHERE fa
            UNION SELECT id, '' FROM inc
        )
        SELECT inc.place, cat.category, {", ".join(windows)}
        FROM cat JOIN inc ON inc.id = cat.id
        GROUP BY inc.place, cat.category
    """

    sums = []
    for days in WINDOWS:
        sums.append(
            f"coalesce(sum(n) FILTER (WHERE d > {end} - {days} AND d <= {end}), 0) AS c{days}"
        )
        sums.append(
            f"coalesce(sum(n) FILTER (WHERE d > {end} - {2 * days} AND d <= {end} - {days}), 0)"
            f" AS p{days}"
        )
    from_daily = f"""
        WITH daily_days AS (SELECT place, CAST(d AS DATE) AS d, category, n FROM daily)
        SELECT place, category, {", ".join(sums)}
        FROM daily_days
        WHERE d > {end} - {2 * max(WINDOWS)} AND d <= {end}
        GROUP BY place, category
    """

    def compute() -> dict[tuple[int, str], tuple[int, ...]]:
        return {(row[0], row[1]): tuple(row[2:]) for row in duck.execute(query).fetchall()}

    def compute_daily() -> dict[tuple[int, str], tuple[int, ...]]:
        return {
            (row[0], row[1]): tuple(int(v) for v in row[2:])
            for row in duck.execute(from_daily).fetchall()
        }

    return compute_daily, compute, load


def flatten(counts: dict[int, dict[str, dict[int, Any]]]) -> dict[tuple[int, str], tuple[int, ...]]:
    return {
        (place, category): tuple(
            value for trend in trends.values() for value in (trend.current, trend.previous)
        )
        for place, by_category in counts.items()
        for category, trends in by_category.items()
    }


def page_times(requests: int, fresh: int = 3) -> tuple[list[float], list[float]]:
    """Milliseconds of the ranked-list page: the first request after a change (which
    computes and stores the ranking), `fresh` times; then `requests` reading it."""
    from django.test import Client

    from jcihub.core.tests.factories import user_with_role
    from jcihub.taskforce import counts

    client = Client(HTTP_HOST="localhost")
    client.force_login(user_with_role("taskforce_coordinator", username="bench-coordinator"))
    url = f"/taskforce/?end={END.isoformat()}"
    assert client.get(url).status_code == 200

    def get() -> float:
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200
        return (time.perf_counter() - started) * 1000

    first = []
    for _ in range(fresh):
        counts.bump("benchmark: as after an import")
        first.append(get())
    return first, [get() for _ in range(requests)]


def refresh_times(repeat: int, changed: int = 1000) -> list[float]:
    """Milliseconds to bring the stored ranking up to date after an import that changed
    `changed` incidents (each reported a day earlier than before): what the import's
    hook does (`counts.incidents_changing` before the incidents are written, what it
    returns after: the cells they leave and reach written, the stored ranking patched
    for their properties) and the first page's read of the stored ranking, timed; the
    UPDATE standing for the import's write is not. Each run checks, untimed, that the
    stored ranking was patched (not computed again) and equals `compute_ranking`. The
    incidents are then put back the same way."""
    from django.db.models import F

    from jcihub.incidents.models import Incident
    from jcihub.taskforce import counts
    from jcihub.taskforce.models import StoredRanking
    from jcihub.taskforce.selectors import compute_ranking, stored_ranking

    rng = random.Random(5)
    top = Incident.objects.count()
    times = []
    stored_ranking(END)  # what the pages read before the import
    for _ in range(repeat):
        chosen = sorted(rng.sample(range(1, top + 1), min(changed, top)))
        moved = Incident.objects.filter(pk__in=chosen)
        kept = set(StoredRanking.objects.values_list("pk", "computed_at"))
        started = time.perf_counter()
        done = counts.incidents_changing(chosen)
        before = time.perf_counter() - started
        moved.update(reported_date=F("reported_date") - dt.timedelta(days=1))
        started = time.perf_counter()
        done(chosen)
        ranked = stored_ranking(END)
        times.append((before + time.perf_counter() - started) * 1000)
        patched = set(StoredRanking.objects.values_list("pk", "computed_at")) == kept
        same = [
            (e.place_id, [(h.rule.pk, h.count, h.history) for h in e.hits]) for e in ranked
        ] == [(place, [tuple(hit) for hit in hits]) for place, hits in compute_ranking(END)]
        if not (patched and same):
            raise AssertionError(f"stored ranking patched: {patched}, equal to a compute: {same}")
        done = counts.incidents_changing(chosen)
        moved.update(reported_date=F("reported_date") + dt.timedelta(days=1))
        done(chosen)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--properties", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each computation")
    parser.add_argument("--requests", type=int, default=20, help="ranked-list page requests")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    args = parser.parse_args(argv)
    setup_django(args.backend, f"taskforce_{args.incidents}_{args.properties}")
    ensure_data(args.incidents, args.properties, args.rebuild)
    from jcihub.taskforce.selectors import compute_ranking, property_counts

    timings: dict[str, list[float]] = {}
    timings["ranking computed (compute_ranking)"], ranked = timed(
        lambda: compute_ranking(END), args.repeat
    )
    timings["refresh after 1,000 incidents changed"] = refresh_times(args.repeat)
    # KCPD reports about 100,000 incidents a year: a day's file is some 300.
    timings["refresh after 300 incidents changed (a day)"] = refresh_times(args.repeat, 300)
    timings["all counts (property_counts)"], counts = timed(
        lambda: property_counts(END), args.repeat
    )
    from_daily, from_incidents, load_s = duckdb_counts()
    timings["all counts in DuckDB, same daily rows"], duck = timed(from_daily, args.repeat)
    timings["all counts in DuckDB, from the incidents"], duck_raw = timed(
        from_incidents, args.repeat
    )
    same = flatten(counts) == duck == duck_raw
    try:
        first_ms, page_ms = page_times(args.requests)
    except Exception as error:  # report the computations even if the page cannot be had
        console.print(f"[red]The ranked-list page could not be measured: {error!r}[/red]")
        first_ms, page_ms = [], []
    timings["page, first after a change (server)"] = first_ms
    timings["page, stored ranking (server)"] = page_ms
    return report(args, ranked, timings, load_s, same)


def report(
    args: argparse.Namespace,
    ranked: list[Any],
    timings: dict[str, list[float]],
    load_s: float,
    same: bool,
) -> int:
    console.print(f"Machine: {machine()}")
    table = Table(
        title=f"Taskforce ranking on {args.backend}: {args.incidents:,} incidents at "
        f"{args.properties:,} properties ({len(ranked):,} flagged)",
        title_justify="left",
    )
    for column in ("computation", "runs", "median ms", "min ms", "max ms"):
        table.add_column(column, justify="right")
    for name, values in timings.items():
        if not values:
            continue
        table.add_row(
            name,
            str(len(values)),
            f"{statistics.median(values):,.1f}",
            f"{min(values):,.1f}",
            f"{max(values):,.1f}",
        )
    console.print(table)
    counts_ms = statistics.median(timings["all counts (property_counts)"])
    for source in ("same daily rows", "from the incidents"):
        duck_ms = statistics.median(timings[f"all counts in DuckDB, {source}"])
        console.print(
            f"Ratio {args.backend} / DuckDB ({source}) for the same counts: "
            f"{counts_ms / duck_ms:.1f}x"
        )
    console.print(
        f"DuckDB load, not timed: {load_s:.1f} s; answers identical: {'yes' if same else 'NO'}"
    )
    page_ms = timings["page, stored ranking (server)"]
    if page_ms:
        console.print(f"Ranked-list page p95: {percentile(page_ms, 0.95):,.1f} ms")
    passed = same and bool(page_ms)
    if args.backend == "postgres" and args.incidents >= 1_000_000:
        compute = statistics.median(timings["ranking computed (compute_ranking)"])
        refresh = statistics.median(timings["refresh after 1,000 incidents changed"])
        fast = compute < 1000 and refresh < 1000
        page = bool(page_ms) and percentile(page_ms, 0.95) < 300
        passed &= fast and page
        console.print(f"Target compute or refresh under 1 s: {'PASS' if fast else 'FAIL'}")
        console.print(f"Target page under 300 ms p95: {'PASS' if page else 'FAIL'}")
    return 0 if passed else 3


if __name__ == "__main__":
    raise SystemExit(main())
