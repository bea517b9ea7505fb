"""Identity resolution on PostgreSQL: the same model, scored by the database server.

`jcihub link people --engine postgres` runs the Splink model on PostgreSQL instead of in
the application's process (DuckDB): for a deployment whose registry outgrows one
process, the pairs are blocked, compared, trained on and scored by the server. The
records are prepared exactly as for DuckDB (`records.features`, shared contacts left out)
and copied into a scratch schema, `jcihub_linkage`, which the run creates and drops; the
scored pairs come back for the same classification and storage as a DuckDB run. What
differs, and why:

- Splink cannot block on array elements in PostgreSQL, so pairs that share only an
  identifier or a phone number are not scored there (the comparisons still weigh them);
- PostgreSQL's random sample takes no seed in SQL, so the session is seeded
  (`setseed`) and scans serially, which makes a trained model repeatable;
- Splink needs the `fuzzystrmatch` extension (Levenshtein) and a Jaro-Winkler function,
  which PostgreSQL lacks: `JARO_WINKLER_FUNCTION` gives DuckDB's values (and
  rapidfuzz's, which intake matching uses): Jaro similarity with Winkler's bonus of 0.1
  per common leading character, up to four, when the Jaro similarity is above 0.7.

The model is stored in DuckDB's dialect whichever engine trained it, so intake scores
with it and a later run on either engine can re-use it (`--model`).
"""

from types import TracebackType
from typing import TYPE_CHECKING, Any

import duckdb
import pandas
import sqlalchemy
from django.db import connection as django_connection
from sqlalchemy.pool import StaticPool

from . import model as linkage_model

if TYPE_CHECKING:
    from splink import Linker
    from splink.internals.splink_dataframe import SplinkDataFrame

SCHEMA = "jcihub_linkage"
SAMPLING_SEED = 0.2026  # setseed() takes a value in [-1, 1]
COPY_BATCH = 50_000
PREDICTIONS_TABLE = "engine_predictions"
# PostgreSQL column types of Splink's predictions, as DuckDB types.
DUCKDB_TYPES = {
    "bigint": "BIGINT",
    "integer": "BIGINT",
    "smallint": "BIGINT",
    "double precision": "DOUBLE",
    "real": "DOUBLE",
    "numeric": "DOUBLE",
    "boolean": "BOOLEAN",
    "text": "VARCHAR",
    "character varying": "VARCHAR",
    "ARRAY": "VARCHAR[]",
}
POSTGRES_TYPES = {"BIGINT": "bigint", "VARCHAR": "text", "VARCHAR[]": "text[]"}


class EngineUnavailable(Exception):
    """The database is not PostgreSQL, or lacks what the model needs; the message says."""


JARO_WINKLER_FUNCTION = """
CREATE OR REPLACE FUNCTION jaro_winkler_similarity(a text, b text)
RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    len_a integer := length(a);
    len_b integer := length(b);
    window_size integer := greatest(greatest(length(a), length(b)) / 2 - 1, 0);
    matched_a boolean[] := array_fill(false, ARRAY[greatest(length(a), 1)]);
    matched_b boolean[] := array_fill(false, ARRAY[greatest(length(b), 1)]);
    matches integer := 0;
    half_transpositions integer := 0;
    prefix integer := 0;
    j integer := 1;
    jaro double precision;
BEGIN
    IF len_a = 0 OR len_b = 0 THEN
        RETURN 0.0;
    END IF;
    FOR i IN 1..len_a LOOP
        FOR k IN greatest(1, i - window_size)..least(len_b, i + window_size) LOOP
            IF NOT matched_b[k] AND substr(a, i, 1) = substr(b, k, 1) THEN
                matched_a[i] := true;
                matched_b[k] := true;
                matches := matches + 1;
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
    IF matches = 0 THEN
        RETURN 0.0;
    END IF;
    FOR i IN 1..len_a LOOP
        IF matched_a[i] THEN
            WHILE NOT matched_b[j] LOOP
                j := j + 1;
            END LOOP;
            IF substr(a, i, 1) <> substr(b, j, 1) THEN
                half_transpositions := half_transpositions + 1;
            END IF;
            j := j + 1;
        END IF;
    END LOOP;
    jaro := (matches::double precision / len_a + matches::double precision / len_b
             + (matches - half_transpositions / 2)::double precision / matches) / 3;
    IF jaro <= 0.7 THEN
        RETURN jaro;
    END IF;
    WHILE prefix < least(4, len_a, len_b)
          AND substr(a, prefix + 1, 1) = substr(b, prefix + 1, 1) LOOP
        prefix := prefix + 1;
    END LOOP;
    RETURN jaro + prefix * 0.1 * (1 - jaro);
END;
$$;
"""


class PostgresEngine:
    """Splink's PostgreSQL backend over the records prepared in `store` (DuckDB).

    Use as a context manager: entering creates the scratch schema and copies the input
    table there; leaving drops the schema, whatever happened."""

    dialect = "postgres"

    def __init__(self, store: duckdb.DuckDBPyConnection) -> None:
        self.store = store
        self.engine: sqlalchemy.Engine | None = None
        self.db_api: Any = None

    def __enter__(self) -> "PostgresEngine":
        if django_connection.vendor != "postgresql":
            raise EngineUnavailable(
                "--engine postgres runs the model on the PostgreSQL server of DATABASE_URL; "
                f"this database is {django_connection.vendor}. Use --engine duckdb."
            )
        # One connection for the whole run: Splink sets the search path once, and the
        # sampling seed lives in the session.
        self.engine = sqlalchemy.create_engine(_url(), poolclass=StaticPool)
        try:
            self._prepare_schema()
            self._copy_input()
            from splink.backends.postgres import PostgresAPI

            self.db_api = PostgresAPI(self.engine, schema=SCHEMA)
        except sqlalchemy.exc.SQLAlchemyError as error:
            self._drop()
            raise EngineUnavailable(f"PostgreSQL refused the linkage schema: {error}") from error
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._drop()

    def _prepare_schema(self) -> None:
        assert self.engine is not None
        with self.engine.begin() as sql:
            sql.execute(sqlalchemy.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
            sql.execute(sqlalchemy.text(f"CREATE SCHEMA {SCHEMA}"))
            sql.execute(sqlalchemy.text(f"SET search_path TO {SCHEMA}, public"))
            sql.execute(sqlalchemy.text("SET max_parallel_workers_per_gather = 0"))
            sql.execute(sqlalchemy.text(JARO_WINKLER_FUNCTION))

    def _copy_input(self) -> None:
        """The prepared records, from DuckDB into the scratch schema, in batches."""
        assert self.engine is not None
        names = list(linkage_model.FEATURE_COLUMNS)
        columns = ", ".join(
            f"{name} {POSTGRES_TYPES[kind]}" for name, kind in linkage_model.FEATURE_COLUMNS.items()
        )
        table = f"{SCHEMA}.{linkage_model.INPUT_TABLE}"
        cursor = self.store.execute(
            f"SELECT {', '.join(names)} FROM {linkage_model.INPUT_TABLE} ORDER BY unique_id"  # noqa: S608
        )
        raw = self.engine.raw_connection()
        try:
            with raw.cursor() as pg:  # type: ignore[attr-defined]
                pg.execute(f"CREATE TABLE {table} ({columns})")
                with pg.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    while rows := cursor.fetchmany(COPY_BATCH):
                        for row in rows:
                            copy.write_row(row)
                pg.execute(f"ANALYZE {table}")
            raw.commit()
        finally:
            raw.close()

    def linker(self, model: dict[str, Any] | None) -> "Linker":
        from splink import Linker

        settings = (
            linkage_model.settings_dict(self.dialect)
            if model is None
            else linkage_model.export_model(model, self.dialect)
        )
        with linkage_model.quiet_splink():
            return Linker(linkage_model.INPUT_TABLE, settings, db_api=self.db_api)

    def train(self) -> dict[str, Any]:
        """Train on the server; the model in DuckDB's dialect (see the module)."""
        assert self.engine is not None
        with self.engine.begin() as sql:
            sql.execute(sqlalchemy.text("SELECT setseed(:seed)"), {"seed": SAMPLING_SEED})
        trained = linkage_model.train_linker(self.linker(None), seed=None)
        return linkage_model.export_model(trained, "duckdb")

    def count_pairs(self) -> int:
        return linkage_model.count_pairs_with(self.db_api, self.dialect)

    def fetch(self, predictions: "SplinkDataFrame") -> str:
        """Bring the scored pairs into the DuckDB store; the name of the table there."""
        assert self.engine is not None
        physical = predictions.physical_name
        types = self._column_types(physical)
        columns = ", ".join(f'"{name}" {kind}' for name, kind in types)
        self.store.execute(f"CREATE OR REPLACE TABLE {PREDICTIONS_TABLE} ({columns})")
        with self.engine.connect() as sql:
            result = sql.execution_options(stream_results=True).execute(
                sqlalchemy.text(f"SELECT * FROM {SCHEMA}.{physical}")  # noqa: S608
            )
            names = list(result.keys())
            for rows in result.partitions(COPY_BATCH):
                frame = pandas.DataFrame([tuple(row) for row in rows], columns=names)
                self.store.register("incoming_pairs", frame)
                self.store.execute(
                    f"INSERT INTO {PREDICTIONS_TABLE} BY NAME SELECT * FROM incoming_pairs"  # noqa: S608
                )
                self.store.unregister("incoming_pairs")
        return PREDICTIONS_TABLE

    def _column_types(self, table: str) -> list[tuple[str, str]]:
        assert self.engine is not None
        with self.engine.connect() as sql:
            rows = sql.execute(
                sqlalchemy.text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = :schema AND table_name = :table ORDER BY ordinal_position"
                ),
                {"schema": SCHEMA, "table": table},
            ).fetchall()
        return [(str(name), DUCKDB_TYPES.get(str(kind), "VARCHAR")) for name, kind in rows]

    def _drop(self) -> None:
        if self.engine is None:
            return
        with self.engine.begin() as sql:
            sql.execute(sqlalchemy.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        self.engine.dispose()
        self.engine = None


def _url() -> sqlalchemy.URL:
    """Django's database, as SQLAlchemy reaches it (psycopg 3)."""
    settings = django_connection.settings_dict
    return sqlalchemy.URL.create(
        "postgresql+psycopg",
        username=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=int(settings["PORT"]) if settings.get("PORT") else None,
        database=settings["NAME"],
    )
