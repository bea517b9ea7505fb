"""The people API: who gets in, what they see, and that bad input is refused whole.

Bad input answers 400 with the offending field named, and stores nothing: no person, no
name row, no identifier, no audit entry of a change that did not happen.
"""

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jcihub.accounts.models import Team, User
from jcihub.accounts.roles import RoleCode as R
from jcihub.accounts.services import issue_api_token, revoke_api_token
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import (
    AddressFactory,
    ContactPointFactory,
    PersonFactory,
    TeamFactory,
    assign,
    consent,
    user_with_role,
)
from jcihub.people.models import Identifier, IdentifierSystem, Person, PersonName

pytestmark = pytest.mark.django_db
PEOPLE = "/api/v1/people/"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def api_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager() -> Client:
    return api_client(user_with_role(R.PROGRAM_MANAGER))


def _detail(person: Person) -> str:
    return reverse("person-detail", args=[person.pk])


# --- Authentication ---------------------------------------------------------------------


def test_a_token_signs_a_program_in() -> None:
    user = user_with_role(R.CASE_MANAGER)
    PersonFactory(family_name="Tokenfound")
    key = issue_api_token(user).key
    response = Client().get(PEOPLE, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert response.json()["results"][0]["family_name"] == "Tokenfound"


def test_a_browser_session_works_too() -> None:
    response = api_client(user_with_role(R.CASE_MANAGER)).get(PEOPLE)
    assert response.status_code == 200 and response.json()["count"] == 0


def test_without_credentials_the_api_refuses() -> None:
    PersonFactory()
    response = Client().get(PEOPLE)
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


@pytest.mark.parametrize("how", ["wrong", "revoked", "inactive"])
def test_a_bad_revoked_or_deactivated_token_is_refused(how) -> None:
    user = user_with_role(R.CASE_MANAGER)
    key = issue_api_token(user).key
    if how == "wrong":
        key = key[::-1]
    elif how == "revoked":
        revoke_api_token(user)
    else:
        User.objects.filter(pk=user.pk).update(is_active=False)
    response = Client().get(PEOPLE, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (401, 403)
    assert "results" not in response.json()


# --- Listing and searching ------------------------------------------------------------


def test_the_list_is_paginated_25_at_a_time(manager) -> None:
    for n in range(30):
        PersonFactory(family_name=f"Page{n:02d}")
    first = manager.get(PEOPLE).json()
    assert first["count"] == 30 and len(first["results"]) == 25 and first["next"]
    second = manager.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    names = [p["family_name"] for p in first["results"] + second["results"]]
    assert names == sorted(names)


def test_q_searches_by_name_and_by_record_number(manager) -> None:
    wanted = PersonFactory(given_name="Tamsin", family_name="Okonkwo")
    PersonFactory(given_name="Bill", family_name="Zimmer")
    by_name = manager.get(PEOPLE, {"q": "Tamsin Okonkwo"}).json()
    assert [p["id"] for p in by_name["results"]] == [wanted.pk]
    by_number = manager.get(PEOPLE, {"q": wanted.record_number}).json()
    assert [p["id"] for p in by_number["results"]] == [wanted.pk]
    assert manager.get(PEOPLE, {"q": "Nobodyhere"}).json()["count"] == 0


def test_the_list_filters_by_sex(manager) -> None:
    woman = PersonFactory(sex="F")
    PersonFactory(sex="M")
    assert [p["id"] for p in manager.get(PEOPLE, {"sex": "F"}).json()["results"]] == [woman.pk]


def test_a_list_row_carries_no_locating_details(manager) -> None:
    AddressFactory(person=PersonFactory(), line1="4 Hidden Ct", is_confidential=True)
    response = manager.get(PEOPLE)
    row = response.json()["results"][0]
    assert "addresses" not in row and "identifiers" not in row
    assert b"Hidden Ct" not in response.content


# --- Creating: good input saves, bad input stores nothing ----------------------------------

GOOD = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "birth_date": "1990-12-10",
    "sex": "F",
    "races": ["white"],
    "ethnicity": "not_hispanic",
}
LONG = "x" * 10_000
FUTURE = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

BAD_INPUT: dict[str, tuple[dict[str, Any], str]] = {
    "impossible date": ({"birth_date": "2023-02-30"}, "birth_date"),
    "not a date": ({"birth_date": "last Tuesday"}, "birth_date"),
    "date as a number": ({"birth_date": 19901210}, "birth_date"),
    "future birth date": ({"birth_date": FUTURE}, "birth_date"),
    "birth before 1900": ({"birth_date": "1850-01-01"}, "birth_date"),
    "oversized name": ({"given_name": LONG}, "given_name"),
    "oversized gender identity": ({"gender_identity": LONG}, "gender_identity"),
    "list for a string": ({"family_name": ["Love", "lace"]}, "family_name"),
    "object for a string": ({"middle_name": {"a": 1}}, "middle_name"),
    "null for a required string": ({"family_name": None}, "family_name"),
    "blank family name": ({"family_name": "   "}, "family_name"),
    "NUL character": ({"given_name": "Ad\x00a"}, "given_name"),
    "unknown sex": ({"sex": "Q"}, "sex"),
    "unknown ethnicity": ({"ethnicity": "martian"}, "ethnicity"),
    "string for races": ({"races": "white"}, "races"),
    "unknown race": ({"races": ["white", "martian"]}, "races"),
    "word for a boolean": ({"needs_interpreter": "perhaps"}, "needs_interpreter"),
}


def _counts() -> dict[str, int]:
    changes = AuditEntry.objects.filter(action__in=[AuditAction.CREATE, AuditAction.UPDATE])
    return {
        "people": Person.objects.count(),
        "names": PersonName.objects.count(),
        "identifiers": Identifier.objects.count(),
        "audited changes": changes.count(),
    }


def test_good_input_creates_the_person_with_legal_name_and_audit(manager) -> None:
    response = manager.post(PEOPLE, GOOD, content_type="application/json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert person.birth_date == dt.date(1990, 12, 10)
    assert PersonName.objects.filter(person=person, kind="legal", family_name="Lovelace").exists()
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, person_id=person.pk).exists()


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_on_create_names_the_field_and_stores_nothing(manager, case) -> None:
    change, field = BAD_INPUT[case]
    before = _counts()
    response = manager.post(PEOPLE, {**GOOD, **change}, content_type="application/json")
    assert response.status_code == 400, response.content
    errors = response.json()
    assert errors.get(field), errors
    assert _counts() == before


@pytest.mark.parametrize(
    "body",
    ["[1, 2, 3]", '"just a string"', '{"given_name": "Ada", ', "null"],
    ids=["list", "string", "truncated", "null"],
)
def test_a_body_that_is_not_a_person_is_refused(manager, body) -> None:
    before = _counts()
    response = manager.post(PEOPLE, body, content_type="application/json")
    assert response.status_code == 400
    assert _counts() == before


def test_identifiers_cannot_be_slipped_in_through_the_person_api(manager) -> None:
    """The API has no identifier write: identifiers enter through the person page, where
    each system's format is checked. Sending them here stores none."""
    body = {**GOOD, "identifiers": [{"system": "kcpd", "value": "not-a-number"}]}
    response = manager.post(PEOPLE, body, content_type="application/json")
    assert response.status_code == 201
    assert not Identifier.objects.exists()


MALFORMED_IDENTIFIERS = {
    IdentifierSystem.KCPD: "12AB",
    IdentifierSystem.COURT: "C-1",
    IdentifierSystem.JAIL_BOOKING: "BK-12345",
    IdentifierSystem.PROGRAM_INTAKE: "-INTAKE",
    IdentifierSystem.HOSPITAL: "MRN 12 ; DROP",
    IdentifierSystem.STATE_ID: "X" * 16,
}


def test_every_identifier_system_has_a_malformed_example() -> None:
    assert set(MALFORMED_IDENTIFIERS) == set(IdentifierSystem.values)


@pytest.mark.parametrize("system", sorted(MALFORMED_IDENTIFIERS))
def test_a_malformed_identifier_is_refused_at_its_field_for_each_system(manager, system) -> None:
    person = PersonFactory()
    response = manager.post(
        reverse("people:add_detail", args=[person.pk, "identifier"]),
        {"system": system, "value": MALFORMED_IDENTIFIERS[system]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("value"), response.context["form"].errors
    assert not Identifier.objects.exists()


def test_an_unknown_identifier_system_is_refused(manager) -> None:
    person = PersonFactory()
    response = manager.post(
        reverse("people:add_detail", args=[person.pk, "identifier"]),
        {"system": "passport", "value": "123456"},
    )
    assert response.context["form"].errors.get("system")
    assert not Identifier.objects.exists()


# --- Updating ---------------------------------------------------------------------------


def _as_stored(person: Person) -> dict[str, Any]:
    person.refresh_from_db()
    names = list(person.names.values_list("kind", "given_name", "family_name"))
    return {"person": (person.given_name, person.family_name, person.birth_date), "names": names}


def test_a_good_change_is_saved_and_audited(manager) -> None:
    person = PersonFactory(given_name="Ann", family_name="Old")
    response = manager.patch(_detail(person), {"family_name": "New"}, "application/json")
    assert response.status_code == 200, response.content
    assert _as_stored(person)["names"] == [("legal", "Ann", "New")]
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, person_id=person.pk)
    assert entry.changes["family_name"] == {"old": "Old", "new": "New"}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_on_update_names_the_field_and_changes_nothing(manager, case) -> None:
    person = PersonFactory(given_name="Ann", family_name="Old", birth_date=dt.date(1980, 1, 1))
    change, field = BAD_INPUT[case]
    before, counts = _as_stored(person), _counts()
    # A valid change alongside the bad one must not be saved either.
    response = manager.patch(
        _detail(person), {"given_name": "Changed", **change}, "application/json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert _as_stored(person) == before
    assert _counts() == counts


def test_a_full_replace_missing_required_fields_is_refused(manager) -> None:
    person = PersonFactory()
    before = _as_stored(person)
    response = manager.put(_detail(person), {"middle_name": "Q"}, "application/json")
    assert response.status_code == 400
    assert {"given_name", "family_name"} <= set(response.json())
    assert _as_stored(person) == before


# --- What a user may not see ------------------------------------------------------------


def test_a_person_the_user_may_not_see_is_absent_from_list_search_and_retrieve() -> None:
    agency = TeamFactory(kind=Team.Kind.AGENCY)
    liaison = api_client(user_with_role(R.AGENCY_LIAISON, teams=[agency]))
    mine = PersonFactory(given_name="Mina", family_name="Assigned")
    hidden = PersonFactory(given_name="Hugo", family_name="Hidden")
    assign(mine, team=agency)
    assert [p["id"] for p in liaison.get(PEOPLE).json()["results"]] == [mine.pk]
    assert liaison.get(PEOPLE, {"q": "Hugo Hidden"}).json()["count"] == 0
    assert liaison.get(PEOPLE, {"q": hidden.record_number}).json()["count"] == 0
    assert liaison.get(_detail(hidden)).status_code == 404
    assert liaison.get(reverse("person-timeline", args=[hidden.pk])).status_code == 404
    assert liaison.get(_detail(mine)).status_code == 200


def test_a_person_the_user_may_not_see_cannot_be_changed_and_answers_not_found() -> None:
    hidden = PersonFactory(given_name="Rhea", family_name="Restricted", is_restricted=True)
    case_manager = api_client(user_with_role(R.CASE_MANAGER))
    before = _as_stored(hidden)
    for method in ("patch", "put"):
        response = getattr(case_manager, method)(
            _detail(hidden), {**GOOD, "given_name": "Hacked"}, "application/json"
        )
        assert response.status_code == 404
    assert _as_stored(hidden) == before
    assert case_manager.get(PEOPLE).json()["count"] == 0


def test_the_same_for_an_unknown_or_nonsense_id(manager) -> None:
    for pk in ("999999", "abc", "99999999999999999999999"):
        assert manager.get(f"{PEOPLE}{pk}/").status_code == 404
        assert manager.get(f"{PEOPLE}{pk}/timeline/").status_code == 404
        assert manager.patch(f"{PEOPLE}{pk}/", {}, "application/json").status_code == 404


SECRET = "12 Shelter Way"


@pytest.fixture
def victim() -> Person:
    person = PersonFactory()
    AddressFactory(person=person, line1="3 Open St")
    AddressFactory(person=person, line1=SECRET, is_confidential=True)
    ContactPointFactory(person=person, value="(816) 555-0177", is_confidential=True)
    Identifier.objects.create(person=person, system="kcpd", value="909090")
    Identifier.objects.create(person=person, system="hospital", value="MRN90909")
    return person


@pytest.mark.parametrize(
    ("role", "addresses", "contacts", "identifiers"),
    [
        (R.VICTIM_ADVOCATE, {"3 Open St", SECRET}, {"(816) 555-0177"}, set()),
        (R.CASE_MANAGER, {"3 Open St"}, set(), {"909090"}),
        (R.CUSTODY_HEALTH, {"3 Open St"}, set(), {"MRN90909"}),
        (R.OUTREACH_WORKER, {"3 Open St"}, set(), set()),
        (R.DIRECTOR, {"3 Open St"}, set(), {"909090"}),
    ],
)
def test_the_api_leaves_out_what_the_role_may_not_see(
    victim, role, addresses, contacts, identifiers
) -> None:
    response = api_client(user_with_role(role)).get(_detail(victim))
    data = response.json()
    assert {a["line1"] for a in data["addresses"]} == addresses
    assert {c["value"] for c in data["contact_points"]} == contacts
    assert {i["value"] for i in data["identifiers"]} == identifiers
    body = response.content.decode()
    hidden = {SECRET, "(816) 555-0177", "909090", "MRN90909"} - (addresses | contacts | identifiers)
    assert not [value for value in hidden if value in body]


def test_a_partner_gets_consented_categories_and_never_criminal_history(victim) -> None:
    team = TeamFactory(kind=Team.Kind.PARTNER_ORGANIZATION)
    partner = api_client(user_with_role(R.PARTNER_USER, teams=[team]))
    assert partner.get(_detail(victim)).status_code == 404
    consent(victim, team, ["general", "health", "criminal_history"])
    data = partner.get(_detail(victim)).json()
    assert {i["value"] for i in data["identifiers"]} == {"MRN90909"}
    assert {a["line1"] for a in data["addresses"]} == {"3 Open St"}
    assert data["contact_points"] == []


def test_an_impossible_date_is_called_what_it_is(manager) -> None:
    response = manager.post(
        PEOPLE, {**GOOD, "birth_date": "2023-02-30"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "Not a real date" in str(response.json())
