"""The map of flagged properties (points as data for Leaflet, and the same as a table),
the council-district filter from the boundary file, and the under-review filter."""

import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from jcihub.core.tests.factories import user_with_role
from jcihub.places.models import Property
from jcihub.taskforce import districts, services
from jcihub.taskforce.selectors import narrow_ranking, rank_problem_properties

from .helpers import END, incident, place

pytestmark = pytest.mark.django_db
DOWNTOWN = (Decimal("39.0997"), Decimal("-94.5786"))  # council district 4
SOUTH = (Decimal("38.95"), Decimal("-94.55"))  # council district 6


def flagged(line: str, zip_code: str, point: tuple[Decimal, Decimal] | None) -> Property:
    at = place(line, zip_code)
    if point:
        Property.objects.filter(pk=at.pk).update(latitude=point[0], longitude=point[1])
        at.refresh_from_db()
    for days in (1, 4, 8):
        incident(at, days, "13A")
    return at


@pytest.fixture
def three():
    return (
        flagged("1200  MAIN ST", "64105", DOWNTOWN),
        flagged("9000  TROOST AV", "64131", SOUTH),
        flagged("3400  NORTON AV", "64130", None),
    )


def test_the_map_page_holds_the_points_and_the_table(three, settings) -> None:
    settings.TASKFORCE_TILE_URL = ""
    client = Client()
    client.force_login(user_with_role("analyst"))
    page = client.get(reverse("taskforce:map"), {"end": END.isoformat()}).content.decode()
    found = re.search(r'id="tf-map-data"[^>]*>(.*?)</script>', page, re.S)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["tiles"] == "" and len(config["points"]) == 2
    assert "plain background" in page and "1 without one" in page
    assert all(p.full_line in page for p in three)  # the table lists every one


def test_the_district_filter_uses_the_boundary_file(three) -> None:
    if not districts.available():
        pytest.skip("no council district boundary file on this machine")
    ranked = rank_problem_properties(END)
    downtown = narrow_ranking(list(ranked), district="4")
    assert [e.place for e in downtown] == [three[0]] and downtown[0].rank == 1
    assert not narrow_ranking(list(ranked), district="1")


def test_without_a_boundary_file_no_district_filter_is_offered(three, settings, tmp_path) -> None:
    settings.TASKFORCE_COUNCIL_DISTRICTS_FILE = tmp_path / "missing.csv.gz"
    client = Client()
    client.force_login(user_with_role("analyst"))
    page = client.get(reverse("taskforce:map")).content.decode()
    assert "No council district boundary file" in page and 'name="district"' not in page


def test_the_under_review_filter(three) -> None:
    coordinator = user_with_role("taskforce_coordinator")
    services.open_case(coordinator, three[1], "police", "x")
    ranked = rank_problem_properties(END)
    assert [e.place for e in narrow_ranking(list(ranked), review="yes")] == [three[1]]
    assert three[1] not in [e.place for e in narrow_ranking(list(ranked), review="no")]


def test_parsing_a_ring_and_the_point_test() -> None:
    rings = districts.parse_rings(
        "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (4 4, 6 4, 6 6, 4 6, 4 4)))"
    )
    square = districts.District("1", "1st", rings, (0, 0, 10, 10))
    assert square.contains(2, 2) and not square.contains(5, 5) and not square.contains(11, 5)
