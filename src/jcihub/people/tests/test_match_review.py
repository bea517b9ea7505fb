"""The review queue of identity resolution: who may use it, what a reviewer sees of a
pair, and that every decision is recorded, audited and final where it must be."""

import datetime as dt

import pytest
from django.urls import reverse

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    PersonFactory,
    match_candidate,
    user_with_role,
)
from jcihub.people.models import Identifier, MatchCandidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair() -> MatchCandidate:
    one = PersonFactory(given_name="Dale", family_name="Crane", birth_date=dt.date(1987, 1, 2))
    other = PersonFactory(given_name="Dale", family_name="Crane", birth_date=dt.date(1987, 2, 1))
    Identifier.objects.create(person=one, system="kcpd", value="700123")
    AddressFactory(person=one, line1="3412 Norton Ave")
    AddressFactory(person=one, line1="99 Hidden Way", is_confidential=True)
    return match_candidate(one, other)


def test_the_queue_shows_pairs_waiting_for_review_most_likely_first(client_for) -> None:
    people = [PersonFactory(family_name=f"Queue{n}") for n in range(6)]
    likely = match_candidate(people[0], people[1], probability=0.97)
    less = match_candidate(people[2], people[3], status="deferred", probability=0.85)
    decided = match_candidate(people[4], people[5], status="rejected")
    client = client_for(user_with_role("program_manager"))

    page = client.get(reverse("people:match_queue")).content.decode()
    assert page.index(f"/people/duplicates/{likely.pk}/") < page.index(
        f"/people/duplicates/{less.pk}/"
    )
    assert f"/people/duplicates/{decided.pk}/" not in page
    assert "2 pairs waiting for review." in page
    rejected = client.get(reverse("people:match_queue"), {"status": "rejected"})
    assert f"/people/duplicates/{decided.pk}/" in rejected.content.decode()


def test_a_pair_is_shown_side_by_side_with_its_weights_and_both_views_audited(
    client_for, pair
) -> None:
    director = user_with_role("director")
    page = client_for(director).get(reverse("people:match", args=[pair.pk])).content.decode()

    assert "Are these the same person?" in page
    assert "1987-01-02" in page and "1987-02-01" in page
    assert "+6.5" in page and "-3.3" in page  # family name for, birth date against
    assert "Agrees" in page and "Differs" in page
    assert "700123" in page and "3412 Norton Ave" in page
    assert "99 Hidden Way" not in page  # victim-locating: never shown here
    viewed = AuditEntry.objects.filter(actor=director, summary__contains="match review")
    assert set(viewed.values_list("person_id", flat=True)) == {pair.person_a_id, pair.person_b_id}


def test_accepting_links_the_pair_and_audits_the_decision_on_both_records(client_for, pair) -> None:
    reviewer = user_with_role("program_manager")
    response = client_for(reviewer).post(
        reverse("people:match", args=[pair.pk]),
        {"decision": "accepted", "note": "Same KCPD number on the jail booking"},
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == "accepted" and pair.decided_by == reviewer
    assert pair.decision_note == "Same KCPD number on the jail booking"
    entries = AuditEntry.objects.filter(actor=reviewer, action=AuditAction.UPDATE)
    assert set(entries.values_list("person_id", flat=True)) == {pair.person_a_id, pair.person_b_id}


def test_a_rejection_is_final(client_for, pair) -> None:
    client = client_for(user_with_role("director"))
    url = reverse("people:match", args=[pair.pk])
    client.post(url, {"decision": "rejected"})
    page = client.get(url).content.decode()
    assert "Rejected: different people" in page and "Record the decision" not in page

    again = client.post(url, {"decision": "accepted"})
    assert again.status_code == 200
    pair.refresh_from_db()
    assert pair.status == "rejected"


def test_a_decision_must_be_chosen(client_for, pair) -> None:
    page = client_for(user_with_role("director")).post(reverse("people:match", args=[pair.pk]))
    assert "This field is required." in page.content.decode()
    pair.refresh_from_db()
    assert pair.status == "pending" and pair.decided_at is None


def test_other_roles_cannot_open_the_queue_or_a_pair(client_for, pair) -> None:
    client = client_for(user_with_role("case_manager"))
    assert client.get(reverse("people:match_queue")).status_code == 403
    assert (
        client.post(reverse("people:match", args=[pair.pk]), {"decision": "accepted"}).status_code
        == 403
    )
    pair.refresh_from_db()
    assert pair.status == "pending"


def test_unmerging_restores_the_split_exactly_and_the_pair_is_not_proposed_again(
    client_for, pair
) -> None:
    one, other = pair.person_a, pair.person_b
    before = {
        person.pk: (
            person.given_name,
            person.family_name,
            person.birth_date,
            sorted(person.identifiers.values_list("system", "value")),
            sorted(person.addresses.values_list("line1", flat=True)),
        )
        for person in (one, other)
    }
    client = client_for(user_with_role("director"))
    url = reverse("people:match", args=[pair.pk])
    client.post(url, {"decision": "accepted"})
    linked_page = client.get(reverse("people:detail", args=[one.pk])).content.decode()
    assert "The same person in other records" in linked_page
    assert f"/people/{other.pk}/" in linked_page

    assert "unlink the records (unmerge)" in client.get(url).content.decode()
    response = client.post(url, {"decision": "rejected", "note": "Twins"}, follow=True)
    assert "Unmerged: the two records are separate again." in response.content.decode()

    pair.refresh_from_db()
    assert pair.status == "rejected"
    for person in (one, other):
        person.refresh_from_db()
        assert before[person.pk] == (
            person.given_name,
            person.family_name,
            person.birth_date,
            sorted(person.identifiers.values_list("system", "value")),
            sorted(person.addresses.values_list("line1", flat=True)),
        )
    page = client.get(reverse("people:detail", args=[one.pk])).content.decode()
    assert "The same person in other records" not in page
    assert AuditEntry.objects.filter(summary__contains="unmerged").count() == 2


def test_the_person_page_lists_records_linked_directly_and_through_another(client_for) -> None:
    first, second, third = (PersonFactory(family_name="Linked") for _ in range(3))
    match_candidate(first, second, status="auto_linked")
    match_candidate(second, third, status="accepted")
    page = (
        client_for(user_with_role("director"))
        .get(reverse("people:detail", args=[first.pk]))
        .content.decode()
    )
    assert f"/people/{second.pk}/" in page and f"/people/{third.pk}/" in page
    assert "linked automatically" in page and "linked through another record" in page


def test_the_weights_start_from_the_models_prior(client_for, pair) -> None:
    pair.run.model = {"probability_two_random_records_match": 1 / 1025}  # log2 odds: -10
    pair.run.save()
    page = client_for(user_with_role("director")).get(reverse("people:match", args=[pair.pk]))
    text = page.content.decode()
    assert "Starting point" in text and "-10.0" in text


def test_a_pair_that_would_join_a_rejected_pair_is_flagged_and_cannot_be_accepted(
    client_for,
) -> None:
    one, two, three = (PersonFactory(family_name="Crane") for _ in range(3))
    match_candidate(one, two, status="rejected")
    match_candidate(one, three, status="accepted")
    joining = match_candidate(two, three)
    client = client_for(user_with_role("program_manager"))
    url = reverse("people:match", args=[joining.pk])
    assert "Linking would join records judged different people" in client.get(url).content.decode()

    refused = client.post(url, {"decision": "accepted"})
    assert "judged to be different people" in refused.content.decode()
    joining.refresh_from_db()
    assert joining.status == "pending"


def test_unmerging_says_which_accepted_links_still_join_the_records(client_for) -> None:
    one, two, three = (PersonFactory(family_name="Crane") for _ in range(3))
    direct = match_candidate(one, two, status="auto_linked")
    match_candidate(one, three, status="accepted")
    match_candidate(two, three, status="accepted")
    client = client_for(user_with_role("program_manager"))
    response = client.post(
        reverse("people:match", args=[direct.pk]), {"decision": "rejected"}, follow=True
    )
    text = response.content.decode()
    assert "Unmerged" in text
    assert "still one identity through links a reviewer accepted" in text
