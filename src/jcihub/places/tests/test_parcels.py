"""Owner and parcel of record: entered by hand or imported from CSV; every change audited;
a row that cannot land is reported with its line and why; re-importing changes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.places.models import Parcel, Property, RawAddress
from jcihub.places.services import PropertyResolver, import_parcels, record_parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> Property:
    raw = RawAddress.objects.get(
        pk=PropertyResolver().resolve("internal", "1234 E 35th St", "Kansas City", "64109")
    )
    assert raw.property is not None
    return raw.property


def test_entering_a_parcel_is_audited_and_shown(place) -> None:
    coordinator = user_with_role(R.TASKFORCE_COORDINATOR)
    assert record_parcel(coordinator, place, {"parcel_number": "JA29620", "owner_name": "Acme LLC"})
    assert not record_parcel(
        coordinator, place, {"parcel_number": "JA29620", "owner_name": "Acme LLC"}
    )
    assert AuditEntry.objects.filter(object_type="places.parcel").count() == 1
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert "JA29620" in page and "Acme LLC" in page and "Entered by hand" in page


def test_importing_lands_good_rows_reports_bad_ones_and_is_idempotent(place) -> None:
    rows = [
        {"property": place.record_number, "parcel_number": "P1", "owner_name": "Owner One"},
        {
            "address": "1234 east 35th street",
            "city": "Kansas City",
            "zip_code": "64109",
            "land_use": "Residential",
        },
        {"property": "L9999999", "parcel_number": "P2"},
        {"address": "1 Nowhere Rd", "zip_code": "64000", "parcel_number": "P3"},
        {"property": place.record_number},
    ]
    first = import_parcels(None, rows, "assessor.csv")
    assert (first.changed, first.unchanged) == (2, 0)
    assert [line for line, _ in first.rejected] == [4, 5, 6]
    assert "no parcel number, owner or land use" in first.rejected[2][1]
    parcel = Parcel.objects.get(property=place)
    assert parcel.land_use == "Residential" and parcel.source == "imported"
    again = import_parcels(None, rows[1:2], "assessor.csv")
    assert (again.changed, again.unchanged) == (0, 1)


def test_the_import_page_explains_a_file_without_the_columns(place) -> None:
    client = Client()
    client.force_login(user_with_role(R.SYSTEM_ADMIN))
    upload = SimpleUploadedFile("parcels.csv", b"name,owner\nx,y\n", content_type="text/csv")
    page = client.post(reverse("places:parcel_import"), {"file": upload}).content.decode()
    assert "needs a property or an address column" in page
    good = SimpleUploadedFile(
        "parcels.csv",
        f"property,parcel_number\n{place.record_number},JA1\nL0,JA2\n".encode(),
        content_type="text/csv",
    )
    page = client.post(reverse("places:parcel_import"), {"file": good}).content.decode()
    assert "1 parcel saved" in page and "no property matches" in page
