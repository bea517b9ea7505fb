"""The ranked list: which rules flag a property, in what order, how each entry explains
itself, and the filters."""

import pytest

from jcihub.taskforce import selectors
from jcihub.taskforce.models import FlagRule

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db


def ranked(**filters: str) -> list[selectors.RankedProperty]:
    return selectors.rank_problem_properties(END, **filters)


def rules_met(entry: selectors.RankedProperty) -> set[str]:
    return {hit.rule.name for hit in entry.hits}


def test_three_violent_incidents_in_90_days_flag_a_property_and_two_do_not() -> None:
    norton, main = place(), place("1200  MAIN ST", "64105")
    for days in (1, 40, 89):
        incident(norton, days, "13A")
    for days in (1, 90):  # day 90 is outside the 90-day window
        incident(main, days, "13A")

    found = ranked()

    assert [entry.place for entry in found] == [norton]
    assert rules_met(found[0]) == {"Repeated violence"}


def test_each_entry_names_the_rule_and_the_incidents_it_counted() -> None:
    norton = place()
    counted = [incident(norton, days, "120") for days in (2, 20, 60)]
    incident(norton, 200, "120")  # outside the window: not counted, not listed

    found = ranked()
    selectors.attach_incidents(found)
    hit = found[0].hits[0]

    assert hit.count == 3
    assert hit.reason == ("3 violent incidents in the 90 days to 2024-06-30 (rule: at least 3)")
    assert [ref.pk for ref in hit.incidents] == [i.pk for i in counted]  # newest first
    assert hit.since.isoformat() == "2024-04-02"


def test_a_sudden_rise_is_measured_against_the_propertys_own_year_before() -> None:
    quiet, busy = place(), place("1200  MAIN ST", "64105")
    for where in (quiet, busy):
        for days in range(6):
            incident(where, days)  # six incidents of no category in the last 30 days
    for days in range(40, 40 + 36 * 9, 9):  # 36 in the year before: 3 a month on average
        incident(busy, days)

    found = {entry.place: entry for entry in ranked()}

    assert rules_met(found[quiet]) == {"Sudden rise"}
    assert found[quiet].hits[0].reason == (
        "6 incidents in the 30 days to 2024-06-30 (rule: at least 5, and 3 times the "
        "property's average of 0.0 over the year before)"
    )
    assert busy not in found  # 6 is not three times its usual 3 a month


def test_more_rules_met_rank_higher() -> None:
    one, two = place(), place("1200  MAIN ST", "64105")
    for days in (1, 2, 3, 4):
        incident(one, days, "13A")
    for days in (5, 6, 7):
        incident(two, days, "13A", "35A")

    found = ranked()

    assert [(e.rank, e.place) for e in found] == [(1, two), (2, one)]
    assert rules_met(found[0]) == {"Repeated violence", "Drug activity"}


def test_inactive_rules_do_not_flag() -> None:
    norton = place()
    for days in (1, 2, 3):
        incident(norton, days, "13A")
    FlagRule.objects.filter(name="Repeated violence").update(is_active=False)

    assert ranked() == []


def test_filters_by_beat_zip_code_and_category() -> None:
    norton, main = place(), place("1200  MAIN ST", "64105")
    for days in (1, 2, 3):
        incident(norton, days, "13A", beat="332")
        incident(main, days, "35A", beat="133")
    incident(main, 4, "13A", beat="133")
    incident(main, 5, "13A", beat="133")
    incident(main, 6, "13A", beat="999")  # a third violent one, but in another beat

    assert {e.place for e in ranked()} == {norton, main}
    assert {e.place for e in ranked(beat="332")} == {norton}
    assert {e.place for e in ranked(beat="133")} == {main}
    assert "Repeated violence" not in rules_met(ranked(beat="133")[0])
    assert {e.place for e in ranked(zip_code="64105")} == {main}
    assert {e.place for e in ranked(category="drug")} == {main}
    assert {e.place for e in ranked(category="violent")} == {norton, main}
    assert ranked(category="firearm") == []


def test_an_entry_lists_the_latest_ten_incidents_and_says_how_many_more() -> None:
    norton, main = place(), place("1200  MAIN ST", "64105")
    made = [incident(norton, days, "13A") for days in range(12)]
    incident(main, 0, "13A")
    incident(main, 1, "13A")
    incident(main, 2, "13A")

    found = ranked(category="violent")
    selectors.attach_incidents(found)
    by_place = {entry.place: entry.hits[0] for entry in found}

    assert [ref.pk for ref in by_place[norton].incidents] == [i.pk for i in made[:10]]
    assert by_place[norton].hidden_count == 2
    assert len(by_place[main].incidents) == 3 and by_place[main].hidden_count == 0
