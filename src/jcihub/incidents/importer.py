"""Loading KCPD files into incidents, idempotently, keeping every row that does not load.

One file is one ImportRun. The run record is written first, on its own; the rows are
loaded in one transaction, so a failure (or a killed process) leaves no half-loaded
data: the run says "failed" or, if the process died, "abandoned" when the file is next
imported, and importing again redoes it cleanly.

Rows are read as a stream and written in chunks with a handful of queries each, so memory
stays flat with file size (files without report numbers keep one small counter per
distinct row; see `kcpd.RowReader`). A report's rows may be anywhere in the file: each
chunk merges into what is already stored (offenses and parties are added, fields that
the new row states replace the stored ones, blank fields never erase a stored value).
"""

import csv
import gzip
import hashlib
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jcihub.core import bulk
from jcihub.people import services as people_services
from jcihub.people.models import Identifier, IdentifierSystem
from jcihub.places.services import AddressRow, PropertyResolver

from . import kcpd
from .models import ImportRun, Incident, Offense, Party, RejectedRow

CHUNK_ROWS = 2000
INCIDENT_FIELDS = (
    "report_number",
    "reported_date",
    "reported_time",
    "from_date",
    "from_time",
    "to_date",
    "to_time",
    "beat",
    "reporting_district",
    "area",
    "address",
    "city",
    "zip_code",
    "latitude",
    "longitude",
    "is_domestic_violence",
    "firearm_used",
)
PARTY_FIELDS = ("involvement", "race", "sex", "age", "kcpd_person_number")

Progress = Callable[[int, int], None]  # (bytes read so far, rows read so far)


@dataclass
class Tally:
    rows_read: int = 0
    rows_rejected: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    created_ids: set[int] = field(default_factory=set)  # incidents
    grown_ids: set[int] = field(default_factory=set)  # incidents given offenses or parties
    # Incidents whose fields a chunk changed, with their fields as they were before this
    # run: rows of one report that disagree (and sit in different chunks) may change a
    # field back and forth, so only the end state against this tells an update.
    before_run: dict[int, tuple[Any, ...]] = field(default_factory=dict)
    parties_updated_ids: set[int] = field(default_factory=set)
    people_created: int = 0
    people_not_created: dict[str, str] = field(default_factory=dict)  # number → why


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from the file on disk, for the progress bar."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.bytes_read += len(data)
        return len(data)


def _open_text(path: Path) -> tuple[io.TextIOWrapper, _CountingReader]:
    raw = path.open("rb")
    counter = _CountingReader(raw)
    buffered = io.BufferedReader(counter, 1 << 20)
    gzipped = buffered.peek(2)[:2] == b"\x1f\x8b"
    binary: Any = gzip.GzipFile(fileobj=buffered) if gzipped else buffered
    # Undecodable bytes become lone surrogates, so the row that holds them is rejected
    # with a reason instead of the whole file failing on it.
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="surrogateescape", newline="")
    return text, counter


def _numbered_rows(reader: Any) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line where the row starts, fields or None, error) for every record in the file."""
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield line, None, f"the line cannot be read as CSV ({error})"
            continue
        yield line, row, ""


def import_file(
    path: Path | str,
    *,
    user: Any = None,
    source: str = "kcpd",
    progress: Progress | None = None,
) -> ImportRun:
    path = Path(path)
    sha256, size = file_digest(path)
    _abandon_interrupted(sha256)
    run = ImportRun.objects.create(
        source=source,
        file_name=path.name[:255],
        file_sha256=sha256,
        file_size=size,
        started_by=user if getattr(user, "is_authenticated", False) else None,
    )
    text, counter = _open_text(path)
    try:
        with text:
            reader = csv.reader(text)
            try:
                header = next(reader)
            except StopIteration:
                return _finish(run, ImportRun.Status.REFUSED, "The file is empty: no header.")
            except (csv.Error, EOFError, OSError, gzip.BadGzipFile) as error:
                return _finish(run, ImportRun.Status.REFUSED, f"The file cannot be read: {error}")
            try:
                layout = kcpd.read_layout(header)
            except kcpd.HeaderError as error:
                return _finish(run, ImportRun.Status.REFUSED, str(error))
            run.variant = layout.name[:60]
            run.columns_ignored = list(layout.ignored)
            tally = Tally()
            with transaction.atomic():
                places = _Places(source, block_rounded=not layout.links_people)
                _load(
                    run,
                    layout,
                    reader,
                    tally,
                    places,
                    lambda rows: progress and progress(counter.bytes_read, rows),
                )
                _save_tally(run, tally)
                run.message = _notes(tally)
                return _finish(run, ImportRun.Status.COMPLETED, run.message)
    except (EOFError, OSError, gzip.BadGzipFile, UnicodeError) as error:
        return _finish(
            run, ImportRun.Status.FAILED, f"Reading stopped: {error}. Nothing was loaded."
        )
    except Exception as error:
        _finish(run, ImportRun.Status.FAILED, f"Import failed: {error!r}. Nothing was loaded.")
        raise


def _abandon_interrupted(sha256: str) -> None:
    ImportRun.objects.filter(file_sha256=sha256, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.ABANDONED,
        finished_at=timezone.now(),
        message="The import was interrupted (its process stopped); nothing of it was kept.",
    )


def _finish(run: ImportRun, status: str, message: str) -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save()
    return run


def _notes(tally: Tally) -> str:
    notes = []
    if tally.rows_read == 0:
        notes.append("The file has a header but no rows.")
    if tally.people_created:
        notes.append(f"{tally.people_created:,} people created from KCPD person numbers.")
    if tally.people_not_created:
        shown = "; ".join(f"{n} ({why})" for n, why in list(tally.people_not_created.items())[:20])
        notes.append(
            f"{len(tally.people_not_created):,} KCPD person numbers could not become person "
            f"records, so their parties are loaded unlinked: {shown}"
        )
    return " ".join(notes)


def _updated_incidents(tally: Tally) -> set[int]:
    """Incidents this run really changed: grown, or fields now unlike before the run."""
    changed = set(tally.grown_ids)
    ids = list(tally.before_run)
    for start in range(0, len(ids), 1000):
        for row in Incident.objects.filter(pk__in=ids[start : start + 1000]).values_list(
            "pk", *INCIDENT_FIELDS
        ):
            pk, now = row[0], row[1:]
            if any(_differs(old, new) for old, new in zip(tally.before_run[pk], now, strict=True)):
                changed.add(pk)
    return changed - tally.created_ids


def _save_tally(run: ImportRun, tally: Tally) -> None:
    run.rows_read = tally.rows_read
    run.rows_rejected = tally.rows_rejected
    run.incidents_created = len(tally.created_ids)
    run.incidents_updated = len(_updated_incidents(tally))
    seen = Incident.objects.filter(last_run=run).count()
    run.incidents_unchanged = seen - run.incidents_created - run.incidents_updated
    run.parties_created = Party.objects.filter(first_run=run).count()
    run.parties_updated = len(tally.parties_updated_ids)
    seen = Party.objects.filter(last_run=run).count()
    run.parties_unchanged = seen - run.parties_created - run.parties_updated


def _load(
    run: ImportRun,
    layout: kcpd.Layout,
    reader: Any,
    tally: Tally,
    places: "_Places",
    report: Callable[[int], Any],
) -> None:
    rows = kcpd.RowReader(layout)
    chunk: list[kcpd.ParsedRow] = []
    rejected: list[RejectedRow] = []
    for line, fields, error in _numbered_rows(reader):
        tally.rows_read += 1
        if fields is not None:
            try:
                chunk.append(rows.parse(line, fields))
            except kcpd.RowError as reason:
                error = str(reason)
        if error:
            raw = _as_csv(fields) if fields is not None else ""
            rejected.append(
                RejectedRow(
                    run=run, line_number=line, reason=error[:300], raw=raw[: RejectedRow.RAW_LIMIT]
                )
            )
        if len(chunk) >= CHUNK_ROWS or len(rejected) >= CHUNK_ROWS:
            _write(run, chunk, rejected, tally, places)
            chunk, rejected = [], []
            report(tally.rows_read)
    _write(run, chunk, rejected, tally, places)
    report(tally.rows_read)


def _as_csv(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    return buffer.getvalue().encode("utf-8", "replace").decode("utf-8")


def _merge(target: dict[str, Any], values: dict[str, Any]) -> None:
    """What a row states replaces what was known; a blank never erases."""
    for name, value in values.items():
        if value is not None and value != "":
            target[name] = value


class _Places:
    """Points incidents at the raw address they state, for one run (one transaction).

    Public KCPD files round house numbers down to the hundred, so their addresses become
    block properties; the internal feed's are exact. An incident keeps its raw address
    while its address, city and ZIP code stay the same, so an administrator's correction
    of that raw address's property holds through every re-import."""

    def __init__(self, source: str, *, block_rounded: bool) -> None:
        self.source = source
        self.block_rounded = block_rounded
        self.resolver = PropertyResolver()

    def point(self, incidents: list[Incident]) -> list[Incident]:
        """Set each incident's raw address from its address; the incidents it changed."""
        located = [incident for incident in incidents if incident.address]
        rows = [
            AddressRow(
                self.source,
                incident.address,
                incident.city,
                incident.zip_code,
                self.block_rounded,
                incident.latitude,
                incident.longitude,
            )
            for incident in located
        ]
        moved = []
        for incident, raw_id in zip(located, self.resolver.resolve_many(rows), strict=True):
            if incident.raw_address_id != raw_id:
                incident.raw_address_id = raw_id
                moved.append(incident)
        return moved


def _write(
    run: ImportRun,
    chunk: list[kcpd.ParsedRow],
    rejected: list[RejectedRow],
    tally: Tally,
    places: _Places,
) -> None:
    if rejected:
        RejectedRow.objects.bulk_create(rejected)
        tally.rows_rejected += len(rejected)
    if not chunk:
        return
    kcpd.assign_party_keys(chunk)
    drafts: dict[str, dict[str, Any]] = {}
    offenses: dict[str, set[tuple[str, str, str]]] = {}
    parties: dict[str, dict[str, dict[str, Any]]] = {}
    for row in chunk:
        _merge(drafts.setdefault(row.source_key, {}), row.incident)
        found = offenses.setdefault(row.source_key, set())
        if any(row.offense):
            found.add(row.offense)
        party = dict(row.party)
        _merge(parties.setdefault(row.source_key, {}).setdefault(party.pop("party_key"), {}), party)

    stored = Incident.objects.in_bulk(list(drafts), field_name="source_key")
    new = [
        Incident(source_key=key, first_run=run, last_run=run, **_with_blanks(values))
        for key, values in drafts.items()
        if key not in stored
    ]
    places.point(new)
    bulk.insert_with_ids(new)
    tally.created_ids.update(i.pk for i in new)
    changed: list[Incident] = []
    for key, incident in stored.items():
        merged = {name: getattr(incident, name) for name in INCIDENT_FIELDS}
        _merge(merged, drafts[key])
        if any(_differs(getattr(incident, n), merged[n]) for n in INCIDENT_FIELDS):
            if incident.pk not in tally.created_ids:
                tally.before_run.setdefault(
                    incident.pk, tuple(getattr(incident, n) for n in INCIDENT_FIELDS)
                )
            for name, value in merged.items():
                setattr(incident, name, value)
            changed.append(incident)
    if changed:
        Incident.objects.bulk_update(changed, INCIDENT_FIELDS)
    # Also fills in the raw address of incidents loaded before places existed; a new raw
    # address is not a change the run reports (the report says what KCPD changed).
    repointed = places.point(list(stored.values()))
    if repointed:
        Incident.objects.bulk_update(repointed, ["raw_address"])
    by_key = {**stored, **{i.source_key: i for i in new}}
    seen_again = [i.pk for i in stored.values() if i.last_run_id != run.pk]
    if seen_again:
        Incident.objects.filter(pk__in=seen_again).update(last_run=run)
    _write_offenses(by_key, offenses, tally)
    _write_parties(run, by_key, parties, tally)
    _link_people(chunk, by_key, tally)


def _with_blanks(values: dict[str, Any]) -> dict[str, Any]:
    blanks = {name: ("" if name in _TEXT_FIELDS else None) for name in INCIDENT_FIELDS}
    return {**blanks, **values}


_TEXT_FIELDS = {
    f.name
    for f in Incident._meta.get_fields()
    if f.get_internal_type() == "CharField"  # type: ignore[union-attr]
}


def _differs(old: Any, new: Any) -> bool:
    if old is None or new is None:
        return old is not new
    if hasattr(old, "normalize") or hasattr(new, "normalize"):  # decimals from the database
        return str(old) != str(new) and float(old) != float(new)
    return old != new


def _write_offenses(
    incidents: dict[str, Incident], offenses: dict[str, set[tuple[str, str, str]]], tally: Tally
) -> None:
    ids = [incidents[key].pk for key in offenses]
    stored = set(
        Offense.objects.filter(incident_id__in=ids).values_list(
            "incident_id", "code", "ibrs", "description"
        )
    )
    new: list[dict[str, Any]] = [
        {"incident_id": incidents[key].pk, "code": code, "ibrs": ibrs, "description": description}
        for key, found in offenses.items()
        for code, ibrs, description in sorted(found)
        if (incidents[key].pk, code, ibrs, description) not in stored
    ]
    bulk.insert_values(Offense, new)
    tally.grown_ids.update({offense["incident_id"] for offense in new} - tally.created_ids)


PARTY_BLANKS = {"involvement": "", "race": "", "sex": "", "kcpd_person_number": ""}


def _write_parties(
    run: ImportRun,
    incidents: dict[str, Incident],
    parties: dict[str, dict[str, dict[str, Any]]],
    tally: Tally,
) -> None:
    ids = [incidents[key].pk for key in parties]
    query = Q(incident_id__in=ids)
    stored = {(p.incident_id, p.party_key): p for p in Party.objects.filter(query)}
    new: list[dict[str, Any]] = []
    changed: list[Party] = []
    seen: list[int] = []
    for key, found in parties.items():
        incident_id = incidents[key].pk
        for party_key, values in found.items():
            party = stored.get((incident_id, party_key))
            if party is None:
                new.append(
                    {
                        **PARTY_BLANKS,
                        **values,
                        "incident_id": incident_id,
                        "party_key": party_key,
                        "first_run_id": run.pk,
                        "last_run_id": run.pk,
                    }
                )
                continue
            merged = {name: getattr(party, name) for name in PARTY_FIELDS}
            _merge(merged, values)
            seen.append(party.pk)
            if any(getattr(party, n) != merged[n] for n in PARTY_FIELDS):
                for name, value in merged.items():
                    setattr(party, name, value)
                changed.append(party)
                if party.first_run_id != run.pk:  # a party new in this run counts as created
                    tally.parties_updated_ids.add(party.pk)
    bulk.insert_values(Party, new)
    if changed:
        Party.objects.bulk_update(changed, PARTY_FIELDS)
    Party.objects.filter(pk__in=seen).update(last_run=run)
    touched = [party["incident_id"] for party in new] + [party.incident_id for party in changed]
    tally.grown_ids.update(set(touched) - tally.created_ids)


def _link_people(chunk: list[kcpd.ParsedRow], incidents: dict[str, Incident], tally: Tally) -> None:
    """Internal feed only: point each party at the Person holding its KCPD person number,
    creating that Person (name, date of birth, the number) when none does yet. Identity
    resolution later merges such records with the same person known from other sources."""
    people = {
        row.person["person_number"]: row.person for row in chunk if row.person.get("person_number")
    }
    if not people:
        return
    known = dict(
        Identifier.objects.filter(system=IdentifierSystem.KCPD, value__in=people).values_list(
            "value", "person_id"
        )
    )
    for number, details in people.items():
        if number in known or number in tally.people_not_created:
            continue
        try:
            person = people_services.create_person(
                None,
                people_services.PersonDetails(
                    given_name=str(details["given_name"]),
                    family_name=str(details["family_name"]),
                    birth_date=details["birth_date"],
                ),
                [(IdentifierSystem.KCPD, number)],
            )
        except ValidationError as error:
            reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
            tally.people_not_created[number] = reasons
            continue
        known[number] = person.pk
        tally.people_created += 1
    unlinked = Party.objects.filter(
        incident_id__in=[i.pk for i in incidents.values()],
        person__isnull=True,
        kcpd_person_number__in=list(known),
    )
    linked = []
    for party in unlinked:
        party.person_id = known[party.kcpd_person_number]
        linked.append(party)
    Party.objects.bulk_update(linked, ["person"])
