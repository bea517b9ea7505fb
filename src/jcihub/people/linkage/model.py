"""The identity-resolution model: Splink 4 on DuckDB, trained on the records it links.

Records (`records.features`) go into a DuckDB table; pairs that share a blocking key are
compared field by field; each comparison level has an m probability (how often true
matches agree this way) and a u probability (how often different people do), and the
product of the levels' Bayes factors m/u, with the prior probability that two random
records match, gives each pair's match probability (Fellegi-Sunter).

Nothing is hand-set: u comes from random pairs, m and the prior from expectation
maximisation over the pairs of each training blocking rule, the prior's starting point
from pairs that agree exactly on name and birth date. The trained model is Splink's JSON,
which `export_model` re-renders for Spark or PostgreSQL with the same parameters.
"""

import contextlib
import logging
import math
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import duckdb
import pandas
import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.blocking_analysis import cumulative_comparisons_to_be_scored_from_blocking_rules_data
from splink.blocking_rule_library import CustomRule

from .records import FEATURE_COLUMNS, PersonRecord, features

if TYPE_CHECKING:
    from splink.internals.comparison_level_creator import ComparisonLevelCreator
    from splink.internals.splink_dataframe import SplinkDataFrame

INPUT_TABLE = "person_records"
SEED = 2026  # random sampling for u: the same records train the same model
U_SAMPLE_PAIRS = 5_000_000
# Share of true matches assumed to agree exactly on given name, family name and birth
# date: it turns the count of such pairs into EM's starting prior, which EM replaces.
EXACT_AGREEMENT_RECALL = 0.6
UNOBSERVED_PROBABILITY = 1e-6
SHARED_CONTACT_LIMIT = 10  # a phone or email more records give than this is not personal
DIALECTS = ("duckdb", "spark", "postgres")
# Splink cannot block on array elements on PostgreSQL: there, pairs that share only an
# identifier or a phone number are not compared (the comparisons still use them).
DIALECTS_WITHOUT_ARRAY_BLOCKING = ("postgres",)
# Jaro-Winkler by SQL dialect. Splink's Spark backend registers `jaro_winkler`;
# PostgreSQL has none, so `people/sql/jaro_winkler_similarity.sql` provides DuckDB's.
JARO_WINKLER = {
    "duckdb": "jaro_winkler_similarity",
    "spark": "jaro_winkler",
    "postgres": "jaro_winkler_similarity",
}

# Pairs are scored only when they meet one of these rules; each catches errors the others
# miss (a wrong birth date, a misspelt family name, a changed name, swapped names). Every
# rule joins on a key of many values and narrows it further, since pairs grow with the
# square of a block: a common surname or birth date alone puts thousands of records in one
# block at a million records (docs/benchmarks.md, identity resolution). The SQL is plain
# enough for every engine (DuckDB, PostgreSQL, Spark).
_GIVEN_INITIAL = "substr({side}.given_canonical, 1, 1)"  # Bill and William both W
_INITIALS_AGREE = (
    "({l} = {r} or l.family_initial = r.family_initial"
    " or {l} = r.family_initial or l.family_initial = {r})"  # given and family swapped
).format(l=_GIVEN_INITIAL.format(side="l"), r=_GIVEN_INITIAL.format(side="r"))
_BORN_WITHIN_TEN_YEARS = (
    "(l.birth_year is null or r.birth_year is null"
    " or abs(cast(l.birth_year as int) - cast(r.birth_year as int)) <= 10)"
)
_BORN_IN_THE_SAME_DECADE = (
    "(l.birth_year is null or r.birth_year is null"
    " or substr(l.birth_year, 1, 3) = substr(r.birth_year, 1, 3))"
)
PREDICTION_BLOCKING_RULES = (
    CustomRule(f"l.birth_date = r.birth_date and {_INITIALS_AGREE}"),
    CustomRule(
        f"l.given_key = r.given_key and l.family_key = r.family_key and {_BORN_WITHIN_TEN_YEARS}"
    ),
    block_on("family_key", "birth_year", "substr(given_canonical, 1, 1)"),
    block_on("zip_code", "address_line"),
    CustomRule(
        "l.zip_code = r.zip_code and l.given_initial = r.given_initial"
        f" and l.family_initial = r.family_initial and {_BORN_IN_THE_SAME_DECADE}"
    ),
    block_on("identifiers", arrays_to_explode=["identifiers"]),
    block_on("contacts", arrays_to_explode=["contacts"]),
)
# EM needs pairs that are mostly matches and that leave the trained fields free: the
# same-name pairs train birth date, address and the rest; the birth-date pairs train names
# (and, birth date's Bayes factor being known by then, give the prior for all pairs).
TRAINING_BLOCKING_RULES = (
    block_on("given_name", "family_name"),
    block_on("birth_date"),
)
EXACT_AGREEMENT_RULES = (block_on("given_name", "family_name", "birth_date"),)


# --- Comparisons ---------------------------------------------------------------------

# How each comparison reads in the summary and, later, on the review page.
COMPARISON_TITLES = {
    "given_name": "Given name",
    "family_name": "Family name",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "address": "Current address",
    "identifiers": "Identifiers (KCPD, court, jail, hospital ...)",
    "contacts": "Phone numbers and emails",
}


def _jaro_winkler(column: str, threshold: float, label: str, dialect: str) -> cll.CustomLevel:
    function = JARO_WINKLER[dialect]
    return cll.CustomLevel(f"{function}({column}_l, {column}_r) >= {threshold}", label)


def _missing(column: str, what: str) -> "ComparisonLevelCreator":
    return cll.NullLevel(column).configure(label_for_charts=f"{what} not known on both sides")


def _names_swapped() -> "ComparisonLevelCreator":
    level = cll.ColumnsReversedLevel("given_name", "family_name", symmetrical=True)
    return level.configure(label_for_charts="Given and family names swapped")


def _given_name(dialect: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="given_name",
        comparison_levels=[
            _missing("given_name", "Given name"),
            cll.ExactMatchLevel("given_name", term_frequency_adjustments=True).configure(
                label_for_charts="Same given name"
            ),
            cll.ExactMatchLevel("given_canonical").configure(
                label_for_charts="Same name once nicknames are folded (Bill, William)"
            ),
            _names_swapped(),
            cll.ArrayIntersectLevel("given_names").configure(
                label_for_charts="Matches another name the person is known by"
            ),
            cll.CustomLevel(
                "given_canonical_l = middle_name_r OR middle_name_l = given_canonical_r",
                "Given name is the other's middle name",
            ),
            _jaro_winkler("given_name", 0.92, "Similar given name", dialect),
            _jaro_winkler("given_name", 0.8, "Given name somewhat similar", dialect),
            cll.CustomLevel(
                "(length(given_name_l) = 1 OR length(given_name_r) = 1) "
                "AND given_initial_l = given_initial_r",
                "Same initial",
            ),
            cll.ElseLevel().configure(label_for_charts="Different given name"),
        ],
    )


def _family_name(dialect: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="family_name",
        comparison_levels=[
            # Swapped names are weighed once, under the given name: the two comparisons
            # would otherwise count the same evidence twice.
            cll.CustomLevel(
                "family_name_l IS NULL OR family_name_r IS NULL OR "
                "(given_name_l = family_name_r AND given_name_r = family_name_l)",
                "Family name not known on both sides, or names swapped (weighed once)",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("family_name", term_frequency_adjustments=True).configure(
                label_for_charts="Same family name"
            ),
            cll.ArrayIntersectLevel("family_names").configure(
                label_for_charts="Matches a previous or other family name"
            ),
            _jaro_winkler("family_name", 0.92, "Similar family name", dialect),
            _jaro_winkler("family_name", 0.8, "Family name somewhat similar", dialect),
            cll.ElseLevel().configure(label_for_charts="Different family name"),
        ],
    )


def _birth_date() -> cl.CustomComparison:
    day_month_swapped = (
        "substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) "
        "AND substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) "
        "AND substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)"
    )
    return cl.CustomComparison(
        output_column_name="birth_date",
        comparison_levels=[
            _missing("birth_date", "Birth date"),
            cll.ExactMatchLevel("birth_date").configure(label_for_charts="Same birth date"),
            cll.CustomLevel(day_month_swapped, "Day and month swapped"),
            cll.LevenshteinLevel("birth_date", 1).configure(label_for_charts="One digit differs"),
            cll.AbsoluteDateDifferenceLevel(
                "birth_date", input_is_string=True, threshold=1, metric="year"
            ).configure(label_for_charts="Within a year"),
            cll.ElseLevel().configure(label_for_charts="Different birth date"),
        ],
    )


def _sex() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="sex",
        comparison_levels=[
            _missing("sex", "Sex"),
            cll.ExactMatchLevel("sex").configure(label_for_charts="Same sex"),
            cll.ElseLevel().configure(label_for_charts="Different sex"),
        ],
    )


def _address(dialect: str) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="address",
        comparison_levels=[
            cll.CustomLevel(
                "(address_line_l IS NULL OR address_line_r IS NULL) "
                "AND (zip_code_l IS NULL OR zip_code_r IS NULL)",
                "Address not known on both sides",
            ).configure(is_null_level=True),
            cll.ExactMatchLevel("address_line").configure(label_for_charts="Same street address"),
            _jaro_winkler("address_line", 0.92, "Similar street address", dialect),
            cll.ExactMatchLevel("zip_code").configure(label_for_charts="Same ZIP code"),
            cll.ElseLevel().configure(label_for_charts="Different address"),
        ],
    )


def _identifiers() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="identifiers",
        comparison_levels=[
            _missing("identifiers", "Identifiers"),
            cll.ArrayIntersectLevel("identifiers").configure(
                label_for_charts="Same identifier in the same system"
            ),
            cll.ArrayIntersectLevel("identifier_systems").configure(
                label_for_charts="Different numbers in the same system"
            ),
            cll.ElseLevel().configure(label_for_charts="No identifier system in common"),
        ],
    )


def _contacts() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="contacts",
        comparison_levels=[
            _missing("contacts", "Phone numbers and emails"),
            cll.ArrayIntersectLevel("contacts").configure(
                label_for_charts="A phone number or email in common"
            ),
            cll.ElseLevel().configure(label_for_charts="No phone number or email in common"),
        ],
    )


def settings_for(dialect: str = "duckdb") -> SettingsCreator:
    """The model's structure (untrained) with its SQL in `dialect`."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            _given_name(dialect),
            _family_name(dialect),
            _birth_date(),
            _sex(),
            _address(dialect),
            _identifiers(),
            _contacts(),
        ],
        blocking_rules_to_generate_predictions=list(PREDICTION_BLOCKING_RULES),
        retain_matching_columns=True,  # with them come the gamma (level) columns
        retain_intermediate_calculation_columns=True,
        em_convergence=0.0001,
        max_iterations=25,
    )


# --- Running it ------------------------------------------------------------------------


class TrainingError(Exception):
    """The records cannot train the model; the message says why."""


@contextlib.contextmanager
def quiet_splink() -> Iterator[None]:
    """Splink logs every SQL step at INFO; the command shows its own progress instead."""
    logger = logging.getLogger("splink")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def open_store() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB database with the empty input table (it spills to disk when
    the records outgrow memory)."""
    connection = duckdb.connect()
    columns = ", ".join(f"{name} {kind}" for name, kind in FEATURE_COLUMNS.items())
    connection.execute(f"CREATE TABLE {INPUT_TABLE} ({columns})")
    return connection


def load_records(
    connection: duckdb.DuckDBPyConnection,
    batches: Iterable[list[PersonRecord]],
    on_batch: Callable[[int], None] = lambda loaded: None,
) -> int:
    """Append the records' features to the input table; the number of records loaded."""
    loaded = 0
    for batch in batches:
        frame = pandas.DataFrame([features(r) for r in batch], columns=list(FEATURE_COLUMNS))
        connection.register("incoming_records", frame)
        connection.execute(f"INSERT INTO {INPUT_TABLE} SELECT * FROM incoming_records")  # noqa: S608
        connection.unregister("incoming_records")
        loaded += len(batch)
        on_batch(loaded)
    drop_shared_contacts(connection)
    return loaded


def drop_shared_contacts(connection: duckdb.DuckDBPyConnection) -> None:
    """Forget phone numbers and emails that more than SHARED_CONTACT_LIMIT records give
    (a shelter's phone, an office switchboard, a placeholder): they say nothing about who
    a person is, and blocking on them would compare everyone who gave them."""
    shared = [
        value
        for (value,) in connection.execute(
            f"SELECT contact FROM (SELECT unnest(contacts) AS contact FROM {INPUT_TABLE}) "  # noqa: S608
            "GROUP BY contact HAVING count(*) > ? ORDER BY contact",
            [SHARED_CONTACT_LIMIT],
        ).fetchall()
    ]
    forget_contacts(connection, shared)
    connection.execute("CREATE OR REPLACE TABLE shared_contacts (contact VARCHAR)")
    if shared:
        connection.executemany("INSERT INTO shared_contacts VALUES (?)", [[c] for c in shared])


def forget_contacts(connection: duckdb.DuckDBPyConnection, shared: list[str]) -> None:
    """Remove these phone numbers and emails from every record of the input table."""
    if shared:
        keep_personal = "list_filter(contacts, c -> NOT list_contains(?, c))"
        connection.execute(f"UPDATE {INPUT_TABLE} SET contacts = {keep_personal}", [shared])  # noqa: S608
        connection.execute(f"UPDATE {INPUT_TABLE} SET contacts = NULL WHERE len(contacts) = 0")  # noqa: S608


def make_linker(connection: duckdb.DuckDBPyConnection, model: dict[str, Any] | None) -> Linker:
    """A linker over the input table: untrained (`model` None) or with a saved model."""
    settings: SettingsCreator | dict[str, Any] = settings_for("duckdb") if model is None else model
    with quiet_splink():
        return Linker(INPUT_TABLE, settings, db_api=DuckDBAPI(connection=connection))


class DuckDBEngine:
    """The model run in this process, on the DuckDB store itself (the default engine).
    `linkage.postgres.PostgresEngine` offers the same methods on PostgreSQL."""

    dialect = "duckdb"

    def __init__(self, store: duckdb.DuckDBPyConnection) -> None:
        self.store = store

    def __enter__(self) -> "DuckDBEngine":
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def linker(self, model: dict[str, Any] | None) -> Linker:
        return make_linker(self.store, model)

    def train(self) -> dict[str, Any]:
        return train(self.store)

    def count_pairs(self) -> int:
        return count_pairs(self.store)

    def fetch(self, predictions: "SplinkDataFrame") -> str:
        return predictions.physical_name


def train(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Estimate every parameter from the input table; the trained model as Splink JSON.
    Score with `make_linker(connection, model)`: the model saved is the model that scores."""
    return train_linker(make_linker(connection, None), seed=SEED)


def train_linker(linker: Linker, *, seed: int | None) -> dict[str, Any]:
    """Train an untrained linker on its input table, in whatever engine it runs on; the
    model as Splink JSON in that engine's dialect. `seed` makes u's random sample
    repeatable where the engine takes one in SQL (DuckDB); PostgreSQL seeds its session
    instead (`linkage.postgres`)."""
    training = linker.training
    with quiet_splink():
        training.estimate_probability_two_random_records_match(
            list(EXACT_AGREEMENT_RULES), recall=EXACT_AGREEMENT_RECALL
        )
        if not linker.misc.save_model_to_json()["probability_two_random_records_match"]:
            raise TrainingError(
                "no two records agree exactly on given name, family name and birth date, "
                "so the records show no duplicates to learn from"
            )
        training.estimate_u_using_random_sampling(
            max_pairs=U_SAMPLE_PAIRS,
            seed=seed,  # type: ignore[arg-type]  # Splink takes None: no seed in SQL
        )
        for rule in TRAINING_BLOCKING_RULES:
            training.estimate_parameters_using_expectation_maximisation(
                rule,
                # The last session's prior, scaled from its blocked pairs to all pairs,
                # replaces the starting estimate: the prior comes from the data too.
                populate_probability_two_random_records_match_from_trained_values=(
                    rule is TRAINING_BLOCKING_RULES[-1]
                ),
            )
        return without_unobserved_levels(linker.misc.save_model_to_json())


def without_unobserved_levels(model: dict[str, Any]) -> dict[str, Any]:
    """Give a level the records never showed (no m or no u estimate) a Bayes factor of 1.

    Splink would otherwise score such a level with its built-in defaults, which say
    something the data did not: a pair that falls in it gains or loses nothing instead."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            if not _is_estimate(m) or not _is_estimate(u):
                known = m if _is_estimate(m) else u if _is_estimate(u) else UNOBSERVED_PROBABILITY
                level["m_probability"] = level["u_probability"] = known
    return model


def _is_estimate(value: Any) -> bool:
    return isinstance(value, int | float) and value > 0


def lookups(linker: Linker, connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """What scoring needs besides the model, taken from the records a run scored: each
    name's frequency (Splink's term-frequency adjustment: two Smiths agree less than two
    Okonkwos) and the shared contacts left out. Stored with the run, they let intake
    score one new person exactly as the run scored the registry (`linkage.intake`)."""
    frequencies = {}
    with quiet_splink():
        for column in term_frequency_columns(linker.misc.save_model_to_json()):
            table = linker.table_management.compute_tf_table(column).as_pandas_dataframe()
            frequencies[column] = {
                str(value): float(tf)
                for value, tf in zip(table[column], table[f"tf_{column}"], strict=True)
                if value is not None
            }
    shared = [
        value for (value,) in connection.execute("SELECT contact FROM shared_contacts").fetchall()
    ]
    return {"term_frequencies": frequencies, "shared_contacts": shared}


def term_frequency_columns(model: dict[str, Any]) -> list[str]:
    """The columns whose exact-match levels the model adjusts by term frequency."""
    return sorted(
        {
            level["tf_adjustment_column"]
            for comparison in model["comparisons"]
            for level in comparison["comparison_levels"]
            if level.get("tf_adjustment_column")
        }
    )


def count_pairs(connection: duckdb.DuckDBPyConnection) -> int:
    """How many pairs the prediction blocking rules make (each pair counted once)."""
    return count_pairs_with(DuckDBAPI(connection=connection), "duckdb")


def count_pairs_with(db_api: Any, dialect: str) -> int:
    """The same count in any engine, with the blocking rules that engine scores with."""
    rules = settings_dict(dialect)["blocking_rules_to_generate_predictions"]
    with quiet_splink():
        counts = cumulative_comparisons_to_be_scored_from_blocking_rules_data(
            table_or_tables=INPUT_TABLE,
            blocking_rules=rules,
            link_type="dedupe_only",
            db_api=db_api,
        )
    return int(counts["row_count"].sum())


def score(linker: Linker, threshold: float) -> "SplinkDataFrame":
    """Every blocked pair scored; those at or above `threshold` kept."""
    with quiet_splink():
        return linker.inference.predict(threshold_match_probability=threshold)


def scored_pairs(
    connection: duckdb.DuckDBPyConnection, predictions: "SplinkDataFrame", batch_size: int = 10_000
) -> Iterator[list[dict[str, Any]]]:
    """The scored pairs in batches, lower record id first, highest probability first."""
    cursor = connection.execute(
        f"SELECT * FROM {predictions.physical_name} "  # noqa: S608 (Splink's table name)
        "ORDER BY match_probability DESC, unique_id_l, unique_id_r"
    )
    names = [column[0] for column in cursor.description]
    while rows := cursor.fetchmany(batch_size):
        yield [dict(zip(names, row, strict=True)) for row in rows]


# --- Reading a trained model ---------------------------------------------------------------


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """{comparison: {gamma value: level label}}. Splink numbers a comparison's levels
    from the most alike (highest) down to 0, and a null level -1."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = comparison["comparison_levels"]
        non_null = [level for level in levels if not level.get("is_null_level")]
        by_gamma = {len(non_null) - 1 - i: lv["label_for_charts"] for i, lv in enumerate(non_null)}
        for level in levels:
            if level.get("is_null_level"):
                by_gamma[-1] = level["label_for_charts"]
        labels[comparison["output_column_name"]] = by_gamma
    return labels


def explain(pair: dict[str, Any], labels: dict[str, dict[int, str]]) -> list[dict[str, Any]]:
    """Per comparison: the level the pair fell in and its Bayes factor (term-frequency
    adjustment included), as stored with a candidate for the reviewer."""
    explanation = []
    for name, by_gamma in labels.items():
        gamma = int(pair[f"gamma_{name}"])
        factor = float(pair[f"bf_{name}"]) * float(pair.get(f"bf_tf_adj_{name}") or 1.0)
        explanation.append(
            {
                "comparison": name,
                "level": by_gamma.get(gamma, str(gamma)),
                "bayes_factor": _significant(factor),
                "match_weight": _significant(math.log2(factor)) if factor > 0 else None,
            }
        )
    return explanation


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def level_weights(model: dict[str, Any]) -> Iterator[tuple[str, str, float, float]]:
    """(comparison, level, m, u) for every trained, non-null level."""
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            name = comparison["output_column_name"]
            yield (
                COMPARISON_TITLES.get(name, name),
                level["label_for_charts"],
                float(level.get("m_probability") or 0.0),
                float(level.get("u_probability") or 0.0),
            )


def settings_dict(dialect: str) -> dict[str, Any]:
    """The untrained model as Splink JSON for `dialect`, with the blocking rules that
    engine can run (PostgreSQL cannot block on array elements)."""
    if dialect not in DIALECTS:
        raise ValueError(f"Unknown SQL dialect {dialect!r}; one of {', '.join(DIALECTS)}.")
    rendered = settings_for(dialect).create_settings_dict(dialect)
    rendered["sql_dialect"] = dialect
    if dialect in DIALECTS_WITHOUT_ARRAY_BLOCKING:
        rendered["blocking_rules_to_generate_predictions"] = [
            rule
            for rule in rendered["blocking_rules_to_generate_predictions"]
            if not rule.get("arrays_to_explode")
        ]
    return rendered


def export_model(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained model with its SQL rendered for `dialect` (duckdb, spark, postgres):
    the same levels in the same order, with the same trained parameters."""
    exported = settings_dict(dialect)
    for target, trained in zip(exported["comparisons"], model["comparisons"], strict=True):
        for level, trained_level in zip(
            target["comparison_levels"], trained["comparison_levels"], strict=True
        ):
            for key in ("m_probability", "u_probability"):
                if key in trained_level:
                    level[key] = trained_level[key]
    exported["probability_two_random_records_match"] = model["probability_two_random_records_match"]
    return exported
