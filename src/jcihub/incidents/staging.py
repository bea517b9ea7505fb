"""The set-based half of an import: clean rows go into a staging table, then a few SQL
statements merge the whole file into incidents, offenses and parties at once.

Python reads and checks each row (`kcpd.RowReader`: the reasons a row is rejected are
Python's); the database does what databases are fast at. Rows are streamed into a
temporary table (`COPY` on PostgreSQL, `executemany` on SQLite), so memory stays flat
whatever the file size; then, inside the importer's one transaction:

1. one draft per report (`kcpd_draft`): each field is the value of the last row of the
   file that states it, so a blank never erases and the last statement stands;
2. drafts are compared with what is stored: changed incidents are updated, new ones
   inserted, every one seen gets `last_run`;
3. offenses that are new are inserted (ON CONFLICT DO NOTHING keeps them once);
4. parties get their keys (KCPD's involvement number, the person number, or the nth
   alike person under one offense, by a window function), are merged the same way as
   incidents, updated or inserted;
5. addresses are resolved to `places` once per distinct raw address, and incidents are
   re-pointed in one UPDATE.

Everything is plain SQL that SQLite (3.33 and later: UPDATE … FROM, window functions)
and PostgreSQL both run; the few differences are in `Dialect`.
"""

# Every statement here is built from this module's own table and column names; values
# always travel as parameters.
# ruff: noqa: S608

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from jcihub.core.sql import column, execute, scalar

from . import kcpd

STAGING = "kcpd_staging"
DRAFT = "kcpd_draft"
PARTY_DRAFT = "kcpd_party_draft"
NEW_OFFENSE = "kcpd_new_offense"
ADDRESS = "kcpd_address"
ADDRESS_MAP = "kcpd_address_map"
NEW_ID = "kcpd_new_id"
PLACED = "kcpd_placed"  # the drafts, numbered and placed (see `_number_and_place`)
TEMPORARY = (STAGING, DRAFT, PARTY_DRAFT, NEW_OFFENSE, ADDRESS, ADDRESS_MAP, NEW_ID, PLACED)
DRAFT_KEYS = ("source_key", "incident_id", "first_line")  # the drafts' indexes

# How the database reads a staged text where it is not text (blank text is "").
TYPES = {
    "reported_date": "date",
    "from_date": "date",
    "to_date": "date",
    "reported_time": "time",
    "from_time": "time",
    "to_time": "time",
    "latitude": "numeric",
    "longitude": "numeric",
    "is_domestic_violence": "boolean",
    "firearm_used": "boolean",
    "age": "integer",
}
INCIDENT_COLUMNS = tuple((name, TYPES.get(name, "")) for name in kcpd.INCIDENT_FIELDS)
PARTY_COLUMNS = tuple((name, TYPES.get(name, "")) for name in kcpd.PARTY_FIELDS)
OFFENSE_COLUMNS = kcpd.OFFENSE_FIELDS_OUT
PERSON_COLUMNS = kcpd.PERSON_FIELDS
# The staging table: the line, then every value as text, NULL where the row left it blank.
STAGED_COLUMNS = kcpd.ROW_FIELDS
ADDRESS_BATCH = 2000
ADDRESS_COLUMNS = ("address", "city", "zip_code", "latitude", "longitude")
# Raw-address ids for a batch of (address, city, ZIP code, latitude, longitude).
AddressResolver = Callable[[list[tuple[Any, ...]]], list[int]]


class Dialect:
    """The little SQL that differs between PostgreSQL and SQLite."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"

    def last(self, column: str) -> str:
        """Aggregate: the column's value on the last line of the group that has one."""
        padded = "lpad(CAST(line AS text), 10, '0')" if self.postgres else "printf('%010d', line)"
        return f"substr(max({padded} || {column}), 11)"

    def typed(self, expression: str, kind: str) -> str:
        """Text as the target column's type (SQLite's column affinity does it itself)."""
        return f"CAST({expression} AS {kind})" if self.postgres and kind else expression

    def new_ids(self, table: str, order: str) -> str:
        """Column: a new primary key of `table` per row, in `order` (of an ordered
        subquery). PostgreSQL draws them from the table's sequence; SQLite counts on
        from the largest id, which holds because its write transaction locks the file."""
        if self.postgres:  # the sequence's name looked up once, not once a row
            sequence = scalar("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            return f"nextval(CAST('{sequence}' AS regclass))"
        return f"(SELECT COALESCE(MAX(id), 0) FROM {table}) + ROW_NUMBER() OVER (ORDER BY {order})"

    def temporary(self, name: str, body: str) -> str:
        return f"CREATE TEMPORARY TABLE {name} {body}"


def touched_incident_ids() -> list[int]:
    """The stored incidents the merge changes (a field, a new offense or the raw
    address): during the merge, before it writes them (see `places.changes`)."""
    return column(f"SELECT incident_id FROM {DRAFT} WHERE touched = 1 ORDER BY incident_id")


def changed_incident_ids() -> list[int]:
    """Every incident the merge created or changed, once it has."""
    return column(
        f"SELECT incident_id FROM {DRAFT} WHERE touched = 1 OR is_new = 1 ORDER BY incident_id"
    )


def drop_tables() -> None:
    for name in TEMPORARY:
        execute(f"DROP TABLE IF EXISTS {name}")


def release() -> None:
    """Give the connection back its usual settings, however the import ended (on
    PostgreSQL they were SET LOCAL, so the transaction's end did it)."""
    if connection.vendor == "sqlite":
        _sqlite_cache(SQLITE_DEFAULT_CACHE_KIB)


# SQLite's page cache is 2 MB a connection unless told otherwise: a million-row file's
# staging and draft tables are some 400 MB, and a merge through 2 MB of cache spent a
# sixth of its time rereading pages. The import raises it for itself, then lowers it.
IMPORT_CACHE_KIB = 256 * 1024
SQLITE_DEFAULT_CACHE_KIB = 2000


def _sqlite_cache(kib: int) -> None:
    for schema in ("main", "temp"):
        execute(f"PRAGMA {schema}.cache_size = -{int(kib)}")  # negative: KiB, not pages


def create_staging() -> None:
    """Make the staging table (call inside the import's transaction)."""
    if connection.vendor == "postgresql":
        # For this transaction only: sorts and hashes of a whole file in memory, and no
        # wait for the disk at commit (a crash may then lose the import whole, never half).
        execute("SET LOCAL work_mem = '256MB'")
        execute("SET LOCAL synchronous_commit = off")
        # The merge runs each statement once over many rows, with costs estimated past
        # the JIT threshold: compiling them took longer than running them (1.3 s for a
        # count of nothing in a 100,000-row import).
        execute("SET LOCAL jit = off")
        _temporary_buffers()
    else:
        _sqlite_cache(IMPORT_CACHE_KIB)
    drop_tables()
    columns = ", ".join(f"{name} text" for name in STAGED_COLUMNS)
    execute(Dialect().temporary(STAGING, f"(line integer NOT NULL, {columns})"))


def _temporary_buffers() -> None:
    """Let PostgreSQL keep the merge's temporary tables in memory (its default, 8 MB,
    holds a fifth of a 100,000-row file's staging table, so every statement reread them
    from files). The setting can change only before the session's first temporary
    table: a connection that had some keeps its size, which is only slower."""
    try:
        with transaction.atomic():
            execute("SET LOCAL temp_buffers = '256MB'")
    except DatabaseError:
        pass


def stage(rows: Sequence[Sequence[Any]]) -> None:
    """Append rows (line, then STAGED_COLUMNS as text or None) to the staging table."""
    if not rows:
        return
    names = ", ".join(("line", *STAGED_COLUMNS))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {STAGING} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(STAGED_COLUMNS) + 1))
            cursor.executemany(f"INSERT INTO {STAGING} ({names}) VALUES ({marks})", rows)


@dataclass
class Counts:
    incidents_seen: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    parties_seen: int = 0
    parties_created: int = 0
    parties_updated: int = 0


Step = Callable[[str], Any]  # told what the merge does next, for a progress bar


def merge(
    run_id: int,
    resolve: AddressResolver,
    step: Step = lambda phase: None,
    before_writing: Callable[[], Any] = lambda: None,
) -> Counts:
    """Merge the staged rows into incidents, offenses and parties; what changed.
    `resolve` gives the raw-address ids of a batch of distinct addresses; `step` hears
    each phase as it starts (the merge of a million rows takes minutes);
    `before_writing` is called once the changes are known (`touched_incident_ids`) and
    before any incident or offense is written."""
    sql = Dialect()
    counts = Counts()
    step("merging: one draft per report")
    _index(sql, STAGING, "source_key")
    counts.incidents_seen = _draft_incidents(sql)
    _find_changed_incidents(sql)
    _resolve_addresses(sql, resolve, step)
    _find_new_offenses(sql)
    _mark_touched(sql)
    before_writing()
    step(f"merging: writing {counts.incidents_seen:,} incidents")
    counts.incidents_created = _write_incidents(sql, run_id)
    step("merging: offenses and parties")
    counts.parties_seen = _draft_parties(sql)
    step(f"merging: writing {counts.parties_seen:,} parties")
    counts.parties_created, counts.parties_updated = _write_parties(sql, run_id)
    counts.incidents_updated = scalar(
        f"""SELECT COUNT(*) FROM {DRAFT} d WHERE d.is_new = 0 AND (d.changed = 1
            OR EXISTS (SELECT 1 FROM {NEW_OFFENSE} o WHERE o.incident_id = d.incident_id)
            OR EXISTS (SELECT 1 FROM {PARTY_DRAFT} p WHERE p.incident_id = d.incident_id
                       AND (p.party_id IS NULL OR p.changed = 1)))"""
    )
    execute(
        f"""INSERT INTO incidents_offense (incident_id, code, ibrs, description)
            SELECT incident_id, code, ibrs, description FROM {NEW_OFFENSE}
            ORDER BY incident_id, code, ibrs, description"""
    )
    return counts


def _draft_incidents(sql: Dialect) -> int:
    fields = ", ".join(
        f"{sql.typed(sql.last(name), kind)} AS {name}" for name, kind in INCIDENT_COLUMNS
    )
    execute(
        sql.temporary(
            DRAFT,
            f"""AS SELECT source_key, MIN(line) AS first_line, {fields},
                CAST(NULL AS bigint) AS incident_id, CAST(NULL AS bigint) AS raw_address_id,
                0 AS is_new, 0 AS changed, 0 AS touched
                FROM {STAGING} GROUP BY source_key""",
        )
    )
    _index(sql, DRAFT, *DRAFT_KEYS)
    execute(
        f"""UPDATE {DRAFT} SET incident_id = i.id FROM incidents_incident i
            WHERE i.source_key = {DRAFT}.source_key"""
    )
    return int(scalar(f"SELECT COUNT(*) FROM {DRAFT}"))


def _index(sql: Dialect, table: str, *keys: str) -> None:
    """Index a temporary table on each key (SQLite would otherwise scan it once per row
    of the other side of a join), and let PostgreSQL's planner know its size and the
    keys' spread (temporary tables are never analysed automatically; the keys alone, as
    statistics of every text column cost more than a second a file)."""
    for number, key in enumerate(keys):
        execute(f"CREATE INDEX {table}_{number} ON {table} ({key})")
    if sql.postgres:
        columns = dict.fromkeys(name.strip() for key in keys for name in key.split(","))
        execute(f"ANALYZE {table} ({', '.join(columns)})")


def _merged(sql: Dialect, draft: str, table: str, columns: tuple[tuple[str, str], ...]) -> str:
    """SQL true where the draft states a value unlike the stored one."""
    return " OR ".join(
        f"COALESCE({draft}.{name}, {table}.{name}) {sql.distinct} {table}.{name}"
        for name, _ in columns
    )


def _find_changed_incidents(sql: Dialect) -> None:
    """Mark the drafts that change a stored incident, then give every draft of a stored
    incident its full address (what it states, else what is stored) to resolve."""
    execute(
        f"""UPDATE {DRAFT} SET changed = 1 FROM incidents_incident i
            WHERE i.id = {DRAFT}.incident_id AND ({_merged(sql, DRAFT, "i", INCIDENT_COLUMNS)})"""
    )
    located = ", ".join(f"{name} = COALESCE({DRAFT}.{name}, i.{name})" for name in ADDRESS_COLUMNS)
    execute(
        f"""UPDATE {DRAFT} SET {located}, raw_address_id = i.raw_address_id
            FROM incidents_incident i WHERE i.id = {DRAFT}.incident_id"""
    )


def _mark_touched(sql: Dialect) -> None:
    """Mark the drafts of stored incidents whose fields, offenses or raw address change
    (what is derived from an incident, such as the taskforce's counts, may move)."""
    execute(
        f"""UPDATE {DRAFT} SET touched = 1 FROM incidents_incident i
            WHERE i.id = {DRAFT}.incident_id AND {DRAFT}.is_new = 0
            AND ({DRAFT}.changed = 1
                 OR i.raw_address_id {sql.distinct} {DRAFT}.raw_address_id
                 OR EXISTS (SELECT 1 FROM {NEW_OFFENSE} o
                            WHERE o.incident_id = {DRAFT}.incident_id))"""
    )


def _write_incidents(sql: Dialect, run_id: int) -> int:
    now = timezone.now()
    assignments = ", ".join(
        f"{name} = COALESCE({DRAFT}.{name}, incidents_incident.{name})"
        for name, _ in INCIDENT_COLUMNS
    )
    execute(
        f"""UPDATE incidents_incident SET {assignments}, raw_address_id = {DRAFT}.raw_address_id,
                last_run_id = %s, updated_at = %s
            FROM {DRAFT} WHERE incidents_incident.id = {DRAFT}.incident_id
            AND {DRAFT}.changed = 1""",
        [run_id, now],
    )
    # A new raw address for an unchanged incident (one loaded before places existed) is
    # not a change the run reports: the report says what KCPD changed.
    execute(
        f"""UPDATE incidents_incident SET last_run_id = %s, raw_address_id = {DRAFT}.raw_address_id
            FROM {DRAFT} WHERE incidents_incident.id = {DRAFT}.incident_id AND {DRAFT}.changed = 0
            AND (incidents_incident.last_run_id {sql.distinct} %s
                 OR incidents_incident.raw_address_id {sql.distinct} {DRAFT}.raw_address_id)""",
        [run_id, run_id],
    )
    names = [name for name, _ in INCIDENT_COLUMNS]
    values = ", ".join(
        f"COALESCE({name}, '')" if kind == "" else name for name, kind in INCIDENT_COLUMNS
    )
    # New reports were given their ids already (`_number_and_place`).
    created = execute(
        f"""INSERT INTO incidents_incident (id, source_key, {", ".join(names)}, raw_address_id,
                first_run_id, last_run_id, updated_at)
            SELECT incident_id, source_key, {values}, raw_address_id, %s, %s, %s FROM {DRAFT}
            WHERE is_new = 1 ORDER BY first_line""",
        [run_id, run_id, now],
    )
    return created


def _find_new_offenses(sql: Dialect) -> None:
    blank = "COALESCE(s.{0}, '')"
    code, ibrs, description = (blank.format(name) for name in OFFENSE_COLUMNS)
    execute(
        sql.temporary(
            NEW_OFFENSE,
            f"""AS SELECT DISTINCT d.incident_id, {code} AS code, {ibrs} AS ibrs,
                {description} AS description
                FROM {STAGING} s JOIN {DRAFT} d ON d.source_key = s.source_key
                WHERE (s.code IS NOT NULL OR s.ibrs IS NOT NULL OR s.description IS NOT NULL)
                AND NOT EXISTS (SELECT 1 FROM incidents_offense o
                    WHERE o.incident_id = d.incident_id AND o.code = {code}
                    AND o.ibrs = {ibrs} AND o.description = {description})""",
        )
    )
    _index(sql, NEW_OFFENSE, "incident_id")


def _draft_parties(sql: Dialect) -> int:
    """One draft per party: the rows keyed (involvement number, person number, or the
    nth alike person under each offense of a report), then merged like incidents."""
    fields = ", ".join(
        f"{sql.typed(sql.last(name), kind)} AS {name}" for name, kind in PARTY_COLUMNS
    )
    row_columns = ", ".join(("line", "source_key", *(name for name, _ in PARTY_COLUMNS)))
    ordinal = (
        "ROW_NUMBER() OVER (PARTITION BY source_key, code, ibrs, description, descriptor "
        "ORDER BY line)"
    )
    keyed = f"""SELECT {row_columns}, party_key FROM {STAGING} WHERE party_key IS NOT NULL
        UNION ALL
        SELECT {row_columns}, substr(descriptor || '#' || CAST({ordinal} AS text), 1, 40)
        FROM {STAGING} WHERE party_key IS NULL"""
    execute(
        sql.temporary(
            PARTY_DRAFT,
            f"""AS SELECT d.incident_id, k.party_key, MIN(k.line) AS first_line, {fields},
                CAST(NULL AS bigint) AS party_id, 0 AS changed
                FROM ({keyed}) k JOIN {DRAFT} d ON d.source_key = k.source_key
                GROUP BY d.incident_id, k.party_key""",
        )
    )
    _index(sql, PARTY_DRAFT, "incident_id, party_key", "party_id")
    execute(
        f"""UPDATE {PARTY_DRAFT} SET party_id = p.id FROM incidents_party p
            WHERE p.incident_id = {PARTY_DRAFT}.incident_id
            AND p.party_key = {PARTY_DRAFT}.party_key"""
    )
    return int(scalar(f"SELECT COUNT(*) FROM {PARTY_DRAFT}"))


def _write_parties(sql: Dialect, run_id: int) -> tuple[int, int]:
    updated = execute(
        f"""UPDATE {PARTY_DRAFT} SET changed = 1 FROM incidents_party p
            WHERE p.id = {PARTY_DRAFT}.party_id
            AND ({_merged(sql, PARTY_DRAFT, "p", PARTY_COLUMNS)})"""
    )
    assignments = ", ".join(
        f"{name} = COALESCE({PARTY_DRAFT}.{name}, incidents_party.{name})"
        for name, _ in PARTY_COLUMNS
    )
    execute(
        f"""UPDATE incidents_party SET {assignments}, last_run_id = %s FROM {PARTY_DRAFT}
            WHERE incidents_party.id = {PARTY_DRAFT}.party_id AND {PARTY_DRAFT}.changed = 1""",
        [run_id],
    )
    execute(
        f"""UPDATE incidents_party SET last_run_id = %s FROM {PARTY_DRAFT}
            WHERE incidents_party.id = {PARTY_DRAFT}.party_id AND {PARTY_DRAFT}.changed = 0
            AND incidents_party.last_run_id {sql.distinct} %s""",
        [run_id, run_id],
    )
    names = [name for name, _ in PARTY_COLUMNS]
    values = ", ".join(
        f"COALESCE({name}, '')" if kind == "" else name for name, kind in PARTY_COLUMNS
    )
    created = execute(
        f"""INSERT INTO incidents_party (incident_id, party_key, {", ".join(names)},
                first_run_id, last_run_id)
            SELECT incident_id, party_key, {values}, %s, %s FROM {PARTY_DRAFT}
            WHERE party_id IS NULL ORDER BY incident_id, first_line""",
        [run_id, run_id],
    )
    return created, updated


# --- Addresses ---------------------------------------------------------------------------


def _resolve_addresses(sql: Dialect, resolve: AddressResolver, step: Step) -> None:
    """Give each draft the raw address of its address, city and ZIP code, resolving each
    distinct one once (with the coordinates of the first draft that has some)."""
    located = "MIN(CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL THEN first_line END)"
    blank = "COALESCE({0}, '')"
    address, city, zip_code = (blank.format(name) for name in ADDRESS_COLUMNS[:3])
    execute(
        sql.temporary(
            ADDRESS,
            f"""AS SELECT g.address, g.city, g.zip_code, l.latitude, l.longitude
                FROM (SELECT {address} AS address, {city} AS city, {zip_code} AS zip_code,
                      {located} AS located FROM {DRAFT} WHERE address IS NOT NULL
                      AND address <> '' GROUP BY {address}, {city}, {zip_code}) g
                LEFT JOIN {DRAFT} l ON l.first_line = g.located""",
        )
    )
    execute(
        sql.temporary(
            ADDRESS_MAP, "(address text, city text, zip_code text, raw_address_id bigint)"
        )
    )
    total = int(scalar(f"SELECT COUNT(*) FROM {ADDRESS}"))
    done = 0
    step(f"merging: addresses, 0 of {total:,}")
    for batch in _distinct_addresses():
        raw_ids = resolve(batch)
        done += len(batch)
        step(f"merging: addresses, {done:,} of {total:,}")
        _map_addresses([(*row[:3], raw_id) for row, raw_id in zip(batch, raw_ids, strict=True)])
    _index(sql, ADDRESS_MAP, "address, city, zip_code")
    _number_and_place(sql)


def _number_and_place(sql: Dialect) -> None:
    """Give each new report its incident id, drawn in file order before it is inserted,
    and each draft the raw address of its address, city and ZIP code, where it has one
    (else it keeps the stored incident's). The drafts are written again as a new table
    rather than updated in place: an UPDATE of every draft and its indexes took 6.4 s of
    a million-row import on PostgreSQL."""
    ordered = f"SELECT first_line FROM {DRAFT} WHERE incident_id IS NULL ORDER BY first_line"
    execute(
        sql.temporary(
            NEW_ID,
            f"""AS SELECT o.first_line, {sql.new_ids("incidents_incident", "o.first_line")}
                AS incident_id FROM ({ordered}) o""",
        )
    )
    _index(sql, NEW_ID, "first_line")
    kept = ", ".join(
        f"d.{name}"
        for name in ("source_key", "first_line", *(n for n, _ in INCIDENT_COLUMNS), "changed")
    )
    execute(
        sql.temporary(
            PLACED,
            f"""AS SELECT {kept}, COALESCE(m.raw_address_id, d.raw_address_id) AS raw_address_id,
                COALESCE(d.incident_id, n.incident_id) AS incident_id,
                CASE WHEN d.incident_id IS NULL THEN 1 ELSE 0 END AS is_new, 0 AS touched
                FROM {DRAFT} d
                LEFT JOIN {ADDRESS_MAP} m ON m.address = d.address
                    AND m.city = COALESCE(d.city, '') AND m.zip_code = COALESCE(d.zip_code, '')
                LEFT JOIN {NEW_ID} n ON n.first_line = d.first_line""",
        )
    )
    execute(f"DROP TABLE {DRAFT}")
    execute(f"ALTER TABLE {PLACED} RENAME TO {DRAFT}")
    _index(sql, DRAFT, *DRAFT_KEYS)


def _distinct_addresses() -> Iterator[list[tuple[Any, ...]]]:
    """The address table in batches (keyset order), so memory holds one batch at a time."""
    after: list[Any] = []
    while True:
        where = "WHERE (address, city, zip_code) > (%s, %s, %s)" if after else ""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""SELECT address, city, zip_code, latitude, longitude FROM {ADDRESS} {where}
                    ORDER BY address, city, zip_code LIMIT {ADDRESS_BATCH}""",
                after,
            )
            batch = cursor.fetchall()
        if not batch:
            return
        yield batch
        after = list(batch[-1][:3])


def _map_addresses(rows: Sequence[tuple[Any, ...]]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {ADDRESS_MAP} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(f"INSERT INTO {ADDRESS_MAP} VALUES (%s, %s, %s, %s)", rows)


# --- People (internal feed) ------------------------------------------------------------------


def person_numbers() -> Iterator[list[tuple[Any, ...]]]:
    """(number, given name, family name, birth date) per KCPD person number, from the
    last row that gives the number, in batches."""
    sql = Dialect()
    fields = ", ".join(sql.last(name) for name in PERSON_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT kcpd_person_number, {fields} FROM {STAGING}
                WHERE kcpd_person_number IS NOT NULL
                GROUP BY kcpd_person_number ORDER BY kcpd_person_number"""
        )
        while batch := cursor.fetchmany(ADDRESS_BATCH):
            yield batch


def link_parties(run_id: int, system: str) -> None:
    """Point this run's unlinked parties at the person holding their KCPD person number."""
    execute(
        """UPDATE incidents_party SET person_id = n.person_id FROM people_identifier n
           WHERE incidents_party.last_run_id = %s AND incidents_party.person_id IS NULL
           AND incidents_party.kcpd_person_number <> ''
           AND n.system = %s AND n.value = incidents_party.kcpd_person_number""",
        [run_id, system],
    )
