"""How HSDS 3.0 documents map onto the directory's tables, and checking them against the
HSDS JSON schemas.

`KINDS` is the one table both directions read: for each HSDS object, its model, the
fields stored in columns, the arrays of objects nested in it, the objects embedded in it
(a service's `organization`, a service-at-location's `location`) and the links a nested
object gets to the object it is nested in. Anything else in a document is kept in the
row's `extra` and written back on export.
"""

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from . import models as m


@dataclass(frozen=True)
class Kind:
    name: str
    model: type[m.HsdsRecord]
    fields: tuple[str, ...]
    # Array key → the kind of object in it (each gets a link to this object).
    children: Mapping[str, str] = field(default_factory=dict)
    # Object key → the kind embedded there, and this row's foreign key to it.
    embedded: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # Kind this object may be nested in → this row's foreign key to it.
    parents: Mapping[str, str] = field(default_factory=dict)
    # HSDS's required fields: always written on export, even when empty.
    required: tuple[str, ...] = ()
    # Other HSDS id fields that name a linked row → foreign key.
    more_links: Mapping[str, str] = field(default_factory=dict)

    @property
    def links(self) -> dict[str, str]:
        """HSDS `<parent>_id` fields accepted in place of nesting → foreign key."""
        found = {f"{parent}_id": fk for parent, fk in self.parents.items()}
        found.update({fk: fk for _, fk in self.embedded.values()})
        found.update(self.more_links)
        return found

    @property
    def handled(self) -> frozenset[str]:
        return frozenset({"id", *self.fields, *self.children, *self.embedded, *self.links})


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "organization",
            m.Organization,
            (
                "name",
                "alternate_name",
                "description",
                "email",
                "website",
                "tax_status",
                "tax_id",
                "year_incorporated",
                "legal_status",
                "logo",
                "uri",
                "parent_organization_id",
            ),
            children={
                "contacts": "contact",
                "phones": "phone",
                "locations": "location",
                "services": "service",
            },
            required=("name", "description"),
        ),
        Kind(
            "service",
            m.Service,
            (
                "name",
                "alternate_name",
                "description",
                "url",
                "email",
                "status",
                "interpretation_services",
                "application_process",
                "fees_description",
                "wait_time",
                "fees",
                "accreditations",
                "eligibility_description",
                "minimum_age",
                "maximum_age",
                "assured_date",
                "assurer_email",
                "licenses",
                "alert",
                "last_modified",
            ),
            children={
                "phones": "phone",
                "schedules": "schedule",
                "service_areas": "service_area",
                "service_at_locations": "service_at_location",
                "languages": "language",
                "required_documents": "required_document",
                "contacts": "contact",
                "attributes": "attribute",
            },
            embedded={"organization": ("organization", "organization_id")},
            parents={"organization": "organization_id"},
            required=("name", "status"),
        ),
        Kind(
            "location",
            m.Location,
            (
                "location_type",
                "url",
                "name",
                "alternate_name",
                "description",
                "transportation",
                "latitude",
                "longitude",
                "external_identifier",
                "external_identifier_type",
            ),
            children={
                "languages": "language",
                "addresses": "address",
                "contacts": "contact",
                "phones": "phone",
                "schedules": "schedule",
            },
            parents={"organization": "organization_id"},
            required=("location_type",),
        ),
        Kind(
            "address",
            m.Address,
            (
                "attention",
                "address_1",
                "address_2",
                "city",
                "region",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ),
            parents={"location": "location_id"},
            required=(
                "address_1",
                "city",
                "state_province",
                "postal_code",
                "country",
                "address_type",
            ),
        ),
        Kind(
            "service_at_location",
            m.ServiceAtLocation,
            ("description",),
            children={"contacts": "contact", "phones": "phone", "schedules": "schedule"},
            embedded={"location": ("location", "location_id")},
            parents={"service": "service_id"},
        ),
        Kind(
            "contact",
            m.Contact,
            ("name", "title", "department", "email"),
            children={"phones": "phone"},
            parents={
                "organization": "organization_id",
                "service": "service_id",
                "service_at_location": "service_at_location_id",
                "location": "location_id",
            },
        ),
        Kind(
            "phone",
            m.Phone,
            ("number", "extension", "type", "description"),
            children={"languages": "language"},
            parents={
                "organization": "organization_id",
                "service": "service_id",
                "location": "location_id",
                "contact": "contact_id",
                "service_at_location": "service_at_location_id",
            },
            required=("number",),
        ),
        Kind(
            "schedule",
            m.Schedule,
            (
                "valid_from",
                "valid_to",
                "dtstart",
                "timezone",
                "until",
                "count",
                "wkst",
                "freq",
                "interval",
                "byday",
                "byweekno",
                "bymonthday",
                "byyearday",
                "description",
                "opens_at",
                "closes_at",
                "schedule_link",
                "attending_type",
                "notes",
            ),
            parents={
                "service": "service_id",
                "location": "location_id",
                "service_at_location": "service_at_location_id",
            },
        ),
        Kind(
            "service_area",
            m.ServiceArea,
            ("name", "description", "extent", "extent_type", "uri"),
            parents={"service": "service_id"},
        ),
        Kind(
            "language",
            m.Language,
            ("name", "code", "note"),
            parents={"service": "service_id", "location": "location_id", "phone": "phone_id"},
        ),
        Kind(
            "required_document",
            m.RequiredDocument,
            ("document", "uri"),
            parents={"service": "service_id"},
        ),
        Kind(
            "attribute",
            m.Attribute,
            ("link_type", "link_entity", "value"),
            embedded={"taxonomy_term": ("taxonomy_term", "taxonomy_term_id")},
            parents={"service": "service_id"},
        ),
        Kind(
            "taxonomy_term",
            m.TaxonomyTerm,
            ("code", "name", "description", "parent_id", "taxonomy", "language", "term_uri"),
            embedded={"taxonomy_detail": ("taxonomy", "taxonomy_detail_id")},
            required=("name", "description"),
            more_links={"taxonomy_id": "taxonomy_detail_id"},
        ),
        Kind(
            "taxonomy",
            m.Taxonomy,
            ("name", "description", "uri", "version"),
            required=("name", "description"),
        ),
    )
}
# The order rows must be written in, so every foreign key points at a row already there.
WRITE_ORDER = (
    "taxonomy",
    "taxonomy_term",
    "organization",
    "location",
    "address",
    "service",
    "service_at_location",
    "contact",
    "phone",
    "schedule",
    "service_area",
    "language",
    "required_document",
    "attribute",
)


# --- Schemas ------------------------------------------------------------------------------


class SchemasMissing(Exception):
    """The HSDS schema folder is not where settings say."""


def schema_dir() -> Path:
    return Path(settings.HSDS_SCHEMA_DIR)


def schemas_available() -> bool:
    return (schema_dir() / "service.json").is_file()


@cache
def _validators(folder: Path) -> dict[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    documents = {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in folder.glob("*.json")
        if path.name != "openapi.json" and not path.name.startswith("compiled")
    }
    if "service.json" not in documents:
        raise SchemasMissing(f"No HSDS schemas in {folder}")
    registry = Registry().with_resources(
        (name, Resource.from_contents(doc, default_specification=DRAFT202012))
        for name, doc in documents.items()
    )
    checker = Draft202012Validator.FORMAT_CHECKER
    return {
        kind: Draft202012Validator(
            documents[f"{kind}.json"], registry=registry, format_checker=checker
        )
        for kind in ("organization", "service")
    }


def schema_errors(document: Mapping[str, Any], kind: str) -> Iterator[str]:
    """What the HSDS schema says is wrong with an organisation or service document, one
    line per problem with where it is ("phones[0]: 'number' is a required property").
    An organisation's nested `services` (not in HSDS's organisation schema) are checked
    against the service schema."""
    validators = _validators(schema_dir())
    for error in sorted(validators[kind].iter_errors(document), key=lambda e: e.json_path):
        where = error.json_path.removeprefix("$").lstrip(".") or "the record"
        yield f"{where}: {error.message}"
    if kind == "organization":
        for n, service in enumerate(document.get("services") or []):
            if isinstance(service, Mapping):
                for problem in schema_errors(service, "service"):
                    yield f"services[{n}].{problem}"
