"""Searching the directory by distance from a ZIP code: centroids from ZCTA shapes, the
radius, nearest first, and a clear error for a ZIP code with no known centre."""

import gzip
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from jcihub.accounts.roles import RoleCode as R
from jcihub.core.tests.factories import user_with_role
from jcihub.referrals import geo
from jcihub.referrals.forms import DirectorySearchForm
from jcihub.referrals.models import Location, ZipCentroid
from jcihub.referrals.selectors import search_services

from .factories import ServiceFactory, located

pytestmark = pytest.mark.django_db
REAL_ZCTA = (
    settings.PROJECT_DIR.parent / "shared" / "data" / "geo" / "kc_region_zcta_2010s.geojson.gz"
)


def _square(zip_code: str, west: float, south: float, size: float) -> dict:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {
        "type": "Feature",
        "properties": {"GEOID_ZCTA": zip_code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def _write(tmp_path: Path, features: list[dict]) -> Path:
    path = tmp_path / "zcta.geojson.gz"
    with gzip.open(path, "wt") as handle:
        json.dump({"type": "FeatureCollection", "features": features}, handle)
    return path


def test_a_centroid_is_the_area_weighted_centre_of_the_outer_rings() -> None:
    small = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]
    big = [[[10, 0], [13, 0], [13, 3], [10, 3], [10, 0]]]  # nine times the area
    lat, lon = geo.polygon_centroid([small, big])
    assert lon == pytest.approx((0.5 * 1 + 11.5 * 9) / 10)
    assert lat == pytest.approx((0.5 * 1 + 1.5 * 9) / 10)


def test_loading_centroids_twice_changes_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, [_square("64108", -94.6, 39.08, 0.02), _square("bad", 0, 0, 1)])
    assert geo.load_zip_centroids(None, path) == (1, 0)
    assert geo.load_zip_centroids(None, path) == (0, 0)
    assert ZipCentroid.objects.get().latitude == pytest.approx(39.09)


@pytest.mark.skipif(not REAL_ZCTA.exists(), reason="planning repository's geo data not beside")
def test_the_kansas_city_zctas_give_a_centre_inside_downtown() -> None:
    centroids = geo.read_centroids(REAL_ZCTA)
    assert len(centroids) == 154
    lat, lon = centroids["64106"]  # downtown Kansas City, MO
    assert 39.08 < lat < 39.13 and -94.60 < lon < -94.55


def _site(name: str, lat: float, lon: float) -> object:
    service = ServiceFactory(name=name)
    location = located(service, "64108")
    Location.objects.filter(pk=location.pk).update(latitude=lat, longitude=lon)
    return service


def _search(**given: str) -> DirectorySearchForm:
    form = DirectorySearchForm(given)
    assert form.is_valid(), form.errors
    return form


def test_services_within_the_distance_nearest_first() -> None:
    ZipCentroid.objects.create(zip_code="64108", latitude=39.09, longitude=-94.58)
    far = _site("Far", 39.09, -94.58 + 8 / 69.09 / 0.776)  # ~8 miles east
    near = _site("Near", 39.09 + 1 / 69.09, -94.58)  # ~1 mile north
    _site("No coordinates", 0, 0)
    found = list(search_services(_search(near="64108").cleaned_data))
    assert found == [near]
    wider = list(search_services(_search(near="64108", within="10").cleaned_data))
    assert wider == [near, far]
    assert geo.miles(wider[1].distance2) == pytest.approx(8, abs=0.1)  # type: ignore[attr-defined]


def test_an_unknown_zip_code_is_a_clear_error() -> None:
    form = DirectorySearchForm({"near": "99999"})
    assert not form.is_valid()
    assert "knows no location for ZIP code 99999" in form.errors["near"][0]


def test_the_page_and_api_show_the_distance() -> None:
    ZipCentroid.objects.create(zip_code="64108", latitude=39.09, longitude=-94.58)
    _site("Near", 39.09 + 1 / 69.09, -94.58)
    client = Client()
    client.force_login(user_with_role(R.REENTRY_NAVIGATOR))
    page = client.get("/directory/", {"near": "64108", "within": "2"}).content.decode()
    assert "nearest first" in page and "1.0 mi" in page
    api = client.get("/api/v1/directory/services/", {"near": "64108"}).json()
    assert [s["name"] for s in api["contents"]] == ["Near"]
    assert client.get("/api/v1/directory/services/", {"near": "99999"}).status_code == 400


def test_a_service_with_several_sites_is_listed_once_at_its_nearest() -> None:
    ZipCentroid.objects.create(zip_code="64108", latitude=39.09, longitude=-94.58)
    clinic = _site("Clinic", 39.09 + 4 / 69.09, -94.58)  # ~4 miles north
    second = located(clinic, "64108")  # type: ignore[arg-type]
    Location.objects.filter(pk=second.pk).update(latitude=39.09 - 2 / 69.09, longitude=-94.58)
    third = located(clinic, "64108")  # type: ignore[arg-type]
    Location.objects.filter(pk=third.pk).update(latitude=39.09 + 30 / 69.09, longitude=-94.58)
    pantry = _site("Pantry", 39.09 + 3 / 69.09, -94.58)  # ~3 miles north
    found = search_services(_search(near="64108").cleaned_data)
    assert found.count() == 2
    assert list(found) == [clinic, pantry]  # the clinic's site 2 miles south counts
    assert [geo.miles(s.distance2) for s in found] == [2.0, 3.0]  # type: ignore[attr-defined]


def test_distance_combines_with_the_other_filters() -> None:
    ZipCentroid.objects.create(zip_code="64108", latitude=39.09, longitude=-94.58)
    spanish = _site("Legal aid", 39.09 + 1 / 69.09, -94.58)
    _site("English only", 39.09 + 1 / 69.09, -94.58)
    far_spanish = _site("Far legal aid", 39.09 + 20 / 69.09, -94.58)
    for service in (spanish, far_spanish):
        service.languages.create(name="Spanish", code="es")  # type: ignore[attr-defined]
    found = search_services(_search(near="64108", language="SPANISH").cleaned_data)
    assert list(found) == [spanish]
    assert found.count() == 1
