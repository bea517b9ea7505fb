"""A deterministic synthetic data set for the demo and for benchmarks. No real person is in it.

Names and dates come from Faker with a fixed seed; addresses use real Kansas City street
names and ZIP codes with invented house numbers; phone numbers are in the 555-01xx range
reserved for fiction; emails are at example.org.
"""

import copy
import datetime as dt
import random
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from faker import Faker

from .matching import NICKNAMES, name_keys
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


# --- Second records of the same people -----------------------------------------------------
# Another source (a jail booking, a hospital referral, a police report) records a person
# the registry already holds, with the errors such records carry. Identity resolution's
# tests and benchmarks know which records are the same human.

_NICKNAMES_OF: dict[str, list[str]] = {
    formal: sorted(nick for nick, name in NICKNAMES.items() if name == formal)
    for formal in set(NICKNAMES.values())
}

Corruption = Callable[[random.Random, Person], bool]


def _typo(rng: random.Random, person: Person) -> bool:
    word = person.family_name
    if len(word) < 4:
        return False
    i = rng.randrange(1, len(word))
    letter = rng.choice([c for c in "aeiourstnlmdc" if c != word[i].lower()])
    person.family_name = word[:i] + letter + word[i + 1 :]
    return True


def _transposed_letters(rng: random.Random, person: Person) -> bool:
    word = person.family_name
    spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if len(word) < 4 or not spots:
        return False
    i = rng.choice(spots)
    person.family_name = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return True


def _dropped_letter(rng: random.Random, person: Person) -> bool:
    word = person.given_name
    if len(word) < 4:
        return False
    i = rng.randrange(1, len(word))
    person.given_name = word[:i] + word[i + 1 :]
    return True


def _nickname(rng: random.Random, person: Person) -> bool:
    nicknames = _NICKNAMES_OF.get(person.given_name.upper())
    if not nicknames:
        return False
    person.given_name = rng.choice(nicknames).title()
    return True


def _goes_by_middle_name(rng: random.Random, person: Person) -> bool:
    if not person.middle_name:
        return False
    person.given_name, person.middle_name = person.middle_name, person.given_name
    return True


MARRIED_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Davis", "Moore")


def _married_name(rng: random.Random, person: Person) -> bool:
    """A new family name; the record keeps the old one as a previous name."""
    person.family_name = rng.choice([n for n in MARRIED_NAMES if n != person.family_name])
    return True


def _names_swapped(rng: random.Random, person: Person) -> bool:
    person.given_name, person.family_name = person.family_name, person.given_name
    return True


def _day_month_swapped(rng: random.Random, person: Person) -> bool:
    born = person.birth_date
    if born is None or born.day > 12 or born.day == born.month:
        return False
    person.birth_date = born.replace(month=born.day, day=born.month)
    return True


def _birth_date_typo(rng: random.Random, person: Person) -> bool:
    born = person.birth_date
    if born is None:
        return False
    shift = rng.choice([-10, -1, 1, 10])
    person.birth_date = born + dt.timedelta(days=shift)
    return True


def _birth_year_off(rng: random.Random, person: Person) -> bool:
    born = person.birth_date
    if born is None or (born.month, born.day) == (2, 29):
        return False
    person.birth_date = born.replace(year=born.year + rng.choice([-1, 1]))
    return True


def _birth_date_missing(rng: random.Random, person: Person) -> bool:
    person.birth_date = None
    return True


def _birth_year_digits_swapped(rng: random.Random, person: Person) -> bool:
    born = person.birth_date
    year = f"{born.year}" if born else ""
    if born is None or year[2] == year[3] or (born.month, born.day) == (2, 29):
        return False
    person.birth_date = born.replace(year=int(year[:2] + year[3] + year[2]))
    return True


def _sex_unknown(rng: random.Random, person: Person) -> bool:
    person.sex = Sex.UNKNOWN
    return True


def _sex_mistyped(rng: random.Random, person: Person) -> bool:
    if person.sex not in (Sex.FEMALE, Sex.MALE):
        return False
    person.sex = Sex.MALE if person.sex == Sex.FEMALE else Sex.FEMALE
    return True


DUPLICATE_ERRORS: dict[str, Corruption] = {
    "typo in family name": _typo,
    "letters transposed in family name": _transposed_letters,
    "letter dropped from given name": _dropped_letter,
    "nickname": _nickname,
    "goes by the middle name": _goes_by_middle_name,
    "family name changed, the old one kept as a previous name": _married_name,
    "given and family names swapped": _names_swapped,
    "day and month of birth swapped": _day_month_swapped,
    "birth date mistyped": _birth_date_typo,
    "birth year off by one": _birth_year_off,
    "birth year digits swapped": _birth_year_digits_swapped,
    "birth date missing": _birth_date_missing,
    "sex unknown": _sex_unknown,
    "sex mistyped": _sex_mistyped,
}
# How many errors a second record carries: most have none or one.
ERROR_COUNT_WEIGHTS = ((0, 30), (1, 45), (2, 20), (3, 5))


class DuplicateGenerator:
    """Second records of generated people, as another source would have typed them:
    errors from `DUPLICATE_ERRORS`, often a newer address or phone number, and that
    source's own identifiers (a court or hospital number: identifiers are unique per system, so a
    second record never repeats the first one's)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.generator = PeopleGenerator(seed + 1)  # for new addresses and contacts
        self.serial = 0

    def duplicate(self, original: GeneratedPerson) -> GeneratedPerson:
        self.serial += 1
        person = copy.copy(original.person)
        person.pk = person.id = None
        names = []
        for corrupt in self._errors():
            if corrupt(self.rng, person) and corrupt is _married_name:
                names.append(
                    _name(PersonName.Kind.PREVIOUS, person.given_name, original.person.family_name)
                )
        names.insert(0, _name(PersonName.Kind.LEGAL, person.given_name, person.family_name))
        moved = self.rng.random() < 0.4
        addresses = self.generator._addresses() if moved else _copies(original.addresses)
        return GeneratedPerson(
            person, names, self._identifiers(), addresses, self._contacts(original)
        )

    def _contacts(self, original: GeneratedPerson) -> list[ContactPoint]:
        """The same phone and email, a new phone number, or none given."""
        chance = self.rng.random()
        if chance < 0.5:
            return _copies(original.contacts)
        return self.generator._contacts() if chance < 0.75 else []

    def _errors(self) -> list[Corruption]:
        counts, weights = zip(*ERROR_COUNT_WEIGHTS, strict=True)
        count = self.rng.choices(counts, weights)[0]
        return self.rng.sample(list(DUPLICATE_ERRORS.values()), count)

    def _identifiers(self) -> list[Identifier]:
        ids = []
        if self.rng.random() < 0.4:
            ids.append(Identifier(system=IdentifierSystem.COURT, value=f"CR-{self.serial:08d}"))
        if self.rng.random() < 0.15:
            ids.append(Identifier(system=IdentifierSystem.HOSPITAL, value=f"H{self.serial:08d}"))
        return ids


def _copies(rows: list[Any]) -> list[Any]:
    copies = []
    for row in rows:
        duplicate = copy.copy(row)
        duplicate.pk = duplicate.id = None
        copies.append(duplicate)
    return copies


def people_with_duplicates(
    seed: int, records: int, duplicate_share: float, window: int = 10_000
) -> Iterator[tuple[GeneratedPerson, int]]:
    """`records` generated person records, of which about `duplicate_share` are second
    records of one of the last `window` people; each comes with the number of the human
    it stands for (memory stays flat however many records are made)."""
    generator, duplicates = PeopleGenerator(seed), DuplicateGenerator(seed)
    rng = random.Random(seed + 2)
    recent: deque[tuple[int, GeneratedPerson]] = deque(maxlen=window)
    humans = 0
    for _ in range(records):
        if recent and rng.random() < duplicate_share:
            human, original = recent[rng.randrange(len(recent))]
            yield duplicates.duplicate(original), human
        else:
            recent.append((humans, generator.one()))
            yield recent[-1][1], humans
            humans += 1
