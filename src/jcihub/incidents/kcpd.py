"""Reading KCPD crime-data files: every year's column layout, every known quirk.

KCPD publishes one row per person per offense per report. Column names drift between
years and exports ("Reported Time" / "Reported_Time" / "reported_time", "Firearm Used
Flag" / "Fire Arm Used Flag", "Location 1" / "Location"), values drift too (DVFlag
Y/N/U then true/false; offense codes then offense text; ages as "31.0"), and some
published extracts were cut down by their publishers to a few columns with no report
number (see ../shared/data/kcpd/README.md). This module turns a header into a `Layout`
and each row into a `ParsedRow` or a `Rejection` with a reason a person can act on; it
knows nothing of the database.
"""

import ast
import csv
import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

# Longest field we accept; a longer one is a broken file (an unclosed quote swallowing
# lines), not data. The csv module's own limit is raised above this so we can say so.
FIELD_LIMIT = 2000
csv.field_size_limit(max(FIELD_LIMIT * 64, 1 << 20))

# Header name (normalised: lower case, runs of non-alphanumerics as "_") → our field.
ALIASES: dict[str, str] = {
    "report_no": "report_number",
    "report_number": "report_number",
    "reported_date": "reported_date",
    "date": "reported_date",
    "reported_time": "reported_time",
    "hour": "reported_hour",
    "from_date": "from_date",
    "from_time": "from_time",
    "to_date": "to_date",
    "to_time": "to_time",
    "offense": "offense",
    "crime": "offense",
    "ibrs": "ibrs",
    "description": "description",
    "beat": "beat",
    "address": "address",
    "city": "city",
    "zip_code": "zip_code",
    "zip": "zip_code",
    "rep_dist": "reporting_district",
    "area": "area",
    "dvflag": "dv",
    "dv_flag": "dv",
    "invl_no": "party_number",
    "involvement": "involvement",
    "involvement_1": "involvement",
    "race": "race",
    "sex": "sex",
    "age": "age",
    "firearm_used_flag": "firearm",
    "fire_arm_used_flag": "firearm",
    "firearm": "firearm",
    "latitude": "latitude",
    "longitude": "longitude",
    "location": "location",
    "location_1": "location",
    # The internal feed (not public): who the party is.
    "kcpd_person_number": "person_number",
    "person_number": "person_number",
    "person_no": "person_number",
    "last_name": "family_name",
    "family_name": "family_name",
    "first_name": "given_name",
    "given_name": "given_name",
    "dob": "birth_date",
    "birth_date": "birth_date",
    "date_of_birth": "birth_date",
}
# Columns some exports carry that repeat or derive from others; read past them quietly.
DERIVED = re.compile(r"^(computed_region_.*|location_(address|city|zip|state)|age_range|)$")
# What makes a header KCPD's: enough known columns, one of them saying what happened.
OFFENSE_FIELDS = {"offense", "ibrs", "description", "dv", "report_number"}
MIN_KNOWN_COLUMNS = 3

INVOLVEMENTS = {"VIC", "SUS", "ARR", ""}
RACES = {"A", "B", "I", "P", "U", "W", ""}
SEXES = {"M", "F", "U", ""}
TRUE_WORDS = {"Y", "YES", "TRUE", "T", "1"}
FALSE_WORDS = {"N", "NO", "FALSE", "F", "0"}
UNKNOWN_WORDS = {"U", "UNKNOWN", ""}
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y/%m/%d")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%H%M")
_COORDINATES = re.compile(r"(-?\d{1,3}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)")


Getter = Callable[[str], str]  # a row's value for one of our field names, "" if absent


class RowError(ValueError):
    """A row that cannot be loaded; the message is the reason kept with it."""


# Bytes that are not UTF-8 arrive as lone surrogates (the reader's "surrogateescape").
_UNDECODED = re.compile("[\udc80-\udcff]")


def normalise_header(name: str) -> str:
    name = name.strip().lstrip(":@").lower()
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


@dataclass(frozen=True)
class Layout:
    """Which column holds which field, as found in one file's header."""

    header: tuple[str, ...]
    columns: dict[str, int]
    ignored: tuple[str, ...]

    @property
    def has_report_numbers(self) -> bool:
        return "report_number" in self.columns

    @property
    def links_people(self) -> bool:
        return "person_number" in self.columns

    @property
    def name(self) -> str:
        kind = "internal feed" if self.links_people else "public"
        numbered = "" if self.has_report_numbers else ", no report numbers"
        return f"KCPD {kind}, {len(self.columns)} columns{numbered}"


class HeaderError(ValueError):
    """The file is not a KCPD crime-data file (or has no header at all)."""


def read_layout(header: Sequence[str]) -> Layout:
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, raw in enumerate(header):
        name = normalise_header(raw)
        target = ALIASES.get(name)
        if target and target not in columns:
            columns[target] = index
        elif not DERIVED.match(name) or target:
            ignored.append(raw.strip() or f"(column {index + 1})")
    if len(columns) < MIN_KNOWN_COLUMNS or not OFFENSE_FIELDS & set(columns):
        known = ", ".join(sorted({k for k in ALIASES if "_" in k or len(k) > 3}))
        raise HeaderError(
            "This is not a KCPD crime-data file: its header "
            f"({', '.join(h.strip() for h in header[:12]) or 'empty'}) has "
            f"{len(columns)} of the columns KCPD files use, and none that says what "
            "happened (report number, offense, IBRS, description or DV flag). "
            f"Expected columns such as: {known}."
        )
    return Layout(tuple(header), columns, tuple(ignored))


@dataclass
class ParsedRow:
    """One file row, cleaned: the incident's fields, one offense and one party."""

    line_number: int
    source_key: str
    incident: dict[str, Any]
    offense: tuple[str, str, str]  # (code, ibrs, description)
    party: dict[str, Any]
    party_descriptor: str
    person: dict[str, Any] = field(default_factory=dict)


# --- Field parsers: each returns the clean value or raises RowError -----------------------


# A file holds a few thousand distinct dates and times in a million rows: each text is
# read once (strptime is the slowest part of reading a row otherwise).
@lru_cache(maxsize=8192)
def _read_date(text: str) -> dt.date | None:
    """The date the text holds in one of DATE_FORMATS, or None if it holds none."""
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed if 1900 <= parsed.year <= 2100 else None
    return None


@lru_cache(maxsize=8192)
def _read_time(text: str) -> dt.time | None:
    for fmt in TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    return None


def parse_date(value: str, label: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    parsed = _read_date(value.split("T", 1)[0].split(" ", 1)[0])
    if parsed is None:
        raise RowError(f"{label} {value!r} is not a date")
    return parsed


def parse_time(value: str, label: str) -> dt.time | None:
    value = value.strip()
    if not value:
        return None
    if value in ("24:00", "24:00:00"):  # KCPD's "end of the day"
        return dt.time.max
    parsed = _read_time(value.upper())
    if parsed is None:
        raise RowError(f"{label} {value!r} is not a time of day")
    return parsed


def parse_hour(value: str) -> dt.time | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.time(int(float(value)))
    except (ValueError, OverflowError):
        raise RowError(f"hour {value!r} is not an hour of the day (0-23)") from None


def parse_flag(value: str, label: str) -> bool | None:
    word = value.strip().upper()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    if word in UNKNOWN_WORDS:
        return None
    raise RowError(f"{label} {value!r} is not Y, N, U, true or false")


def parse_age(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    try:
        age = float(value)
    except ValueError:
        raise RowError(f"age {value!r} is not a number") from None
    if not 0 <= age <= 120 or age != int(age):
        raise RowError(f"age {value!r} is not a whole number from 0 to 120")
    return int(age)


def parse_zip(value: str) -> str:
    value = value.strip()
    if value.endswith(".0"):
        value = value[:-2]
    return value[:10]


def parse_code(value: str, allowed: set[str], label: str) -> str:
    code = value.strip().upper()
    if code not in allowed:
        raise RowError(f"{label} {value!r} is not one of {', '.join(sorted(allowed - {''}))}")
    return code


def parse_coordinate(value: str, low: float, high: float) -> Decimal | None:
    value = value.strip()
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise RowError(f"coordinate {value!r} is not a number") from None
    if number == 0:  # KCPD writes 0.0 for "not geocoded"
        return None
    if not low <= number <= high:
        raise RowError(f"coordinate {value!r} is outside the range {low} to {high}")
    return round(number, 6)


def parse_location(value: str) -> tuple[Decimal | None, Decimal | None]:
    """A `Location` field: "{'type': 'Point', 'coordinates': [lon, lat]}" (API exports) or
    text ending "(lat, lon)" (CSV exports, after the street, city and ZIP)."""
    value = value.strip()
    if not value:
        return None, None
    if value.startswith("{"):
        try:
            point = ast.literal_eval(value)
            lon, lat = point["coordinates"]
        except (ValueError, SyntaxError, KeyError, TypeError):
            raise RowError(f"location {value[:80]!r} is not a point") from None
        return (
            parse_coordinate(str(lat), -90, 90),
            parse_coordinate(str(lon), -180, 180),
        )
    found = _COORDINATES.findall(value)
    if not found:
        return None, None
    lat, lon = found[-1]
    return parse_coordinate(lat, -90, 90), parse_coordinate(lon, -180, 180)


def clean_address(value: str) -> str:
    """KCPD separates the (block) number from the street with two spaces."""
    return " ".join(value.split())[:200]


# --- Rows --------------------------------------------------------------------------------


def row_fingerprint(values: Sequence[str]) -> bytes:
    """12 bytes that identify a row's content (not a security measure)."""
    text = "\x1f".join(v.strip() for v in values).encode("utf-8", "surrogateescape")
    return hashlib.blake2b(text, digest_size=12).digest()


def anonymous_key(fingerprint: bytes, occurrence: int) -> str:
    """A stable key for a row from an extract without report numbers: the same row in the
    same file (or a later extract) always gets the same key; its nth identical copy gets
    the nth key, so exact duplicate rows stay distinct people."""
    return f"row:{fingerprint.hex()}#{occurrence}"


class RowReader:
    """Parses the data rows of one file against its layout.

    Keeps one counter per distinct row hash for `anonymous_key` (files without report
    numbers only): memory grows with the number of distinct rows, not with file size.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.width = len(layout.header)
        self.header_key = [normalise_header(h) for h in layout.header]
        self._seen_rows: Counter[bytes] = Counter()

    def parse(self, line_number: int, row: Sequence[str]) -> ParsedRow:
        if len(row) != self.width:
            raise RowError(
                f"expected {self.width} fields, found {len(row)} (a truncated or broken line)"
            )
        if self._is_header(row):
            raise RowError("a repeated header row")
        for index, value in enumerate(row):
            if len(value) > FIELD_LIMIT:
                name = self.layout.header[index].strip() or f"column {index + 1}"
                raise RowError(
                    f"field {name!r} is {len(value):,} characters (limit {FIELD_LIMIT:,})"
                )
        if _UNDECODED.search("".join(row)):
            raise RowError("the row holds bytes that are not valid UTF-8 text")
        get = self._getter(row)
        incident = self._incident(get)
        # Some rows name no offense (KCPD leaves non-NIBRS offenses blank in some years);
        # the incident still happened and is kept, with no offense row.
        offense = (get("offense")[:80], get("ibrs").upper()[:10], get("description")[:120])
        party = {
            "involvement": parse_code(get("involvement"), INVOLVEMENTS, "involvement"),
            "race": parse_code(get("race"), RACES, "race"),
            "sex": parse_code(get("sex"), SEXES, "sex"),
            "age": parse_age(get("age")),
        }
        person = self._person(get)
        if person.get("person_number"):
            party["kcpd_person_number"] = person["person_number"]
        descriptor = "-".join(str(party[k] or "") for k in ("involvement", "race", "sex", "age"))
        if self.layout.has_report_numbers:
            report = get("report_number").upper()
            if not report:
                raise RowError("the report number is blank")
            if len(report) > 30 or not re.fullmatch(r"[A-Z0-9-]+", report):
                raise RowError(f"report number {report[:40]!r} is not letters and digits")
            incident["report_number"] = report
            key = report
        else:
            fingerprint = row_fingerprint(row)
            self._seen_rows[fingerprint] += 1
            key = anonymous_key(fingerprint, self._seen_rows[fingerprint])
            incident["report_number"] = ""
        number = get("party_number").strip()
        if number:
            try:
                party_number = int(float(number))
            except ValueError:
                raise RowError(f"involvement number {number!r} is not a number") from None
            party["party_key"] = f"N{party_number}"
        elif person.get("person_number"):
            party["party_key"] = f"P{person['person_number']}"
        return ParsedRow(line_number, key, incident, offense, party, descriptor, person)

    def _is_header(self, row: Sequence[str]) -> bool:
        # Most rows differ from the header in their first field: check that one first.
        return normalise_header(row[0]) == self.header_key[0] and (
            [normalise_header(v) for v in row] == self.header_key
        )

    def _getter(self, row: Sequence[str]) -> Getter:
        columns = self.layout.columns

        def get(name: str) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None else ""

        return get

    def _incident(self, get: Getter) -> dict[str, Any]:
        latitude = parse_coordinate(get("latitude"), -90, 90)
        longitude = parse_coordinate(get("longitude"), -180, 180)
        if latitude is None and longitude is None:
            latitude, longitude = parse_location(get("location"))
        reported_time = parse_time(get("reported_time"), "reported time")
        if reported_time is None and "reported_hour" in self.layout.columns:
            reported_time = parse_hour(get("reported_hour"))
        return {
            "reported_date": parse_date(get("reported_date"), "reported date"),
            "reported_time": reported_time,
            "from_date": parse_date(get("from_date"), "from date"),
            "from_time": parse_time(get("from_time"), "from time"),
            "to_date": parse_date(get("to_date"), "to date"),
            "to_time": parse_time(get("to_time"), "to time"),
            "beat": get("beat")[:10],
            "reporting_district": get("reporting_district")[:20],
            "area": get("area").upper()[:10],
            "address": clean_address(get("address")),
            "city": " ".join(get("city").split()).upper()[:60],
            "zip_code": parse_zip(get("zip_code")),
            "latitude": latitude,
            "longitude": longitude,
            "is_domestic_violence": parse_flag(get("dv"), "DV flag"),
            "firearm_used": parse_flag(get("firearm"), "firearm flag"),
        }

    def _person(self, get: Getter) -> dict[str, Any]:
        if not self.layout.links_people:
            return {}
        number = get("person_number").strip()
        if number and not re.fullmatch(r"\d{1,12}", number):
            raise RowError(f"KCPD person number {number!r} is not 1 to 12 digits")
        return {
            "person_number": number,
            "given_name": get("given_name")[:100],
            "family_name": get("family_name")[:100],
            "birth_date": parse_date(get("birth_date"), "date of birth"),
        }


def assign_party_keys(rows: Iterable[ParsedRow]) -> None:
    """Give each party without an involvement number a key from what is known of it.

    Within one report, the same person appears once per offense; two people alike in
    involvement, race, sex and age are told apart by their order within an offense.
    So the nth such person under each offense is the same party: "SUS-B-M-31#2".
    """
    ordinal: Counter[tuple[str, tuple[str, str, str], str]] = Counter()
    for row in rows:
        if "party_key" in row.party:
            continue
        slot = (row.source_key, row.offense, row.party_descriptor)
        ordinal[slot] += 1
        row.party["party_key"] = f"{row.party_descriptor}#{ordinal[slot]}"[:40]
