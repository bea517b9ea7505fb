import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jcihub.people.selectors import parse_search
from jcihub.people.validators import normalise_identifier, normalise_phone


def test_a_record_number_is_read_as_one() -> None:
    assert parse_search("P0000123")[0] == 123
    assert parse_search("p42")[0] == 42


def test_names_and_a_birth_date_are_split() -> None:
    record, query = parse_search("Maria  del Carmen Lopez 04/02/1988")
    assert record is None
    assert (query.given_name, query.family_name) == ("Maria del Carmen", "Lopez")
    assert query.birth_date == dt.date(1988, 4, 2)


def test_a_lone_word_is_a_family_name() -> None:
    assert parse_search("lopez")[1].family_name == "lopez"


@given(st.text(max_size=300))
def test_any_search_text_parses_without_error(text: str) -> None:
    record, query = parse_search(text)
    assert record is None or record >= 0
    assert len(query.given_name) + len(query.family_name) <= 200


@given(st.from_regex(r"\A\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]?\d{4}\Z"))
def test_ten_digit_us_numbers_normalise_to_one_form(raw: str) -> None:
    digits = "".join(ch for ch in raw if ch.isdigit())
    assert normalise_phone(raw) == f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


@pytest.mark.parametrize("raw", ["12", "816-555-012", "call me", "816-555-01234"])
def test_malformed_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValidationError):
        normalise_phone(raw)


@given(st.text(max_size=50))
def test_identifier_normalisation_is_idempotent(raw: str) -> None:
    once = normalise_identifier(raw)
    assert normalise_identifier(once) == once
    assert not any(ch.isspace() for ch in once)
