"""The kept daily counts (`DailyCount`) and the version that stored rankings are read at.

`fresh_rows(place_ids)` is what the table must hold, computed from the incidents, their
offenses, KCPD's flags and the category table (`selectors.in_category`, the same
definition the counts always had): one grouped query per category. The table is kept
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
  first import) it falls back to `refresh` of their properties;
- `rebuild()` when the category table changes (every count may move), and by
  `jcihub taskforce recount`: the whole table in one INSERT … SELECT per category.

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
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from jcihub.incidents.models import Incident, Offense
from jcihub.places.models import RawAddress

from .models import FLAG_FIELDS, DailyCount, RankingVersion, StoredRanking

CHUNK = 2000  # properties (or incidents) read per round of queries
LARGE = 20_000  # changed incidents past which their properties are recounted instead
# Changed properties past which the stored rankings are dropped and computed again.
PATCH_PROPERTIES_MOST = 5_000
ALL = ""  # the category of every incident
Key = tuple[int, Any, str, str]  # property, day, category, beat


def _grouped(
    category: str,
    codes: Any,
    incidents: QuerySet[Incident],
    offenses: QuerySet[Offense] | None = None,
) -> QuerySet[Any]:
    from .selectors import in_category  # selectors reads counts too

    scoped = incidents.filter(in_category(category, codes, offenses)) if category else incidents
    return (
        scoped.values(
            place=F("raw_address__property"),
            day=F("reported_date"),
            police_beat=F("beat"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )


def _counted(place_ids: Iterable[int] | None = None) -> QuerySet[Incident]:
    incidents = Incident.objects.filter(
        raw_address__property__isnull=False, reported_date__isnull=False
    )
    if place_ids is not None:
        incidents = incidents.filter(raw_address__property__in=list(place_ids))
    return incidents


def _categories() -> list[str]:
    from .selectors import CATEGORY_LABELS

    return list(CATEGORY_LABELS)


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


def _properties_of(incident_ids: list[int]) -> set[int]:
    places: set[int] = set()
    for chunk in _chunks(sorted(set(incident_ids)), 10_000):
        found = Incident.objects.filter(pk__in=chunk, raw_address__property__isnull=False)
        places.update(found.values_list("raw_address__property", flat=True).distinct())
    return places


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
    """Recount the whole table from the incidents; seconds taken."""
    from .selectors import category_codes

    started = time.perf_counter()
    codes = category_codes()
    DailyCount.objects.all().delete()
    base = _counted()
    table = DailyCount._meta.db_table
    with connection.cursor() as cursor:
        for category in _categories():
            sql, params = _grouped(category, codes, base).query.sql_with_params()
            cursor.execute(
                f"""INSERT INTO {table} (property_id, day, beat, n, category)
                    SELECT q.place, q.day, COALESCE(q.police_beat, ''), q.n, %s
                    FROM ({sql}) q""",
                (category, *params),
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
    before they change, then, once they (and the new ones) are written, the difference."""
    if len(incident_ids) > LARGE:
        places = _properties_of(incident_ids)

        def recount(changed_ids: list[int]) -> None:
            refresh(places | _properties_of(changed_ids))

        return recount
    before = incident_rows(incident_ids)

    def done(changed_ids: list[int]) -> None:
        if len(changed_ids) > LARGE:
            refresh({key[0] for key in before} | _properties_of(changed_ids))
            return
        delta = incident_rows(changed_ids)
        for key, n in before.items():
            delta[key] = delta.get(key, 0) - n
        apply(delta)

    return done
