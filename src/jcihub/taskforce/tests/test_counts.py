"""Counts per property, category and window, with the window before, on hand-made
incidents: the windows' edges, one count per incident, KCPD's flags, the editable table."""

import datetime as dt

import pytest
from django.utils import timezone

from jcihub.core.tests.factories import user_with_role
from jcihub.taskforce import selectors, services
from jcihub.taskforce.models import OffenseCode
from jcihub.taskforce.selectors import Trend

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db


def counts_at(where, end: dt.date = END) -> dict[str, dict[int, Trend]]:
    return selectors.property_counts(end).get(where.pk, {})


def test_each_window_counts_its_days_and_the_window_before_its_own() -> None:
    norton = place()
    for days in (0, 10, 29, 40, 100, 400, 800):
        incident(norton, days, "13A")

    violent = counts_at(norton)["violent"]

    assert violent[30] == Trend(3, 1)  # days 0-29; before: days 30-59
    assert violent[90] == Trend(4, 1)  # days 0-89; before: days 90-179
    assert violent[365] == Trend(5, 1)  # days 0-364; before: days 365-729 (800 is out)
    assert counts_at(norton)[""][365] == Trend(5, 1)


def test_an_incident_with_two_offenses_in_a_category_counts_once() -> None:
    norton = place()
    incident(norton, 1, "13A", "13B", "35A")

    counts = counts_at(norton)

    assert counts["violent"][30].current == 1
    assert counts["drug"][30].current == 1
    assert counts[""][30].current == 1
    assert "property" not in counts  # no incident there: no row


def test_domestic_violence_and_firearm_also_come_from_kcpd_flags() -> None:
    norton = place()
    incident(norton, 1, "23F", dv=True)
    incident(norton, 2, firearm=True)
    incident(norton, 3, "520")
    incident(norton, 4, "13B", dv=False, firearm=False)

    counts = counts_at(norton)

    assert counts["domestic_violence"][30].current == 1
    assert counts["firearm"][30].current == 2
    assert counts["property"][30].current == 1
    assert counts["violent"][30].current == 1
    assert counts[""][30].current == 4


def test_counts_are_per_property_and_follow_the_end_date() -> None:
    norton, main = place(), place("1200  MAIN ST", "64105")
    incident(norton, 0, "13A")
    incident(main, 0, "13A")
    incident(main, 50, "13A")

    assert counts_at(main)["violent"][90].current == 2
    assert counts_at(norton)["violent"][90].current == 1
    # Thirty days earlier, the latest incidents are in the future and not counted.
    earlier = counts_at(main, END - dt.timedelta(days=30))
    assert earlier["violent"][30] == Trend(1, 0)


def test_a_code_with_no_category_counts_only_in_all_incidents_until_mapped() -> None:
    norton = place()
    incident(norton, 1, "26A")
    assert set(counts_at(norton)) == {""}

    fraud = OffenseCode.objects.get(code="26A")
    services.set_offense_categories(
        user_with_role("taskforce_coordinator"), fraud, fraud.label, ["property"]
    )

    assert counts_at(norton)["property"][30].current == 1


def test_the_trend_says_which_way_and_by_how_much() -> None:
    assert str(Trend(3, 1)) == "3, up 2 from 1"
    assert str(Trend(0, 4)) == "0, down 4 from 4"
    assert str(Trend(2, 2)) == "2, same as the window before"


def test_the_default_end_is_the_latest_incident_for_historic_data_else_today() -> None:
    assert selectors.default_end() == timezone.localdate()
    norton = place()
    incident(norton, 3, "13A")
    incident(norton, 9, "13A")
    assert selectors.default_end() == END - dt.timedelta(days=3)


def test_monthly_history_counts_each_calendar_month_newest_first() -> None:
    norton = place()
    incident(norton, 0, "13A")  # 2024-06-30
    incident(norton, 29, "35A")  # 2024-06-01
    incident(norton, 30, "13A", dv=True)  # 2024-05-31
    incident(norton, 800, "13A")  # long before the 24 months shown

    history = selectors.monthly_history(norton, END)

    assert len(history) == 24
    assert history[0].month == dt.date(2024, 6, 1) and history[0].total == 2
    assert history[0].by_category == (1, 0, 0, 1, 0, 0)  # violent, drug
    assert history[1].month == dt.date(2024, 5, 1) and history[1].total == 1
    assert history[1].by_category == (1, 1, 0, 0, 0, 0)  # violent, domestic violence
    assert history[-1].month == dt.date(2022, 7, 1)
    assert sum(row.total for row in history) == 3
