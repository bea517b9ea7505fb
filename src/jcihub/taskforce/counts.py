"""The kept daily counts (`DailyCount`) and the version that stored rankings are read at.

`fresh_rows(place_ids)` is what the table must hold, computed from the incidents, their
offenses, KCPD's flags and the category table (`selectors.in_category`, the same
definition the counts always had; `_counts_sql` states it in SQL). The table is kept
equal to it:

- `refresh(place_ids)` after an import or an address correction (`places.changes` calls
  it with the properties whose incidents moved or changed): the properties' rows are
  recomputed, compared with the stored ones, and only the differences written; the
  version moves on only when something differed, so a file imported again unchanged
  keeps the stored rankings;
- `incidents_changing(incident_ids)` before an import writes the stored incidents it
  changes (`places.changes` calls it, and what it returns once they are written, with
  the new ones too): what those incidents counted for is noted before and subtracted
  after, what they count for now added, and only the (property, day) cells they left or
  reached are written; the other incidents at those properties are not read. An import
  that changed nothing calls neither, so it reads no count. Past `LARGE` incidents (a
  first import, a large re-import) the database counts them instead (`Delta`: the
  same before-and-after difference, in a few set-based statements);
- `rebuild()` when the category table changes (every count may move), and by
  `jcihub taskforce recount`: the whole table in one INSERT … SELECT (`_counts_sql`).

Every change that alters what the ranked list says ends in `bump(reason)`: with the
properties whose rows changed (`refresh`, `apply`), the stored rankings are patched for
those properties; without (a rule, `rebuild`), they are dropped.
"""

# The INSERT wraps SQL that Django compiled from a queryset, with its parameters.
# ruff: noqa: S608

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from jcihub.core.sql import column, execute
from jcihub.incidents.models import Incident, Offense
from jcihub.places.models import RawAddress

from .models import FLAG_FIELDS, DailyCount, RankingVersion, StoredRanking

CHUNK = 2000  # properties (or incidents) read per round of queries
LARGE = 20_000  # changed incidents past which the database counts them (`Delta`)
# Changed properties past which the stored rankings are dropped and computed again.
PATCH_PROPERTIES_MOST = 5_000
ALL = ""  # the category of every incident
# Rows written by category, then property (as one INSERT per category grouped by
# property wrote them before): a rule reads one category, and a refresh one property's
# rows, on few pages each even before a VACUUM marks the new rows all-visible. Over a
# million incidents, the ranking then computes in 219-234 ms and a refresh of 1,000
# incidents takes 302-346 ms; after a rebuild in the unique index's order (property
# first) the ranking took 372 ms, and by category then day a refresh 456 ms. A million-
# row import's 733,598 counts went in in 6.7 s by property first and 7.4 s by category
# then day, against 10 s unordered (this order was timed only within whole imports).
IN_READ_ORDER = "ORDER BY category, place, day, beat"
Key = tuple[int, Any, str, str]  # property, day, category, beat


def fresh_rows(place_ids: Iterable[int] | None = None) -> dict[Key, int]:
    """What `DailyCount` must hold for these properties (all, when None): one read of
    the incidents with their offenses' codes, counted here. The same definition as
    `selectors.in_category`, which `rebuild` counts with in SQL (the tests hold the two
    equal)."""
    mapped = _code_categories()
    flags = [(category, FLAG_FIELDS[category]) for category in FLAG_FIELDS]
    # The properties' raw addresses first, then their incidents by raw address: the
    # planner reads those few through the raw-address index, with no join to scan.
    addresses = RawAddress.objects.filter(property__isnull=False)
    if place_ids is not None:
        addresses = addresses.filter(property__in=list(place_ids))
    place_of = dict(addresses.values_list("pk", "property_id"))
    located = Incident.objects.filter(reported_date__isnull=False)
    located = (
        located.filter(raw_address__isnull=False)
        if place_ids is None
        else located.filter(raw_address__in=list(place_of))
    )
    # One row per incident and offense (one with None for an incident without any).
    found = located.values_list(
        "pk",
        "raw_address_id",
        "reported_date",
        "beat",
        *(field for _, field in flags),
        "offenses__ibrs",
    ).order_by()
    rows: dict[Key, int] = defaultdict(int)
    _count_into(rows, found.iterator(50_000), place_of, mapped, flags)
    return dict(rows)


def _code_categories() -> dict[str, set[str]]:
    from .selectors import category_codes

    mapped: dict[str, set[str]] = defaultdict(set)
    for category, codes in category_codes().items():
        for code in codes:
            mapped[code].add(category)
    return mapped


def _count_into(
    rows: dict[Key, int],
    found: Iterable[tuple[Any, ...]],
    place_of: dict[int, int] | None,
    mapped: dict[str, set[str]],
    flags: list[tuple[str, str]],
) -> None:
    """Add to `rows` what each incident counts for, from (pk, raw address or property,
    day, beat, *flags, offense IBRS) rows, one per incident and offense; `place_of`
    maps a raw address to its property (None: the second value is the property)."""
    incidents: dict[int, tuple[Any, ...]] = {}
    categories: dict[int, set[str]] = defaultdict(set)
    for pk, raw, day, beat, *flagged, ibrs in found:
        place = raw if place_of is None else place_of.get(raw)
        if place is None or day is None:
            continue  # an address that names no property, or no date
        if pk not in incidents:
            incidents[pk] = (place, day, beat or "")
            categories[pk].update(
                c for (c, _), is_set in zip(flags, flagged, strict=True) if is_set
            )
        if ibrs in mapped:
            categories[pk].update(mapped[ibrs])
    for pk, (place, day, beat) in incidents.items():
        rows[(place, day, ALL, beat)] += 1
        for category in categories[pk]:
            rows[(place, day, category, beat)] += 1


def incident_rows(incident_ids: Iterable[int]) -> dict[Key, int]:
    """What these incidents count for in `DailyCount`, as they are now (the same
    definition as `fresh_rows`, read by incident instead of by property)."""
    incident_ids = sorted(set(incident_ids))
    if not incident_ids:
        return {}
    mapped = _code_categories()
    flags = [(category, FLAG_FIELDS[category]) for category in FLAG_FIELDS]
    rows: dict[Key, int] = defaultdict(int)
    for chunk in _chunks(incident_ids):
        found = (
            Incident.objects.filter(pk__in=chunk, raw_address__property__isnull=False)
            .values_list(
                "pk",
                "raw_address__property",
                "reported_date",
                "beat",
                *(field for _, field in flags),
                "offenses__ibrs",
            )
            .order_by()
        )
        _count_into(rows, found, None, mapped, flags)
    return dict(rows)


def _stored_cells(cells: list[tuple[int, Any]], keys: Iterable[Key]) -> dict[Key, tuple[int, int]]:
    """The stored rows (id, n) of these keys, read by their (property, day) cells: a
    join with the cells as VALUES, which the unique index starting with property and
    day answers (an IN list of properties and one of days reads far more)."""
    wanted = set(keys)
    table = DailyCount._meta.db_table
    day = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"
    found: dict[Key, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(cells), 400):
            chunk = cells[start : start + 400]
            values = ", ".join(f"(%s, {day})" for _ in chunk)
            cursor.execute(
                f"""WITH cell (place, day) AS (VALUES {values})
                    SELECT d.id, d.property_id, d.day, d.category, d.beat, d.n
                    FROM {table} d JOIN cell ON d.property_id = cell.place
                    AND d.day = cell.day""",
                [value for place, on in chunk for value in (place, str(on))],
            )
            for pk, place, on, category, beat, n in cursor.fetchall():
                if isinstance(on, str):  # SQLite gives dates back as text
                    on = dt.date.fromisoformat(on)
                key = (place, on, category, beat)
                if key in wanted:
                    found[key] = (pk, n)
    return found


@transaction.atomic
def apply(delta: dict[Key, int], reason: str = "incidents changed") -> int:
    """Add `delta` to the kept rows (a row that falls to 0 is removed), reading and
    writing only the rows it names; how many rows were written or removed. Should a row
    fall below 0 (the table was not true), its properties are recounted instead. On
    PostgreSQL one statement does it all (`_apply_in_sql`)."""
    delta = {key: d for key, d in delta.items() if d}
    if not delta:
        return 0
    places = {key[0] for key in delta}
    applied = _apply_in_sql(delta) if connection.vendor == "postgresql" else _apply_by_rows(delta)
    if not applied:
        return refresh(places, reason)
    bump(reason, places)
    return len(delta)


def _apply_by_rows(delta: dict[Key, int]) -> bool:
    """`apply` by reading the rows, then removing and writing them again; False, with
    nothing written, when a row would fall below 0."""
    stored = _stored_cells(sorted({(key[0], key[1]) for key in delta}), delta)
    stale: list[int] = []
    new: list[DailyCount] = []
    for key, d in delta.items():
        pk, n = stored.get(key, (None, 0))
        total = n + d
        if total < 0:
            return False
        if pk is not None:
            stale.append(pk)  # removed, and written again unless it fell to 0
        if total:
            new.append(
                DailyCount(property_id=key[0], day=key[1], category=key[2], beat=key[3], n=total)
            )
    for chunk in _chunks(stale, 5000):
        DailyCount.objects.filter(pk__in=chunk).delete()
    DailyCount.objects.bulk_create(new, batch_size=5000)
    return True


def _apply_in_sql(delta: dict[Key, int]) -> bool:
    """`apply` on PostgreSQL in one statement: the difference goes in as five arrays,
    is joined with the stored rows by the unique index, and the rows are updated in
    place, removed (at 0) or inserted; nothing is written, and False returned, when a
    row would fall below 0."""
    table = DailyCount._meta.db_table
    keys = list(delta)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH delta (place, day, category, beat, d) AS (
                    SELECT * FROM unnest(
                        %s::bigint[], %s::date[], %s::text[], %s::text[], %s::integer[])),
                joined AS (
                    SELECT delta.*, t.id, COALESCE(t.n, 0) + delta.d AS total
                    FROM delta LEFT JOIN {table} t ON t.property_id = delta.place
                    AND t.day = delta.day AND t.category = delta.category
                    AND t.beat = delta.beat),
                fine AS (SELECT NOT EXISTS (SELECT 1 FROM joined WHERE total < 0) AS ok),
                updated AS (
                    UPDATE {table} t SET n = j.total FROM joined j, fine
                    WHERE fine.ok AND t.id = j.id AND j.total > 0 RETURNING t.id),
                removed AS (
                    DELETE FROM {table} t USING joined j, fine
                    WHERE fine.ok AND t.id = j.id AND j.total = 0 RETURNING t.id),
                added AS (
                    INSERT INTO {table} (property_id, day, category, beat, n)
                    SELECT j.place, j.day, j.category, j.beat, j.total FROM joined j, fine
                    WHERE fine.ok AND j.id IS NULL AND j.total > 0 RETURNING id)
                SELECT (SELECT ok FROM fine), (SELECT count(*) FROM updated),
                    (SELECT count(*) FROM removed), (SELECT count(*) FROM added)""",
            [
                [key[0] for key in keys],
                [key[1] for key in keys],
                [key[2] for key in keys],
                [key[3] for key in keys],
                [delta[key] for key in keys],
            ],
        )
        ok, *_ = cursor.fetchone()
    return bool(ok)


def _stored(place_ids: Iterable[int] | None = None) -> dict[Key, tuple[int, int]]:
    rows = DailyCount.objects.all()
    if place_ids is not None:
        rows = rows.filter(property_id__in=list(place_ids))
    return {
        (place, day, category, beat): (pk, n)
        for pk, place, day, category, beat, n in rows.values_list(
            "pk", "property_id", "day", "category", "beat", "n"
        )
    }


def stored_rows(place_ids: Iterable[int] | None = None) -> dict[Key, int]:
    return {key: n for key, (_, n) in _stored(place_ids).items()}


def _chunks(ids: list[int], size: int = CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def refresh(place_ids: Iterable[int], reason: str = "incidents changed") -> int:
    """Make the properties' rows true again, writing only the rows that differ (an
    import changes a few incidents at a property, not all). How many properties had a
    row written or removed."""
    changed: set[int] = set()
    for chunk in _chunks(sorted(set(place_ids))):
        fresh = fresh_rows(chunk)
        stored = _stored(chunk)
        stale: list[int] = []
        new: dict[Key, int] = {}
        for key, (pk, n) in stored.items():
            if fresh.get(key) != n:
                stale.append(pk)
                changed.add(key[0])
        for key, n in fresh.items():
            old = stored.get(key)
            if old is None or old[1] != n:
                new[key] = n
                changed.add(key[0])
        if not stale and not new:
            continue
        DailyCount.objects.filter(pk__in=stale).delete()
        DailyCount.objects.bulk_create(
            (
                DailyCount(property_id=key[0], day=key[1], category=key[2], beat=key[3], n=n)
                for key, n in new.items()
            ),
            batch_size=5000,
        )
    if changed:
        bump(reason, changed)
    return len(changed)


@transaction.atomic
def rebuild(reason: str = "counts rebuilt") -> float:
    """Recount the whole table from the incidents, in one INSERT … SELECT; seconds taken."""
    started = time.perf_counter()
    DailyCount.objects.all().delete()
    table = DailyCount._meta.db_table
    sql, params = _counts_sql("1 = 1")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (property_id, day, category, beat, n)
                SELECT place, day, category, beat, n FROM ({sql}) q {IN_READ_ORDER}""",
            params,
        )
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {table}")
    bump(reason)
    return time.perf_counter() - started


def current_version() -> int:
    found = RankingVersion.objects.values_list("version", flat=True).first()
    return found or 0


@transaction.atomic
def bump(reason: str, place_ids: Iterable[int] | None = None) -> None:
    """Move the version on: something changed what the ranked list says. When only
    these properties' counts changed (`place_ids`, at most `PATCH_PROPERTIES_MOST`),
    the stored rankings are patched for them and kept at the new version
    (`selectors.patch_rankings`); otherwise (a rule, the category table, a whole
    recount) they are removed, and computed again by the next view."""
    found = RankingVersion.objects.select_for_update().filter(pk=1).first()
    if found is None:
        found = RankingVersion(pk=1, version=0)
    old = found.version
    found.version, found.changed_at, found.reason = old + 1, timezone.now(), reason[:200]
    found.save()
    places = None if place_ids is None else set(place_ids)
    if places is None or len(places) > PATCH_PROPERTIES_MOST:
        StoredRanking.objects.all().delete()
        return
    from .selectors import patch_rankings  # selectors reads counts too

    patch_rankings(places, old, old + 1)


def properties_changed(place_ids: set[int]) -> None:
    """The `places.changes` listener."""
    refresh(place_ids)


def incidents_changing(incident_ids: list[int]) -> Callable[[list[int]], None]:
    """The `places.changes` incident listener: what the stored incidents count for
    before they change, then, once they (and the new ones) are written, the difference.
    A few are counted here in Python, cell by cell (`incident_rows`, `apply`); past
    `LARGE` (a first import, a large re-import) the database counts them (`Delta`)."""
    if len(incident_ids) > LARGE:
        large = Delta()
        large.add_counted(incident_ids, -1)

        def done_large(changed_ids: list[int]) -> None:
            large.add_counted(changed_ids, 1)
            large.apply()

        return done_large
    before = incident_rows(incident_ids)

    def done(changed_ids: list[int]) -> None:
        if len(changed_ids) > LARGE:
            delta = Delta()
            delta.add_rows(before, -1)
            delta.add_counted(changed_ids, 1)
            delta.apply()
            return
        found = incident_rows(changed_ids)
        for key, n in before.items():
            found[key] = found.get(key, 0) - n
        apply(found)

    return done


# --- Counted by the database -------------------------------------------------------------


def _counts_sql(scope: str) -> tuple[str, list[Any]]:
    """A SELECT of (property, day, category, beat, n): what the incidents matching
    `scope` (a condition on `i`, the incident) count for. The definition of `fresh_rows`
    and `selectors.in_category` (the tests hold them equal): an incident counts once in
    "" (all) and once in each category it falls in by KCPD's flag or an offense's code."""
    incident, offense, raw = (model._meta.db_table for model in (Incident, Offense, RawAddress))
    located = f"""SELECT i.id, r.property_id AS place, i.reported_date AS day,
            COALESCE(i.beat, '') AS beat, {", ".join(f"i.{c}" for c in FLAG_FIELDS.values())}
        FROM {incident} i JOIN {raw} r ON r.id = i.raw_address_id
        WHERE r.property_id IS NOT NULL AND i.reported_date IS NOT NULL AND {scope}"""
    # Category values are this app's own identifiers and KCPD's flags plain boolean
    # fields (their columns bear their names); codes are data, so parameters.
    parts = ["SELECT id, place, day, '' AS category, beat FROM located"]
    parts += [
        f"SELECT id, place, day, '{category}', beat FROM located WHERE {flag}"
        for category, flag in FLAG_FIELDS.items()
    ]
    pairs = [
        (code, category)
        for code, categories in sorted(_code_categories().items())
        for category in sorted(categories)
    ]
    codes = ""
    if pairs:
        codes = f", codes (code, category) AS (VALUES {', '.join(['(%s, %s)'] * len(pairs))})"
        parts.append(
            f"""SELECT l.id, l.place, l.day, c.category, l.beat FROM located l
                JOIN {offense} o ON o.incident_id = l.id JOIN codes c ON c.code = o.ibrs"""
        )
    sql = f"""WITH located AS ({located}){codes}
        SELECT place, day, category, beat, COUNT(*) AS n FROM ({" UNION ".join(parts)}) x
        GROUP BY place, day, category, beat"""
    return sql, [value for pair in pairs for value in pair]


class Delta:
    """A difference to the kept table, gathered in a temporary table (incidents counted
    by the database, or rows from Python, each added or subtracted) and applied in a few
    statements: updated in place, inserted, removed at 0. For changes too large to count
    cell by cell in Python: a first import of a million-row file spent 52 s recounting
    its properties in Python, and spends 11 s this way. Should a row fall below 0 (the
    table was not true), the properties are recounted instead."""

    TABLE = "taskforce_delta"
    NET = "taskforce_delta_net"
    IDS = "taskforce_delta_ids"

    def __init__(self) -> None:
        self._drop()
        execute(
            f"""CREATE TEMPORARY TABLE {self.TABLE} (place bigint, day date,
                category varchar(20), beat varchar(10), n integer)"""
        )

    def _drop(self) -> None:
        for name in (self.TABLE, self.NET, self.IDS):
            execute(f"DROP TABLE IF EXISTS {name}")

    def add_counted(self, incident_ids: list[int], sign: int) -> None:
        """Add (sign 1) or subtract (-1) what these incidents count for now."""
        execute(f"DROP TABLE IF EXISTS {self.IDS}")
        execute(f"CREATE TEMPORARY TABLE {self.IDS} (id bigint PRIMARY KEY)")
        ids = sorted(set(incident_ids))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"INSERT INTO {self.IDS} SELECT unnest(CAST(%s AS bigint[]))", [ids])
                cursor.execute(f"ANALYZE {self.IDS}")
            else:
                cursor.executemany(f"INSERT INTO {self.IDS} VALUES (%s)", [(pk,) for pk in ids])
        sql, params = _counts_sql(f"i.id IN (SELECT id FROM {self.IDS})")
        execute(
            f"""INSERT INTO {self.TABLE} (place, day, category, beat, n)
                SELECT place, day, category, beat, n * {int(sign)} FROM ({sql}) q""",
            params,
        )

    def add_rows(self, rows: dict[Key, int], sign: int) -> None:
        """Add or subtract rows counted in Python (`incident_rows`)."""
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.TABLE} (place, day, category, beat, n) "
                "VALUES (%s, %s, %s, %s, %s)",
                [(*key, n * sign) for key, n in rows.items()],
            )

    def apply(self, reason: str = "incidents changed") -> None:
        table, net = DailyCount._meta.db_table, self.NET
        same = " AND ".join(
            f"t.{stored} = {net}.{name}"
            for stored, name in (
                ("property_id", "place"),
                ("day", "day"),
                ("category", "category"),
                ("beat", "beat"),
            )
        )
        execute(
            f"""CREATE TEMPORARY TABLE {net} AS SELECT place, day, category, beat, SUM(n) AS d
                FROM {self.TABLE} GROUP BY place, day, category, beat HAVING SUM(n) <> 0"""
        )
        execute(f"CREATE INDEX {net}_key ON {net} (place, day, category, beat)")
        if connection.vendor == "postgresql":
            execute(f"ANALYZE {net}")
        places = set(column(f"SELECT DISTINCT place FROM {net}"))
        below = column(
            f"""SELECT 1 FROM {net} LEFT JOIN {table} t ON {same}
                WHERE COALESCE(t.n, 0) + {net}.d < 0 LIMIT 1"""
        )
        if below:
            self._drop()
            refresh(places, reason)
            return
        execute(f"UPDATE {table} AS t SET n = t.n + {net}.d FROM {net} WHERE {same}")
        execute(
            f"""INSERT INTO {table} (property_id, day, category, beat, n)
                SELECT place, day, category, beat, d FROM {net}
                WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same}) {IN_READ_ORDER}"""
        )
        execute(
            f"""DELETE FROM {table} WHERE n = 0
                AND property_id IN (SELECT place FROM {net} WHERE d < 0)"""
        )
        self._drop()
        if places:
            bump(reason, places)
