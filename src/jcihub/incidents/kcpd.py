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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeVar

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
UNDECODED_REASON = "the row holds bytes that are not valid UTF-8 text"
NUL_REASON = "the row holds NUL bytes, which no text field may contain (binary or UTF-16 data?)"


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
    if any("\x00" in name for name in header):
        raise HeaderError(
            "The header holds NUL bytes: the file is binary, or UTF-16 text saved without "
            "a byte-order mark, not a CSV text file. Save it as CSV (UTF-8) and import it again."
        )
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


# What a row becomes: one record for the importer's staging table, each value text (dates
# ISO, times HH:MM:SS, flags "1"/"0", coordinates to six places) or None where the row
# leaves it blank. `party_key` is None where the file gives neither an involvement nor a
# person number: the importer then keys the party by `descriptor` and its order within
# the offense.
INCIDENT_FIELDS = (
    "report_number",
    "reported_date",
    "reported_time",
    "from_date",
    "from_time",
    "to_date",
    "to_time",
    "beat",
    "reporting_district",
    "area",
    "address",
    "city",
    "zip_code",
    "latitude",
    "longitude",
    "is_domestic_violence",
    "firearm_used",
)
OFFENSE_FIELDS_OUT = ("code", "ibrs", "description")
PARTY_FIELDS = ("involvement", "race", "sex", "age", "kcpd_person_number")
PERSON_FIELDS = ("given_name", "family_name", "birth_date")
ROW_FIELDS = (
    "source_key",
    *INCIDENT_FIELDS,
    *OFFENSE_FIELDS_OUT,
    "party_key",
    "descriptor",
    *PARTY_FIELDS,
    *PERSON_FIELDS,
)
_AT = {name: position for position, name in enumerate(ROW_FIELDS)}
Row = list[str | None]


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


T = TypeVar("T")
# Distinct texts remembered per field, and the longest remembered: memory stays bounded
# (under 10 MB per field) whatever the file holds.
CACHE_LIMIT = 1 << 16
CACHED_TEXT_LIMIT = 120


class _Refusal(str):
    """A remembered reason for refusing a text."""


_MISSING = object()


def _remember(cache: dict[str, Any], convert: Callable[[str], Any], value: str) -> Any:
    """`convert`'s answer for a text not in `cache` (a `_Refusal` if it refuses it),
    remembered there while the cache has room and the text is short."""
    try:
        found = convert(value)
    except RowError as error:
        found = _Refusal(error)
    if len(cache) < CACHE_LIMIT and len(value) <= CACHED_TEXT_LIMIT:
        cache[value] = found
    return found


def _cached(convert: Callable[[str], T]) -> Callable[[str], T]:
    """`convert`, remembering its answer (or its refusal) per distinct text: a file of a
    million rows holds a few thousand distinct dates, codes and ages, so each is read
    once and every other row costs one dictionary lookup."""
    cache: dict[str, Any] = {}

    def read(value: str) -> T:
        found = cache.get(value, _MISSING)
        if found is _MISSING:
            found = _remember(cache, convert, value)
        if type(found) is _Refusal:
            raise RowError(found)
        return found

    return read


def _text(limit: int, *, upper: bool = False) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        value = value.strip()
        return (value.upper() if upper else value)[:limit] or None

    return read


def _date_text(label: str) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        parsed = parse_date(value, label)
        return parsed.isoformat() if parsed else None

    return read


def _time_text(label: str) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        parsed = parse_time(value, label)
        return str(parsed) if parsed is not None else None

    return read


def _hour_text(value: str) -> str | None:
    parsed = parse_hour(value)
    return str(parsed) if parsed is not None else None


def _flag_text(label: str) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        flag = parse_flag(value, label)
        return None if flag is None else "1" if flag else "0"

    return read


def _coordinate_text(low: float, high: float) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        number = parse_coordinate(value, low, high)
        return None if number is None else str(number)

    return read


def _location_text(value: str) -> tuple[str | None, str | None]:
    latitude, longitude = parse_location(value)
    return (
        None if latitude is None else str(latitude),
        None if longitude is None else str(longitude),
    )


def _code_text(allowed: set[str], label: str) -> Callable[[str], str | None]:
    def read(value: str) -> str | None:
        return parse_code(value, allowed, label) or None

    return read


def _age_text(value: str) -> str | None:
    age = parse_age(value)
    return None if age is None else str(age)


def _report_number(value: str) -> str:
    report = value.strip().upper()
    if not report:
        raise RowError("the report number is blank")
    if len(report) > 30 or not re.fullmatch(r"[A-Z0-9-]+", report):
        raise RowError(f"report number {report[:40]!r} is not letters and digits")
    return report


def _party_number(value: str) -> str | None:
    number = value.strip()
    if not number:
        return None
    try:
        return f"N{int(float(number))}"
    except (ValueError, OverflowError):
        raise RowError(f"involvement number {number!r} is not a number") from None


def _person_number(value: str) -> str | None:
    number = value.strip()
    if number and not re.fullmatch(r"\d{1,12}", number):
        raise RowError(f"KCPD person number {number!r} is not 1 to 12 digits")
    return number or None


# Each output field that is read from one column: (our column name, reader).
_FIELD_READERS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    # (output field, column, reader), in the order rows are checked
    ("latitude", "latitude", _coordinate_text(-90, 90)),
    ("longitude", "longitude", _coordinate_text(-180, 180)),
    ("reported_time", "reported_time", _time_text("reported time")),
    ("reported_date", "reported_date", _date_text("reported date")),
    ("from_date", "from_date", _date_text("from date")),
    ("from_time", "from_time", _time_text("from time")),
    ("to_date", "to_date", _date_text("to date")),
    ("to_time", "to_time", _time_text("to time")),
    ("beat", "beat", _text(10)),
    ("reporting_district", "reporting_district", _text(20)),
    ("area", "area", _text(10, upper=True)),
    ("address", "address", lambda value: clean_address(value) or None),
    ("city", "city", lambda value: " ".join(value.split()).upper()[:60] or None),
    ("zip_code", "zip_code", lambda value: parse_zip(value) or None),
    ("is_domestic_violence", "dv", _flag_text("DV flag")),
    ("firearm_used", "firearm", _flag_text("firearm flag")),
    ("code", "offense", _text(80)),
    ("ibrs", "ibrs", _text(10, upper=True)),
    ("description", "description", _text(120)),
    ("involvement", "involvement", _code_text(INVOLVEMENTS, "involvement")),
    ("race", "race", _code_text(RACES, "race")),
    ("sex", "sex", _code_text(SEXES, "sex")),
    ("age", "age", _age_text),
)
_PERSON_READERS: tuple[tuple[str, str, Callable[[str], Any]], ...] = (
    ("kcpd_person_number", "person_number", _person_number),
    ("given_name", "given_name", _text(100)),
    ("family_name", "family_name", _text(100)),
    ("birth_date", "birth_date", _date_text("date of birth")),
)


class RowReader:
    """Reads the data rows of one file against its layout into `ROW_FIELDS` records.

    Every reader remembers its answers per distinct text (as `_cached` does). Keeps one counter
    per distinct row hash for `anonymous_key` (files without report numbers only):
    memory grows with the number of distinct rows, not with file size.
    """

    def __init__(self, layout: Layout) -> None:
        self.layout = layout
        self.width = len(layout.header)
        self.header_key = [normalise_header(h) for h in layout.header]
        self._seen_rows: Counter[bytes] = Counter()
        columns = layout.columns
        readers = _FIELD_READERS + (_PERSON_READERS if layout.links_people else ())
        # (output position, column, the reader's cache, the reader): `read` looks each
        # field up in its cache itself, a function call less per field (a quarter of
        # the reading time).
        self._plan: list[tuple[int, int, dict[str, Any], Callable[[str], Any]]] = [
            (_AT[out], columns[column], {}, read)
            for out, column, read in readers
            if column in columns
        ]
        self._location = columns.get("location")
        self._read_location = _cached(_location_text)
        self._hour = columns.get("reported_hour")
        self._read_hour = _cached(_hour_text)
        self._report = columns.get("report_number")
        self._read_report = _cached(_report_number)
        self._party_number = columns.get("party_number")
        self._read_party_number = _cached(_party_number)

    def read(self, row: Sequence[str]) -> Row:
        """The row as a `ROW_FIELDS` record, or RowError with the reason it cannot load."""
        self._check(row)
        out: Row = [None] * len(ROW_FIELDS)
        for position, index, cache, convert in self._plan:
            value = row[index]
            found = cache.get(value, _MISSING)
            if found is _MISSING:
                found = _remember(cache, convert, value)
            if type(found) is _Refusal:
                raise RowError(found)
            out[position] = found
        if self._location is not None and out[_LAT] is None and out[_LON] is None:
            out[_LAT], out[_LON] = self._read_location(row[self._location])
        if self._hour is not None and out[_REPORTED_TIME] is None:
            out[_REPORTED_TIME] = self._read_hour(row[self._hour])
        if self._report is not None:
            out[_REPORT] = out[_SOURCE_KEY] = self._read_report(row[self._report])
        else:
            fingerprint = row_fingerprint(row)
            self._seen_rows[fingerprint] += 1
            out[_SOURCE_KEY] = anonymous_key(fingerprint, self._seen_rows[fingerprint])
        if self._party_number is not None:
            out[_PARTY_KEY] = self._read_party_number(row[self._party_number])
        if out[_PARTY_KEY] is None and out[_PERSON] is not None:
            out[_PARTY_KEY] = f"P{out[_PERSON]}"
        age = out[_AGE]
        out[_DESCRIPTOR] = "-".join(
            (
                out[_INVOLVEMENT] or "",
                out[_RACE] or "",
                out[_SEX] or "",
                "" if age == "0" else age or "",
            )
        )
        return out

    def _check(self, row: Sequence[str]) -> None:
        if len(row) != self.width:
            raise RowError(
                f"expected {self.width} fields, found {len(row)} (a truncated or broken line)"
            )
        if self._is_header(row):
            raise RowError("a repeated header row")
        if max(map(len, row), default=0) > FIELD_LIMIT:
            index, value = next((i, v) for i, v in enumerate(row) if len(v) > FIELD_LIMIT)
            name = self.layout.header[index].strip() or f"column {index + 1}"
            raise RowError(f"field {name!r} is {len(value):,} characters (limit {FIELD_LIMIT:,})")
        joined = "".join(row)
        if _UNDECODED.search(joined):
            raise RowError(UNDECODED_REASON)
        if "\x00" in joined:
            raise RowError(NUL_REASON)

    def _is_header(self, row: Sequence[str]) -> bool:
        # Most rows differ from the header in their first field: check that one first,
        # and a report number of plain digits (most first fields) without normalising
        # it (a tenth of the reading time): it names a column only if one is named so.
        first = row[0]
        if first.isascii() and first.isdigit() and first != self.header_key[0]:
            return False
        return normalise_header(first) == self.header_key[0] and (
            [normalise_header(v) for v in row] == self.header_key
        )


_LAT, _LON = _AT["latitude"], _AT["longitude"]
_REPORTED_TIME, _REPORT, _SOURCE_KEY = _AT["reported_time"], _AT["report_number"], _AT["source_key"]
_PARTY_KEY, _PERSON, _DESCRIPTOR = _AT["party_key"], _AT["kcpd_person_number"], _AT["descriptor"]
_INVOLVEMENT, _RACE, _SEX, _AGE = _AT["involvement"], _AT["race"], _AT["sex"], _AT["age"]
