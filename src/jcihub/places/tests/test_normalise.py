"""The address normaliser: USPS Publication 28 forms, KCPD's quirks, and its promises
(never raises, idempotent) on any text."""

import csv
import gzip
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from jcihub.places import normalise as n
from jcihub.places.models import PropertyKind
from jcihub.places.normalise import NormalisedAddress, normalise

KCPD_SAMPLE = (
    Path(__file__).resolve().parents[5] / "shared/data/kcpd/kcpd_2018_sample1000_allcols.csv.gz"
)


def kcpd(line: str, city: str = "KANSAS CITY", zip_code: str = "64130") -> NormalisedAddress:
    return normalise(line, city, "", zip_code, block_rounded=True)


def again(address: NormalisedAddress) -> NormalisedAddress:
    return normalise(address.full_line, address.city, address.state, address.zip5)


# --- Kinds -------------------------------------------------------------------------------


def test_kcpd_block_rounded_number_is_a_hundred_block() -> None:
    address = kcpd("3400  NORTON AV")
    assert (address.kind, address.line) == ("block", "3400 BLOCK NORTON AVE")
    assert str(address) == "3400 BLOCK NORTON AVE, KANSAS CITY, MO 64130"


def test_block_forms_from_other_sources_are_one_place() -> None:
    forms = ["12XX MAIN ST", "1200 block of Main Street", "1200 BLK MAIN ST", "1234 main st"]
    keys = {
        normalise(form, "Kansas City", "MO", block_rounded=i == 3).key
        for i, form in enumerate(forms)
    }
    assert keys == {"block|1200 BLOCK MAIN ST||KANSAS CITY|MO|"}


def test_the_zero_block_keeps_its_number() -> None:
    assert kcpd("00  E 13 ST").line == "0 BLOCK E 13TH ST"
    assert kcpd("0  ROYAL WA").line == "0 BLOCK ROYAL WAY"


def test_an_exact_house_number_is_a_street_address() -> None:
    address = normalise("3412 Norton Avenue", "Kansas City", "MO", "64130")
    assert (address.kind, address.line, address.unit) == ("street", "3412 NORTON AVE", "")


def test_an_intersection_is_one_place_whichever_street_comes_first() -> None:
    one = kcpd("E 35 ST and PROSPECT AV")
    other = normalise("Prospect Ave & E 35th St", "Kansas City", "MO")
    assert one.kind == "intersection"
    assert one.line == "E 35TH ST & PROSPECT AVE"
    assert one.key == other.key


@pytest.mark.parametrize(
    "line",
    ["", "   ", "UNKNOWN", "unknown", "N/A"],
)
def test_a_blank_or_placeholder_line_names_no_place(line: str) -> None:
    address = kcpd(line)
    assert address.kind == "unparsed"
    assert not address.names_a_place
    assert address.line == ""


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        ("413943 PO BOX 1409", "413943 PO BOX 1409"),  # a post office box is not a place
        ("Broadway", "BROADWAY"),  # a street with no number
        ("E 9TH and WABASH and TROOST", "E 9TH AND WABASH AND TROOST"),
    ],
)
def test_what_cannot_be_read_is_kept_as_cleaned_text(line: str, kept: str) -> None:
    address = normalise(line)
    assert (address.kind, address.line) == ("unparsed", kept)
    assert address.names_a_place


def test_kinds_are_the_models_choices() -> None:
    assert set(n.KINDS) == set(PropertyKind.values)


# --- Street parts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "standard"),
    [
        ("AV", "AVE"),
        ("BL", "BLVD"),
        ("TE", "TER"),
        ("HW", "HWY"),
        ("WA", "WAY"),
        ("CI", "CIR"),
        ("PK", "PKWY"),  # "SWOPE PK" is Swope Parkway
        ("TR", "TRFY"),  # Kansas City's trafficways
        ("Boulevard", "BLVD"),
        ("Terrace", "TER"),
        ("Highway", "HWY"),
        ("Street", "ST"),
        ("Drive", "DR"),
    ],
)
def test_street_suffixes_take_the_postal_abbreviation(written: str, standard: str) -> None:
    assert normalise(f"100 Oak {written}").line == f"100 OAK {standard}"


@pytest.mark.parametrize(
    ("number", "ordinal"),
    [("1", "1ST"), ("2", "2ND"), ("3", "3RD"), ("4", "4TH"), ("11", "11TH"), ("12", "12TH"),
     ("13", "13TH"), ("21", "21ST"), ("22", "22ND"), ("103", "103RD"), ("111", "111TH")],
)  # fmt: skip
def test_numbered_streets_are_ordinal(number: str, ordinal: str) -> None:
    assert kcpd(f"8300  E {number} TE").line == f"8300 BLOCK E {ordinal} TER"


def test_route_numbers_are_not_ordinals() -> None:
    assert kcpd("11600  E US 40 HW").line == "11600 BLOCK E US 40 HWY"
    assert normalise("E 87 ST and I-435").line == "E 87TH ST & I 435"


def test_directionals_are_abbreviated_before_and_after_the_street() -> None:
    assert normalise("4700 Northeast Parvin Road").line == "4700 NE PARVIN RD"
    assert kcpd("13100  BLUE PK E").line == "13100 BLOCK BLUE PKWY E"
    assert kcpd("S EMANUEL CLEAVER II BL N and LEEDS TR").line == (
        "LEEDS TRFY & S EMANUEL CLEAVER II BLVD N"
    )


def test_a_directional_that_is_the_street_name_stays() -> None:
    assert normalise("100 North Ave").line == "100 NORTH AVE"


@pytest.mark.parametrize(
    ("line", "unit"),
    [
        ("1234 Main St Apt 5", "APT 5"),
        ("1234 Main St Apartment 5", "APT 5"),
        ("1234 Main St #5", "# 5"),
        ("1234 Main St Suite 200", "STE 200"),
    ],
)
def test_a_unit_is_kept_apart_from_the_line(line: str, unit: str) -> None:
    address = normalise(line, "Kansas City", "MO")
    assert (address.line, address.unit) == ("1234 MAIN ST", unit)
    assert address.key != normalise("1234 Main St", "Kansas City", "MO").key


def test_city_state_and_zip_written_in_the_line_are_used() -> None:
    address = normalise("1234 Main St, Apt 5, Kansas City, MO 64105")
    assert (address.line, address.unit, address.city, address.state, address.zip5) == (
        "1234 MAIN ST",
        "APT 5",
        "KANSAS CITY",
        "MO",
        "64105",
    )


def test_a_street_name_the_tagger_mistakes_for_a_city_stays_in_the_line() -> None:
    # KCPD cuts "AVENIDA CESAR E CHAVEZ" to 20 characters.
    assert kcpd("600  AVENIDA CESAR E. CHA").line == "600 BLOCK AVENIDA CESAR E CHA"


# --- Cities and ZIPs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "city",
    ["TE KANSAS CITY", "BL KANSAS CITY", "BRUNT BL KANSAS CITY", "and PASEO KANSAS CITY",
     "KANSAS CIT", "KANSSA CITY", "KANAS CITY", "KCMO", "K.C.", "kansas city, mo",
     "Kansas City MO"],
)  # fmt: skip
def test_kcpd_city_quirks_become_kansas_city_missouri(city: str) -> None:
    address = normalise("3400  NORTON AV", city, "", "64130", block_rounded=True)
    assert (address.city, address.state) == ("KANSAS CITY", "MO")


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        ("BLUES SPRINGS", "BLUE SPRINGS"),
        ("LEE'S SUMMIT", "LEES SUMMIT"),
        ("INDEP", "INDEPENDENCE"),
        ("JEFFERSON CIT", "JEFFERSON CITY"),
        ("HW GRANDVIEW", "GRANDVIEW"),
        ("BL CLEARWATER", "CLEARWATER"),
        ("Nowhere Special", "NOWHERE SPECIAL"),  # unknown cities are kept, not guessed
    ],
)
def test_other_city_spellings(city: str, expected: str) -> None:
    assert normalise("1 Main St", city).city == expected


def test_a_zip_in_the_city_field_is_the_zip() -> None:
    address = normalise("100 NW 112 TE", "64151", "", "")
    assert (address.city, address.state, address.zip5) == ("KANSAS CITY", "MO", "64151")


def test_a_blank_city_with_a_kansas_city_zip_is_kansas_city() -> None:
    address = normalise("3400 Norton Ave", "", "", "64130")
    assert (address.city, address.state) == ("KANSAS CITY", "MO")


def test_a_blank_city_elsewhere_is_not_invented() -> None:
    address = normalise("1 Main St", "", "", "66061")
    assert (address.city, address.state, address.zip5) == ("", "KS", "66061")


@pytest.mark.parametrize(
    ("zip_code", "zip5"),
    [
        ("64130", "64130"),
        ("64130.0", "64130"),  # float text from pandas exports
        ("64130-1234", "64130"),
        ("6411", ""),  # too short
        ("99999", ""),  # KCPD's "unknown"
        ("54111", ""),  # a Wisconsin ZIP on a Kansas City row: a typing error
        ("63131", "63131"),  # in Missouri: wrong perhaps, but not ours to change
        ("ABCDE", ""),
    ],
)
def test_zips(zip_code: str, zip5: str) -> None:
    assert normalise("1 Main St", "KANSAS CITY", "", zip_code).zip5 == zip5


def test_a_state_given_in_full_is_abbreviated() -> None:
    assert normalise("1 Main St", "Olathe", "Kansas").state == "KS"


def test_the_zip_does_not_split_a_block_into_many_places() -> None:
    # KCPD writes different ZIPs for the same block; the city settles the place.
    assert (
        kcpd("1100  LOCUST ST", zip_code="64105").key
        == kcpd("1100  LOCUST ST", zip_code="64106").key
    )


# --- The real KCPD sample -----------------------------------------------------------------


def _kcpd_rows() -> list[dict[str, str]]:
    if not KCPD_SAMPLE.exists():
        pytest.skip(f"the shared KCPD sample is not at {KCPD_SAMPLE}")
    with gzip.open(KCPD_SAMPLE, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_kcpd_sample_parses_to_places() -> None:
    rows = [row for row in _kcpd_rows() if row["address"].strip()]
    results = [kcpd(row["address"], row["city"], row["zip_code"]) for row in rows]
    unparsed = sorted(
        {row["address"] for row, r in zip(rows, results, strict=True) if r.kind == "unparsed"}
    )
    assert len(rows) >= 990
    assert 1 - len(unparsed) / len(rows) >= 0.95, unparsed
    # What does not parse names no place: "UNKNOWN" and a post office box.
    assert unparsed == ["413943 PO BOX 1409", "UNKNOWN"]


def test_every_kcpd_sample_address_normalises_the_same_twice() -> None:
    for row in _kcpd_rows():
        for line, city, zip_code in (
            (row["address"], row["city"], row["zip_code"]),
            (row["location_address"], row["location_city"], row["location_zip"]),
        ):
            first = kcpd(line, city, zip_code)
            assert again(first) == first, row


def test_the_kcpd_sample_cities_are_repaired() -> None:
    cities = {
        kcpd(r["location_address"], r["location_city"], r["location_zip"]).city
        for r in _kcpd_rows()
    }
    assert not {city for city in cities if "KANSAS CITY" in city} - {"KANSAS CITY"}
    assert "JEFFERSON CITY" in cities


# --- Properties for any text --------------------------------------------------------------------

WORDS = st.sampled_from(
    ["N", "E", "NORTH", "MAIN", "ST", "AV", "TE", "BL", "35", "35TH", "APT", "#", "5", "&", "AND",
     "BLOCK", "OF", "12XX", "3400", "0", "00", "PO", "BOX", "KANSAS", "CITY", "MO", "64130", ",",
     "UNIT", "I-70", "HW", "1/2", "²", "٣", "WA", "REAR", "FL", "\x00", "é"]
)  # fmt: skip
LINES = st.one_of(
    st.text(max_size=160),
    st.lists(WORDS, max_size=9).map(" ".join),
    st.lists(st.one_of(WORDS, st.text(max_size=3)), max_size=8).map(" ".join),
)
CITIES = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["", "KANSAS CITY", "TE KANSAS CITY", "KCMO", "64151", "KANSSA CITY", "MO"]),
)
STATES = st.one_of(st.text(max_size=5), st.sampled_from(["", "MO", "KS", "Missouri", "ZZ"]))
ZIPS = st.one_of(
    st.text(max_size=10), st.sampled_from(["", "64130", "54111", "6411", "99999", "66101"])
)


@settings(max_examples=800, deadline=None)
@given(LINES, CITIES, STATES, ZIPS, st.booleans())
def test_any_text_normalises_and_normalising_again_changes_nothing(
    line: str, city: str, state: str, zip_code: str, block_rounded: bool
) -> None:
    first = normalise(line, city, state, zip_code, block_rounded=block_rounded)
    assert isinstance(first, NormalisedAddress)
    assert first.kind in n.KINDS
    assert again(first) == first
    assert len(first.line) <= n.LINE_LENGTH and len(first.key) <= n.KEY_LENGTH
    assert len(first.unit) <= n.MAX_UNIT and len(first.city) <= n.MAX_CITY
    assert first.zip5 == "" or (len(first.zip5) == 5 and first.zip5.isdigit())


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 99_999),
    st.sampled_from(["", "N ", "E ", "NW ", "WEST "]),
    st.one_of(st.integers(1, 150).map(str), st.sampled_from(["MAIN", "PROSPECT", "BLUE RIDGE"])),
    st.sampled_from(["ST", "AV", "AVENUE", "BL", "TE", "TERR", "RD", "DR", "PKWY", ""]),
)
def test_any_house_number_and_street_parse_as_a_street(
    number: int, direction: str, name: str, suffix: str
) -> None:
    assume(direction or suffix or not name.isdigit())  # "99999 1" is no address
    address = normalise(f"{number} {direction}{name} {suffix}".strip(), "Kansas City", "MO")
    assert address.kind == "street"
    assert address.line.startswith(f"{number} ")


def test_answers_are_remembered() -> None:
    normalise("3400  NORTON AV", "KANSAS CITY", "", "64130", block_rounded=True)
    hits = normalise.cache_info().hits
    normalise("3400  NORTON AV", "KANSAS CITY", "", "64130", block_rounded=True)
    assert normalise.cache_info().hits == hits + 1


def test_search_terms_are_written_like_canonical_lines() -> None:
    assert n.search_terms("3400 norton av") == ("3400", "NORTON", "AVE")
    assert n.search_terms("e 35 st") == ("E", "35TH", "ST")
