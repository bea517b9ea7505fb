"""Loading KCPD files into incidents, idempotently, keeping every row that does not load.

One file is one ImportRun. The run record is written first, on its own; the rows are
loaded in one transaction, so a failure (or a killed process) leaves no half-loaded
data: the run says "failed" or, if the process died, "abandoned" (see
`abandon_stale_runs`), and importing again redoes it cleanly.

Python reads the file as a stream and checks each row (`kcpd.RowReader`); clean rows go
into a staging table in chunks and the database merges the whole file at once with
set-based SQL (`staging`), so memory stays flat with file size and the per-row cost is
the parsing alone. A report's rows may be anywhere in the file: fields the file states
replace the stored ones (the last row that states a field wins), blank fields never erase
a stored value, offenses and parties are added.
"""

import codecs
import csv
import datetime as dt
import gc
import gzip
import hashlib
import io
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.core import bulk
from jcihub.people import services as people_services
from jcihub.people.models import Identifier, IdentifierSystem
from jcihub.places import changes
from jcihub.places.services import AddressRow, PropertyResolver

from . import kcpd, staging
from .models import ImportRun, RejectedRow

CHUNK_ROWS = 20_000
# (bytes read so far, rows read so far, what the import is doing: "reading", then the
# merge's phases, then "committing")
Progress = Callable[[int, int, str], None]
# A run still "running" after this long has lost its process, wherever it ran: a million
# rows take minutes.
STALE_AFTER = dt.timedelta(hours=6)
HOST = socket.gethostname()[:255]


@dataclass
class Tally:
    rows_read: int = 0
    rows_rejected: int = 0
    rows_undecodable: int = 0  # rejected for bytes that are not UTF-8
    encoding: str = ""  # the file's encoding, when it is not UTF-8
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


# Byte-order marks of the Unicode encodings other than UTF-8 (longest first: UTF-32 LE
# starts like UTF-16 LE). Spreadsheet programs save "Unicode text" as UTF-16.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


def _open_text(path: Path) -> tuple[io.TextIOWrapper, _CountingReader, str]:
    """The file as text (gunzipped if need be), its byte counter, and the encoding name
    when it is not UTF-8."""
    raw = path.open("rb")
    counter = _CountingReader(raw)
    buffered = io.BufferedReader(counter, 1 << 20)
    gzipped = buffered.peek(2)[:2] == b"\x1f\x8b"
    binary: Any = io.BufferedReader(gzip.GzipFile(fileobj=buffered)) if gzipped else buffered
    try:
        start = binary.peek(4)[:4]
    except (EOFError, OSError):  # a broken gzip stream: reading the header will say so
        start = b""
    encoding, named = "utf-8-sig", ""
    for mark, codec, name in BYTE_ORDER_MARKS:
        if start.startswith(mark):
            encoding, named = codec, name
            break
    # Undecodable bytes become lone surrogates, so the row that holds them is rejected
    # with a reason instead of the whole file failing on it.
    text = io.TextIOWrapper(binary, encoding=encoding, errors="surrogateescape", newline="")
    return text, counter, named


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
    abandon_stale_runs()
    run = ImportRun.objects.create(
        host=HOST,
        pid=os.getpid(),
        source=source,
        file_name=path.name[:255],
        file_sha256=sha256,
        file_size=size,
        started_by=user if getattr(user, "is_authenticated", False) else None,
    )
    text, counter, encoding = _open_text(path)
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
            tally = Tally(encoding=encoding)

            def report(phase: str) -> None:
                if progress:
                    progress(counter.bytes_read, tally.rows_read, phase)

            with transaction.atomic():
                staging.create_staging()
                _load(run, layout, reader, tally, lambda rows: report("reading"))
                resolve = _address_resolver(source, block_rounded=not layout.links_people)
                # What is kept per property hears of the incidents that change, before
                # they are written and after (none, for a file imported unchanged).
                listening: list[Callable[[list[int]], None]] = []

                def before_writing() -> None:
                    touched = staging.touched_incident_ids()
                    listening.append(changes.incidents_changing(touched))

                counts = staging.merge(run.pk, resolve, report, before_writing)
                report("refreshing what is kept per property")
                for done in listening:
                    done(staging.changed_incident_ids())
                if layout.links_people:
                    report("linking people")
                    _link_people(run, tally)
                staging.drop_tables()
                _save_tally(run, tally, counts)
                run.message = _notes(tally)
                report("committing")
                return _finish(run, ImportRun.Status.COMPLETED, run.message)
    except (EOFError, OSError, gzip.BadGzipFile, UnicodeError) as error:
        return _finish(
            run, ImportRun.Status.FAILED, f"Reading stopped: {error}. Nothing was loaded."
        )
    except Exception as error:
        _finish(run, ImportRun.Status.FAILED, f"Import failed: {error!r}. Nothing was loaded.")
        raise
    finally:
        staging.release()


def _abandon_interrupted(sha256: str) -> None:
    ImportRun.objects.filter(file_sha256=sha256, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.ABANDONED,
        finished_at=timezone.now(),
        message="The import was interrupted (its process stopped); nothing of it was kept.",
    )


def abandon_stale_runs(*, older_than: dt.timedelta = STALE_AFTER) -> int:
    """Mark as abandoned the runs left "running" by a process that stopped without saying
    so (killed, out of memory, machine restarted): a run on this machine whose process is
    gone, or any run started longer ago than `older_than`. Their rows were never
    committed, so nothing else needs undoing. How many runs were marked."""
    now = timezone.now()
    running = ImportRun.objects.filter(status=ImportRun.Status.RUNNING)
    stale = [
        run.pk
        for run in running.only("pk", "host", "pid", "started_at")
        if run.started_at < now - older_than
        or (run.host == HOST and run.pid is not None and not _process_alive(run.pid))
    ]
    return ImportRun.objects.filter(pk__in=stale, status=ImportRun.Status.RUNNING).update(
        status=ImportRun.Status.ABANDONED,
        finished_at=now,
        message="The import stopped without finishing (its process ended); nothing of it was kept.",
    )


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def _finish(run: ImportRun, status: str, message: str) -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save()
    return run


def _notes(tally: Tally) -> str:
    notes = []
    if tally.encoding:
        notes.append(f"Read as {tally.encoding} text (the file starts with its byte-order mark).")
    if tally.rows_read == 0:
        notes.append("The file has a header but no rows.")
    elif tally.rows_rejected == tally.rows_read:
        notes.append("No row could be loaded: see the rejected rows for the reasons.")
    if tally.rows_undecodable:
        notes.append(
            f"{tally.rows_undecodable:,} rows hold bytes that are not UTF-8 text and were "
            "kept as rejected: if the file was saved as Latin-1 or Windows-1252, save it "
            "as UTF-8 and import it again."
        )
    if tally.people_created:
        notes.append(f"{tally.people_created:,} people created from KCPD person numbers.")
    if tally.people_not_created:
        shown = "; ".join(f"{n} ({why})" for n, why in list(tally.people_not_created.items())[:20])
        notes.append(
            f"{len(tally.people_not_created):,} KCPD person numbers could not become person "
            f"records, so their parties are loaded unlinked: {shown}"
        )
    return " ".join(notes)


def _save_tally(run: ImportRun, tally: Tally, counts: staging.Counts) -> None:
    run.rows_read = tally.rows_read
    run.rows_rejected = tally.rows_rejected
    run.incidents_created = counts.incidents_created
    run.incidents_updated = counts.incidents_updated
    run.incidents_unchanged = (
        counts.incidents_seen - counts.incidents_created - counts.incidents_updated
    )
    run.parties_created = counts.parties_created
    run.parties_updated = counts.parties_updated
    run.parties_unchanged = counts.parties_seen - counts.parties_created - counts.parties_updated


def _load(
    run: ImportRun,
    layout: kcpd.Layout,
    reader: Any,
    tally: Tally,
    report: Callable[[int], Any],
) -> None:
    """Stream the file's rows into the staging table; keep the ones that do not parse.

    The cyclic garbage collector is paused meanwhile: the loop makes millions of short
    lived lists and strings (freed by reference counting; none forms a cycle), and
    collections triggered by them cost a fifth of the reading time."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        _stream(run, layout, reader, tally, report)
    finally:
        if collecting:
            gc.enable()


def _stream(
    run: ImportRun,
    layout: kcpd.Layout,
    reader: Any,
    tally: Tally,
    report: Callable[[int], Any],
) -> None:
    read = kcpd.RowReader(layout).read
    chunk: list[tuple[Any, ...]] = []
    rejected: list[RejectedRow] = []
    for line, fields, error in _numbered_rows(reader):
        tally.rows_read += 1
        if fields is not None:
            try:
                chunk.append((line, *read(fields)))
            except kcpd.RowError as reason:
                error = str(reason)
                tally.rows_undecodable += error == kcpd.UNDECODED_REASON
        if error:
            raw = _as_csv(fields) if fields is not None else ""
            rejected.append(
                RejectedRow(
                    run=run, line_number=line, reason=error[:300], raw=raw[: RejectedRow.RAW_LIMIT]
                )
            )
        if len(chunk) >= CHUNK_ROWS or len(rejected) >= CHUNK_ROWS:
            _write(chunk, rejected, tally)
            chunk, rejected = [], []
            report(tally.rows_read)
    _write(chunk, rejected, tally)
    report(tally.rows_read)


def _write(chunk: list[tuple[Any, ...]], rejected: list[RejectedRow], tally: Tally) -> None:
    if rejected:
        bulk.insert(rejected)
        tally.rows_rejected += len(rejected)
    staging.stage(chunk)


def _as_csv(fields: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(fields)
    # As near word for word as a database keeps text: no lone surrogates, no NUL.
    text = buffer.getvalue().encode("utf-8", "replace").decode("utf-8")
    return text.replace("\x00", "\\x00")


def _address_resolver(source: str, *, block_rounded: bool) -> staging.AddressResolver:
    """Raw-address ids for batches of (address, city, ZIP, latitude, longitude): each
    distinct address is normalised once per run, and once ever (`RawAddress` keeps it).

    Public KCPD files round house numbers down to the hundred, so their addresses become
    block properties; the internal feed's are exact. An incident keeps its raw address
    while its address, city and ZIP code stay the same, so an administrator's correction
    of that raw address's property holds through every re-import."""
    resolver = PropertyResolver()

    def resolve(batch: list[tuple[Any, ...]]) -> list[int]:
        return resolver.resolve_many(
            [
                AddressRow(source, line, city, zip_code, block_rounded, latitude, longitude)
                for line, city, zip_code, latitude, longitude in batch
            ]
        )

    return resolve


def _link_people(run: ImportRun, tally: Tally) -> None:
    """Internal feed only: point each party at the Person holding its KCPD person number,
    creating that Person (name, date of birth, the number) when none does yet. Identity
    resolution later merges such records with the same person known from other sources."""
    for batch in staging.person_numbers():
        known = set(
            Identifier.objects.filter(
                system=IdentifierSystem.KCPD, value__in=[number for number, *_ in batch]
            ).values_list("value", flat=True)
        )
        for number, given_name, family_name, birth_date in batch:
            if number not in known:
                _create_person(tally, number, given_name or "", family_name or "", birth_date)
    staging.link_parties(run.pk, IdentifierSystem.KCPD)


def _create_person(
    tally: Tally, number: str, given_name: str, family_name: str, birth_date: str | None
) -> None:
    try:
        people_services.create_person(
            None,
            people_services.PersonDetails(
                given_name=given_name,
                family_name=family_name,
                birth_date=dt.date.fromisoformat(birth_date) if birth_date else None,
            ),
            [(IdentifierSystem.KCPD, number)],
        )
    except ValidationError as error:
        reasons = "; ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
        tally.people_not_created[number] = reasons
        return
    tally.people_created += 1
