"""Intake's second opinion: the batch model scoring one new person against candidates.

Intake finds candidates quickly with its own keys (`people.selectors.candidate_ids`);
this module scores them with the model of the latest stored linkage run, on the same
features (`records.features`), with the name frequencies and shared contacts of the
records that run scored (`model.lookups`). A person typed at intake and an existing
record therefore get the match probability a run would give the same two records, and
the same verdict: linked automatically, queued for review, or kept apart. Without a
stored run there is no model, and intake relies on its own score alone.
"""

import threading
from dataclasses import dataclass
from typing import Any

import pandas

from ..models import LinkageRun
from . import model as linkage_model
from .records import PersonRecord, features, read_people

QUERY_ID = 0  # the new person's id in the scoring table; person ids start at 1
EVERY_WEIGHT = -1e9  # keep every scored candidate (Splink writes the bound into SQL)


@dataclass(frozen=True)
class ModelOpinion:
    """The model's view of one candidate: as a linkage run would score the pair."""

    probability: float
    match_weight: float
    verdict: str  # "auto", "review" or "apart", by the run's thresholds
    explanation: list[dict[str, Any]]

    @property
    def verdict_label(self) -> str:
        return VERDICTS[self.verdict]

    @property
    def probability_text(self) -> str:
        """Three decimals, never rounded up to a certainty the model does not claim."""
        if self.probability > 0.999:
            return "above 0.999"
        if self.probability < 0.001:
            return "below 0.001"
        return f"{self.probability:.3f}"


VERDICTS = {
    "auto": "would be linked automatically",
    "review": "would go to the review queue",
    "apart": "would be kept apart",
}


@dataclass(frozen=True)
class _StoredModel:
    run_id: int
    model: dict[str, Any]
    lookups: dict[str, Any]
    auto_threshold: float
    review_threshold: float


_cache: dict[int, _StoredModel] = {}
_cache_lock = threading.Lock()


def latest_model() -> _StoredModel | None:
    """The model of the latest stored run that kept its lookups (read once per process)."""
    run_id = (
        LinkageRun.objects.exclude(lookups={})
        .order_by("-started_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if run_id is None:
        return None
    with _cache_lock:
        if run_id not in _cache:
            run = LinkageRun.objects.get(pk=run_id)
            _cache.clear()  # only the newest model is ever used
            _cache[run_id] = _StoredModel(
                run.pk, run.model, run.lookups, run.auto_threshold, run.review_threshold
            )
        return _cache[run_id]


def score_candidates(query: PersonRecord, person_ids: list[int]) -> dict[int, ModelOpinion]:
    """{person id: the model's opinion} for each candidate; empty without a model."""
    stored = latest_model()
    candidates = read_people(person_ids) if stored else []
    if stored is None or not candidates:
        return {}
    connection = linkage_model.open_store()
    try:
        linkage_model.load_records(connection, [candidates])
        shared = stored.lookups.get("shared_contacts", [])
        linkage_model.forget_contacts(connection, shared)
        row = features(query) | {"unique_id": QUERY_ID}
        row["contacts"] = [c for c in row["contacts"] or [] if c not in shared] or None
        linker = linkage_model.make_linker(connection, stored.model)
        _register_frequencies(linker, stored, [row, *map(features, candidates)])
        labels = linkage_model.level_labels(stored.model)
        with linkage_model.quiet_splink():
            scored = linker.inference.find_matches_to_new_records(
                pandas.DataFrame([row], columns=list(linkage_model.FEATURE_COLUMNS)),
                blocking_rules=[],  # every candidate: intake's own keys chose them
                match_weight_threshold=EVERY_WEIGHT,
            ).as_pandas_dataframe()
    finally:
        connection.close()
    opinions = {}
    for pair in scored.to_dict("records"):
        person_id = int(pair["unique_id_r" if pair["unique_id_l"] == QUERY_ID else "unique_id_l"])
        probability = float(pair["match_probability"])
        opinions[person_id] = ModelOpinion(
            probability=probability,
            match_weight=float(pair["match_weight"]),
            verdict=_verdict(probability, stored),
            explanation=linkage_model.explain(pair, labels),
        )
    return opinions


def _verdict(probability: float, stored: _StoredModel) -> str:
    if probability >= stored.auto_threshold:
        return "auto"
    return "review" if probability >= stored.review_threshold else "apart"


def _register_frequencies(linker: Any, stored: _StoredModel, rows: list[dict[str, Any]]) -> None:
    """The run's frequency of each name in play: the registry's, not the candidates'."""
    frequencies = stored.lookups.get("term_frequencies", {})
    for column in linkage_model.term_frequency_columns(stored.model):
        known = frequencies.get(column, {})
        values = sorted({r[column] for r in rows if r.get(column) in known})
        table = pandas.DataFrame(
            {column: values, f"tf_{column}": [known[v] for v in values]},
            columns=[column, f"tf_{column}"],
        )
        linker.table_management.register_term_frequency_lookup(table, column)
