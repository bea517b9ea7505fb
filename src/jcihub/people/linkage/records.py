"""What identity resolution compares about a person, and how it is read from the registry.

A `PersonRecord` does not know where it came from: the registry (`read_registry`) and the
benchmarks' labelled files both make them, and `features` turns each into the row the
model reads. Names are prepared exactly as intake matching prepares them
(`people.matching`: accents and punctuation folded, nicknames folded to the formal name,
metaphone keys), so batch linkage and intake agree on what "the same name" means.

Confidential addresses and contact points (victim-locating information) are left out:
a pair's explanation must never reveal, even as "same ZIP code", where a victim lives.
Sealed records are left out too: they are not part of the registry's ordinary use.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F

from .. import matching, validators
from ..models import Address, ContactPoint, Identifier, Person, PersonName

READ_BATCH = 5_000

# The model's input table: one row per person record (DuckDB types).
FEATURE_COLUMNS: dict[str, str] = {
    "unique_id": "BIGINT",
    "given_name": "VARCHAR",
    "given_canonical": "VARCHAR",
    "given_key": "VARCHAR",
    "given_initial": "VARCHAR",
    "middle_name": "VARCHAR",
    "family_name": "VARCHAR",
    "family_key": "VARCHAR",
    "family_initial": "VARCHAR",
    "given_names": "VARCHAR[]",
    "family_names": "VARCHAR[]",
    "birth_date": "VARCHAR",
    "birth_year": "VARCHAR",
    "sex": "VARCHAR",
    "address_line": "VARCHAR",
    "zip_code": "VARCHAR",
    "identifiers": "VARCHAR[]",
    "identifier_systems": "VARCHAR[]",
    "contacts": "VARCHAR[]",
}
KNOWN_SEXES = frozenset({"F", "M", "X"})

# USPS Publication 28 forms of the street words that vary most in typed addresses.
_STREET_WORDS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "BOULEVARD": "BLVD",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "PLACE": "PL",
    "TERRACE": "TER",
    "COURT": "CT",
    "PARKWAY": "PKWY",
    "TRAFFICWAY": "TRFY",
    "CIRCLE": "CIR",
    "APARTMENT": "APT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}
_NOT_ALPHANUMERIC = re.compile(r"[^A-Z0-9]+")


@dataclass(frozen=True)
class PersonRecord:
    """One person record as the linkage model sees it."""

    record_id: int
    given_name: str
    family_name: str
    birth_date: dt.date | None = None
    sex: str = ""  # F, M or X; anything else is unknown
    middle_name: str = ""
    other_names: tuple[tuple[str, str], ...] = ()  # (given, family): aliases, previous names
    address_line: str = ""  # the current home address, house number and street
    zip_code: str = ""
    identifiers: tuple[tuple[str, str], ...] = ()  # (system, value)
    contacts: tuple[str, ...] = ()  # phone numbers and emails as entered


def features(record: PersonRecord) -> dict[str, Any]:
    """The model's input row for one record; empty values become NULL."""
    given = matching.normalise_name(record.given_name).split(" ")[0]
    canonical = matching.canonical_given(record.given_name)
    family = matching.normalise_name(record.family_name)
    names = [(record.given_name, record.family_name), *record.other_names]
    born = record.birth_date.isoformat() if record.birth_date else None
    identifiers = [(system, validators.normalise_identifier(v)) for system, v in record.identifiers]
    return {
        "unique_id": record.record_id,
        "given_name": given or None,
        "given_canonical": canonical or None,
        "given_key": matching.phonetic(canonical) or None,
        "given_initial": given[:1] or None,
        "middle_name": matching.canonical_given(record.middle_name) or None,
        "family_name": family or None,
        "family_key": matching.phonetic(family) or None,
        "family_initial": family[:1] or None,
        "given_names": _array(matching.canonical_given(g) for g, _ in names),
        "family_names": _array(matching.normalise_name(f) for _, f in names),
        "birth_date": born,
        "birth_year": born[:4] if born else None,
        "sex": record.sex if record.sex in KNOWN_SEXES else None,
        "address_line": normalise_street_address(record.address_line) or None,
        "zip_code": record.zip_code.strip()[:5] or None,
        "identifiers": _array(f"{system}:{value}" for system, value in identifiers if value),
        "identifier_systems": _array(system for system, value in identifiers if value),
        "contacts": _array(normalise_contact(c) for c in record.contacts),
    }


def _array(values: Iterable[str]) -> list[str] | None:
    distinct = sorted({v for v in values if v})
    return distinct or None


def normalise_street_address(line: str) -> str:
    """Upper-case words and digits, with the common street words in their USPS form."""
    words = _NOT_ALPHANUMERIC.sub(" ", (line or "").upper()).split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words)


def normalise_contact(value: str) -> str:
    """An email in lower case, or a phone number as its ten digits."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    digits = re.sub(r"\D", "", value)
    return digits[-10:] if len(digits) >= 10 else digits


# --- Reading the registry ----------------------------------------------------------------


def count_registry() -> int:
    return Person.objects.unsealed().count()


def read_registry(batch_size: int = READ_BATCH) -> Iterator[list[PersonRecord]]:
    """Every unsealed person as a `PersonRecord`, in batches of consecutive ids.

    A handful of queries per batch (people, names, identifiers, addresses, contacts),
    so memory stays flat however large the registry is."""
    after = 0
    while True:
        people = list(
            Person.objects.unsealed()
            .filter(pk__gt=after)
            .order_by("pk")
            .values_list("pk", "given_name", "middle_name", "family_name", "birth_date", "sex")[
                :batch_size
            ]
        )
        if not people:
            return
        yield _records(people)
        after = people[-1][0]


def read_people(person_ids: Iterable[int]) -> list[PersonRecord]:
    """These people (unsealed ones only) as `PersonRecord`s, in id order: intake scores
    the candidates it found this way, read exactly as a run reads them."""
    people = list(
        Person.objects.unsealed()
        .filter(pk__in=list(person_ids))
        .order_by("pk")
        .values_list("pk", "given_name", "middle_name", "family_name", "birth_date", "sex")
    )
    return _records(people, {"person__in": [row[0] for row in people]}) if people else []


def _records(
    people: list[tuple[int, str, str, str, dt.date | None, str]],
    scope: dict[str, Any] | None = None,
) -> list[PersonRecord]:
    """`people` with their names, identifiers, address and contacts; `scope` filters the
    detail tables to them (default: the id range the batch spans)."""
    if scope is None:
        scope = {"person__gte": people[0][0], "person__lte": people[-1][0]}
    names = _other_names(scope)
    identifiers = _identifiers(scope)
    addresses = _home_addresses(scope)
    contacts = _contacts(scope)
    return [
        PersonRecord(
            record_id=pk,
            given_name=given,
            family_name=family,
            birth_date=born,
            sex=sex,
            middle_name=middle,
            other_names=tuple(names[pk]),
            address_line=addresses.get(pk, ("", ""))[0],
            zip_code=addresses.get(pk, ("", ""))[1],
            identifiers=tuple(identifiers[pk]),
            contacts=tuple(contacts[pk]),
        )
        for pk, given, middle, family, born, sex in people
    ]


def _other_names(scope: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    rows = PersonName.objects.filter(**scope).exclude(kind=PersonName.Kind.LEGAL)
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, given, family in rows.values_list("person_id", "given_name", "family_name"):
        found[pk].append((given, family))
    return found


def _identifiers(scope: dict[str, Any]) -> dict[int, list[tuple[str, str]]]:
    rows = Identifier.objects.filter(**scope)
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for pk, system, value in rows.values_list("person_id", "system", "value"):
        found[pk].append((system, value))
    return found


def _home_addresses(scope: dict[str, Any]) -> dict[int, tuple[str, str]]:
    """Each person's most recent current, non-confidential address: (line, ZIP code)."""
    rows = (
        Address.objects.current()
        .filter(**scope, is_confidential=False)
        .order_by("person_id", F("valid_from").desc(nulls_last=True), "-id")
        .values_list("person_id", "line1", "zip_code")
    )
    found: dict[int, tuple[str, str]] = {}
    for pk, line, zip_code in rows:
        found.setdefault(pk, (line, zip_code))
    return found


def _contacts(scope: dict[str, Any]) -> dict[int, list[str]]:
    rows = ContactPoint.objects.current().filter(**scope, is_confidential=False)
    found: dict[int, list[str]] = defaultdict(list)
    for pk, value in rows.values_list("person_id", "value"):
        found[pk].append(value)
    return found
