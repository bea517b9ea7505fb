"""The stored rankings are patched for the properties whose counts changed, not computed
again: after every kind of change an import or a correction makes, each stored ranking
(every end date and filter set kept) equals `compute_ranking` over all properties, in the
same order, and is the same stored row as before. A rule change still drops them."""

import datetime as dt
import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from django.db.models import F

from jcihub.core.tests.factories import user_with_role
from jcihub.incidents import importer
from jcihub.incidents.models import Incident, Offense
from jcihub.places import changes
from jcihub.places.models import Property, RawAddress
from jcihub.taskforce import counts, selectors, services
from jcihub.taskforce.models import DailyCount, FlagRule, OffenseCode, StoredRanking

from .helpers import END, incident, kcpd_row, place, skewed_incidents, write

pytestmark = pytest.mark.django_db

# The stored rankings kept in these tests: (end, beat, ZIP code, category).
KEYS = [
    (END, "", "", ""),
    (END, "", "", "violent"),
    (END, "", "", "drug"),
    (END, "331", "", ""),
    (END, "332", "", "firearm"),
    (END, "", "64103", ""),
    (END - dt.timedelta(days=40), "", "", ""),
]
_numbers = itertools.count(1)
CODES = ["13A", "13B", "120", "35A", "90C", "90Z", "520", "290", ""]


def normal(entries: Any) -> Any:
    """Entries as the stored JSON holds them (lists, not tuples)."""
    return json.loads(json.dumps(entries))


def computed(key: tuple[dt.date, str, str, str]) -> Any:
    end, beat, zip_code, category = key
    return normal(selectors.compute_ranking(end, beat=beat, zip_code=zip_code, category=category))


def store_all() -> dict[str, tuple[int, Any]]:
    for end, beat, zip_code, category in KEYS:
        selectors.stored_ranking(end, beat=beat, zip_code=zip_code, category=category)
    return snapshot()


def snapshot() -> dict[str, tuple[int, Any]]:
    return {
        key: (pk, computed_at)
        for key, pk, computed_at in StoredRanking.objects.values_list("key", "pk", "computed_at")
    }


def assert_patched(before: dict[str, tuple[int, Any]]) -> list[Any]:
    """Every stored ranking is the same row as before, at the current version, and
    equals a whole computation; the stored entries."""
    assert snapshot() == before  # patched in place, none computed again
    version = counts.current_version()
    found = []
    for key in KEYS:
        stored = StoredRanking.objects.get(key=selectors._ranking_key(*key))
        assert stored.version == version
        assert stored.entries == computed(key), key
        found.append(stored.entries)
    # And the pages read them as they are.
    end, beat, zip_code, category = KEYS[0]
    ranked = selectors.stored_ranking(end, beat=beat, zip_code=zip_code, category=category)
    assert [[e.place_id, [[h.rule.pk, h.count, h.history] for h in e.hits]] for e in ranked] == (
        found[0]
    )
    assert [e.rank for e in ranked] == list(range(1, len(ranked) + 1))
    assert snapshot() == before
    return found


def new_incident(at: Property, days: int, *codes: str, beat: str = "332", **flags: Any) -> int:
    """An incident written as an import writes a new one (the hook told after)."""
    made = Incident.objects.create(
        source_key=f"P{next(_numbers):08d}",
        reported_date=END - dt.timedelta(days=days),
        raw_address=RawAddress.objects.filter(property=at).first(),
        beat=beat,
        **flags,
    )
    for code in codes:
        Offense.objects.create(incident=made, ibrs=code, description=f"offense {code}")
    return made.pk


def changing(ids: list[int], change: Any, created: list[int] | None = None) -> None:
    """As the import does: the hook before the stored incidents change, then after,
    with them and any new ones."""
    done = changes.incidents_changing(ids)
    change()
    done(ids + (created or []))


@pytest.fixture
def places() -> list[Property]:
    rng = random.Random(11)
    made = [place(f"{n}00  NORTON AV", f"641{n % 4:02d}") for n in range(1, 15)]
    skewed_incidents(rng, made, 700, CODES, days=480, firearm=0.06)
    return made


def at(where: Property) -> list[Incident]:
    return list(Incident.objects.filter(raw_address__property=where).order_by("pk"))


def since(where: Property, days: int) -> list[int]:
    """The property's incidents in the `days` days to END."""
    found = Incident.objects.filter(
        raw_address__property=where, reported_date__gt=END - dt.timedelta(days=days)
    )
    return list(found.values_list("pk", flat=True))


def test_the_data_flag_properties_under_every_stored_ranking(places: list[Property]) -> None:
    for key in KEYS:
        assert computed(key), key  # each filter set ranks something: the test can fail
    assert len(computed(KEYS[0])) >= 5


def test_each_change_patches_the_stored_rankings_to_a_whole_computation(
    places: list[Property],
) -> None:
    before = store_all()
    assert len(before) == len(KEYS)
    first = assert_patched(before)
    flagged = [entry[0] for entry in first[0]]
    quiet = [p for p in places if p.pk not in flagged]
    assert quiet  # a property below every threshold to raise

    # New incidents raise a quiet property above the thresholds (violent, firearm).
    rising = quiet[0]
    created = [new_incident(rising, d, "13A", beat="331") for d in (1, 2, 3, 5)]
    created += [new_incident(rising, 4, "520", beat="332", firearm_used=True)]
    changing([], lambda: None, created)
    now = assert_patched(before)
    assert rising.pk in [entry[0] for entry in now[0]]
    assert rising.pk in [entry[0] for entry in now[1]]  # violent
    assert rising.pk in [entry[0] for entry in now[3]]  # beat 331

    # Incidents moved between properties: the top one loses its recent ones to another.
    top, other = Property.objects.get(pk=flagged[0]), quiet[-1]
    recent = since(top, 90)
    assert recent
    target = RawAddress.objects.filter(property=other).first()
    changing(recent, lambda: Incident.objects.filter(pk__in=recent).update(raw_address=target))
    now = assert_patched(before)
    assert top.pk not in [entry[0] for entry in now[0]]
    assert other.pk in [entry[0] for entry in now[0]]

    # Re-dated: a flagged property's last 90 days moved a year back drop it below.
    falling = Property.objects.get(pk=flagged[1])
    window = since(falling, 90)
    year = dt.timedelta(days=365)
    changing(
        window,
        lambda: Incident.objects.filter(pk__in=window).update(
            reported_date=F("reported_date") - year
        ),
    )
    now = assert_patched(before)
    assert falling.pk not in [entry[0] for entry in now[0]]

    # Offense codes changed so the categories change: violent becomes drug.
    third = Property.objects.get(pk=flagged[2])
    violent = [i.pk for i in at(third) if i.offenses.filter(ibrs__in=["13A", "13B"]).exists()]
    assert violent
    changing(
        violent,
        lambda: Offense.objects.filter(incident__in=violent, ibrs__in=["13A", "13B"]).update(
            ibrs="35A"
        ),
    )
    now = assert_patched(before)
    assert third.pk in [entry[0] for entry in now[2]]  # drug

    # KCPD's flags and the beat change on some incidents; one is removed.
    some = [i.pk for i in at(places[3])][:12]
    changing(
        some,
        lambda: Incident.objects.filter(pk__in=some).update(
            is_domestic_violence=True, firearm_used=True, beat="331"
        ),
    )
    assert_patched(before)
    gone = at(places[4])[-1].pk
    changing([gone], lambda: Incident.objects.filter(pk=gone).delete())
    assert_patched(before)

    # The other hook (an address correction): a property recounted whole.
    for days in (6, 7, 8):
        incident(quiet[1], days, "35A", beat="332")  # changes.notify → counts.refresh
    now = assert_patched(before)
    assert quiet[1].pk in [entry[0] for entry in now[2]]

    # A change on a day none of the windows reach changes no order, and is patched too.
    old = at(places[0])[0].pk
    changing([old], lambda: Incident.objects.filter(pk=old).update(reported_date=END.replace(2020)))
    assert_patched(before)
    assert counts.stored_rows() == counts.fresh_rows()


def test_ties_keep_the_order_of_a_whole_computation() -> None:
    """Properties with the same score are in property-number order, wherever the
    patched ones land."""
    made = [place(f"{n}00  GRAND BLVD", "64106") for n in range(1, 7)]
    for where in made[:3]:
        for days in (1, 2, 3):
            incident(where, days, "13A")
    before = store_all()
    for where in (made[5], made[4], made[3]):  # the same score, the highest numbers first
        created = [new_incident(where, d, "13A") for d in (1, 2, 3)]
        changing([], lambda: None, created)
        assert_patched(before)
    whole = StoredRanking.objects.get(key=selectors._ranking_key(*KEYS[0]))
    assert [e[0] for e in whole.entries] == [p.pk for p in made]
    # One rises to the top with a fourth incident, then falls back.
    extra = new_incident(made[4], 4, "13A")
    changing([], lambda: None, [extra])
    assert assert_patched(before)[0][0][0] == made[4].pk
    changing([extra], lambda: Incident.objects.filter(pk=extra).delete())
    assert [e[0] for e in assert_patched(before)[0]] == [p.pk for p in made]


def test_an_import_patches_the_stored_ranking(tmp_path: Path, places: list[Property]) -> None:
    before = store_all()
    recent = END - dt.timedelta(days=3)

    run = importer.import_file(
        write(tmp_path / "a.csv", *(kcpd_row(f"24100000{n}", recent, "13A") for n in range(4)))
    )

    assert run.incidents_created == 4, run.message
    now = assert_patched(before)
    norton = Incident.objects.get(report_number="241000000").raw_address
    assert norton is not None
    assert norton.property_id in [entry[0] for entry in now[1]]


def test_a_rule_change_drops_the_stored_rankings_and_they_are_computed_again(
    places: list[Property],
) -> None:
    coordinator = user_with_role("taskforce_coordinator")
    store_all()
    rule = FlagRule.objects.get(category="violent")
    fields = ("name", "category", "window_days", "min_count", "history_factor", "is_active")
    values = {name: getattr(rule, name) for name in fields}

    services.save_flag_rule(coordinator, rule, {**values, "min_count": 6})

    assert not StoredRanking.objects.exists()
    assert store_all() and all(
        StoredRanking.objects.get(key=selectors._ranking_key(*key)).entries == computed(key)
        for key in KEYS
    )
    services.save_flag_rule(coordinator, rule, {**values, "is_active": False})
    assert not StoredRanking.objects.exists()
    assert normal(selectors.compute_ranking(END, category="violent")) == []


def test_a_category_change_patches_the_properties_with_that_code(
    places: list[Property],
) -> None:
    """The category table's change recounts the properties with an incident of the
    code (`services._recount_code`): only their counts move, so only they are patched."""
    coordinator = user_with_role("taskforce_coordinator")
    before = store_all()
    violent = computed(KEYS[1])

    services.set_offense_categories(
        coordinator, OffenseCode.objects.get(code="90Z"), "All other offenses", ["violent"]
    )

    now = assert_patched(before)
    assert now[1] != violent  # 90Z incidents count as violent now


def test_past_the_limits_the_rankings_are_dropped_not_patched(
    places: list[Property], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_all()
    monkeypatch.setattr(selectors, "RANKINGS_PATCHED_MOST", 2)
    created = [new_incident(places[-1], 1, "13A")]
    changing([], lambda: None, created)
    # Only the two latest computed were patched.
    assert StoredRanking.objects.count() == 2
    for stored in StoredRanking.objects.all():
        filters = selectors._ranking_filters(stored.key)
        assert filters is not None
        assert stored.entries == computed(filters)

    monkeypatch.setattr(counts, "PATCH_PROPERTIES_MOST", 1)
    two = [new_incident(places[-1], 2, "13A"), new_incident(places[-2], 2, "13A")]
    changing([], lambda: None, two)
    assert not StoredRanking.objects.exists()


@pytest.mark.parametrize("large", [counts.LARGE, 1])
def test_counts_that_were_not_true_are_recounted_and_the_ranking_patched(
    places: list[Property], monkeypatch: pytest.MonkeyPatch, large: int
) -> None:
    """Cell by cell (`apply`) and by the database (`Delta`, past LARGE) alike."""
    monkeypatch.setattr(counts, "LARGE", large)
    before = store_all()
    where = Property.objects.get(pk=computed(KEYS[0])[0][0])
    DailyCount.objects.filter(property=where).delete()  # as if written around the hook
    mine = [i.pk for i in at(where)][:5]

    changing(mine, lambda: Incident.objects.filter(pk__in=mine).update(beat="331"))

    assert counts.stored_rows() == counts.fresh_rows()  # recounted, not gone below 0
    assert_patched(before)


def test_a_filter_that_cannot_be_read_back_is_computed_again(places: list[Property]) -> None:
    selectors.stored_ranking(END, beat="3|31")
    assert selectors._ranking_filters(selectors._ranking_key(END, "3|31", "", "")) is None
    changing([], lambda: None, [new_incident(places[0], 1, "13A")])
    assert not StoredRanking.objects.filter(key__contains="3|31").exists()
    assert selectors.stored_ranking(END, beat="3|31") == []
