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
- `rebuild()` when the category table changes (every count may move), and by
  `jcihub taskforce recount`: the whole table in one INSERT … SELECT per category.

Every change that alters what the ranked list says ends in `bump(reason)`.
"""

# The INSERT wraps SQL that Django compiled from a queryset, with its parameters.
# ruff: noqa: S608

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from jcihub.incidents.models import Incident, Offense
from jcihub.places.models import RawAddress

from .models import FLAG_FIELDS, DailyCount, RankingVersion, StoredRanking

CHUNK = 2000  # properties recounted per round of queries
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
    from .selectors import category_codes

    mapped: dict[str, set[str]] = defaultdict(set)
    for category, codes in category_codes().items():
        for code in codes:
            mapped[code].add(category)
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
    incidents: dict[int, tuple[Any, ...]] = {}
    categories: dict[int, set[str]] = defaultdict(set)
    for pk, raw, day, beat, *flagged, ibrs in found.iterator(50_000):
        if raw not in place_of:
            continue  # an address that names no property
        if pk not in incidents:
            incidents[pk] = (place_of[raw], day, beat or "")
            categories[pk].update(
                c for (c, _), is_set in zip(flags, flagged, strict=True) if is_set
            )
        if ibrs in mapped:
            categories[pk].update(mapped[ibrs])
    rows: dict[Key, int] = defaultdict(int)
    for pk, (place, day, beat) in incidents.items():
        rows[(place, day, ALL, beat)] += 1
        for category in categories[pk]:
            rows[(place, day, category, beat)] += 1
    return dict(rows)


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


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


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
        bump(reason)
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


def bump(reason: str) -> None:
    """Stored rankings of the version before are no longer used (and are removed)."""
    StoredRanking.objects.all().delete()
    updated = RankingVersion.objects.filter(pk=1).update(
        version=F("version") + 1, changed_at=timezone.now(), reason=reason[:200]
    )
    if not updated:
        RankingVersion.objects.create(pk=1, version=1, reason=reason[:200])


def properties_changed(place_ids: set[int]) -> None:
    """The `places.changes` listener."""
    refresh(place_ids)
