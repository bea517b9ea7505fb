"""Checks on people data that hold wherever it is entered (forms, API, imports)."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

from .models import IdentifierSystem

IDENTIFIER_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    IdentifierSystem.KCPD: (re.compile(r"^\d{1,12}$"), "1 to 12 digits"),
    IdentifierSystem.COURT: (
        re.compile(r"^[A-Z0-9][A-Z0-9-]{3,29}$"),
        "4 to 30 letters, digits or hyphens",
    ),
    IdentifierSystem.JAIL_BOOKING: (re.compile(r"^[A-Z0-9]{4,20}$"), "4 to 20 letters or digits"),
    IdentifierSystem.PROGRAM_INTAKE: (
        re.compile(r"^[A-Z0-9][A-Z0-9-]{0,39}$"),
        "up to 40 letters, digits or hyphens",
    ),
    IdentifierSystem.HOSPITAL: (re.compile(r"^[A-Z0-9]{4,20}$"), "4 to 20 letters or digits"),
    IdentifierSystem.STATE_ID: (re.compile(r"^[A-Z0-9]{5,15}$"), "5 to 15 letters or digits"),
}
OLDEST_BIRTH_YEAR = 1900
ZIP_CODE = re.compile(r"^\d{5}(-\d{4})?$")
PHONE = re.compile(r"^\+?1?\D*(\d{3})\D*(\d{3})\D*(\d{4})$")


def normalise_identifier(value: str) -> str:
    return "".join((value or "").split()).upper()


def validate_identifier(system: str, value: str) -> None:
    if system not in IDENTIFIER_PATTERNS:
        raise ValidationError({"system": "Unknown identifier system."})
    pattern, description = IDENTIFIER_PATTERNS[system]
    if not pattern.match(value):
        label = IdentifierSystem(system).label
        raise ValidationError({"value": f"A {label} is {description}."})


def validate_birth_date(value: dt.date | None) -> None:
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError({"birth_date": "Date of birth cannot be in the future."})
    if value.year < OLDEST_BIRTH_YEAR:
        raise ValidationError(
            {"birth_date": f"Date of birth cannot be before {OLDEST_BIRTH_YEAR}."}
        )


def validate_period(start: dt.date | None, end: dt.date | None, end_field: str) -> None:
    if start and end and end < start:
        raise ValidationError({end_field: "The end date is before the start date."})


def normalise_phone(value: str) -> str:
    match = PHONE.match(value.strip())
    if not match:
        raise ValidationError({"value": "Enter a 10-digit US phone number, e.g. 816-555-0123."})
    return "({}) {}-{}".format(*match.groups())
