"""`jcihub directory export`: the directory as HSDS 3.0 JSON.

The file is a JSON list of organisation documents in HSDS's `organization_full` shape:
each organisation with its contacts, phones and locations, and its services nested in
it (each service with its phones, schedules, service areas, service-at-locations,
languages, required documents, contacts and need categories). Values the directory does
not know are left out rather than written empty, except the fields HSDS requires.

Organisations are read a batch at a time, every kind of row in one query per batch (as
plain values: building model instances would cost more than the rest of the export), so
memory stays flat however large the directory grows.
"""

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet

from . import models as m
from .hsds import KINDS, Kind

BATCH = 1000
Row = dict[str, Any]


def json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        utc = value.astimezone(dt.UTC)
        spec = "microseconds" if utc.microsecond % 1000 else "milliseconds"
        return utc.isoformat(timespec=spec if utc.microsecond else "seconds").replace("+00:00", "Z")
    return value


class Snapshot:
    """Every row that belongs to a batch of organisations, grouped by what it belongs to."""

    def __init__(self, org_ids: list[uuid.UUID]) -> None:
        self.by_id: dict[str, dict[uuid.UUID, Row]] = defaultdict(dict)
        self.groups: dict[tuple[str, str], dict[uuid.UUID, list[Row]]] = defaultdict(
            lambda: defaultdict(list)
        )
        # A location is drawn under its organisation and under every service offered there;
        # it is built once (documents are never changed after they are built).
        self._built: dict[tuple[str, uuid.UUID, frozenset[str]], dict[str, Any]] = {}
        organizations = m.Organization.objects.filter(id__in=org_ids)
        self._keep("organization", organizations)
        owners: dict[str, QuerySet[Any]] = {"organization_id": organizations.values("id")}
        services = m.Service.objects.filter(organization_id__in=owners["organization_id"])
        self._keep("service", services)
        owners["service_id"] = services.values("id")
        sals = m.ServiceAtLocation.objects.filter(service_id__in=owners["service_id"])
        self._keep("service_at_location", sals)
        owners["service_at_location_id"] = sals.values("id")
        locations = m.Location.objects.filter(
            Q(organization_id__in=owners["organization_id"]) | Q(id__in=sals.values("location_id"))
        )
        self._keep("location", locations)
        owners["location_id"] = locations.values("id")
        self._load_details(owners)

    def _load_details(self, owners: dict[str, QuerySet[Any]]) -> None:
        """Rows that may belong to several kinds of record, linked to any in the batch."""

        def belonging(model: type[m.HsdsRecord], *links: str) -> QuerySet[Any]:
            where = Q()
            for link in links:
                where |= Q(**{f"{link}__in": owners[link]})
            return model._default_manager.filter(where)

        contacts = belonging(m.Contact, *owners)
        self._keep("contact", contacts)
        owners["contact_id"] = contacts.values("id")
        phones = belonging(m.Phone, *owners)
        self._keep("phone", phones)
        owners["phone_id"] = phones.values("id")
        self._keep("address", belonging(m.Address, "location_id"))
        self._keep(
            "schedule",
            belonging(m.Schedule, "service_id", "location_id", "service_at_location_id"),
        )
        self._keep("language", belonging(m.Language, "service_id", "location_id", "phone_id"))
        self._keep("service_area", belonging(m.ServiceArea, "service_id"))
        self._keep("required_document", belonging(m.RequiredDocument, "service_id"))
        attributes = belonging(m.Attribute, "service_id")
        self._keep("attribute", attributes)
        terms = m.TaxonomyTerm.objects.filter(id__in=attributes.values("taxonomy_term_id"))
        self._keep("taxonomy_term", terms)
        self._keep("taxonomy", m.Taxonomy.objects.filter(id__in=terms.values("taxonomy_detail_id")))

    def _keep(self, kind_name: str, rows: QuerySet[Any]) -> list[Row]:
        kind = KINDS[kind_name]
        links = list(kind.parents.values())
        kept = list(rows.order_by("id").values())
        for row in kept:
            self.by_id[kind_name][row["id"]] = row
            for fk in links:
                parent = row[fk]
                if parent is not None:
                    self.groups[(kind_name, fk)][parent].append(row)
        return kept

    def document(self, row: Row, kind: Kind, skip: frozenset[str] = frozenset()) -> dict[str, Any]:
        """The HSDS object for one row, with what is nested and embedded in it."""
        key = (kind.name, row["id"], skip)
        if key not in self._built:
            self._built[key] = self._build(row, kind, skip)
        return self._built[key]

    def _build(self, row: Row, kind: Kind, skip: frozenset[str]) -> dict[str, Any]:
        doc = self.fields_of(row, kind)
        for key, (embedded_kind, fk) in kind.embedded.items():
            target = self.by_id[embedded_kind].get(row[fk])
            if key not in skip and target is not None:
                inner_skip = frozenset({"services"}) if embedded_kind == "organization" else skip
                doc[key] = self.document(target, KINDS[embedded_kind], inner_skip)
        for key, child_kind in kind.children.items():
            child = KINDS[child_kind]
            items = self.groups[(child_kind, child.parents[kind.name])].get(row["id"], [])
            if key not in skip and items:
                inner = frozenset({"organization"}) if child_kind == "service" else frozenset()
                doc[key] = [self.document(item, child, inner) for item in items]
        return doc

    @staticmethod
    def fields_of(row: Row, kind: Kind) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": str(row["id"])}
        for name in kind.fields:
            value = row[name]
            if value not in (None, "") or name in kind.required:
                doc[name] = json_value(value)
        doc.update(row["extra"])
        return doc


def organization_documents(
    organizations: QuerySet[m.Organization] | None = None, batch: int = BATCH
) -> Iterator[dict[str, Any]]:
    """HSDS `organization_full` documents, services nested, in name order."""
    queryset = organizations if organizations is not None else m.Organization.objects.all()
    ids = list(queryset.order_by("name", "id").values_list("id", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        snapshot = Snapshot(chunk)
        for pk in chunk:
            yield snapshot.document(snapshot.by_id["organization"][pk], KINDS["organization"])


def service_document(service: m.Service) -> dict[str, Any]:
    """One service in HSDS's `service_full` shape: its organisation embedded."""
    snapshot = Snapshot([service.organization_id])
    return snapshot.document(snapshot.by_id["service"][service.pk], KINDS["service"])


def write_export(path: Path, progress: Callable[[int, int], None] | None = None) -> int:
    """Write every organisation to `path` as one HSDS JSON list; returns how many."""
    total = m.Organization.objects.count()
    written = 0
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write("[")
        for document in organization_documents():
            out.write(",\n" if written else "\n")
            out.write(json.dumps(document, ensure_ascii=False))
            written += 1
            if progress and (written % 100 == 0 or written == total):
                progress(written, total)
        out.write("\n]\n")
    partial.replace(path)
    return written
