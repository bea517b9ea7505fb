"""`link_people`: one run of batch identity resolution over the whole registry.

Reads every person record into DuckDB, trains the model on them (or reads a saved
model), scores the pairs the blocking rules make, and stores the outcome: pairs at or
above `LINK_AUTO_THRESHOLD` become automatic links, pairs from `LINK_REVIEW_THRESHOLD`
wait for review, the rest stay apart. Decisions already made are kept: a rejected pair
is never proposed again, an accepted or deferred one is left alone, and two records
recorded as related to each other (partners, parent and child) are two people. Pairs
still waiting for review get their new score, or leave the queue when they no longer
reach the review threshold. Running again on the same records changes nothing.

Everything is written in one transaction with its audit entry, or nothing is.
"""

import contextlib
import json
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from ..models import REVIEW_STATUSES, LinkageRun, MatchCandidate, PersonRelationship
from . import model as linkage_model
from .identities import Identities
from .postgres import JARO_WINKLER_FUNCTION, EngineUnavailable, PostgresEngine
from .records import count_registry, read_registry

Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None)
PHASES = {
    "read": "Reading person records",
    "train": "Training the model (EM)",
    "count": "Counting blocked pairs",
    "score": "Scoring pairs",
    "save": "Storing links and the review queue",
}
WRITE_BATCH = 1_000
# {predictions} is the name of Splink's predictions table, never input.
CLASSIFIED_PAIRS_SQL = """
    SELECT p.*, k.candidate_id, k.status AS known_status,
           k.match_probability AS known_probability, r.person_a IS NOT NULL AS is_related
    FROM {predictions} p
    LEFT JOIN known_pairs k ON k.person_a = p.unique_id_l AND k.person_b = p.unique_id_r
    LEFT JOIN related_pairs r ON r.person_a = p.unique_id_l AND r.person_b = p.unique_id_r
    ORDER BY p.match_probability DESC, p.unique_id_l, p.unique_id_r
"""
STALE_QUEUE_SQL = """
    SELECT k.candidate_id FROM known_pairs k
    WHERE k.status = ? AND NOT EXISTS (
        SELECT 1 FROM {predictions} p
        WHERE p.unique_id_l = k.person_a AND p.unique_id_r = k.person_b)
    ORDER BY k.candidate_id
"""
STAGE_BATCH = 50_000
Status = MatchCandidate.Status
# Where the model runs: in this process (DuckDB) or on the PostgreSQL server.
ENGINES: dict[str, Any] = {"duckdb": linkage_model.DuckDBEngine, "postgres": PostgresEngine}


class LinkageError(Exception):
    """A run that cannot go ahead, with a message the operator can act on."""


@dataclass
class LinkageOutcome:
    """What a run found and did (a dry run: what it would have done)."""

    dry_run: bool
    auto_threshold: float
    review_threshold: float
    records: int = 0
    pairs_scored: int = 0
    auto_linked: int = 0
    queued: int = 0
    refreshed: int = 0
    withdrawn: int = 0
    unchanged: int = 0
    skipped_rejected: int = 0
    skipped_related: int = 0
    held_apart: int = 0  # would-be automatic links queued: they would join a rejected pair
    promoted: int = 0  # queued pairs that now reach the automatic threshold (in auto_linked)
    queue_size: int = 0  # pairs waiting for review (or deferred) after the run
    model: dict[str, Any] = field(default_factory=dict)
    lookups: dict[str, Any] = field(default_factory=dict)  # see linkage_model.lookups
    model_source: str = ""
    model_files: list[Path] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    run_id: int | None = None

    def counts(self) -> dict[str, int]:
        names = (
            "records",
            "pairs_scored",
            "auto_linked",
            "queued",
            "refreshed",
            "withdrawn",
            "unchanged",
            "skipped_rejected",
            "skipped_related",
            "held_apart",
        )
        return {name: getattr(self, name) for name in names}


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


def link_people(
    actor: Any = None,
    *,
    model_path: Path | None = None,
    dry_run: bool = False,
    export_dialects: tuple[str, ...] = (),
    engine: str = "duckdb",
    progress: Progress = _no_progress,
) -> LinkageOutcome:
    """Run identity resolution over every unsealed person record (see the module);
    `engine` is where the model runs (`ENGINES`)."""
    if engine not in ENGINES:
        raise LinkageError(f"Unknown engine {engine!r}; one of {', '.join(ENGINES)}.")
    started_at = timezone.now()
    outcome = LinkageOutcome(
        dry_run=dry_run,
        auto_threshold=settings.LINK_AUTO_THRESHOLD,
        review_threshold=settings.LINK_REVIEW_THRESHOLD,
    )
    saved_model = read_model(model_path) if model_path else None
    people = count_registry()
    if people < 2:
        raise LinkageError(
            f"Identity resolution compares person records in pairs; the registry holds "
            f"{people} (sealed records are left out). Nothing to link."
        )
    outcome.model_source = str(model_path) if model_path else "trained on this run's records"
    connection = linkage_model.open_store()
    try:
        with _timed(outcome, "read"):
            outcome.records = linkage_model.load_records(
                connection, read_registry(), lambda done: progress("read", done, people)
            )
        try:
            with ENGINES[engine](connection) as scorer:
                predictions = _model_and_scores(scorer, outcome, saved_model, progress)
        except EngineUnavailable as error:
            raise LinkageError(str(error)) from error
        with _timed(outcome, "save"):
            _stage_decisions(connection)
            store = contextlib.nullcontext() if dry_run else transaction.atomic()
            with store:
                _store(connection, predictions, outcome, actor, started_at, progress)
    finally:
        connection.close()
    outcome.model_files = save_model(outcome.model, started_at, saved_model, export_dialects)
    return outcome


def _model_and_scores(
    scorer: Any, outcome: LinkageOutcome, saved_model: dict[str, Any] | None, progress: Progress
) -> str:
    """Train (or take) the model, count and score the pairs in the engine; the name of
    the predictions table in the DuckDB store."""
    with _timed(outcome, "train"):
        progress("train", 0, None)
        outcome.model = saved_model or _train(scorer)
    linker = scorer.linker(outcome.model)
    with _timed(outcome, "count"):
        progress("count", 0, None)
        outcome.pairs_scored = scorer.count_pairs()
    with _timed(outcome, "score"):
        progress("score", 0, None)
        predictions = scorer.fetch(linkage_model.score(linker, outcome.review_threshold))
        outcome.lookups = linkage_model.lookups(linker, scorer.store)
        return str(predictions)


def _train(scorer: Any) -> dict[str, Any]:
    try:
        return dict(scorer.train())
    except linkage_model.TrainingError as error:
        raise LinkageError(
            f"The model cannot be trained on these records: {error}. Run with --model PATH "
            "and a model trained on a registry (or a labelled set) that has duplicates."
        ) from error


@contextlib.contextmanager
def _timed(outcome: LinkageOutcome, phase: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    outcome.seconds[phase] = time.perf_counter() - started


# --- Decisions already made, staged beside the scored pairs -----------------------------


def _stage_decisions(connection: duckdb.DuckDBPyConnection) -> None:
    """Copy the stored candidates and the related pairs into DuckDB, in batches."""
    connection.execute(
        "CREATE OR REPLACE TABLE known_pairs (person_a BIGINT, person_b BIGINT, "
        "candidate_id BIGINT, status VARCHAR, match_probability DOUBLE)"
    )
    known = MatchCandidate.objects.values_list(
        "person_a_id", "person_b_id", "pk", "status", "match_probability"
    ).order_by()
    _copy_rows(connection, "known_pairs", known.iterator(chunk_size=STAGE_BATCH))
    connection.execute("CREATE OR REPLACE TABLE related_rows (one BIGINT, other BIGINT)")
    related = PersonRelationship.objects.values_list("person_id", "related_person_id").order_by()
    _copy_rows(connection, "related_rows", related.iterator(chunk_size=STAGE_BATCH))
    connection.execute(
        "CREATE OR REPLACE TABLE related_pairs AS SELECT DISTINCT least(one, other) AS person_a, "
        "greatest(one, other) AS person_b FROM related_rows"
    )


def _copy_rows(connection: duckdb.DuckDBPyConnection, table: str, rows: Iterator[Any]) -> None:
    columns = [c[0] for c in connection.execute(f"DESCRIBE {table}").fetchall()]
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == STAGE_BATCH:
            _insert(connection, table, columns, batch)
            batch = []
    _insert(connection, table, columns, batch)


def _insert(
    connection: duckdb.DuckDBPyConnection, table: str, columns: list[str], rows: list[Any]
) -> None:
    if not rows:
        return
    frame = pandas.DataFrame(rows, columns=columns)
    connection.register("incoming_rows", frame)
    connection.execute(f"INSERT INTO {table} SELECT * FROM incoming_rows")  # noqa: S608
    connection.unregister("incoming_rows")


# --- Storing the outcome -------------------------------------------------------------------


@dataclass
class _Batch:
    new: list[MatchCandidate] = field(default_factory=list)
    changed: list[MatchCandidate] = field(default_factory=list)
    withdrawn: list[int] = field(default_factory=list)


def _store(
    connection: duckdb.DuckDBPyConnection,
    predictions: str,
    outcome: LinkageOutcome,
    actor: Any,
    started_at: Any,
    progress: Progress,
) -> None:
    labels = linkage_model.level_labels(outcome.model)
    run = None if outcome.dry_run else _new_run(outcome, actor, started_at)
    queue_before = _count(
        connection,
        "SELECT count(*) FROM known_pairs WHERE status IN (?, ?)",
        [str(status) for status in REVIEW_STATUSES],
    )
    total = _count(connection, f"SELECT count(*) FROM {predictions}")  # noqa: S608
    identities = Identities.from_database()
    done = 0
    for rows in _classified(connection, predictions):
        batch = _Batch()
        for row in rows:
            _plan(row, outcome, batch, labels, run, identities)
        _write(batch, run)
        done += len(rows)
        progress("save", done, total)
    stale = _stale_queue(connection, predictions)
    outcome.withdrawn += len(stale)
    _write(_Batch(withdrawn=stale), run)
    outcome.queue_size = queue_before + outcome.queued - outcome.withdrawn - outcome.promoted
    if run is not None:
        _finish_run(run, outcome, actor)
    else:
        _record_dry_run(outcome, actor)


def _count(
    connection: duckdb.DuckDBPyConnection, sql: str, parameters: list[str] | None = None
) -> int:
    (value,) = connection.execute(sql, parameters or []).fetchone() or (0,)
    return int(value)


def _classified(
    connection: duckdb.DuckDBPyConnection, predictions: str
) -> Iterator[list[dict[str, Any]]]:
    """The scored pairs with what is already known about each, best first."""
    cursor = connection.execute(CLASSIFIED_PAIRS_SQL.format(predictions=predictions))
    names = [column[0] for column in cursor.description]
    while rows := cursor.fetchmany(WRITE_BATCH):
        yield [dict(zip(names, row, strict=True)) for row in rows]


def _plan(
    row: dict[str, Any],
    outcome: LinkageOutcome,
    batch: _Batch,
    labels: dict[str, dict[int, str]],
    run: LinkageRun | None,
    identities: Identities,
) -> None:
    """Decide what one scored pair does, and count it. Pairs come best first, and each
    automatic link joins `identities` at once, so a weaker pair that would join records
    a reviewer kept apart, through links made earlier in the run, is queued instead."""
    status, probability = row["known_status"], float(row["match_probability"])
    a, b = int(row["unique_id_l"]), int(row["unique_id_r"])
    is_automatic = probability >= outcome.auto_threshold
    if is_automatic and status in (None, Status.PENDING) and not row["is_related"]:
        if identities.would_join_rejected(a, b):
            outcome.held_apart += 1
            is_automatic = False
        else:
            identities.join(a, b)
    if status is None and row["is_related"]:
        outcome.skipped_related += 1
    elif status is None:
        new_status = Status.AUTO_LINKED if is_automatic else Status.PENDING
        batch.new.append(_candidate(row, labels, run, new_status))
        outcome.auto_linked += is_automatic
        outcome.queued += not is_automatic
    elif status == Status.REJECTED:
        outcome.skipped_rejected += 1
    elif status != Status.PENDING:
        outcome.unchanged += 1
    elif row["is_related"]:
        batch.withdrawn.append(int(row["candidate_id"]))
        outcome.withdrawn += 1
    elif is_automatic:
        batch.changed.append(_rescored(row, labels, run, Status.AUTO_LINKED))
        outcome.auto_linked += 1
        outcome.promoted += 1
    elif not math.isclose(probability, float(row["known_probability"]), abs_tol=1e-9):
        batch.changed.append(_rescored(row, labels, run, Status.PENDING))
        outcome.refreshed += 1
    else:
        outcome.unchanged += 1


def _candidate(
    row: dict[str, Any], labels: dict[str, dict[int, str]], run: LinkageRun | None, status: str
) -> MatchCandidate:
    return MatchCandidate(
        person_a_id=int(row["unique_id_l"]),
        person_b_id=int(row["unique_id_r"]),
        run=run,
        match_probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        explanation=linkage_model.explain(row, labels),
        status=status,
    )


def _rescored(
    row: dict[str, Any], labels: dict[str, dict[int, str]], run: LinkageRun | None, status: str
) -> MatchCandidate:
    candidate = _candidate(row, labels, run, status)
    candidate.pk = int(row["candidate_id"])
    candidate.updated_at = timezone.now()
    return candidate


def _write(batch: _Batch, run: LinkageRun | None) -> None:
    if run is None:  # a dry run
        return
    MatchCandidate.objects.bulk_create(batch.new, batch_size=WRITE_BATCH)
    MatchCandidate.objects.bulk_update(
        batch.changed,
        ["run", "match_probability", "match_weight", "explanation", "status", "updated_at"],
        batch_size=WRITE_BATCH // 4,
    )
    for start in range(0, len(batch.withdrawn), WRITE_BATCH):
        ids = batch.withdrawn[start : start + WRITE_BATCH]
        MatchCandidate.objects.filter(pk__in=ids, status=Status.PENDING).delete()


def _stale_queue(connection: duckdb.DuckDBPyConnection, predictions: str) -> list[int]:
    """Pairs waiting for review that this run no longer scores at the review threshold."""
    query = STALE_QUEUE_SQL.format(predictions=predictions)
    rows = connection.execute(query, [str(Status.PENDING)]).fetchall()
    return [int(candidate_id) for (candidate_id,) in rows]


def _new_run(outcome: LinkageOutcome, actor: Any, started_at: Any) -> LinkageRun:
    return LinkageRun.objects.create(
        started_at=started_at,
        finished_at=started_at,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        model_source=outcome.model_source[:500],
        model=outcome.model,
        lookups=outcome.lookups,
        auto_threshold=outcome.auto_threshold,
        review_threshold=outcome.review_threshold,
        **{name: 0 for name in outcome.counts()},
    )


def _finish_run(run: LinkageRun, outcome: LinkageOutcome, actor: Any) -> None:
    run.finished_at = timezone.now()
    for name, value in outcome.counts().items():
        setattr(run, name, value)
    run.save()
    outcome.run_id = run.pk
    record(
        actor,
        AuditAction.CREATE,
        run,
        summary=(
            f"Identity resolution run {run.pk}: {outcome.records:,} records, "
            f"{outcome.auto_linked:,} automatic links, {outcome.queued:,} queued for review"
        ),
        changes=_audited(outcome),
    )


def _record_dry_run(outcome: LinkageOutcome, actor: Any) -> None:
    """A dry run stores no results, but it read every record: that is audited."""
    record(
        actor,
        AuditAction.VIEW,
        object_type=LinkageRun._meta.label_lower,
        object_id="dry-run",
        summary=f"Identity resolution dry run read {outcome.records:,} person records",
        changes=_audited(outcome),
    )


def _audited(outcome: LinkageOutcome) -> dict[str, Any]:
    return {
        **outcome.counts(),
        "model_source": outcome.model_source,
        "auto_threshold": outcome.auto_threshold,
        "review_threshold": outcome.review_threshold,
    }


# --- Model files ----------------------------------------------------------------------------


def read_model(path: Path) -> dict[str, Any]:
    """A saved model (Splink JSON) that this version of the model can score with."""
    try:
        model = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise LinkageError(f"Cannot read the model {path}: {error}") from error
    if not isinstance(model, dict) or model.get("sql_dialect", "duckdb") != "duckdb":
        raise LinkageError(
            f"{path} is not a DuckDB linkage model (an export for Spark or PostgreSQL runs "
            "there, not here)."
        )
    if _shape(model) != _shape(linkage_model.settings_for("duckdb").create_settings_dict("duckdb")):
        raise LinkageError(
            f"{path} was not made by this version of the model: its comparisons differ. "
            "Run without --model to train one."
        )
    return model


def _shape(model: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (c.get("output_column_name", ""), len(c.get("comparison_levels", [])))
        for c in model.get("comparisons", [])
    ]


def save_model(
    model: dict[str, Any],
    started_at: Any,
    saved_model: dict[str, Any] | None,
    export_dialects: tuple[str, ...],
) -> list[Path]:
    """Write the trained model (and its exports) under LINKAGE_MODEL_DIR; a model read
    from a file is not written again, only exported."""
    folder = Path(settings.LINKAGE_MODEL_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"model-{started_at:%Y%m%dT%H%M%SZ}"
    files = []
    if saved_model is None:
        files.append(_write_json(folder / f"{stem}.json", model))
    for dialect in export_dialects:
        exported = linkage_model.export_model(model, dialect)
        files.append(_write_json(folder / f"{stem}.{dialect}.json", exported))
        if dialect == "postgres":
            function = folder / "jaro_winkler_similarity.postgres.sql"
            function.write_text(JARO_WINKLER_FUNCTION.lstrip())
            files.append(function)
    return files


def _write_json(path: Path, content: dict[str, Any]) -> Path:
    path.write_text(json.dumps(content, indent=2, sort_keys=False) + "\n")
    return path
