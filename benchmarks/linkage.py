"""Identity resolution: accuracy on labelled record sets, and run time on synthetic people.

Accuracy: each labelled person set under ../shared/data (FEBRL 1-4, Splink's synthetic
and historical sets; true matches are known) is read into `PersonRecord`s and goes
through the code `jcihub link people` runs (`people.linkage.model`: the same features,
blocking rules, comparisons, training by EM and scoring), with the thresholds from the
settings. Reported per set: pairs scored; precision, recall and F1 of the automatic
links (pairs at or above JCIHUB_LINK_AUTO_THRESHOLD) against every true pair; the review
queue (pairs from JCIHUB_LINK_REVIEW_THRESHOLD up) and how many true matches wait in it;
and F1 at other thresholds, to choose the settings. Target (issue 3): F1 >= 0.95 on
FEBRL4 with automatic links only. FEBRL4's two files are linked as one registry (as the
command links all sources at once); every true pair is one record of each file.

Run time: N synthetic person records (`people.demo.people_with_duplicates`, a fifth of
them second records of an earlier person with typing errors, a newer address and other
identifiers) are written to the benchmark database once, then `link_people` runs as the
command does, from an empty queue: reading the registry, training, counting, scoring and
storing, timed by phase; the automatic links are checked against the known truth.

    python -m benchmarks.linkage --backend sqlite --people 100000
    python -m benchmarks.linkage --part accuracy --sets febrl4
"""

import argparse
import csv
import datetime as dt
import gzip
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from ._setup import BACKENDS, BENCH_DIR, PROJECT, machine, make_console, setup_django

console = make_console()
DATA = PROJECT.parent / "shared" / "data"
TARGET_SET, TARGET_F1 = "febrl4", 0.95
SWEEP = (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)
SEED = 2026
DUPLICATE_SHARE = 0.2
MARKER = "benchmarks.linkage"


# --- Labelled sets: each row becomes a PersonRecord and the id of the entity it is ------


@dataclass(frozen=True)
class LabelledSet:
    name: str
    files: tuple[str, ...]
    read: Callable[[Path], Iterator[tuple[Any, str]]]  # (PersonRecord, entity) per row
    note: str


def _date(text: str, layout: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text.strip(), layout).date()
    except ValueError:
        return None


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rt", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle, skipinitialspace=True):
            yield {key.strip(): (value or "").strip() for key, value in row.items()}


def read_febrl(path: Path) -> Iterator[tuple[Any, str]]:
    """FEBRL: rec-N-org / rec-N-dup-K; the social-security id is an identifier."""
    from jcihub.people.linkage.records import PersonRecord

    for row in _rows(path):
        entity = row["rec_id"].split("-")[1]
        ssid = row["soc_sec_id"]
        yield (
            PersonRecord(
                record_id=0,
                given_name=row["given_name"],
                family_name=row["surname"],
                birth_date=_date(row["date_of_birth"], "%Y%m%d"),
                address_line=f"{row['street_number']} {row['address_1']}",
                zip_code=row["postcode"],
                identifiers=(("state_id", ssid),) if ssid else (),
            ),
            entity,
        )


def read_splink_fake(path: Path) -> Iterator[tuple[Any, str]]:
    """Splink's synthetic people: names, birth date, email (city has no field here)."""
    from jcihub.people.linkage.records import PersonRecord

    for row in _rows(path):
        entity = row.get("cluster") or row["group"]
        yield (
            PersonRecord(
                record_id=0,
                given_name=row["first_name"],
                family_name=row["surname"],
                birth_date=_date(row["dob"], "%Y-%m-%d"),
                contacts=(row["email"],) if row["email"] else (),
            ),
            entity,
        )


def read_historical(path: Path) -> Iterator[tuple[Any, str]]:
    """Wikidata people with errors: names, birth date, gender, a (fake) UK postcode,
    used as the ZIP code (its first five characters: area and sector)."""
    from jcihub.people.linkage.records import PersonRecord

    sexes = {"male": "M", "female": "F"}
    for row in _rows(path):
        yield (
            PersonRecord(
                record_id=0,
                given_name=row["first_name"],
                family_name=row["surname"],
                birth_date=_date(row["dob"], "%Y-%m-%d"),
                sex=sexes.get(row["gender"], ""),
                zip_code=row["postcode_fake"].upper().replace(" ", ""),
            ),
            row["cluster"],
        )


SETS = {
    s.name: s
    for s in (
        LabelledSet("febrl1", ("febrl/dataset1.csv.gz",), read_febrl, "1,000 records"),
        LabelledSet("febrl2", ("febrl/dataset2.csv.gz",), read_febrl, "5,000 records"),
        LabelledSet("febrl3", ("febrl/dataset3.csv.gz",), read_febrl, "5,000, many dups each"),
        LabelledSet(
            "febrl4",
            ("febrl/dataset4a.csv.gz", "febrl/dataset4b.csv.gz"),
            read_febrl,
            "5,000 + 5,000, linked as one registry",
        ),
        LabelledSet("splink_fake_1000", ("linkage/splink_fake_1000.csv.gz",), read_splink_fake, ""),
        LabelledSet(
            "splink_tests_fake_1000",
            ("linkage/splink_tests_fake_1000_from_splink_demos.csv.gz",),
            read_splink_fake,
            "",
        ),
        LabelledSet(
            "splink_fake_20000", ("linkage/splink_fake_20000.csv.gz",), read_splink_fake, ""
        ),
        LabelledSet(
            "splink_fake_100000",
            ("linkage/splink_fake_100000.csv.gz",),
            read_splink_fake,
            "clusters up to 100 records",
        ),
        LabelledSet(
            "historical_50k",
            ("linkage/splink_historical_figures_with_errors_50k.csv.gz",),
            read_historical,
            "Wikidata people with injected errors",
        ),
    )
}
# Labelled files that are not person records, or not a new set of them.
NOT_PERSON_SETS = {
    "splink_transactions_origin/destination": "bank transactions (memo, amount, date), "
    "not people: nothing for a person model to compare",
    "splink_fake_1000_labels, splink_pairwise_labels_to_estimate_m": "pair labels of "
    "splink_fake_1000, whose cluster column already gives every true pair",
}


def load_set(labelled: LabelledSet) -> tuple[list[Any], dict[int, str]]:
    """The set's records, numbered from 1, and each record's entity."""
    from dataclasses import replace

    records, truth = [], {}
    for file in labelled.files:
        for record, entity in labelled.read(DATA / file):
            number = len(records) + 1
            records.append(replace(record, record_id=number))
            truth[number] = f"{entity}"
    return records, truth


# --- Scoring a set through the command's pipeline ------------------------------------------


@dataclass
class Accuracy:
    name: str
    records: int
    true_pairs: int
    pairs_scored: int
    auto: int
    auto_true: int
    queue: int
    queue_true: int
    sweep: dict[float, float]  # threshold → F1 of the pairs at or above it
    seconds: float
    prior: float

    @property
    def precision(self) -> float:
        return self.auto_true / self.auto if self.auto else 0.0

    @property
    def recall(self) -> float:
        return self.auto_true / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.auto_true, self.auto, self.true_pairs)


def _f1(true_found: int, found: int, true_pairs: int) -> float:
    if not true_found:
        return 0.0
    precision, recall = true_found / found, true_found / true_pairs
    return 2 * precision * recall / (precision + recall)


def measure_set(labelled: LabelledSet, auto: float, review: float) -> Accuracy:
    from jcihub.people.linkage import model

    records, truth = load_set(labelled)
    started = time.perf_counter()
    connection = model.open_store()
    model.load_records(connection, [records])
    trained = model.train(connection)
    pairs_scored = model.count_pairs(connection)
    predictions = model.score(model.make_linker(connection, trained), min(review, *SWEEP))
    seconds = time.perf_counter() - started
    scored = _scored_with_truth(connection, predictions.physical_name, truth)
    connection.close()
    true_pairs = _true_pairs(truth)
    return Accuracy(
        name=labelled.name,
        records=len(records),
        true_pairs=true_pairs,
        pairs_scored=pairs_scored,
        auto=sum(1 for p, _ in scored if p >= auto),
        auto_true=sum(1 for p, same in scored if p >= auto and same),
        queue=sum(1 for p, _ in scored if review <= p < auto),
        queue_true=sum(1 for p, same in scored if review <= p < auto and same),
        sweep={t: _f1_at(scored, t, true_pairs) for t in SWEEP},
        seconds=seconds,
        prior=trained["probability_two_random_records_match"],
    )


def _scored_with_truth(
    connection: Any, predictions: str, truth: dict[int, str]
) -> list[tuple[float, bool]]:
    rows = connection.execute(
        f"SELECT unique_id_l, unique_id_r, match_probability FROM {predictions}"
    ).fetchall()
    return [(float(p), truth[left] == truth[right]) for left, right, p in rows]


def _f1_at(scored: list[tuple[float, bool]], threshold: float, true_pairs: int) -> float:
    found = [same for p, same in scored if p >= threshold]
    return _f1(sum(found), len(found), true_pairs)


def _true_pairs(truth: dict[int, str]) -> int:
    sizes: dict[str, int] = {}
    for entity in truth.values():
        sizes[entity] = sizes.get(entity, 0) + 1
    return sum(n * (n - 1) // 2 for n in sizes.values())


def report_accuracy(results: list[Accuracy], auto: float, review: float) -> bool:
    table = Table(
        title=f"Linkage accuracy: automatic links at p >= {auto:g}, review queue from {review:g}",
        title_justify="left",
    )
    columns = ("set", "records", "true pairs", "pairs scored", "auto links", "precision")
    columns += ("recall", "F1", "review queue", "true in queue", "seconds")
    for column in columns:  # a narrow console folds a figure, never cuts it short
        table.add_column(column, justify="left" if column == "set" else "right", overflow="fold")
    for r in results:
        table.add_row(
            r.name,
            f"{r.records:,}",
            f"{r.true_pairs:,}",
            f"{r.pairs_scored:,}",
            f"{r.auto:,}",
            f"{r.precision:.4f}",
            f"{r.recall:.4f}",
            f"{r.f1:.4f}",
            f"{r.queue:,}",
            f"{r.queue_true:,}",
            f"{r.seconds:.1f}",
        )
    console.print(table)
    sweep = Table(title="F1 of the pairs at or above each threshold", title_justify="left")
    sweep.add_column("set")
    for threshold in SWEEP:
        sweep.add_column(f"p >= {threshold:g}", justify="right")
    for r in results:
        sweep.add_row(r.name, *(f"{r.sweep[t]:.4f}" for t in SWEEP))
    console.print(sweep)
    for name, why in NOT_PERSON_SETS.items():
        console.print(f"Not measured: {name}: {why}.")
    target = next((r for r in results if r.name == TARGET_SET), None)
    if target is None:
        return True
    passed = target.f1 >= TARGET_F1
    verdict = "PASS" if passed else "FAIL"
    console.print(f"Target F1 >= {TARGET_F1} on FEBRL4, automatic links only: {verdict}")
    return passed


# --- Run time on synthetic people in the database --------------------------------------------


def truth_file(records: int) -> Path:
    return BENCH_DIR / f"linkage-truth-{SEED}-{records}.csv.gz"


def ensure_synthetic(records: int, *, rebuild: bool = False) -> float | None:
    """Make sure the database holds the `records` synthetic records (and their truth
    file); the seconds the build took, or None if they were there already."""
    from jcihub.audit.models import AuditEntry
    from jcihub.people.models import Person

    key = f"{SEED}:{records}"
    marked = AuditEntry.objects.filter(object_type=MARKER, object_id=key).exists()
    found = marked and truth_file(records).exists() and Person.objects.count() == records
    if found and not rebuild:
        return None
    from ._setup import recreate_database

    recreate_database()
    started = time.perf_counter()
    _write_synthetic(records)
    seconds = time.perf_counter() - started
    _mark(key, seconds)
    return seconds


def _write_synthetic(records: int) -> None:
    from django.db import transaction

    from jcihub.people.demo import people_with_duplicates

    batch: list[tuple[Any, int]] = []
    partial = truth_file(records).with_suffix(".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(partial, "wt", newline="") as handle:
        out = csv.writer(handle)
        for item in people_with_duplicates(SEED, records, DUPLICATE_SHARE):
            batch.append(item)
            if len(batch) == 5_000:
                _flush(batch, out, transaction)
                batch = []
        _flush(batch, out, transaction)
    partial.rename(truth_file(records))


def _flush(batch: list[tuple[Any, int]], out: Any, transaction: Any) -> None:
    from .population import write_batch

    if not batch:
        return
    with transaction.atomic():
        write_batch([generated for generated, _ in batch])
    out.writerows((generated.person.pk, human) for generated, human in batch)
    print(f"  wrote {batch[-1][0].person.pk:,} records", flush=True)


def _mark(key: str, seconds: float) -> None:
    from jcihub.audit.models import AuditAction
    from jcihub.audit.services import record

    record(
        None,
        AuditAction.CREATE,
        object_type=MARKER,
        object_id=key,
        summary=f"Benchmark linkage population {key}",
        changes={"seconds": round(seconds, 1)},
    )


def _read_truth(records: int) -> dict[int, int]:
    with gzip.open(truth_file(records), "rt", newline="") as handle:
        return {int(pk): int(human) for pk, human in csv.reader(handle)}


def measure_run(records: int) -> dict[str, Any]:
    """`link_people` from an empty queue, timed; its automatic links against the truth."""
    from jcihub.people.linkage.runs import link_people
    from jcihub.people.models import LinkageRun, MatchCandidate

    MatchCandidate.objects.all().delete()
    LinkageRun.objects.all().delete()
    started = time.perf_counter()
    outcome = link_people()
    seconds = time.perf_counter() - started
    truth = _read_truth(records)

    def true_pairs_with(status: str) -> int:
        pairs = MatchCandidate.objects.filter(status=status)
        return sum(truth[a] == truth[b] for a, b in pairs.values_list("person_a_id", "person_b_id"))

    auto_true = true_pairs_with(MatchCandidate.Status.AUTO_LINKED)
    queue_true = true_pairs_with(MatchCandidate.Status.PENDING)
    sizes: dict[int, int] = {}
    for human in truth.values():
        sizes[human] = sizes.get(human, 0) + 1
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    return {
        "outcome": outcome,
        "seconds": seconds,
        "true_pairs": true_pairs,
        "auto_true": auto_true,
        "queue_true": queue_true,
        "f1": _f1(auto_true, outcome.auto_linked, true_pairs),
    }


def report_run(backend: str, records: int, build: float | None, result: dict[str, Any]) -> None:
    outcome = result["outcome"]
    table = Table(
        title=f"`jcihub link people` on {records:,} synthetic records ({backend})",
        title_justify="left",
    )
    for column in ("records", "pairs scored", "auto links", "queued", "seconds", "records/s"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{outcome.records:,}",
        f"{outcome.pairs_scored:,}",
        f"{outcome.auto_linked:,}",
        f"{outcome.queued:,}",
        f"{result['seconds']:.1f}",
        f"{outcome.records / result['seconds']:,.0f}",
    )
    console.print(table)
    phases = ", ".join(f"{phase} {s:.1f} s" for phase, s in outcome.seconds.items())
    console.print(f"Phases: {phases}.")
    precision = result["auto_true"] / outcome.auto_linked if outcome.auto_linked else 0.0
    recall = result["auto_true"] / result["true_pairs"] if result["true_pairs"] else 0.0
    console.print(
        f"Automatic links against the truth: precision {precision:.4f}, recall {recall:.4f}, "
        f"F1 {result['f1']:.4f} ({result['true_pairs']:,} true pairs); "
        f"{result['queue_true']:,} of the {outcome.queued:,} queued pairs are true matches."
    )
    if build is not None:
        console.print(f"Built the {records:,} records in {build:.0f} s (not part of the run).")


# --- Entry point ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=BACKENDS, default="sqlite")
    parser.add_argument(
        "--part", choices=["accuracy", "runtime", "both"], default="both", help="what to measure"
    )
    parser.add_argument(
        "--sets", nargs="+", choices=sorted(SETS), help="labelled sets (default: all)"
    )
    parser.add_argument(
        "--people", type=int, default=100_000, help="synthetic records for the run time"
    )
    parser.add_argument("--rebuild", action="store_true", help="write the synthetic records again")
    args = parser.parse_args(argv)
    setup_django(args.backend, f"linkage_{args.people}")
    from django.conf import settings

    auto, review = settings.LINK_AUTO_THRESHOLD, settings.LINK_REVIEW_THRESHOLD
    console.print(f"Machine: {machine()}")
    passed = True
    if args.part in ("accuracy", "both"):
        results = []
        for name in args.sets or list(SETS):
            console.print(f"Scoring {name} …")
            results.append(measure_set(SETS[name], auto, review))
        passed = report_accuracy(results, auto, review)
    if args.part in ("runtime", "both") and args.people:
        build = ensure_synthetic(args.people, rebuild=args.rebuild)
        report_run(args.backend, args.people, build, measure_run(args.people))
    return 0 if passed else 3


if __name__ == "__main__":
    raise SystemExit(main())
