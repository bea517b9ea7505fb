"""Addresses in USPS Publication 28 form: pure functions, no database.

`normalise(line, city, state, zip_code)` turns an address as a source wrote it into a
`NormalisedAddress` of one of four kinds:

- **street**: an exact house number, "3412 NORTON AVE" (with a `unit` such as "APT 5");
- **block**: a hundred-block, written "3400 BLOCK NORTON AVE". Public police data rounds
  house numbers down to the block: "12XX MAIN ST", "1200 BLOCK OF MAIN ST", or KCPD's
  "1200  MAIN ST" when the caller says the source is `block_rounded`;
- **intersection**: two streets, "E 35TH ST & PROSPECT AVE", the two sorted so that either
  order is one place;
- **unparsed**: anything else (a street with no number, a PO box, text that is not an
  address), kept as cleaned upper-case text so that an administrator can map it by hand.
  A blank line, or a placeholder such as "UNKNOWN", gives an unparsed address with an
  empty `line`: it names no place.

Street parts follow Publication 28: upper case, no punctuation, directionals N S E W NE NW
SE SW, standard suffix abbreviations (AVE, BLVD, TER, HWY, …, with KCPD's own AV, BL, TE,
HW folded in) and ordinal numbered streets ("E 35 ST" → "E 35TH ST"). `usaddress` (a
trained tagger) splits free text into number, street, unit and place; lines already in the
simple KCPD shape skip it. Cities are repaired (see `clean_city`), ZIPs kept only when they
are real five-digit ZIPs consistent with the state, and nothing is invented.

`key` identifies the place: kind, line, unit, city and state (the ZIP only when the city is
unknown, since the police ZIP of one block varies from row to row). Normalising a result's
own `full_line`, city, state and ZIP gives the same key again; `normalise` never raises and
remembers recent answers, because an import calls it for every row.
"""

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final, Literal

import usaddress
from rapidfuzz import fuzz, process

from .pub28 import (
    DIRECTIONALS,
    KCPD_SUFFIXES,
    ROUTE_SUFFIXES,
    STATES,
    STREET_SUFFIXES,
    UNIT_ALONE,
    UNIT_DESIGNATORS,
    ZIP3_STATE,
)

Kind = Literal["street", "block", "intersection", "unparsed"]
STREET: Final = "street"
BLOCK: Final = "block"
INTERSECTION: Final = "intersection"
UNPARSED: Final = "unparsed"
KINDS: Final = (STREET, BLOCK, INTERSECTION, UNPARSED)

MAX_LINE: Final = 120  # longer text is not an address line; the key must stay indexable
MAX_UNIT: Final = 30
MAX_CITY: Final = 40
# Standard forms can be longer than what was written ("AV" → "AVE", "35" → "35TH",
# "3400" → "3400 BLOCK", "A&B" → "A & B"): by at most 16 characters, so 40 is ample.
LINE_LENGTH: Final = MAX_LINE + 40
KEY_LENGTH: Final = 12 + LINE_LENGTH + MAX_UNIT + MAX_CITY + 2 + 5 + 5  # kind, parts, bars

HOME_STATE: Final = "MO"  # a bare "KANSAS CITY" is the department's own city
PLACEHOLDERS: Final = frozenset(
    {"UNKNOWN", "UNK", "UNKN", "NA", "N/A", "NONE", "NULL", "NO ADDRESS", "NOT AVAILABLE", "?"}
)


@dataclass(frozen=True, slots=True)
class NormalisedAddress:
    kind: Kind
    line: str
    unit: str
    city: str
    state: str
    zip5: str
    key: str

    @property
    def names_a_place(self) -> bool:
        """False for a blank or placeholder line: there is nothing to map."""
        return bool(self.line)

    @property
    def full_line(self) -> str:
        return f"{self.line} {self.unit}" if self.unit else self.line

    def __str__(self) -> str:
        place = " ".join(part for part in (self.state, self.zip5) if part)
        return ", ".join(part for part in (self.full_line, self.city, place) if part)


# --- Text ----------------------------------------------------------------------------------

_COMMAS = re.compile(r"\s*(?:,\s*)+")
_INTERSTATE = re.compile(r"\bI-(?=\d)")
_DELETED = str.maketrans("", "", ".'\u2019`")  # dots and apostrophes (straight, curly)


def clean_text(value: str, limit: int) -> str:
    """Upper case, printable, single-spaced, without dots or apostrophes, at most `limit`
    characters. Cleaning clean text changes nothing."""
    printable = "".join(ch if ch.isprintable() else " " for ch in value)
    text = " ".join(printable.upper().translate(_DELETED).split())
    text = _COMMAS.sub(", ", text).strip(", ")
    return text[:limit].strip(", ")


def is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts "²", which int() refuses."""
    return text.isascii() and text.isdigit()


def ordinal(number: str) -> str:
    value = int(number)
    if 10 <= value % 100 <= 20:
        return f"{value}TH"
    return f"{value}{ {1: 'ST', 2: 'ND', 3: 'RD'}.get(value % 10, 'TH') }"


def standardise_street(words: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """A street's words in Publication 28 form: pre-directional, name, suffix, post-
    directional, and a lone number before a suffix (or after a directional) made ordinal."""
    name = [word.strip(",") for word in words if word.strip(",")]
    post = suffix = pre = ""
    if len(name) >= 3 and name[-1] in DIRECTIONALS and name[-2] in STREET_SUFFIXES:
        post = DIRECTIONALS[name.pop()]
    if len(name) >= 2 and name[-1] in STREET_SUFFIXES:
        suffix = STREET_SUFFIXES[name.pop()]
    if len(name) >= 2 and name[0] in DIRECTIONALS:
        pre = DIRECTIONALS[name.pop(0)]
    numbered = len(name) == 1 and is_number(name[0]) and len(name[0]) < 6
    if numbered and (pre or suffix) and suffix not in ROUTE_SUFFIXES:
        name[0] = ordinal(name[0])
    return tuple(word for word in (pre, *name, suffix, post) if word)


def standardise_unit(words: list[str] | tuple[str, ...]) -> str:
    """ "APARTMENT 5" → "APT 5", "#5" → "# 5", "APT #5" → "APT 5", "REAR" → "REAR"."""
    parts = " ".join(words).replace("#", " # ").replace(",", " ").split()
    if not parts:
        return ""
    designator = UNIT_DESIGNATORS.get(parts[0], "")
    if designator:
        rest = [part for part in parts[1:] if part != "#"]
        if designator in UNIT_ALONE and not rest:
            return designator
        return " ".join([designator, *rest])[:MAX_UNIT]
    rest = [part for part in parts if part != "#"]
    return " ".join(["#", *rest])[:MAX_UNIT]


# --- Cities, states and ZIPs ---------------------------------------------------------------

# Cities around Kansas City (and a few others in Missouri) with the states they are in.
_MISSOURI_CITIES = """
    NORTH KANSAS CITY, INDEPENDENCE, LEES SUMMIT, BLUE SPRINGS, RAYTOWN, GRANDVIEW,
    GLADSTONE, LIBERTY, BELTON, RAYMORE, GRAIN VALLEY, SUGAR CREEK, RIVERSIDE, PARKVILLE,
    PLATTE CITY, PLATTE WOODS, WEATHERBY LAKE, KEARNEY, SMITHVILLE, CLAYCOMO,
    PLEASANT VALLEY, LAKE LOTAWANA, LONE JACK, OAK GROVE, GREENWOOD, PECULIAR,
    HARRISONVILLE, EXCELSIOR SPRINGS, BUCKNER, NORTHMOOR, RANDOLPH, AVONDALE, OAKVIEW,
    OAKWOOD, HOUSTON LAKE, LAKE WAUKOMIS, JEFFERSON CITY, ST LOUIS, ST JOSEPH,
    SPRINGFIELD, COLUMBIA, SEDALIA, WARRENSBURG
"""
_KANSAS_CITIES = """
    OVERLAND PARK, OLATHE, LENEXA, SHAWNEE, MERRIAM, MISSION, PRAIRIE VILLAGE, LEAWOOD,
    ROELAND PARK, FAIRWAY, WESTWOOD, BONNER SPRINGS, EDWARDSVILLE, GARDNER, DE SOTO,
    SPRING HILL, LANSING, LEAVENWORTH, BASEHOR
"""


def _cities(text: str, *states: str) -> dict[str, tuple[str, ...]]:
    return {" ".join(name.split()): states for name in text.split(",")}


AREA_CITIES: Final[dict[str, tuple[str, ...]]] = {
    **_cities(_MISSOURI_CITIES, "MO"),
    **_cities(_KANSAS_CITIES, "KS"),
    "KANSAS CITY": ("MO", "KS"),  # first: where a bare "KANSAS CITY" is
}
# Spellings that are not near enough to the right name for a fuzzy match to find.
CITY_ALIASES: Final[dict[str, tuple[str, str]]] = {
    "KC": ("KANSAS CITY", ""),
    "KCMO": ("KANSAS CITY", "MO"),
    "KC MO": ("KANSAS CITY", "MO"),
    "KCK": ("KANSAS CITY", "KS"),
    "KC KS": ("KANSAS CITY", "KS"),
    "NKC": ("NORTH KANSAS CITY", "MO"),
    "N KANSAS CITY": ("NORTH KANSAS CITY", "MO"),
    "INDEP": ("INDEPENDENCE", "MO"),
    "LEE SUMMIT": ("LEES SUMMIT", "MO"),
    "SAINT LOUIS": ("ST LOUIS", "MO"),
    "SAINT JOSEPH": ("ST JOSEPH", "MO"),
    "OP": ("OVERLAND PARK", "KS"),
}
_AREA_NAMES: Final = tuple(AREA_CITIES)
_FUZZY_CUTOFF: Final = 88  # "KANSSA CITY" 91, "KANSAS CIT" 95; "KANSAS" alone 71
_ZIP = re.compile(r"(\d{5})(?:-?\d{4}|\.0)?", re.ASCII)
_STATE_CODES: Final = frozenset(STATES.values())


def zip5(value: str) -> str:
    """A real five-digit ZIP, or "": placeholders (99999), short ones (6411) and ZIPs of no
    state are dropped, never guessed at."""
    match = _ZIP.fullmatch(value.strip())
    if match is None or match[1] in ("00000", "99999") or match[1][:3] not in ZIP3_STATE:
        return ""
    return match[1]


def state_code(value: str) -> str:
    return STATES.get(clean_text(value, 30), "")


def _area_city(tokens: list[str]) -> tuple[str, str] | None:
    """The known city the tokens end with, exactly or nearly: words before it are a street
    suffix the police API leaked into the city ("TE KANSAS CITY", "BRUNT BL KANSAS CITY")."""
    tails = [" ".join(tokens[-size:]) for size in (3, 2, 1) if size <= len(tokens)]
    for tail in tails:
        if tail in AREA_CITIES:
            return tail, ""
        if tail in CITY_ALIASES:
            return CITY_ALIASES[tail]
    for tail in tails:
        found = process.extractOne(tail, _AREA_NAMES, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
        if found is not None:
            return found[0], ""
    return None


@lru_cache(maxsize=8192)
def clean_city(value: str) -> tuple[str, str, str]:
    """(city, state it names, ZIP it holds): "TE KANSAS CITY" → KANSAS CITY; "KANSSA CITY",
    "KANSAS CIT" → KANSAS CITY; "KCMO" → KANSAS CITY, MO; "64151" → no city, ZIP 64151."""
    tokens = clean_text(value, MAX_CITY).replace(",", " ").split()
    state = found_zip = ""
    while tokens and (tokens[-1] in _STATE_CODES or _ZIP.fullmatch(tokens[-1])):
        if len(tokens) == 1 and tokens[0] in _STATE_CODES:
            break  # a city of two letters, not a state after a city
        last = tokens.pop()
        if last in _STATE_CODES:
            state = state or last
        else:
            found_zip = found_zip or zip5(last)
    while len(tokens) >= 2 and tokens[0] in KCPD_SUFFIXES:
        tokens.pop(0)  # "BL CLEARWATER": a street suffix leaked in front of the city
    known = _area_city(tokens) if tokens else None
    if known is not None:
        return known[0], state or known[1], found_zip
    return " ".join(tokens), state, found_zip


def resolve_place(city: str, state: str, zip_code: str) -> tuple[str, str, str]:
    """(city, state, zip5), each repaired and agreeing with the others."""
    city, city_state, zip_in_city = clean_city(city)
    zip_5 = zip5(zip_code) or zip_in_city
    zip_state = ZIP3_STATE.get(zip_5[:3], "")
    state = state_code(state) or city_state
    if not state and city in AREA_CITIES:
        states = AREA_CITIES[city]
        state = zip_state if zip_state in states else states[0]
    state = state or zip_state
    if zip_state != state:
        zip_5 = ""  # a Wisconsin ZIP on a Kansas City row is a typing error, not a fact
    if not city and zip_5.startswith("641"):
        city = "KANSAS CITY"
    return city, state, zip_5


# --- Lines ---------------------------------------------------------------------------------

_HOUSE_NUMBER = re.compile(r"\d+(?:-\d+)?[A-Z]?", re.ASCII)
_BLOCK_WORD = re.compile(r"(\d{1,6}) (?:BLOCK|BLK) (.+)", re.ASCII)
_BLOCK_XX = re.compile(r"(\d{0,4})XX (.+)", re.ASCII)
_CROSSING = re.compile(r"\s+AND\s+|\s*&\s*|\s*@\s*|\s+/\s+")
_UNIT_LABELS = frozenset(
    {"OccupancyType", "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier"}
)
_PLACE_LABELS = frozenset({"PlaceName", "StateName", "ZipCode"})


@dataclass(frozen=True, slots=True)
class _Line:
    """What a line says, before the place is settled."""

    kind: Kind
    line: str
    unit: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""


def _ends_like_street(words: list[str]) -> bool:
    if words[-1] in STREET_SUFFIXES:
        return True
    return len(words) >= 3 and words[-1] in DIRECTIONALS and words[-2] in STREET_SUFFIXES


def _is_simple(words: list[str]) -> bool:
    """A line in the plain shape "NUMBER STREET…" with no unit and no place after it."""
    if len(words) < 2 or not _HOUSE_NUMBER.fullmatch(words[0]):
        return False
    if _ends_like_street(words):
        return True
    return len(words) <= 3 and not any(
        word in UNIT_DESIGNATORS or _ZIP.fullmatch(word) for word in words[1:]
    )


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    label: str
    ends_clause: bool  # a comma followed it


def _tagged(text: str) -> list[_Token]:
    try:
        parsed = usaddress.parse(text)
    except Exception:  # the tagger's failure on odd text must not stop an import
        return []
    tokens = [_Token(token.strip(","), label, token.endswith(",")) for token, label in parsed]
    return [token for token in tokens if token.text]


def _starts_place(tokens: list[_Token], index: int) -> bool:
    """Whether the tagger's place name at `index` really is one: a state or ZIP follows, or
    it names a known city ("… AVENIDA CESAR E CHA" is a street cut short, not a city)."""
    if any(token.label in ("StateName", "ZipCode") for token in tokens[index:]):
        return True
    run = []
    for token in tokens[index:]:
        if token.label != "PlaceName":
            break
        run.append(token.text)
    return bool(run) and clean_city(" ".join(run))[0] in AREA_CITIES


def _street_end(tokens: list[_Token]) -> int:
    """Where the street stops: at a unit, a place, or a comma."""
    for index, token in enumerate(tokens):
        if index and tokens[index - 1].ends_clause:
            return index
        if token.label in _UNIT_LABELS or (
            token.label in _PLACE_LABELS and _starts_place(tokens, index)
        ):
            return index
    return len(tokens)


def _joined(tokens: list[_Token], labels: frozenset[str] | set[str]) -> str:
    return " ".join(token.text for token in tokens if token.label in labels)


def _split_tagged(text: str) -> _Line | None:
    """Number, street, unit and place from the tagger, for lines that are not simple."""
    tokens = _tagged(text)
    if not tokens or tokens[0].label != "AddressNumber":
        return None
    if not _HOUSE_NUMBER.fullmatch(tokens[0].text) or tokens[0].ends_clause:
        return None
    if any(token.label.startswith("USPSBox") for token in tokens):
        return None  # a post office box is not a place
    rest = tokens[1:]
    end = _street_end(rest)
    street, after = rest[:end], rest[end:]
    if not street:
        return None
    return _Line(
        STREET,
        " ".join([tokens[0].text, *standardise_street([token.text for token in street])]),
        standardise_unit(_joined(after, _UNIT_LABELS).split()),
        _joined(after, {"PlaceName"}),
        _joined(after, {"StateName"}),
        _joined(after, {"ZipCode"}),
    )


def _street_line(text: str) -> _Line | None:
    words = text.split(" ")
    if "," not in text and "#" not in text and _is_simple(words):
        return _Line(STREET, " ".join([words[0], *standardise_street(words[1:])]))
    return _split_tagged(text)


def _number(line: str) -> tuple[str, str]:
    number, _, street = line.partition(" ")
    return (str(int(number)) if is_number(number) else number), street


def _intersection(text: str) -> _Line | None:
    sides = _CROSSING.split(text)
    if len(sides) != 2 or "," in text:
        return None
    streets = sorted(" ".join(standardise_street(side.split())) for side in sides)
    if not all(streets):
        return None
    return _Line(INTERSECTION, " & ".join(streets))


def _block(hundred: int, rest: str) -> _Line:
    """A block's line, read without the tagger so that its canonical form always reads back
    the same; anything after a comma is the place ("…, KANSAS CITY, MO")."""
    street, _, place = rest.partition(", ")
    words = street.split()
    while len(words) > 1 and words[0] == "OF":  # "1200 BLOCK OF MAIN ST"
        words = words[1:]
    return _Line(BLOCK, " ".join([str(hundred), "BLOCK", *standardise_street(words)]), city=place)


def _block_or_street(text: str, block_rounded: bool) -> _Line | None:
    if match := _BLOCK_WORD.fullmatch(text):
        return _block(int(match[1]) // 100 * 100, match[2])
    if match := _BLOCK_XX.fullmatch(text):
        return _block(int(match[1] or 0) * 100, match[2])
    found = _street_line(text)
    if found is None:
        return None
    number, street = _number(found.line)
    if block_rounded and is_number(number):
        block = _block(int(number) // 100 * 100, street)
        return replace(found, kind=BLOCK, line=block.line, unit="")
    return replace(found, line=f"{number} {street}")


def _read_line(text: str, block_rounded: bool) -> _Line | None:
    if _CROSSING.search(text):
        return _intersection(text)  # "A & B & C" is nothing we can map
    return _block_or_street(text, block_rounded)


def _read_stable(text: str, block_rounded: bool) -> _Line:
    """The reading of a line, if reading its own canonical form gives it back; otherwise
    the cleaned text, unparsed, so that normalising twice never moves an address."""
    found = _read_line(text, block_rounded)
    if found is None:
        return _Line(UNPARSED, text)
    canonical = f"{found.line} {found.unit}".strip()
    again = _read_line(canonical, False) if canonical != text else found
    if again is None or _reading(again) != _reading(found):
        return _Line(UNPARSED, text)
    return found


def _reading(found: _Line) -> tuple[str, str, str]:
    return found.kind, found.line, found.unit


# --- The entry point -------------------------------------------------------------------------


def make_key(kind: str, line: str, unit: str, city: str, state: str, zip_5: str) -> str:
    return "|".join((kind, line, unit, city, state, "" if city else zip_5))


# Sources repeat a line under many spellings of its city and ZIP (a million KCPD rows hold
# about 2,500 distinct lines in 50,000 distinct addresses): each line is read once.
@lru_cache(maxsize=32768)
def _read_written_line(line: str, block_rounded: bool) -> _Line:
    text = _INTERSTATE.sub("I ", clean_text(line, MAX_LINE))
    return _read_stable(text, block_rounded) if text not in PLACEHOLDERS else _Line(UNPARSED, "")


@lru_cache(maxsize=32768)
def normalise(
    line: str, city: str = "", state: str = "", zip_code: str = "", *, block_rounded: bool = False
) -> NormalisedAddress:
    """The canonical form of an address as a source wrote it (see the module's docstring).
    `block_rounded` says the source rounds house numbers down to the hundred (KCPD)."""
    found = _read_written_line(line, block_rounded)
    place = resolve_place(
        city if city.strip() else found.city,
        state if state.strip() else found.state,
        zip_code if zip_code.strip() else found.zip_code,
    )
    parts = (found.kind, found.line, found.unit[:MAX_UNIT], *place)
    return NormalisedAddress(*parts, key=make_key(*parts))


def clear_caches() -> None:
    """Forget every remembered answer (for benchmarks that time normalising afresh)."""
    normalise.cache_clear()
    _read_written_line.cache_clear()
    clean_city.cache_clear()


def search_terms(text: str) -> tuple[str, ...]:
    """Words to look for in canonical lines, written as they are there ("35 st" → 35TH ST)."""
    return standardise_street(clean_text(text, MAX_LINE).replace(",", " ").split())
