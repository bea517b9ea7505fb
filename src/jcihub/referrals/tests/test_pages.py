"""Directory pages and API, as the roles that use them."""

import uuid
from collections.abc import Callable

import pytest
from django.test import Client

from jcihub.access import policy
from jcihub.access.policy import Cap
from jcihub.accounts.models import User
from jcihub.accounts.roles import RoleCode as R
from jcihub.core.tests.factories import user_with_role
from jcihub.referrals.tests.factories import ServiceFactory, sample_service

pytestmark = pytest.mark.django_db


def test_every_role_may_read_the_directory_and_only_managers_change_it() -> None:
    assert all(Cap.DIRECTORY_VIEW in caps for caps in policy.ROLE_CAPABILITIES.values())
    managers = {r for r, caps in policy.ROLE_CAPABILITIES.items() if Cap.DIRECTORY_MANAGE in caps}
    assert managers == {R.DIRECTOR, R.PROGRAM_MANAGER, R.SYSTEM_ADMIN}


@pytest.fixture
def partner(client_for: Callable[[User], Client]) -> Client:
    return client_for(user_with_role(R.PARTNER_USER))


def test_the_search_page_lists_matches_and_the_menu_offers_it(partner: Client) -> None:
    sample_service()
    ServiceFactory(name="Food pantry")
    page = partner.get("/directory/", {"zip_code": "64108"}).content.decode()
    assert "Reentry Employment Help" in page and "Food pantry" not in page
    assert 'href="/directory/"' in page and "1 service." in page


def test_a_bad_search_says_what_to_fix(partner: Client) -> None:
    page = partner.get("/directory/", {"zip_code": "6410"}).content.decode()
    assert "Enter a 5-digit ZIP code." in page and "0 services." in page


def test_the_service_and_organisation_pages_show_the_entry(partner: Client) -> None:
    service = sample_service()
    page = partner.get(f"/directory/services/{service.pk}/").content.decode()
    for text in ("Adults returning from prison", "Photo identification", "Spanish", "64108"):
        assert text in page
    page = partner.get(f"/directory/organizations/{service.organization_id}/").content.decode()
    assert "Reentry Employment Help" in page and "Intake desk" in page


def test_an_unknown_entry_is_not_found(partner: Client) -> None:
    assert partner.get(f"/directory/services/{uuid.uuid4()}/").status_code == 404
    assert partner.get(f"/directory/organizations/{uuid.uuid4()}/").status_code == 404


def test_a_website_that_is_not_http_is_never_a_link(partner: Client) -> None:
    service = ServiceFactory(url="javascript:alert(1)")
    page = partner.get(f"/directory/services/{service.pk}/").content.decode()
    assert 'href="javascript:' not in page and "javascript:alert(1)" in page


def test_the_api_pages_like_hsds_and_filters_like_the_page(partner: Client) -> None:
    service = sample_service()
    ServiceFactory(name="Food pantry")
    body = partner.get("/api/v1/directory/services/", {"language": "es"}).json()
    assert {k: body[k] for k in ("total_items", "total_pages", "page_number", "size")} == {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
    }
    assert body["first_page"] and body["last_page"] and not body["empty"]
    listed = body["contents"][0]
    assert listed["id"] == str(service.pk)
    assert listed["attributes"][0]["taxonomy_term"]["name"] == "Employment"
    full = partner.get(f"/api/v1/directory/services/{service.pk}/").json()
    address = full["service_at_locations"][0]["location"]["addresses"][0]
    assert address["postal_code"] == "64108"


def test_the_api_refuses_a_bad_filter_with_the_reason(partner: Client) -> None:
    response = partner.get("/api/v1/directory/services/", {"zip_code": "x"})
    assert response.status_code == 400
    assert response.json()["zip_code"][0]["message"] == "Enter a 5-digit ZIP code."


def test_the_api_is_read_only(client_for: Callable[[User], Client]) -> None:
    director = client_for(user_with_role(R.DIRECTOR))
    service = sample_service()
    url = f"/api/v1/directory/services/{service.pk}/"
    assert director.delete(url).status_code == 405
    assert director.post("/api/v1/directory/organizations/", {}).status_code == 405
