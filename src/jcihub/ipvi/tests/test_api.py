"""The notifications API: the same policy, services and audit as the pages."""

import datetime as dt

import pytest
from django.urls import reverse

from jcihub.accounts.models import Team
from jcihub.core.tests.factories import AddressFactory, PersonFactory, assign, user_with_role
from jcihub.ipvi import notification_services as notify
from jcihub.ipvi.models import Letter
from jcihub.ipvi.services import rebuild_queue

from .notify_helpers import decided, dv_incident, seed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _seeded() -> None:
    seed()


@pytest.fixture
def letter() -> Letter:
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    AddressFactory(person=victim, line1="4821 Wornall Rd", is_confidential=True)
    return notify.generate_letter(None, decided(victim=victim), "en")


def test_the_coordinator_reads_letters_and_records_a_delivery(client_for, letter) -> None:
    client = client_for(user_with_role("ipvi_coordinator"))
    listed = client.get(reverse("ipvi-letter-list")).json()
    assert listed["count"] == 1
    assert listed["results"][0]["person"]["full_name"] == "Dale Crane"
    assert "Wornall" not in str(listed)
    url = reverse("ipvi-letter-delivery", args=[letter.pk])
    refused = client.post(url, {"is_delivered": True, "occurred_at": "2025-03-02T10:00:00Z"})
    assert refused.status_code == 400
    done = client.post(
        url,
        {
            "is_delivered": True,
            "occurred_at": "2025-03-02T10:00:00Z",
            "method": "officer",
            "delivered_by": "Ofc. Ruiz",
        },
    )
    assert done.status_code == 200 and done.json()["status"] == "delivered"
    assert done.json()["deliveries"][0]["delivered_by"] == "Ofc. Ruiz"


def test_the_director_reads_but_cannot_record_a_delivery(client_for, letter) -> None:
    client = client_for(user_with_role("director"))
    assert client.get(reverse("ipvi-letter-detail", args=[letter.pk])).status_code == 200
    url = reverse("ipvi-letter-delivery", args=[letter.pk])
    assert client.post(url, {"is_delivered": False, "reason": "x"}).status_code == 403


def test_a_letter_of_a_restricted_person_answers_404(client_for, letter) -> None:
    letter.person.is_restricted = True
    letter.person.save()
    client = client_for(user_with_role("ipvi_coordinator"))
    assert client.get(reverse("ipvi-letter-detail", args=[letter.pk])).status_code == 404
    assert client.get(reverse("ipvi-letter-list")).json()["count"] == 0


def test_liaisons_list_only_the_reoffences_of_people_assigned_to_them(client_for, letter) -> None:
    notify.record_letter_delivery(
        None,
        letter,
        is_delivered=True,
        occurred_at=dt.datetime(2025, 3, 2, 15, tzinfo=dt.UTC),
        method="mail",
        delivered_by="IPVI office",
    )
    dv_incident(letter.person, None, dt.date(2025, 7, 1))
    rebuild_queue()
    liaison = user_with_role("agency_liaison")
    url = reverse("ipvi-reoffence-list")
    assert client_for(liaison).get(url).json()["count"] == 0
    team = Team.objects.create(name="Prosecutor liaison", kind=Team.Kind.AGENCY)
    liaison.teams.add(team)
    assign(letter.person, team=team)
    found = client_for(liaison).get(url).json()
    assert found["count"] == 1
    row = found["results"][0]
    assert (row["notification_kind"], row["notified_on"]) == ("letter", "2025-03-02")
    # High Point's tier B: notified before and offending again.
    assert row["proposed_tier"] == "B"
    assert row["reasons"][0].startswith("re-offended after notification: letter delivered")
    assert "Wornall" not in str(found)
