"""Outcomes per cohort: re-offence at 6 and 12 months, Kaplan-Meier with censoring, and
small cells suppressed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcihub.core.tests.factories import user_with_role
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.outcomes import FollowUp, cohorts, follow_ups_from_records, survival

from .notify_helpers import decided, dv_incident, seed

TODAY = dt.date(2026, 12, 1)
START = dt.date(2025, 1, 15)


def people(n: int, reoffend_after: list[int | None], start: dt.date = START) -> list[FollowUp]:
    return [
        FollowUp("D", start, start + dt.timedelta(days=days) if days is not None else None)
        for days in (reoffend_after + [None] * n)[:n]
    ]


def test_rates_at_6_and_12_months_count_only_people_followed_that_long() -> None:
    group = people(40, [30] * 12 + [300] * 12)
    row = cohorts(group, TODAY)[0]
    six, twelve = row.horizons
    assert (six.reoffended, six.followed, six.rate) == ("12", "40", "30%")
    assert (twelve.reoffended, twelve.followed, twelve.rate) == ("24", "40", "60%")


def test_recently_notified_people_are_not_counted_as_followed() -> None:
    recent = people(20, [], start=TODAY - dt.timedelta(days=30))
    row = cohorts(people(20, [10] * 11) + recent, TODAY)[0]
    assert row.people == "40" and row.horizons[0].followed == "20"


def test_kaplan_meier_handles_censoring() -> None:
    # Two of four re-offend (days 10 and 100); two are censored (50 and 200 days).
    group = [
        FollowUp("D", START, START + dt.timedelta(days=10)),
        FollowUp("D", START, START + dt.timedelta(days=100)),
        FollowUp("D", TODAY - dt.timedelta(days=50), None),
        FollowUp("D", TODAY - dt.timedelta(days=200), None),
    ]
    at_90, at_182, _, _ = survival(group, TODAY)
    assert at_90 == pytest.approx(0.75)  # 3 of 4 at risk survive day 10
    assert at_182 == pytest.approx(0.375)  # then 1 of 2 at risk survives day 100


def test_small_cells_are_suppressed() -> None:
    rows = cohorts(people(25, [20] * 5), TODAY)
    whole = rows[0]
    assert whole.people == "25"
    assert whole.horizons[0].reoffended == "<11" and whole.horizons[0].rate == "<11"
    small = cohorts(people(7, [20]), TODAY)[0]
    assert small.people == "<11" and set(small.survival) == {"<11"}


def test_cohorts_are_by_tier_and_month_of_the_first_notification() -> None:
    group = people(12, []) + people(11, [], start=dt.date(2025, 2, 3))
    months = [(row.tier, row.month, row.people) for row in cohorts(group, TODAY)]
    assert months == [("D", "all months", "23"), ("D", "2025-01", "12"), ("D", "2025-02", "11")]


@pytest.mark.django_db
def test_follow_ups_come_from_delivered_notifications_and_later_incidents(client_for) -> None:
    seed()
    candidate = decided(on=dt.date(2025, 1, 10))
    letter = notify.generate_letter(None, candidate, "en")
    notify.record_letter_delivery(
        None,
        letter,
        is_delivered=True,
        occurred_at=dt.datetime(2025, 2, 1, 15, tzinfo=dt.UTC),
        method="mail",
        delivered_by="IPVI office",
    )
    dv_incident(candidate.person, None, dt.date(2025, 1, 20))  # before the letter
    dv_incident(candidate.person, None, dt.date(2025, 5, 1))
    from jcihub.ipvi.services import rebuild_queue

    rebuild_queue()
    assert follow_ups_from_records() == [FollowUp("D", dt.date(2025, 2, 1), dt.date(2025, 5, 1))]
    page = client_for(user_with_role("analyst")).get(reverse("ipvi:outcomes")).content.decode()
    assert "&lt;11" in page and "Dale Crane" not in page
    assert timezone.localdate().isoformat() in page
