"""The assessment pages and API: a form generated from the definition, the result shown,
history per person, and who may read or record which screens."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    PersonFactory,
    assign,
    client_for,
    harm,
    user_with_role,
)
from jcihub.people.models import Person
from jcihub.programs.models import Assessment, InstrumentVersion
from jcihub.programs.services import record_assessment

from .factories import completed_lap, load, participant_screen, shipped

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def lap() -> InstrumentVersion:
    return load(completed_lap())


@pytest.fixture
def victim() -> Person:
    victim = PersonFactory(given_name="Vera", family_name="Victim")
    AddressFactory(person=victim, line1="4410 Hidden Shelter Rd", is_confidential=True)
    return victim


def _lap_post(yes: set[str]) -> dict[str, str]:
    answers = {f"item_q{n}": ("yes" if f"q{n}" in yes else "no") for n in range(1, 12)}
    return {
        "administered_on": timezone.localdate().isoformat(),
        "item_officer_belief": "no",
        **answers,
    }


def _screen(
    version: InstrumentVersion, person: Person, yes: frozenset[str] | set[str] = frozenset()
) -> Assessment:
    definition = version.read()
    answers = {item.id: ("yes" if item.id in yes else "no") for item in definition.items}
    return record_assessment(None, person, version, answers, TODAY)


def test_the_form_asks_each_question_and_the_result_shows_the_decision(
    lap: InstrumentVersion, victim: Person
) -> None:
    advocate = client_for(user_with_role(R.VICTIM_ADVOCATE))
    url = reverse("programs:assess", args=[victim.pk, "lap-lethality-screen"])
    form = advocate.get(url).content.decode()
    assert form.count('type="radio"') == 11 * 3 + 2  # yes/no/not answered; officer yes/no
    response = advocate.post(url, _lap_post({"q5", "q6", "q7", "q9"}))
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse("programs:assessment", args=[assessment.pk])
    page = advocate.get(response["Location"]).content.decode()
    assert "Screened in" in page
    assert "Four or more yes answers among questions 4 to 11" in page
    assert "Offer an immediate call with a victim advocate." in page
    assert "version 2" in page


def test_a_missing_answer_is_named_and_nothing_is_stored(lap: InstrumentVersion) -> None:
    advocate = client_for(user_with_role(R.VICTIM_ADVOCATE))
    person = PersonFactory()
    data = _lap_post(set())
    del data["item_officer_belief"]
    response = advocate.post(
        reverse("programs:assess", args=[person.pk, "lap-lethality-screen"]), data
    )
    assert response.status_code == 200
    assert "Nothing was saved" in response.content.decode()
    assert not Assessment.objects.exists()


def test_history_shows_the_persons_screens_with_their_versions(
    lap: InstrumentVersion, victim: Person
) -> None:
    _screen(lap, victim, {"q1"})
    newer = completed_lap(version=3)
    newer["items"][0]["text"] = "Reworded question 1"
    _screen(load(newer), victim)
    page = client_for(user_with_role(R.VICTIM_ADVOCATE)).get(
        reverse("programs:history", args=[victim.pk])
    )
    html = page.content.decode()
    assert "(v2)" in html and "(v3)" in html
    old = Assessment.objects.get(version=lap)
    detail = client_for(user_with_role(R.VICTIM_ADVOCATE)).get(
        reverse("programs:assessment", args=[old.pk])
    )
    assert "Placeholder wording for question 1" in detail.content.decode()  # its own version


def test_victims_screens_are_for_advocates_and_supervisors_only(
    lap: InstrumentVersion, victim: Person
) -> None:
    assessment = _screen(lap, victim, {"q1"})
    url = reverse("programs:assessment", args=[assessment.pk])
    for role, status in (
        (R.VICTIM_ADVOCATE, 200),
        (R.DIRECTOR, 200),
        (R.CASE_MANAGER, 404),
        (R.OUTREACH_WORKER, 404),
        (R.IPVI_COORDINATOR, 403),
        (R.ANALYST, 403),
    ):
        assert client_for(user_with_role(role)).get(url).status_code == status, role
    history = client_for(user_with_role(R.CASE_MANAGER)).get(
        reverse("programs:history", args=[victim.pk])
    )
    assert "No screens you may see" in history.content.decode()


def test_nobody_assigned_to_the_person_who_caused_harm_sees_the_victims_screens(
    lap: InstrumentVersion, victim: Person
) -> None:
    causer = PersonFactory()
    harm(causer, victim)
    assessment = _screen(lap, victim, {"q1"})
    advocate = user_with_role(R.VICTIM_ADVOCATE)
    assign(causer, user=advocate)
    client = client_for(advocate)
    assert client.get(reverse("programs:assessment", args=[assessment.pk])).status_code == 404
    assert client.get(reverse("assessment-list")).json()["count"] == 0
    form = client.get(reverse("programs:assess", args=[victim.pk, "lap-lethality-screen"]))
    assert form.status_code == 404


def test_a_victim_advocate_does_not_record_participant_screens() -> None:
    load(participant_screen())
    person = PersonFactory()
    url = reverse("programs:assess", args=[person.pk, "test-participant-screen"])
    assert client_for(user_with_role(R.VICTIM_ADVOCATE)).get(url).status_code == 404
    assert client_for(user_with_role(R.CASE_MANAGER)).get(url).status_code == 200


def test_a_skeleton_shows_why_it_cannot_be_recorded() -> None:
    load(shipped("danger-assessment"))
    person = PersonFactory()
    advocate = client_for(user_with_role(R.VICTIM_ADVOCATE))
    page = advocate.get(reverse("programs:assess", args=[person.pk, "danger-assessment"]))
    assert "loaded as a skeleton" in page.content.decode()
    listing = advocate.get(reverse("programs:instruments")).content.decode()
    assert "Skeleton: not yet usable" in listing
    detail = advocate.get(reverse("programs:instrument", args=["danger-assessment"]))
    assert "(licensed wording, not shipped)" in detail.content.decode()


# --- API -------------------------------------------------------------------------------------


def test_api_records_and_reads_a_screen_with_no_locating_fields(
    lap: InstrumentVersion, victim: Person
) -> None:
    advocate = user_with_role(R.VICTIM_ADVOCATE)
    client = client_for(advocate)
    answers = {f"q{n}": "no" for n in range(1, 12)} | {"q3": "yes", "officer_belief": "no"}
    created = client.post(
        reverse("assessment-list"),
        {
            "person": victim.pk,
            "instrument": "lap-lethality-screen",
            "administered_on": "2026-11-30",
            "answers": answers,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["screened_in"] is True and body["instrument_version"] == 2
    assert set(body) == {
        "id",
        "person",
        "instrument",
        "instrument_version",
        "administered_on",
        "answers",
        "score",
        "band",
        "screened_in",
        "reasons",
        "recorded_by",
        "created_at",
    }
    since = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for url in (
        reverse("assessment-detail", args=[body["id"]]),
        reverse("assessment-list") + f"?person={victim.pk}",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Hidden Shelter" not in response.content.decode()
    views = AuditEntry.objects.filter(id__gt=since, action=AuditAction.VIEW)
    assert views.count() == 2 and {e.person_id for e in views} == {victim.pk}


def test_api_refuses_bad_answers_and_unknown_instruments_clearly(lap: InstrumentVersion) -> None:
    client = client_for(user_with_role(R.VICTIM_ADVOCATE))
    person = PersonFactory()
    base = {"person": person.pk, "administered_on": "2026-11-30"}
    wrong = client.post(
        reverse("assessment-list"),
        {**base, "instrument": "lap-lethality-screen", "answers": {"q1": "maybe"}},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert wrong.json()["answers"]["q1"] == "'maybe' is not one of its answers"
    unknown = client.post(
        reverse("assessment-list"),
        {**base, "instrument": "no-such-thing", "answers": {"q1": "yes"}},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and "instrument" in unknown.json()
    assert not Assessment.objects.exists()


def test_api_instruments_carry_their_current_definition(lap: InstrumentVersion) -> None:
    client = client_for(user_with_role(R.ANALYST))
    body = client.get(reverse("instrument-detail", args=["lap-lethality-screen"])).json()
    assert body["current_version"] == 2 and body["status"] == "complete"
    assert len(body["definition"]["items"]) == 12


def test_the_person_page_links_to_screens_for_the_roles_that_read_them() -> None:
    person = PersonFactory()
    link = reverse("programs:history", args=[person.pk])
    for role, shown in (
        (R.VICTIM_ADVOCATE, True),
        (R.CASE_MANAGER, True),
        (R.IPVI_COORDINATOR, False),
    ):
        page = client_for(user_with_role(role)).get(reverse("people:detail", args=[person.pk]))
        assert (f'href="{link}"' in page.content.decode()) is shown, role
