"""The places pages and API as each role meets them, and the correction form's answers to
good and bad input."""

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.access.policy import Cap
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.places import sections
from jcihub.places.models import Property, RawAddress
from jcihub.places.services import PropertyResolver

pytestmark = pytest.mark.django_db

VIEWERS: set[str] = {
    R.DIRECTOR,
    R.PROGRAM_MANAGER,
    R.TASKFORCE_COORDINATOR,
    R.ANALYST,
    R.SYSTEM_ADMIN,
    R.AGENCY_LIAISON,
    R.CASE_MANAGER,
    R.IPVI_COORDINATOR,
}
MANAGERS: set[str] = {R.SYSTEM_ADMIN, R.DIRECTOR}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def raw() -> RawAddress:
    resolver = PropertyResolver()
    raw_id = resolver.resolve(
        "kcpd", "3400  NORTON AV", "TE KANSAS CITY", "64130", block_rounded=True
    )
    return RawAddress.objects.select_related("property").get(pk=raw_id)


@pytest.fixture
def admin_client(client_for):
    return client_for(user_with_role(R.SYSTEM_ADMIN))


def _urls(raw: RawAddress) -> dict[str, tuple[str, set[str]]]:
    place = raw.property
    assert place is not None
    return {
        "list": (reverse("places:list"), VIEWERS),
        "search": (reverse("places:list") + "?q=3400+norton+av&kind=block", VIEWERS),
        "detail": (reverse("places:detail", args=[place.pk]), VIEWERS),
        "addresses": (reverse("places:addresses") + "?q=norton", VIEWERS),
        "correct": (reverse("places:correct", args=[raw.pk]), MANAGERS),
        "api list": (reverse("property-list") + "?q=norton", VIEWERS),
        "api detail": (reverse("property-detail", args=[place.pk]), VIEWERS),
    }


@pytest.mark.parametrize("role", list(R.values))
def test_each_role_gets_what_the_policy_says(raw, role) -> None:
    client = Client()
    client.force_login(user_with_role(role))
    wrong = []
    for name, (url, allowed) in _urls(raw).items():
        expected = 200 if role in allowed else 403
        status = client.get(url).status_code
        if status != expected:
            wrong.append(f"{name}: expected {expected}, got {status}")
    assert not wrong, wrong


def test_signed_out_visitors_are_sent_to_sign_in(raw, client) -> None:
    for name, (url, _) in _urls(raw).items():
        status = client.get(url).status_code
        assert status in ((401, 403) if name.startswith("api") else (302,)), name


def test_search_finds_a_block_by_the_address_as_people_type_it(admin_client, raw) -> None:
    page = admin_client.get(reverse("places:list"), {"q": "3400 norton av"}).content.decode()
    assert "3400 BLOCK NORTON AVE" in page
    assert "1 property." in page
    none = admin_client.get(reverse("places:list"), {"q": "3400 norton", "zip_code": "64111"})
    assert "0 properties." in none.content.decode()


def test_a_bad_search_explains_itself(admin_client) -> None:
    response = admin_client.get(reverse("places:list"), {"zip_code": "6411"})
    assert response.status_code == 200
    assert "Enter a 5-digit ZIP code." in response.content.decode()


def test_the_property_page_shows_the_raw_forms(admin_client, raw) -> None:
    page = admin_client.get(reverse("places:detail", args=[raw.property_id])).content.decode()
    assert "TE KANSAS CITY" in page
    assert reverse("places:correct", args=[raw.pk]) in page


def test_the_api_lists_and_finds_properties(admin_client, raw) -> None:
    found = admin_client.get(reverse("property-list"), {"q": "norton", "kind": "block"}).json()
    assert [row["line"] for row in found["results"]] == ["3400 BLOCK NORTON AVE"]
    detail = admin_client.get(reverse("property-detail", args=[raw.property_id])).json()
    assert detail["raw_addresses"][0]["raw_city"] == "TE KANSAS CITY"
    assert admin_client.get(reverse("property-list"), {"zip_code": "x"}).status_code == 400


def test_the_api_is_read_only(admin_client, raw) -> None:
    url = reverse("property-detail", args=[raw.property_id])
    assert admin_client.delete(url).status_code == 405


# --- The correction form ------------------------------------------------------------------


def _correct(client, raw, data):
    return client.post(reverse("places:correct", args=[raw.pk]), data)


def test_choosing_a_property_by_its_number_re_points_the_address(admin_client, raw) -> None:
    other = Property.objects.create(kind="street", line="3412 NORTON AVE", key="k")
    response = _correct(
        admin_client, raw, {"how": "choose", "choose-property": other.record_number}
    )
    assert response.status_code == 302
    raw.refresh_from_db()
    assert raw.property == other


def test_typing_an_address_re_points_to_its_property(admin_client, raw) -> None:
    response = _correct(
        admin_client,
        raw,
        {
            "how": "type",
            "type-line": "3412 Norton Ave",
            "type-city": "Kansas City",
            "type-state": "MO",
        },
    )
    assert response.status_code == 302
    raw.refresh_from_db()
    assert raw.property.line == "3412 NORTON AVE"


def test_the_correction_page_offers_candidates(admin_client, raw) -> None:
    Property.objects.create(kind="street", line="3412 NORTON AVE", key="k")
    page = admin_client.get(
        reverse("places:correct", args=[raw.pk]), {"q": "norton"}
    ).content.decode()
    assert "3412 NORTON AVE" in page and "Map here" in page


BAD_CORRECTIONS = {
    "nothing chosen": ({}, "Give a property number, or type the correct address."),
    "no such property": ({"how": "choose", "choose-property": "L9999999"}, "no property with that"),
    "not a number": ({"how": "choose", "choose-property": "Norton"}, "no property with that"),
    "same property": ({"how": "choose", "choose-property": "CURRENT"}, "already maps"),
    "unreadable": ({"how": "type", "type-line": "by the park"}, "cannot be read as an address"),
    "no line": ({"how": "type", "type-city": "Kansas City"}, "This field is required."),
    "bad zip": ({"how": "type", "type-line": "1 Main St", "type-zip_code": "6411"}, "5-digit"),
    "bad state": (
        {"how": "type", "type-line": "1 Main St", "type-state": "Missouri"},
        "Two letters",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CORRECTIONS))
def test_bad_corrections_show_errors_and_save_nothing(admin_client, raw, case) -> None:
    data, message = BAD_CORRECTIONS[case]
    data = {k: (raw.property.record_number if v == "CURRENT" else v) for k, v in data.items()}
    before = (AuditEntry.objects.count(), Property.objects.count(), raw.property_id)

    response = _correct(admin_client, raw, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "usa-alert--error" in response.content.decode()
    raw.refresh_from_db()
    assert (AuditEntry.objects.count(), Property.objects.count(), raw.property_id) == before


def test_a_viewer_cannot_post_a_correction(client_for, raw) -> None:
    other = Property.objects.create(kind="street", line="3412 NORTON AVE", key="k")
    client = client_for(user_with_role(R.ANALYST))
    response = _correct(client, raw, {"how": "choose", "choose-property": other.record_number})
    assert response.status_code == 403
    raw.refresh_from_db()
    assert raw.property != other


# --- What other apps add to the property page ----------------------------------------------


@pytest.fixture
def incidents_section():
    def provider(place: Property) -> sections.PropertySection:
        item = sections.SectionItem("KC18000001", "/incidents/1/", "2018-01-02")
        return sections.PropertySection("Incidents at this property", (item,), total=3)

    sections.register("test-incidents", Cap.INCIDENTS_VIEW, provider)
    yield
    sections._providers.pop("test-incidents")


def test_sections_appear_only_for_those_with_their_capability(
    client_for, raw, incidents_section
) -> None:
    url = reverse("places:detail", args=[raw.property_id])
    analyst = client_for(user_with_role(R.ANALYST)).get(url).content.decode()
    admin = client_for(user_with_role(R.SYSTEM_ADMIN)).get(url).content.decode()
    assert "Incidents at this property" in analyst and "KC18000001" in analyst
    assert "2 more" in analyst
    assert "Incidents at this property" not in admin  # administrators do not read incidents


def test_places_is_in_the_navigation_for_those_who_may_use_it(client_for) -> None:
    for role, expected in ((R.ANALYST, True), (R.VICTIM_ADVOCATE, False)):
        page = client_for(user_with_role(role)).get(reverse("core:home")).content.decode()
        assert (f'href="{reverse("places:list")}"' in page) is expected, role
