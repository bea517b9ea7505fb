"""The people pages as a user drives them: good input saves, bad input explains itself."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcihub.core.tests.factories import PersonFactory, TeamFactory, harm, user_with_role
from jcihub.people.models import (
    Address,
    Consent,
    ContactPoint,
    Identifier,
    Person,
    PersonName,
    PersonRelationship,
    SafetyFlag,
)
from jcihub.people.views import DETAIL_KINDS

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 15)


@pytest.fixture
def manager_client(client_for):
    return client_for(user_with_role("program_manager"))


def _add(client, person, kind, data):
    return client.post(reverse("people:add_detail", args=[person.pk, kind]), data)


GOOD_INPUT = {
    "name": ({"kind": "alias", "given_name": "Mari", "family_name": "Lopes"}, PersonName, 2),
    "identifier": ({"system": "kcpd", "value": "700555"}, Identifier, 1),
    "address": (
        {
            "kind": "home",
            "line1": "1 Main St",
            "city": "Kansas City",
            "state": "MO",
            "zip_code": "64105",
        },
        Address,
        1,
    ),
    "contact": ({"kind": "phone", "value": "816-555-0142"}, ContactPoint, 1),
    "flag": ({"kind": "weapons", "note": "reported by officer"}, SafetyFlag, 1),
}
BAD_INPUT = {
    "identifier": {"system": "kcpd", "value": "not-a-number"},
    "address": {
        "kind": "home",
        "line1": "1 Main St",
        "city": "KC",
        "state": "Missouri",
        "zip_code": "6410",
    },
    "contact": {"kind": "email", "value": "not-an-email"},
    "relationship": {"kind": "household", "related_record": "P9999999"},
    "consent": {"categories": ["general"], "purpose": "x"},
    "assignment": {"purpose": "nobody chosen"},
}


def test_every_detail_kind_has_a_page_that_opens(manager_client, person) -> None:
    for kind in DETAIL_KINDS:
        response = manager_client.get(reverse("people:add_detail", args=[person.pk, kind]))
        assert response.status_code == 200, kind


@pytest.mark.parametrize("kind", sorted(GOOD_INPUT))
def test_good_input_saves_the_detail(manager_client, person, kind) -> None:
    data, model, expected = GOOD_INPUT[kind]
    response = _add(manager_client, person, kind, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert model.objects.filter(person=person).count() == expected


@pytest.mark.parametrize("kind", sorted(BAD_INPUT))
def test_bad_input_shows_field_errors_and_stores_nothing(manager_client, person, kind) -> None:
    before = {
        m: m.objects.count()
        for m in (Identifier, Address, ContactPoint, PersonRelationship, Consent)
    }
    response = _add(manager_client, person, kind, BAD_INPUT[kind])
    assert response.status_code == 200
    assert b"usa-error-message" in response.content or b"usa-alert--error" in response.content
    assert before == {m: m.objects.count() for m in before}


def test_an_unknown_detail_kind_is_not_found(manager_client, person) -> None:
    assert _add(manager_client, person, "shoe-size", {}).status_code == 404


def test_recording_a_relationship_by_record_number(manager_client, person) -> None:
    other = PersonFactory()
    response = _add(
        manager_client,
        person,
        "relationship",
        {"kind": "ip_former", "related_record": other.record_number, "person_caused_harm": "on"},
    )
    assert response.status_code == 302
    assert PersonRelationship.objects.get(person=person, related_person=other).person_caused_harm


def test_each_side_of_a_relationship_says_who_caused_harm(manager_client) -> None:
    causer = PersonFactory(given_name="Dale", family_name="Crane")
    victim = PersonFactory(given_name="Ana", family_name="Reyes")
    harm(causer, victim)

    on_causer = manager_client.get(reverse("people:detail", args=[causer.pk])).content.decode()
    on_victim = manager_client.get(reverse("people:detail", args=[victim.pk])).content.decode()

    assert "Dale Crane caused harm to this person" in on_causer
    assert "this person caused harm to Ana Reyes" in on_victim
    assert "caused harm to Dale Crane" not in on_causer


def test_consent_is_recorded_and_revoked_from_the_page(manager_client, person) -> None:
    team = TeamFactory(kind="partner_org")
    today = timezone.localdate()
    _add(
        manager_client,
        person,
        "consent",
        {
            "recipient": team.pk,
            "categories": ["general"],
            "purpose": "Job training",
            "valid_from": today.isoformat(),
            "valid_until": (today + dt.timedelta(days=180)).isoformat(),
        },
    )
    consent = Consent.objects.get(person=person)
    response = manager_client.post(
        reverse("people:revoke_consent", args=[person.pk, consent.pk]),
        {"reason": "Client withdrew consent by phone"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None


def test_the_director_seals_a_record_and_it_leaves_the_lists(client_for, person) -> None:
    director = client_for(user_with_role("director"))
    response = director.post(
        reverse("people:seal", args=[person.pk]), {"reason": "Expungement order 2026-CV-0042"}
    )
    assert response.status_code == 302
    assert person.full_name not in director.get(reverse("people:list")).content.decode()
    assert director.get(reverse("people:detail", args=[person.pk])).status_code == 404


def test_intake_shows_likely_matches_before_creating(manager_client) -> None:
    existing = PersonFactory(
        given_name="Maria", family_name="Lopez", birth_date=dt.date(1988, 4, 2)
    )
    form = {
        "given_name": "Mariah",
        "family_name": "Lopes",
        "birth_date": "1988-04-02",
        "sex": "F",
        "ethnicity": "unknown",
        "primary_language": "English",
    }
    first = manager_client.post(reverse("people:intake"), form)
    assert first.status_code == 200
    assert existing.record_number.encode() in first.content
    assert Person.objects.count() == 1
    second = manager_client.post(reverse("people:intake"), {**form, "confirm_new": "1"})
    assert second.status_code == 302
    assert Person.objects.count() == 2


INTAKE = {"sex": "U", "ethnicity": "unknown", "primary_language": "English"}


def test_an_identifier_at_intake_finds_the_known_person_despite_another_name(
    manager_client,
) -> None:
    known = PersonFactory(given_name="Terrence", family_name="Boyd")
    Identifier.objects.create(person=known, system="kcpd", value="704411")
    form = {**INTAKE, "given_name": "T", "family_name": "Jackson"}

    response = manager_client.post(
        reverse("people:intake"), {**form, "identifier_system": "kcpd", "identifier": "704 411"}
    )

    assert known.record_number.encode() in response.content
    assert Person.objects.count() == 1


def test_intake_stores_the_identifier_with_the_new_record(manager_client) -> None:
    form = {**INTAKE, "given_name": "Ola", "family_name": "Nwosu"}
    response = manager_client.post(
        reverse("people:intake"),
        {**form, "identifier_system": "jail_booking", "identifier": "b2026x001"},
    )
    assert response.status_code == 302
    person = Person.objects.get(family_name="Nwosu")
    assert list(person.identifiers.values_list("system", "value")) == [
        ("jail_booking", "B2026X001")
    ]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"identifier_system": "kcpd", "identifier": "ABC"}, "identifier"),
        ({"identifier": "704411"}, "identifier_system"),
        ({"identifier_system": "kcpd"}, "identifier"),
        ({"identifier_system": "passport", "identifier": "X1234"}, "identifier_system"),
    ],
)
def test_a_bad_identifier_at_intake_is_a_field_error_and_nothing_is_stored(
    manager_client, extra, field
) -> None:
    form = {**INTAKE, "given_name": "Ola", "family_name": "Nwosu", **extra}
    response = manager_client.post(reverse("people:intake"), form)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Person.objects.exists()
    assert not Identifier.objects.exists()


def test_the_live_match_panel_answers_as_the_user_types(manager_client) -> None:
    PersonFactory(given_name="Robert", family_name="Nguyen", birth_date=dt.date(1979, 8, 30))
    response = manager_client.get(
        reverse("people:intake_matches"), {"given_name": "Bob", "family_name": "Nguyen"}
    )
    assert b"Robert" in response.content


def test_the_people_export_holds_identity_fields_only(client_for) -> None:
    person = PersonFactory.create()
    Identifier.objects.create(person=person, system="kcpd", value="700777")
    response = client_for(user_with_role("director")).get(reverse("people:export"))
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines()[0] == "record_number,given_name,middle_name,family_name,birth_date,sex"
    assert person.family_name in body and "700777" not in body


def test_the_summary_shows_what_holds_today_and_the_timeline_keeps_the_past(
    manager_client, person
) -> None:
    past = Address.objects.create(
        person=person,
        line1="1 Old Rd",
        city="Kansas City",
        state="MO",
        zip_code="64106",
        valid_to=dt.date(2020, 1, 1),
    )
    Address.objects.create(
        person=person, line1="2 New St", city="Kansas City", state="MO", zip_code="64106"
    )
    page = manager_client.get(reverse("people:detail", args=[person.pk]))
    summary = [a.line1 for a in page.context["addresses"]]
    assert summary == ["2 New St"]
    assert page.context["past_addresses"] == 1
    assert "1 past address you can see is in the timeline" in page.content.decode()
    assert str(past) in page.content.decode()  # the timeline's "address added" event
