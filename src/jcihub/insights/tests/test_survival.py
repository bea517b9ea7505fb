"""Kaplan-Meier against figures worked by hand, and what may leave the department."""

import dataclasses

import pytest

from jcihub.insights.survival import (
    kaplan_meier,
    published_count,
    published_rate,
)


def test_kaplan_meier_counts_the_censored_while_they_are_followed() -> None:
    # Six people: events on days 5, 10 and 20; one followed to day 10 without one, two
    # to 30 and 40. By hand: 5/6, then 5/6 * 4/5 = 2/3, then 2/3 * 2/3 = 4/9.
    curve = kaplan_meier([5, 10, 10, 20, 30, 40], [True, True, False, True, False, False])
    # The steps themselves, without the floor of people still followed (below).
    survival_at = dataclasses.replace(curve, reliable_until=curve.last_day)
    assert curve.people == 6 and curve.events == 3
    assert survival_at.at(4) == 1.0
    assert survival_at.at(5) == pytest.approx(5 / 6)
    assert survival_at.at(19) == pytest.approx(2 / 3)
    assert survival_at.at(20) == pytest.approx(4 / 9)
    assert curve.median == 20
    assert survival_at.at(41) is None  # nobody followed that long: the curve says nothing
    # Five people are followed to day 10 at least, four beyond: the curve stops there.
    assert curve.reliable_until == 10 and curve.at(11) is None


def test_a_cohort_without_events_stays_at_one() -> None:
    curve = kaplan_meier([100, 200, 200, 200, 200, 300], [False] * 6)
    assert curve.at(150) == 1.0 and curve.median is None and curve.events == 0
    assert curve.at(250) is None  # one person followed past day 200: too few to say


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "<11"), (10, "<11"), (11, "11"), (1234, "1,234")]
)
def test_counts_of_one_to_ten_are_suppressed(count: int, shown: str) -> None:
    assert published_count(count) == shown


def test_a_rate_on_a_small_count_is_suppressed() -> None:
    assert published_rate(3, 40) == "suppressed"
    assert published_rate(12, 8) == "suppressed"
    assert published_rate(0, 40) == "0%"
    assert published_rate(12, 40) == "30%"
    assert published_rate(1, 0) == "n/a"
