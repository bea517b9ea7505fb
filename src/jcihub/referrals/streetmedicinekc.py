"""The Street Medicine KC resource guide (a 2016 Kansas City directory) as HSDS documents.

`jcihub directory import FOLDER --format streetmedicinekc` reads the guide's tables
(`streetmedicinekc_2016_*.csv.gz`, one CSV per table of its database) and hands the
documents made here to the ordinary HSDS importer, so the same checks apply and
importing again changes nothing: every id is a UUID derived from the guide's own id.

How the guide maps onto HSDS:
- each agency row is one service at one location; agencies that are one organisation
  under two names or at two sites ("Salvation Army" twice, "Della Lamb Community
  Service"/"…Services") become one organisation with several services and locations;
- the categories Medical, Housing, Food, Jobs, Other Services and Social Services and
  their subcategories are the need categories (one taxonomy); "Target Demographics"
  become the service's eligibility text; "Languages Served" its languages;
- opening hours become weekly schedules; coordinates of 0, 0, the placeholder e-mail
  address and "n/a" addresses are left out (hotlines and undisclosed sites have no
  address); P.O. boxes are postal addresses, not places to go.
"""

import csv
import gzip
import html
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PREFIX = "streetmedicinekc_2016_"
TABLES = (
    "agency",
    "category",
    "subCategory",
    "agency_has_subcategories",
    "agencyHours",
    "dayOfWeek",
)
# Fixed, so the same guide row always gets the same HSDS id.
NAMESPACE = uuid.UUID("5e0c7a52-4e3b-4d0e-9a57-2a1f0c6b9d11")
# The guide app's own test rows (README: "Sample Agency", three times "An Agency").
PLACEHOLDER_NAMES = frozenset({"sample agency", "an agency"})
PLACEHOLDER_EMAIL = "ecb@example.com"
# One organisation listed under two spellings.
SAME_ORGANIZATION = {"della lamb community services": "della lamb community service"}
ELIGIBILITY_CATEGORY = "Target Demographics"
LANGUAGE_CATEGORY = "Languages Served"
# ISO 639 codes for the guide's language names (its spelling on the left).
LANGUAGES = {
    "English": ("English", "en"),
    "Spanish": ("Spanish", "es"),
    "Burmese": ("Burmese", "my"),
    "Somali": ("Somali", "so"),
    "Arabic": ("Arabic", "ar"),
    "Vietnamese": ("Vietnamese", "vi"),
    "Bhutanese": ("Nepali (Bhutanese)", "ne"),
    "Hatian": ("Haitian Creole", "ht"),
    "ASL": ("American Sign Language", "ase"),
}
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
CITY_ABBREVIATIONS = {"kc": "Kansas City"}
UNKNOWN = frozenset({"", "na", "n/a"})
PO_BOX = re.compile(r"^\s*P\.?\s*O\.?\s*Box\b", re.IGNORECASE)


class GuideMissing(Exception):
    """The folder does not hold the guide's tables."""


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def read_table(folder: Path, table: str) -> list[dict[str, str]]:
    path = folder / f"{PREFIX}{table}.csv.gz"
    if not path.is_file():
        raise GuideMissing(f"{path} is missing: this is not the Street Medicine KC guide's folder")
    with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as handle:
        return [
            {k: html.unescape(v or "") for k, v in row.items()} for row in csv.DictReader(handle)
        ]


def guide_documents(folder: Path) -> list[dict[str, Any]]:
    """The guide as HSDS organisation documents, services nested."""
    tables = {name: read_table(folder, name) for name in TABLES}
    categories = {row["id"]: row["category"] for row in tables["category"]}
    subcategories = {row["id"]: row for row in tables["subCategory"]}
    terms = need_terms(categories, subcategories)
    tags: dict[str, list[dict[str, str]]] = defaultdict(list)
    for link in tables["agency_has_subcategories"]:
        if link["subcategories_id"] in subcategories:
            tags[link["agency_id"]].append(subcategories[link["subcategories_id"]])
    hours: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in tables["agencyHours"]:
        hours[row["agency_id"]].append(row)
    days = {row["id"]: row["longName"] for row in tables["dayOfWeek"]}
    organizations: dict[str, dict[str, Any]] = {}
    for agency in tables["agency"]:
        if agency["name"].strip().lower() in PLACEHOLDER_NAMES:
            continue
        organization = organizations.setdefault(
            _organization_key(agency["name"]), _organization(agency)
        )
        location = _location(agency)
        if location:
            organization["locations"].append(location)
        service = _service(agency, tags[agency["id"]], categories, terms, location)
        service["schedules"] = [_schedule(row, days) for row in hours[agency["id"]]]
        organization["services"].append(service)
    return [_without_empty_lists(o) for o in organizations.values()]


def need_terms(
    categories: dict[str, str], subcategories: dict[str, dict[str, str]]
) -> dict[str, dict[str, Any]]:
    """Guide subcategory id → HSDS taxonomy term (with its category as parent)."""
    taxonomy = {
        "id": stable_id("taxonomy"),
        "name": "Street Medicine KC need categories",
        "description": "Categories of the Street Medicine KC resource guide (2016).",
    }
    terms = {}
    for sub_id, sub in subcategories.items():
        category = categories.get(sub["category_id"], "")
        if category in {ELIGIBILITY_CATEGORY, LANGUAGE_CATEGORY, ""}:
            continue
        terms[sub_id] = {
            "id": stable_id("subcategory", sub_id),
            "code": f"{category}/{sub['subcategory']}",
            "name": sub["subcategory"],
            "description": f"{category}: {sub['subcategory']}",
            "parent_id": stable_id("category", sub["category_id"]),
            "taxonomy": category,
            "taxonomy_detail": taxonomy,
        }
    return terms


def _organization_key(name: str) -> str:
    key = " ".join(name.lower().split())
    return SAME_ORGANIZATION.get(key, key)


def _organization(agency: dict[str, str]) -> dict[str, Any]:
    key = _organization_key(agency["name"])
    return {
        "id": stable_id("organization", key),
        "name": agency["name"].strip(),
        "description": agency["description"].strip(),
        "website": agency["website"].strip(),
        "email": _email(agency),
        "locations": [],
        "services": [],
    }


def _email(agency: dict[str, str]) -> str:
    email = agency["email"].strip()
    return "" if email == PLACEHOLDER_EMAIL else email


def _location(agency: dict[str, str]) -> dict[str, Any] | None:
    street = agency["address1"].strip()
    if street.lower() in UNKNOWN:
        return None
    latitude, longitude = float(agency["latitude"] or 0), float(agency["longitude"] or 0)
    is_postal = bool(PO_BOX.match(street))
    location: dict[str, Any] = {
        "id": stable_id("location", agency["id"]),
        "location_type": "postal" if is_postal else "physical",
        "name": agency["name"].strip(),
        "addresses": [
            {
                "id": stable_id("address", agency["id"]),
                "address_1": street,
                "address_2": agency["address2"].strip(),
                "city": _city(agency["city"]),
                "state_province": agency["state"].strip(),
                "postal_code": agency["zip"].strip(),
                "country": "US",
                "address_type": "postal" if is_postal else "physical",
            }
        ],
    }
    if latitude and longitude and not is_postal:
        location["latitude"], location["longitude"] = latitude, longitude
    return location


def _city(raw: str) -> str:
    city = " ".join(raw.split())
    if city.lower() in UNKNOWN:
        return ""
    return CITY_ABBREVIATIONS.get(city.lower(), city)


def _service(
    agency: dict[str, str],
    tags: Iterable[dict[str, str]],
    categories: dict[str, str],
    terms: dict[str, dict[str, Any]],
    location: dict[str, Any] | None,
) -> dict[str, Any]:
    tags = list(tags)
    groups = [
        tag["subcategory"]
        for tag in tags
        if categories.get(tag["category_id"]) == ELIGIBILITY_CATEGORY
    ]
    spoken = [
        tag["subcategory"]
        for tag in tags
        if categories.get(tag["category_id"]) == LANGUAGE_CATEGORY
    ]
    service: dict[str, Any] = {
        "id": stable_id("service", agency["id"]),
        "name": agency["name"].strip(),
        "description": agency["description"].strip(),
        "url": agency["website"].strip(),
        "email": _email(agency),
        "status": "active",
        "fees_description": "Free of charge." if agency["free"] == "1" else "",
        "eligibility_description": f"Serves: {', '.join(groups)}." if groups else "",
        "languages": [_language(agency["id"], name) for name in spoken],
        "attributes": [
            {
                "id": stable_id("attribute", agency["id"], tag["id"]),
                "taxonomy_term": terms[tag["id"]],
            }
            for tag in tags
            if tag["id"] in terms
        ],
    }
    if location:
        service["service_at_locations"] = [
            {"id": stable_id("service_at_location", agency["id"]), "location_id": location["id"]}
        ]
    return service


def _language(agency_id: str, guide_name: str) -> dict[str, str]:
    name, code = LANGUAGES.get(guide_name, (guide_name, ""))
    language = {"id": stable_id("language", agency_id, guide_name), "name": name}
    if code:
        language["code"] = code
    return language


def _schedule(row: dict[str, str], days: dict[str, str]) -> dict[str, Any]:
    weekday = WEEKDAYS[int(row["dayOfWeek_id"]) - 1]
    return {
        "id": stable_id("hours", row["id"]),
        "freq": "WEEKLY",
        "byday": weekday,
        "opens_at": row["openTime"],
        "closes_at": row["closeTime"],
        "description": f"{days.get(row['dayOfWeek_id'], weekday)} "
        f"{row['openTime'][:5]} to {row['closeTime'][:5]}",
    }


# HSDS requires these even when the guide has nothing for them.
KEPT_WHEN_EMPTY = frozenset({"description", "city", "state_province", "postal_code"})


def _without_empty_lists(document: dict[str, Any]) -> dict[str, Any]:
    """Drop empty lists and empty text, as HSDS documents leave out what is not known."""
    cleaned: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, list):
            value = [_without_empty_lists(v) if isinstance(v, dict) else v for v in value]
        elif isinstance(value, dict):
            value = _without_empty_lists(value)
        if value in ("", []) and key not in {
            "description",
            "city",
            "state_province",
            "postal_code",
        }:
            continue
        cleaned[key] = value
    return cleaned
