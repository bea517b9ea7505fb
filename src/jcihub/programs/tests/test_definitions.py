"""Definitions are checked before they load, and every problem is named with where it is."""

import contextlib
import copy
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jcihub.programs import definitions, scoring
from jcihub.programs.definitions import DefinitionError

from .factories import completed_lap, scored_screen, shipped

LAP = definitions.check(completed_lap())


@pytest.mark.parametrize("name", ["lap-lethality-screen", "danger-assessment", "odara"])
def test_every_shipped_skeleton_is_a_valid_definition(name: str) -> None:
    definition = definitions.check(shipped(name))
    assert definition.status == "skeleton"
    assert not any(item.text for item in definition.items)  # no licensed wording shipped


def test_a_skeleton_marked_complete_is_refused_for_what_is_missing() -> None:
    data = shipped("danger-assessment")
    data["status"] = "complete"
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    text = " ".join(error.value.problems)
    assert "needs the question's text" in text
    assert "give every weight" in text
    assert "give its lowest score" in text


def test_schema_errors_say_where_they_are() -> None:
    data = scored_screen()
    data["items"][1]["type"] = "slider"
    del data["licence"]
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    problems = error.value.problems
    assert any(p.startswith("definition.items[1].type:") for p in problems), problems
    assert any("'licence' is a required property" in p for p in problems), problems


def test_rules_must_name_yes_no_items_of_the_instrument() -> None:
    data = completed_lap()
    data["screen_in"]["rules"][0]["items"] = ["q1", "q99"]
    data["screen_in"]["rules"][1]["at_least"] = 20
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    text = " ".join(error.value.problems)
    assert "'q99' is not a yes/no item" in text
    assert "at_least is more than the items it counts" in text


def test_duplicate_ids_unknown_bands_and_unordered_bands_are_refused() -> None:
    data = scored_screen()
    data["items"][1]["id"] = "a"
    data["bands"][2]["min"] = 2
    data["screen_in"]["rules"][0]["bands"] = ["Extreme"]
    with pytest.raises(DefinitionError) as error:
        definitions.check(data)
    text = " ".join(error.value.problems)
    assert "used twice" in text
    assert "start above the one before it" in text
    assert "no band is labelled 'Extreme'" in text


def _lap_answers(yes: set[str]) -> dict[str, str]:
    return {item.id: ("yes" if item.id in yes else "no") for item in LAP.items}


def test_lap_yes_to_any_of_the_first_three_screens_in() -> None:
    result = scoring.score(LAP, _lap_answers({"q2"}))
    assert result.screened_in
    assert result.reasons == ("Yes to any of questions 1 to 3",)


def test_lap_four_of_the_other_eight_screen_in_and_three_do_not() -> None:
    assert scoring.score(LAP, _lap_answers({"q4", "q5", "q6", "q7"})).screened_in
    assert not scoring.score(LAP, _lap_answers({"q4", "q5", "q6"})).screened_in


def test_lap_the_officers_belief_screens_in_alone() -> None:
    result = scoring.score(LAP, _lap_answers({"officer_belief"}))
    assert result.reasons == ("The officer believes the victim is in danger",)


def test_lap_unanswered_questions_count_as_not_yes() -> None:
    answers = scoring.check_answers(LAP, {"officer_belief": "no"})
    assert answers["q1"] == "unanswered"
    assert not scoring.score(LAP, answers).screened_in


def test_answers_that_do_not_fit_are_refused_item_by_item() -> None:
    with pytest.raises(scoring.AnswerError) as error:
        scoring.check_answers(LAP, {"q1": "maybe", "q42": "yes"})
    assert error.value.problems == {
        "q42": "this instrument has no such item",
        "q1": "'maybe' is not one of its answers",
        "officer_belief": "answer this question",
    }


WEIGHTED = definitions.check(scored_screen())


def test_weighted_score_band_and_band_rule() -> None:
    answers = scoring.check_answers(WEIGHTED, {"a": "yes", "b": "no", "c": "often"})
    result = scoring.score(WEIGHTED, answers)
    assert (result.score, result.band, result.screened_in) == (Decimal(7), "High", True)
    low = scoring.score(WEIGHTED, {"a": "no", "b": "yes", "c": "sometimes"})
    assert (low.score, low.band, low.screened_in) == (Decimal(3), "Raised", False)


@given(
    a=st.sampled_from(["yes", "no"]),
    b=st.sampled_from(["yes", "no"]),
    c=st.sampled_from(["never", "sometimes", "often"]),
)
def test_score_is_the_sum_of_chosen_weights_and_its_band_holds_it(a: str, b: str, c: str) -> None:
    result = scoring.score(WEIGHTED, {"a": a, "b": b, "c": c})
    expected = (a == "yes") * 4 + (b == "yes") * 2 + {"never": 0, "sometimes": 1, "often": 3}[c]
    assert result.score == expected
    low = next(band.min for band in WEIGHTED.bands if band.label == result.band)
    assert low is not None
    higher = [b.min for b in WEIGHTED.bands if b.min is not None and b.min > low]
    assert low <= expected and all(expected < m for m in higher)
    assert result.screened_in == (result.band == "High")


@given(yes=st.sets(st.sampled_from([f"q{n}" for n in range(1, 12)] + ["officer_belief"])))
def test_lap_screens_in_exactly_as_its_protocol_says(yes: set[str]) -> None:
    first_three = bool(yes & {"q1", "q2", "q3"})
    others = len(yes & {f"q{n}" for n in range(4, 12)})
    expected = first_three or others >= 4 or "officer_belief" in yes
    assert scoring.score(LAP, _lap_answers(yes)).screened_in == expected


def test_reading_does_not_change_the_data() -> None:
    data = completed_lap()
    before = copy.deepcopy(data)
    definitions.check(data)
    assert data == before


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@given(
    path=st.lists(st.sampled_from(["items", 0, "options", "screen_in", "rules", "bands"])),
    value=JSON,
)
def test_any_damage_to_a_definition_is_reported_never_a_crash(path: list, value: object) -> None:
    """Whatever a file holds, checking it gives a definition or a list of problems."""
    data: object = completed_lap()
    target = data
    for key in path[:-1]:
        try:
            target = target[key]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            break
    with contextlib.suppress(IndexError, TypeError):
        target[path[-1] if path else "version"] = value  # type: ignore[index]
    try:
        definitions.check(data)
    except DefinitionError as error:
        assert error.problems and all(p.startswith("definition") for p in error.problems)


@given(JSON)
def test_any_json_at_all_is_reported_never_a_crash(data: object) -> None:
    try:
        definitions.check(data)
    except DefinitionError as error:
        assert error.problems
