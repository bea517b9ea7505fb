"""A deterministic synthetic data set for the demo and for benchmarks. No real person is in it.

Names and dates come from Faker with a fixed seed; addresses use real Kansas City street
names and ZIP codes with invented house numbers; phone numbers are in the 555-01xx range
reserved for fiction; emails are at example.org.
"""

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from faker import Faker

from .matching import name_keys
from .models import (
    Address,
    ContactPoint,
    Ethnicity,
    Identifier,
    IdentifierSystem,
    Person,
    PersonName,
    Race,
    Sex,
)

KC_STREETS = (
    "Troost Ave",
    "Prospect Ave",
    "Main St",
    "Independence Ave",
    "Truman Rd",
    "E 31st St",
    "Linwood Blvd",
    "The Paseo",
    "Wornall Rd",
    "Blue Ridge Blvd",
    "N Oak Trfy",
    "Broadway Blvd",
    "State Line Rd",
    "Swope Pkwy",
    "Gregory Blvd",
    "Meyer Blvd",
    "Benton Blvd",
    "Van Brunt Blvd",
    "Hardesty Ave",
    "Indiana Ave",
    "E 63rd St",
    "E 39th St",
    "W 39th St",
    "Westport Rd",
    "E 12th St",
    "E 18th St",
    "Cleveland Ave",
    "Bannister Rd",
    "Red Bridge Rd",
    "E 85th St",
    "Holmes Rd",
    "Grand Blvd",
    "Wabash Ave",
    "Askew Ave",
    "Emanuel Cleaver II Blvd",
    "Armour Blvd",
    "Hillcrest Rd",
    "Noland Rd",
    "NE Vivion Rd",
    "Barry Rd",
)
KC_ZIPS = (
    "64101",
    "64102",
    "64105",
    "64106",
    "64108",
    "64109",
    "64110",
    "64111",
    "64112",
    "64113",
    "64114",
    "64116",
    "64117",
    "64118",
    "64119",
    "64120",
    "64123",
    "64124",
    "64125",
    "64126",
    "64127",
    "64128",
    "64129",
    "64130",
    "64131",
    "64132",
    "64133",
    "64134",
    "64136",
    "64137",
    "64138",
    "64139",
    "64145",
    "64146",
    "64147",
    "64149",
    "64151",
    "64152",
    "64153",
    "64154",
    "64155",
    "64156",
    "64157",
    "64158",
    "64161",
    "64163",
    "64164",
    "64165",
    "64166",
    "64167",
)
# Roughly the city's published composition; only for plausible demo data.
RACE_WEIGHTS = (
    (Race.WHITE, 55),
    (Race.BLACK, 27),
    (Race.ASIAN, 3),
    (Race.OTHER, 8),
    (Race.AMERICAN_INDIAN, 1),
    (Race.UNKNOWN, 6),
)


@dataclass
class GeneratedPerson:
    person: Person
    names: list[PersonName]
    identifiers: list[Identifier]
    addresses: list[Address]
    contacts: list[ContactPoint]


class PeopleGenerator:
    """Yields unsaved people with their names, identifiers, addresses and contacts."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.serial = 0

    def people(self, count: int) -> Iterator[GeneratedPerson]:
        for _ in range(count):
            yield self.one()

    def one(self) -> GeneratedPerson:
        self.serial += 1
        rng, fake = self.rng, self.fake
        sex = rng.choices([Sex.FEMALE, Sex.MALE, Sex.UNKNOWN], [49, 49, 2])[0]
        given = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
        family = fake.last_name()
        hispanic = rng.random() < 0.11
        person = Person(
            given_name=given,
            family_name=family,
            middle_name=fake.first_name() if rng.random() < 0.4 else "",
            birth_date=self._birth_date(),
            birth_date_is_estimated=rng.random() < 0.03,
            sex=sex,
            races=[rng.choices([r for r, _ in RACE_WEIGHTS], [w for _, w in RACE_WEIGHTS])[0]],
            ethnicity=Ethnicity.HISPANIC if hispanic else Ethnicity.NOT_HISPANIC,
            primary_language="Spanish" if hispanic and rng.random() < 0.4 else "English",
        )
        person.needs_interpreter = person.primary_language != "English" and rng.random() < 0.5
        return GeneratedPerson(
            person, self._names(person), self._identifiers(), self._addresses(), self._contacts()
        )

    def _birth_date(self) -> dt.date:
        return dt.date(1950, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 365 * 58))

    def _names(self, person: Person) -> list[PersonName]:
        names = [_name(PersonName.Kind.LEGAL, person.given_name, person.family_name)]
        if self.rng.random() < 0.12:
            names.append(_name(PersonName.Kind.ALIAS, self.fake.first_name(), person.family_name))
        if person.sex == Sex.FEMALE and self.rng.random() < 0.08:
            names.append(_name(PersonName.Kind.PREVIOUS, person.given_name, self.fake.last_name()))
        return names

    def _identifiers(self) -> list[Identifier]:
        ids = []
        if self.rng.random() < 0.35:
            ids.append(Identifier(system=IdentifierSystem.KCPD, value=f"{700000 + self.serial}"))
        if self.rng.random() < 0.15:
            ids.append(
                Identifier(
                    system=IdentifierSystem.JAIL_BOOKING,
                    value=f"B{2020 + self.serial % 6}{self.serial:06d}",
                )
            )
        if self.rng.random() < 0.5:
            ids.append(
                Identifier(system=IdentifierSystem.PROGRAM_INTAKE, value=f"JCI-{self.serial:06d}")
            )
        return ids

    def _addresses(self) -> list[Address]:
        if self.rng.random() < 0.08:  # unhoused or unknown
            return []
        return [
            Address(
                kind=Address.Kind.HOME,
                line1=f"{self.rng.randrange(100, 9900)} {self.rng.choice(KC_STREETS)}",
                line2=f"Apt {self.rng.randrange(1, 40)}" if self.rng.random() < 0.25 else "",
                city="Kansas City",
                state="MO",
                zip_code=self.rng.choice(KC_ZIPS),
                valid_from=dt.date(2018, 1, 1) + dt.timedelta(days=self.rng.randrange(0, 2500)),
            )
        ]

    def _contacts(self) -> list[ContactPoint]:
        contacts = []
        if self.rng.random() < 0.7:
            area = self.rng.choice(["816", "913"])
            contacts.append(
                ContactPoint(
                    kind=ContactPoint.Kind.PHONE,
                    value=f"({area}) 555-01{self.rng.randrange(0, 100):02d}",
                    is_safe_to_leave_message=self.rng.random() < 0.5,
                )
            )
        if self.rng.random() < 0.3:
            contacts.append(
                ContactPoint(kind=ContactPoint.Kind.EMAIL, value=f"person{self.serial}@example.org")
            )
        return contacts


def _name(kind: str, given: str, family: str) -> PersonName:
    keys = name_keys(given, family)
    return PersonName(
        kind=kind,
        given_name=given,
        family_name=family,
        family_key=keys.family_key,
        given_key=keys.given_key,
        given_initial=keys.given_initial,
    )


def save_batch(batch: list[GeneratedPerson]) -> list[Person]:
    """Insert a batch of generated people and their details with a few bulk statements."""
    people = Person.objects.bulk_create([g.person for g in batch])
    children: dict[type[Any], list[Any]] = {
        PersonName: [],
        Identifier: [],
        Address: [],
        ContactPoint: [],
    }
    for generated, person in zip(batch, people, strict=True):
        for rows in (
            generated.names,
            generated.identifiers,
            generated.addresses,
            generated.contacts,
        ):
            for row in rows:
                row.person = person
                children[type(row)].append(row)
    for model, rows in children.items():
        model._default_manager.bulk_create(rows, batch_size=1000)
    return people
