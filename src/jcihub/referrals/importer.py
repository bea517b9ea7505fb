"""`jcihub directory import`: HSDS 3.0 documents into the directory, all or nothing.

A file holds organisation documents (`organization_full`, services nested), service
documents (`service_full`, organisation embedded), a mix, or an HSDS paged list of either
(`{"contents": [...]}`). Every record is checked (against the HSDS schemas where they
are present, and always against what the tables need) before anything is written; any
problem stops the import with every problem listed per record, and nothing is loaded.
Rows are found again by their HSDS ids, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from .hsds import KINDS, WRITE_ORDER, Kind, schema_errors, schemas_available
from .models import Organization

Progress = Callable[[str, int, int], None]  # (stage, done, total)
MAX_PROBLEMS_SHOWN = 200
BATCH = 500
# Need categories that make a new organisation a victim service provider (a shelter, a
# domestic-violence or sexual-assault programme), compared without regard to case: a
# referral to it locates a victim, so it is protected from the first import on, not
# only once a directory manager marks it. Only organisations the import creates are
# marked; a directory manager's own setting is never overridden.
VICTIM_SERVICE_TERMS = (
    "domestic violence",
    "sexual assault",
    "victim services",
    "human trafficking",
    "stalking",
)


class DirectoryImportError(Exception):
    """The file cannot be imported; `problems` says why, record by record."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        shown = self.problems[:MAX_PROBLEMS_SHOWN]
        more = len(self.problems) - len(shown)
        text = "\n".join(shown) + (f"\n… and {more} more problems" if more else "")
        super().__init__(f"Nothing was imported. {len(self.problems)} problem(s):\n{text}")


@dataclass
class ImportSummary:
    records: int = 0
    schema_checked: bool = False
    # kind → [created, updated, unchanged]
    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    # The organisations this import created, and how many of them were marked victim
    # service providers (`VICTIM_SERVICE_TERMS`).
    new_organizations: list[uuid.UUID] = field(default_factory=list)
    victim_providers: int = 0

    def total(self, outcome: int) -> int:
        return sum(c[outcome] for c in self.counts.values())


# --- Reading the file ---------------------------------------------------------------------


def read_documents(path: Path) -> list[Any]:
    """The records of an HSDS JSON file; a clear error if it is not one."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except UnicodeDecodeError as exc:
        raise DirectoryImportError([f"{path.name} is not UTF-8 text: {exc.reason}"]) from exc
    except json.JSONDecodeError as exc:
        raise DirectoryImportError(
            [f"{path.name} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from exc
    return documents_in(data)


def documents_in(data: Any) -> list[Any]:
    if isinstance(data, Mapping) and isinstance(data.get("contents"), list):
        return list(data["contents"])  # an HSDS paged list
    if isinstance(data, Mapping):
        return [data]
    if isinstance(data, list):
        return data
    raise DirectoryImportError(
        [
            "The file must hold an HSDS organisation or service document, a list of them, "
            f"or an HSDS paged list; it holds a JSON {type(data).__name__}."
        ]
    )


def kind_of(document: Mapping[str, Any]) -> str:
    """Services carry a status (HSDS requires it); organisations do not."""
    return "service" if "status" in document or "organization" in document else "organization"


# --- Checking and flattening --------------------------------------------------------------


class RowSet:
    """The rows a file describes, per kind, merged by id: one phone listed under a
    service, its location and its contact is one row linked to all three."""

    def __init__(self) -> None:
        self.rows: dict[str, dict[uuid.UUID, dict[str, Any]]] = defaultdict(dict)

    def add(self, kind: Kind, pk: uuid.UUID, row: dict[str, Any], problems: list[str]) -> None:
        known = self.rows[kind.name].get(pk)
        if known is None:
            self.rows[kind.name][pk] = row
            return
        for name, value in row.items():
            if name == "extra":
                self._merge_extra(kind, pk, known["extra"], value, problems)
            elif name in known and known[name] != value:
                problems.append(
                    f"{kind.name} {pk} is given twice with different {name!r} "
                    f"({known[name]!r} and {value!r})"
                )
            else:
                known[name] = value

    @staticmethod
    def _merge_extra(
        kind: Kind, pk: uuid.UUID, known: dict[str, Any], new: dict[str, Any], problems: list[str]
    ) -> None:
        for name, value in new.items():
            if name in known and known[name] != value:
                problems.append(f"{kind.name} {pk} is given twice with different {name!r}")
            known[name] = value


def _parse_uuid(value: Any, where: str, problems: list[str]) -> uuid.UUID | None:
    if value is None:
        return None
    try:
        if isinstance(value, str):
            return uuid.UUID(value)
    except ValueError:
        pass
    problems.append(f"{where}: {value!r} is not a UUID")
    return None


def _convert(model_field: models.Field[Any, Any], value: Any, where: str) -> Any:
    """A document's value as the column stores it; ValueError says what is wrong."""
    if isinstance(model_field, models.UUIDField):
        try:
            return uuid.UUID(str(value))
        except ValueError:
            raise ValueError(f"{where}: {value!r} is not a UUID") from None
    if isinstance(model_field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            raise ValueError(f"{where}: expected a whole number, got {value!r}")
        if int(value) < 0 and "Positive" in type(model_field).__name__:
            raise ValueError(f"{where}: must not be negative")
        return int(value)
    if isinstance(model_field, models.FloatField):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if isinstance(model_field, models.DateTimeField):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError(f"{where}: expected a date and time (ISO 8601), got {value!r}")
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)
    return _text(model_field, value, where)


def _text(model_field: models.Field[Any, Any], value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: expected text, got {value!r}")
    if model_field.choices and value not in {str(c[0]) for c in model_field.choices}:
        allowed = ", ".join(str(c[0]) for c in model_field.choices)
        raise ValueError(f"{where}: {value!r} is not one of {allowed}")
    if model_field.max_length and len(value) > model_field.max_length:
        raise ValueError(f"{where}: longer than {model_field.max_length} characters")
    return value


def flatten(
    document: Any,
    kind: Kind,
    rows: RowSet,
    problems: list[str],
    where: str = "",
    parent: tuple[str, uuid.UUID] | None = None,
) -> uuid.UUID | None:
    """Add the rows of one HSDS object (and everything nested in it) to `rows`."""
    here = where or "the record"
    if not isinstance(document, Mapping):
        problems.append(f"{here}: expected an object, got {type(document).__name__}")
        return None
    pk = _parse_uuid(document.get("id"), _at(where, "id"), problems)
    if document.get("id") is None:
        problems.append(f"{here}: 'id' is missing")
    for name in kind.required:
        if document.get(name) is None:
            problems.append(f"{here}: {name!r} is required for a {kind.name}")
    row: dict[str, Any] = {}
    _columns(document, kind, row, where, problems)
    if pk is None:
        return None
    if parent is not None:
        row[kind.parents[parent[0]]] = parent[1]
    for key, (embedded_kind, fk) in kind.embedded.items():
        if document.get(key) is not None:
            found = flatten(document[key], KINDS[embedded_kind], rows, problems, _at(where, key))
            if found is not None:
                row[fk] = found
    row["extra"] = {k: v for k, v in document.items() if k not in kind.handled}
    rows.add(kind, pk, row, problems)
    for key, child_kind in kind.children.items():
        items = document.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(f"{_at(where, key)}: expected a list")
            continue
        for n, item in enumerate(items):
            child = KINDS[child_kind]
            flatten(item, child, rows, problems, f"{_at(where, key)}[{n}]", (kind.name, pk))
    return pk


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _columns(
    document: Mapping[str, Any], kind: Kind, row: dict[str, Any], where: str, problems: list[str]
) -> None:
    meta = kind.model._meta
    columns: list[tuple[str, str, models.Field[Any, Any]]] = []
    for name in kind.fields:
        field = meta.get_field(name)
        assert isinstance(field, models.Field)
        columns.append((name, name, field))
    columns += [(name, fk, models.UUIDField()) for name, fk in kind.links.items()]
    for name, column, model_field in columns:
        value = document.get(name)
        if value is None:
            continue
        try:
            row[column] = _convert(model_field, value, _at(where, name))
        except ValueError as problem:
            problems.append(str(problem))


# --- References and required links --------------------------------------------------------


def _model_kind(model: type[models.Model]) -> Kind:
    return next(kind for kind in KINDS.values() if kind.model is model)


def reference_problems(rows: RowSet) -> list[str]:
    """Links to rows that are neither in the file nor in the directory, and rows that
    lack a link the directory needs (a service with no organisation)."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    pointers: list[tuple[str, uuid.UUID, str, str, uuid.UUID]] = []
    for kind_name, by_id in rows.rows.items():
        kind = KINDS[kind_name]
        for fk_field in _foreign_keys(kind):
            target = _model_kind(fk_field.related_model).name  # type: ignore[arg-type]
            for pk, row in by_id.items():
                value = row.get(fk_field.attname)
                if value is not None and value not in rows.rows.get(target, {}):
                    wanted[target].add(value)
                    pointers.append((kind_name, pk, fk_field.attname, target, value))
    existing = {name: _existing_ids(KINDS[name].model, ids) for name, ids in wanted.items()}
    problems = [
        f"{kind} {pk}: {attname} {value} is neither in the file nor in the directory"
        for kind, pk, attname, target, value in pointers
        if value not in existing[target]
    ]
    return problems + _missing_required_links(rows)


def _foreign_keys(kind: Kind) -> list[models.ForeignKey[Any, Any]]:
    return [
        f
        for f in kind.model._meta.get_fields()
        if isinstance(f, models.ForeignKey) and f.attname != "team_id"
    ]


def _missing_required_links(rows: RowSet) -> list[str]:
    problems = []
    for kind_name, by_id in rows.rows.items():
        kind = KINDS[kind_name]
        required = [f.attname for f in _foreign_keys(kind) if not f.null]
        lacking = {pk for pk, row in by_id.items() if any(row.get(a) is None for a in required)}
        known = _existing_ids(kind.model, lacking)
        for pk in sorted(lacking - known, key=str):
            needs = " and ".join(
                a.removesuffix("_id") for a in required if by_id[pk].get(a) is None
            )
            problems.append(
                f"{kind_name} {pk} has no {needs}: nest it in one, or give its {needs}_id"
            )
    return problems


def _existing_ids(model: type[models.Model], ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    ids = list(ids)
    found: set[uuid.UUID] = set()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        found.update(model._default_manager.filter(pk__in=chunk).values_list("pk", flat=True))
    return found


# --- Writing ------------------------------------------------------------------------------


def write_rows(rows: RowSet, summary: ImportSummary, progress: Progress | None = None) -> None:
    """Create the new rows and change the changed ones, in an order that keeps every
    foreign key pointing at a row already written. Call inside a transaction."""
    total = sum(len(by_id) for by_id in rows.rows.values())
    done = 0
    for kind_name in WRITE_ORDER:
        by_id = rows.rows.get(kind_name, {})
        ids = list(by_id)
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            _write_chunk(KINDS[kind_name], {pk: by_id[pk] for pk in chunk}, summary)
            done += len(chunk)
            if progress:
                progress("writing", done, total)


def _write_chunk(kind: Kind, rows: dict[uuid.UUID, dict[str, Any]], summary: ImportSummary) -> None:
    model = kind.model
    existing = model._default_manager.in_bulk(list(rows))
    counts = summary.counts[kind.name]
    new = [model(**{"pk": pk, **row}) for pk, row in rows.items() if pk not in existing]
    model._default_manager.bulk_create(new)
    counts[0] += len(new)
    if model is Organization:
        summary.new_organizations += [obj.pk for obj in new]
    changed: list[Any] = []
    changed_fields: set[str] = set()
    for pk, obj in existing.items():
        differing = {name for name, value in rows[pk].items() if getattr(obj, name) != value}
        for name in differing:
            setattr(obj, name, rows[pk][name])
        if differing:
            changed.append(obj)
            changed_fields |= differing
    if changed:
        model._default_manager.bulk_update(changed, sorted(changed_fields))
    counts[1] += len(changed)
    counts[2] += len(existing) - len(changed)


# --- The whole import ---------------------------------------------------------------------


def check_documents(
    documents: Sequence[Any], *, check_schema: bool, progress: Progress | None = None
) -> RowSet:
    """Every record checked and flattened; DirectoryImportError lists all problems."""
    rows = RowSet()
    problems: list[str] = []
    first_seen: dict[tuple[str, uuid.UUID | str], int] = {}
    for n, document in enumerate(documents, 1):
        problems += _record_problems(n, document, rows, first_seen, check_schema)
        if progress and (n % 100 == 0 or n == len(documents)):
            progress("checking", n, len(documents))
    if not documents:
        problems.append("The file holds no records.")
    if not problems:
        problems = reference_problems(rows)
    if problems:
        raise DirectoryImportError(problems)
    return rows


def _record_problems(
    n: int,
    document: Any,
    rows: RowSet,
    first_seen: dict[tuple[str, uuid.UUID | str], int],
    check_schema: bool,
) -> list[str]:
    if not isinstance(document, Mapping):
        return [f"record {n}: expected an HSDS object, got {type(document).__name__}"]
    kind = kind_of(document)
    label = f"record {n} ({kind} {document.get('name', '')!r}, id {document.get('id', '?')})"
    problems = list(schema_errors(document, kind)) if check_schema else []
    key = (kind, str(document.get("id")))
    if key in first_seen:
        problems.append(f"the same {kind} id is record {first_seen[key]} too")
    first_seen.setdefault(key, n)
    if not problems:
        flatten(document, KINDS[kind], rows, problems)
    return [f"{label}: {problem}" for problem in problems]


def import_documents(
    documents: Sequence[Any],
    *,
    actor: Any = None,
    source: str = "",
    check_schema: bool | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check every record, then write them all in one transaction, audited."""
    checked = schemas_available() if check_schema is None else check_schema
    rows = check_documents(documents, check_schema=checked, progress=progress)
    summary = ImportSummary(records=len(documents), schema_checked=checked)
    with transaction.atomic():
        write_rows(rows, summary, progress)
        summary.victim_providers = _mark_victim_providers(summary.new_organizations)
        record(
            actor,
            AuditAction.UPDATE,
            object_type="referrals.directory",
            summary=(
                f"Directory import {source or '(documents)'}: {summary.records} records, "
                f"{summary.total(0)} rows created, {summary.total(1)} changed"
            ),
            changes={
                **{
                    kind: dict(zip(("created", "updated", "unchanged"), c, strict=True))
                    for kind, c in summary.counts.items()
                },
                "victim_service_providers_marked": summary.victim_providers,
            },
        )
    return summary


def _mark_victim_providers(created: list[uuid.UUID]) -> int:
    """Mark the new organisations with a service in a victim-services need category."""
    terms = models.Q()
    for term in VICTIM_SERVICE_TERMS:
        terms |= models.Q(services__attributes__taxonomy_term__name__iexact=term)
    marked = 0
    for start in range(0, len(created), BATCH):
        offering = Organization.objects.filter(terms, pk__in=created[start : start + BATCH])
        marked += Organization.objects.filter(pk__in=offering.values("pk")).update(
            is_victim_service_provider=True
        )
    return marked


def import_file(
    path: Path, *, actor: Any = None, progress: Progress | None = None
) -> ImportSummary:
    return import_documents(read_documents(path), actor=actor, source=path.name, progress=progress)
