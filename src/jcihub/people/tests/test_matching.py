import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from jcihub.people.matching import (
    CandidateNames,
    MatchQuery,
    canonical_given,
    compare_birth_dates,
    name_keys,
    normalise_name,
    rank,
    score_candidate,
)


def _candidate(
    given: str,
    family: str,
    dob: dt.date | None = None,
    ids: tuple[str, ...] = (),
    person_id: int = 1,
) -> CandidateNames:
    return CandidateNames(person_id, ((given, family),), dob, frozenset(ids))


@given(st.text(max_size=80))
def test_normalised_names_are_upper_case_letters_and_single_spaces(text: str) -> None:
    result = normalise_name(text)
    assert result == result.strip()
    assert "  " not in result
    assert all(ch.isascii() and (ch.isupper() or ch == " ") for ch in result)


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalise_name(normalise_name(text)) == normalise_name(text)


def test_accents_and_punctuation_do_not_change_the_key() -> None:
    assert name_keys("José", "O'Brien-Núñez") == name_keys("JOSE", "OBrien Nunez")


def test_nicknames_fold_to_the_formal_name() -> None:
    assert canonical_given("Bobby") == canonical_given("Robert") == "ROBERT"
    assert name_keys("Bill", "Smith").given_key == name_keys("William", "Smith").given_key


def test_spelling_variants_share_a_phonetic_family_key() -> None:
    assert name_keys("", "Smith").family_key == name_keys("", "Smyth").family_key
    assert name_keys("", "Catherine").family_key == name_keys("", "Kathryn").family_key


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 1, 1)))
def test_a_date_agrees_with_itself(day: dt.date) -> None:
    score, comparison = compare_birth_dates(day, day)
    assert score == 1.0 and comparison.outcome == "agree"


def test_swapped_day_and_month_is_a_partial_date_match() -> None:
    score, comparison = compare_birth_dates(dt.date(1990, 3, 7), dt.date(1990, 7, 3))
    assert comparison.outcome == "partial" and 0.5 < score < 1


def test_one_mistyped_digit_is_a_partial_date_match() -> None:
    _, comparison = compare_birth_dates(dt.date(1985, 6, 12), dt.date(1985, 6, 13))
    assert comparison.outcome == "partial"


def test_distant_dates_disagree() -> None:
    score, comparison = compare_birth_dates(dt.date(1970, 1, 1), dt.date(1990, 6, 6))
    assert score == 0 and comparison.outcome == "disagree"


def test_exact_name_and_date_scores_100() -> None:
    query = MatchQuery("Maria", "Lopez", dt.date(1988, 4, 2))
    assert score_candidate(query, _candidate("Maria", "Lopez", dt.date(1988, 4, 2))).score == 100


def test_nickname_and_typo_still_rank_the_right_person_first() -> None:
    query = MatchQuery("Bill", "Jonson", dt.date(1975, 2, 11))
    right = _candidate("William", "Johnson", dt.date(1975, 2, 11), person_id=1)
    wrong = _candidate("Wilma", "Jensen", dt.date(1981, 9, 30), person_id=2)
    ranked = rank(query, [wrong, right], floor=0)
    assert [m.person_id for m in ranked] == [1, 2]


def test_given_and_family_names_entered_the_wrong_way_round_still_match() -> None:
    query = MatchQuery("Lopez", "Maria", dt.date(1988, 4, 2))
    match = score_candidate(query, _candidate("Maria", "Lopez", dt.date(1988, 4, 2)))
    assert match.score > 90


def test_a_shared_identifier_settles_the_match_without_revealing_it() -> None:
    query = MatchQuery("X", "Unrelated", None, ("700123",))
    match = score_candidate(query, _candidate("Maria", "Lopez", ids=("700123",)))
    assert match.score == 100
    assert all("700123" not in c.detail for c in match.comparisons)


def test_matches_below_the_floor_are_dropped() -> None:
    query = MatchQuery("Maria", "Lopez", dt.date(1988, 4, 2))
    stranger = _candidate("Tobias", "Wexler", dt.date(1950, 12, 25))
    assert rank(query, [stranger], floor=55) == []


@given(
    st.text(min_size=1, max_size=30),
    st.text(min_size=1, max_size=30),
    st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1))),
)
def test_scores_stay_between_0_and_100(given_name: str, family: str, dob: dt.date | None) -> None:
    match = score_candidate(
        MatchQuery(given_name, family, dob), _candidate("Maria", "Lopez", dt.date(1988, 4, 2))
    )
    assert 0 <= match.score <= 100
