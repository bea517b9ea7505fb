"""The kept daily counts follow the incidents: an import, the same file again, a newer
file, an administrator's address correction, a change of the category table; the stored
ranking is reused until one of those changes something, and always equals the ranking
recomputed straight from the incidents."""

import datetime as dt
import io
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jcihub.core.tests.factories import user_with_role
from jcihub.incidents import importer
from jcihub.incidents.models import ImportRun, Incident, Offense
from jcihub.places.models import RawAddress
from jcihub.places.services import CorrectedAddress, correct_mapping, property_for_address
from jcihub.taskforce import counts, selectors, services
from jcihub.taskforce.models import FLAG_FIELDS, DailyCount, FlagRule, OffenseCode, StoredRanking

from .helpers import END, incident, kcpd_row, place, skewed_incidents, write

pytestmark = pytest.mark.django_db


def kept_equals_fresh() -> bool:
    return counts.stored_rows() == counts.fresh_rows()


def at(report: str) -> int:
    raw = Incident.objects.get(report_number=report).raw_address
    assert raw is not None and raw.property_id is not None
    return raw.property_id


def violent_90(place_id: int) -> int:
    found = selectors.property_counts(END, place_ids=[place_id]).get(place_id, {})
    return found["violent"][90].current if "violent" in found else 0


def test_an_import_adds_its_incidents_to_the_counts(tmp_path: Path) -> None:
    days = [END - dt.timedelta(days=d) for d in (1, 10, 20)]
    run = importer.import_file(
        write(tmp_path / "a.csv", *(kcpd_row(f"24000000{n}", d, "13A") for n, d in enumerate(days)))
    )

    assert run.status == ImportRun.Status.COMPLETED, run.message
    assert kept_equals_fresh()
    norton = at("240000000")
    assert violent_90(norton) == 3
    assert [entry.place.pk for entry in selectors.rank_problem_properties(END)] == [norton]


def test_the_same_file_again_changes_no_count_and_keeps_the_stored_ranking(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "a.csv",
        *(kcpd_row(f"24000000{n}", END - dt.timedelta(days=n), "13A") for n in range(4)),
    )
    importer.import_file(path)
    selectors.stored_ranking(END)
    version, rows = counts.current_version(), counts.stored_rows()

    again = importer.import_file(path)

    assert again.incidents_unchanged == 4
    assert counts.stored_rows() == rows
    assert counts.current_version() == version
    assert StoredRanking.objects.filter(version=version).exists()  # still the one used


class Calls:
    """Records the calls of the counts' functions (which still run as they are)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
        self.made: dict[str, list[tuple[Any, ...]]] = {name: [] for name in names}
        for name in names:
            real = getattr(counts, name)

            def spy(*args: object, _real=real, _name=name, **kwargs: object) -> object:
                self.made[_name].append(args)
                return _real(*args, **kwargs)

            monkeypatch.setattr(counts, name, spy)


def test_a_file_imported_again_unchanged_reads_and_recounts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(
        tmp_path / "a.csv",
        *(kcpd_row(f"24000010{n}", END - dt.timedelta(days=n), "13A") for n in range(5)),
        kcpd_row("240000109", END - dt.timedelta(days=3), "35A", "1200  GRAND BLVD"),
    )
    importer.import_file(path)
    selectors.stored_ranking(END)
    version, rows = counts.current_version(), counts.stored_rows()
    stored = list(StoredRanking.objects.values_list("pk", "computed_at"))
    calls = Calls(monkeypatch, "refresh", "fresh_rows", "incident_rows", "apply", "bump")

    with CaptureQueriesContext(connection) as queries:
        again = importer.import_file(path)

    assert again.status == ImportRun.Status.COMPLETED, again.message
    assert again.incidents_unchanged == 6
    # Nothing recounted, nothing read or written of the counts or the stored ranking.
    assert calls.made["refresh"] == calls.made["fresh_rows"] == calls.made["apply"] == []
    assert calls.made["bump"] == []
    assert all(not ids for (ids,) in calls.made["incident_rows"])
    touching = [q["sql"] for q in queries if "taskforce_" in q["sql"]]
    assert touching == []
    assert counts.stored_rows() == rows
    assert counts.current_version() == version
    assert list(StoredRanking.objects.values_list("pk", "computed_at")) == stored


def test_a_newer_file_reads_only_the_incidents_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recent = END - dt.timedelta(days=5)
    importer.import_file(
        write(tmp_path / "a.csv", *(kcpd_row(f"24000020{n}", recent, "13A") for n in range(6)))
    )
    calls = Calls(monkeypatch, "refresh", "fresh_rows", "incident_rows")

    importer.import_file(
        write(
            tmp_path / "b.csv",
            kcpd_row("240000200", END - dt.timedelta(days=40), "13A"),  # a date moved
            kcpd_row("240000201", recent, "13A"),  # unchanged
            kcpd_row("240000202", recent, "120"),  # an offense added
            kcpd_row("240000299", recent, "13A"),  # new
        )
    )

    changed = sorted(
        Incident.objects.filter(
            report_number__in=["240000200", "240000202", "240000299"]
        ).values_list("pk", flat=True)
    )
    assert [sorted(ids) for (ids,) in calls.made["incident_rows"]] == [changed[:2], changed]
    assert calls.made["refresh"] == calls.made["fresh_rows"] == []  # no property recounted
    assert kept_equals_fresh()


def _random_row(rng: random.Random, report: str, addresses: list[str]) -> str:
    day = END - dt.timedelta(days=rng.choice([rng.randrange(60), rng.randrange(500)]))
    ibrs = rng.choice(["13A", "13B", "120", "35A", "90C", "90Z", "520", "290", "26A"])
    dv = "Y" if rng.random() < 0.15 else "N"
    firearm = "Y" if rng.random() < 0.1 else "N"
    beat = rng.choice(["331", "332", ""])
    return (
        f"{report},{day:%m/%d/%Y},10:15,,,,,1301,{ibrs},offense {ibrs},{beat},"
        f"{rng.choice(addresses)},KANSAS CITY,64130,PJ2783,EPD,{dv},1,VIC,B,F,34,{firearm},,"
    )


@pytest.mark.parametrize("large", [counts.LARGE, 3])
def test_files_that_change_incidents_keep_the_counts_equal_to_a_recount(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, large: int
) -> None:
    """Dates, beats, flags, addresses and offenses change, reports come and stay: the
    kept table stays what a rebuild counts (by cell; past LARGE, by property)."""
    monkeypatch.setattr(counts, "LARGE", large)
    rng = random.Random(11)
    addresses = [f"{n}00  NORTON AV" for n in range(1, 8)] + ["", "12  NOWHERE"]
    reports = [f"2400{n:05d}" for n in range(120)]
    for round_ in range(4):
        picked = reports if round_ == 0 else rng.sample(reports, 30)
        path = write(
            tmp_path / f"{round_}.csv",
            *(_random_row(rng, report, addresses) for report in picked),
            *(_random_row(rng, f"2499{round_}{n:03d}", addresses) for n in range(5)),
        )
        run = importer.import_file(path)
        assert run.status == ImportRun.Status.COMPLETED, run.message
        assert kept_equals_fresh()
    ranked = [(e.place_id, e.score) for e in selectors.stored_ranking(END)]
    assert ranked
    kept = counts.stored_rows()
    counts.rebuild()
    assert counts.stored_rows() == kept
    assert [p for p, _ in _straight_ranking(END)] == [p for p, _ in ranked]


def test_a_newer_file_moves_the_counts_it_changes(tmp_path: Path) -> None:
    recent = END - dt.timedelta(days=5)
    importer.import_file(
        write(tmp_path / "a.csv", *(kcpd_row(f"24000000{n}", recent, "13A") for n in range(3)))
    )
    norton = at("240000000")
    assert len(selectors.stored_ranking(END)) == 1
    version = counts.current_version()

    # KCPD moved one report back a year; another gains an offense (offenses are only
    # ever added), so it stays violent.
    importer.import_file(
        write(
            tmp_path / "b.csv",
            kcpd_row("240000000", END - dt.timedelta(days=400), "13A"),
            kcpd_row("240000001", recent, "90Z"),
        )
    )

    assert kept_equals_fresh()
    assert counts.current_version() > version
    assert violent_90(norton) == 2
    assert selectors.stored_ranking(END) == []


def test_an_address_correction_moves_the_counts_to_the_right_property() -> None:
    admin = user_with_role("system_admin")
    misread = place()
    for days in (1, 2, 3):
        incident(misread, days, "13A")
    raw = RawAddress.objects.get(property=misread)
    assert [e.place_id for e in selectors.stored_ranking(END)] == [misread.pk]
    right = property_for_address(admin, CorrectedAddress("3412 Norton Ave", "Kansas City", "MO"))

    correct_mapping(admin, raw, right)

    assert kept_equals_fresh()
    assert violent_90(misread) == 0 and violent_90(right.pk) == 3
    assert [e.place_id for e in selectors.stored_ranking(END)] == [right.pk]


def test_a_category_change_recounts_and_refreshes_the_ranking() -> None:
    coordinator = user_with_role("taskforce_coordinator")
    norton = place()
    for days in (1, 2, 3):
        incident(norton, days, "90Z")  # no category
    assert selectors.stored_ranking(END) == []

    services.set_offense_categories(
        coordinator, OffenseCode.objects.get(code="90Z"), "All other offenses", ["violent"]
    )

    assert kept_equals_fresh()
    assert [e.place_id for e in selectors.stored_ranking(END)] == [norton.pk]


def test_the_stored_ranking_is_reused_until_something_changes(django_assert_num_queries) -> None:
    norton = place()
    for days in (1, 2, 3):
        incident(norton, days, "13A")
    first = selectors.stored_ranking(END)
    stored = StoredRanking.objects.get()

    # Reused: the version, the stored entries and the rules; nothing is counted.
    with django_assert_num_queries(3):
        again = selectors.stored_ranking(END)

    assert [(e.place_id, e.score) for e in again] == [(e.place_id, e.score) for e in first]
    assert StoredRanking.objects.get().computed_at == stored.computed_at
    incident(norton, 4, "13A")
    assert selectors.stored_ranking(END)[0].score == (1, 4)


# --- The ranking equals a recomputation straight from the incidents ---------------------


def _straight_ranking(end: dt.date) -> list[tuple[int, list[tuple[int, int, int | None]]]]:
    """Every rule over every incident, in Python, from the incidents and the table."""
    mapped: dict[str, set[str]] = defaultdict(set)
    for code, categories in OffenseCode.objects.values_list("code", "categories"):
        for category in categories:
            mapped[code].add(category)
    of: dict[int, set[str]] = defaultdict(set)
    for incident_id, ibrs in Offense.objects.values_list("incident_id", "ibrs"):
        of[incident_id] |= mapped.get(ibrs, set())
    per_place: dict[int, list[tuple[dt.date, set[str]]]] = defaultdict(list)
    for found in Incident.objects.select_related("raw_address"):
        if found.reported_date is None or found.raw_address is None:
            continue
        if found.raw_address.property_id is None:
            continue
        categories = of[found.pk] | {""}
        for category, flag in FLAG_FIELDS.items():
            if getattr(found, flag):
                categories.add(category)
        per_place[found.raw_address.property_id].append((found.reported_date, categories))
    hits: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
    for rule in FlagRule.objects.filter(is_active=True).order_by("id"):
        days = rule.window_days
        for place_id, seen in per_place.items():
            mine = [day for day, categories in seen if rule.category in categories]
            n = sum(1 for day in mine if end - dt.timedelta(days=days) < day <= end)
            if n < rule.min_count:
                continue
            history = None
            if rule.history_factor:
                top = end - dt.timedelta(days=days)
                history = sum(1 for day in mine if top - dt.timedelta(days=365) < day <= top)
                if n * 365 < history * rule.history_factor * days:
                    continue
            hits[place_id].append((rule.pk, n, history))
    entries = list(hits.items())
    entries.sort(key=lambda e: (-len(e[1]), -sum(h[1] for h in e[1]), e[0]))
    return entries


def test_the_ranked_list_equals_a_straight_recomputation() -> None:
    rng = random.Random(5)
    places = [place(f"{n}00  NORTON AV", f"641{n:02d}") for n in range(1, 13)]
    codes = ["13A", "13B", "120", "35A", "90C", "90Z", "520", "290", "26A", ""]
    skewed_incidents(rng, places, 600, codes, days=500, firearm=0.05)
    straight = _straight_ranking(END)
    assert len(straight) >= 3  # the data flag several properties, by several rules
    assert Counter(len(hits) for _, hits in straight)[1] < len(straight)

    computed = selectors.compute_ranking(END)
    stored = selectors.stored_ranking(END)

    assert [(p, [tuple(h) for h in hits]) for p, hits in computed] == straight
    assert [
        (e.place_id, [(h.rule.pk, h.count, h.history) for h in e.hits]) for e in stored
    ] == straight
    assert kept_equals_fresh()
    kept = counts.stored_rows()
    counts.rebuild()  # what the migration and `jcihub taskforce recount` do
    assert counts.stored_rows() == kept


def test_recount_repairs_counts_written_around_the_import() -> None:
    norton = place()
    incident(norton, 1, "13A")
    DailyCount.objects.all().delete()  # as if incidents had been written by hand
    assert not kept_equals_fresh()
    out = io.StringIO()

    call_command("taskforce", "recount", stdout=out)

    assert kept_equals_fresh()
    assert violent_90(norton.pk) == 1
    assert "daily rows" in out.getvalue()


def test_only_the_latest_stored_rankings_are_kept() -> None:
    for days in range(selectors.STORED_KEPT + 5):
        selectors.stored_ranking(END - dt.timedelta(days=days))

    assert StoredRanking.objects.count() == selectors.STORED_KEPT
    assert not StoredRanking.objects.filter(key__startswith=END.isoformat()).exists()  # oldest
