"""Incidents at places: the importer points each incident at its raw address and so at a
canonical property; a property's page lists its incidents; an administrator's correction
re-points them; roles see only what the policy lets them."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.incidents import importer
from jcihub.incidents.models import Incident
from jcihub.places.models import Property, PropertyKind, RawAddress
from jcihub.places.services import CorrectedAddress, correct_mapping

pytestmark = pytest.mark.django_db

PUBLIC = (
    "Report_No,Reported_Date,Offense,IBRS,Beat,Address,City,Zip Code,DVFlag,Involvement\r\n"
    "KC20000001,01/05/2020,Domestic Violence Assault,13B,332,3400  NORTON AV,KANSAS CITY,"
    "64130,Y,SUS\r\n"
    "KC20000002,02/05/2020,Stealing From Auto,23F,332,3400 norton av,KANSAS CITY,64130,N,VIC\r\n"
    "KC20000003,03/05/2020,Burglary,220,133,E 35 ST and PROSPECT AV,KANSAS CITY,64128,N,VIC\r\n"
    "KC20000004,04/05/2020,Fraud,26A,133,,KANSAS CITY,64128,N,VIC\r\n"
)
INTERNAL = (
    "Report_No,Reported_Date,Offense,Address,City,Zip Code,Involvement,"
    "KCPD_Person_Number,Last_Name,First_Name,DOB\r\n"
    "KC20000009,06/05/2020,Assault,3412 NORTON AV,KANSAS CITY,64130,SUS,700009,REYES,ANA,"
    "1990-03-04\r\n"
)


@pytest.fixture
def import_text(tmp_path: Path) -> Callable[[str], object]:
    def load(text: str, name: str = "feed.csv") -> object:
        path = tmp_path / name
        path.write_text(text)
        run = importer.import_file(path)
        assert run.status == "completed", run.message
        return run

    return load


def _place(report: str) -> Property | None:
    raw = Incident.objects.select_related("raw_address__property").get(report_number=report)
    return raw.raw_address.property if raw.raw_address else None


def test_public_addresses_become_block_properties_and_each_place_is_one_property(
    import_text,
) -> None:
    import_text(PUBLIC)

    norton = _place("KC20000001")
    assert norton is not None and norton.kind == PropertyKind.BLOCK
    assert norton.line == "3400 BLOCK NORTON AVE"
    # Written another way (case, spacing): the same raw address, the same property.
    assert _place("KC20000002") == norton
    corner = _place("KC20000003")
    assert corner is not None and corner.kind == PropertyKind.INTERSECTION
    assert Incident.objects.get(report_number="KC20000004").raw_address is None  # no address


def test_the_internal_feed_keeps_exact_house_numbers(import_text) -> None:
    import_text(INTERNAL)
    place = _place("KC20000009")
    assert place is not None and place.kind == PropertyKind.STREET
    assert place.line == "3412 NORTON AVE"


def test_importing_again_keeps_the_mapping_and_reports_no_change(import_text) -> None:
    import_text(PUBLIC)
    counts = (Property.objects.count(), RawAddress.objects.count())
    again = import_text(PUBLIC, name="again.csv")
    assert (again.incidents_created, again.incidents_updated) == (0, 0)
    assert (Property.objects.count(), RawAddress.objects.count()) == counts


def test_incidents_loaded_before_places_get_their_property_on_the_next_import(
    import_text,
) -> None:
    import_text(PUBLIC)
    Incident.objects.update(raw_address=None)
    again = import_text(PUBLIC, name="again.csv")
    assert again.incidents_updated == 0  # KCPD changed nothing
    assert _place("KC20000001") is not None


def test_a_correction_re_points_past_incidents_and_survives_a_re_import(import_text) -> None:
    import_text(PUBLIC)
    raw = Incident.objects.get(report_number="KC20000001").raw_address
    assert raw is not None
    admin = user_with_role("system_admin")
    correct_mapping(admin, raw, CorrectedAddress("3412 Norton Ave", zip_code="64130"))

    assert _place("KC20000001") == _place("KC20000002")
    place = _place("KC20000001")
    assert place is not None and place.line == "3412 NORTON AVE"
    import_text(PUBLIC, name="again.csv")
    assert _place("KC20000001") == place


def test_the_property_page_lists_its_incidents_to_roles_cleared_for_them(
    client_for, import_text
) -> None:
    import_text(PUBLIC)
    place = _place("KC20000001")
    assert place is not None
    url = reverse("places:detail", args=[place.pk])

    page = client_for(user_with_role("taskforce_coordinator")).get(url).content.decode()
    assert "Police incidents" in page
    assert "KCPD report KC20000001" in page and "KCPD report KC20000002" in page
    assert "KC20000003" not in page
    assert f"?property={place.pk}" in page

    # The administrator may open places but is not cleared for police records.
    admin_page = client_for(user_with_role("system_admin")).get(url).content.decode()
    assert admin_page.count("KC2000000") == 0 and "Police incidents" not in admin_page


def test_the_incident_search_filters_by_property_and_names_it(client_for, import_text) -> None:
    import_text(PUBLIC)
    place = _place("KC20000001")
    assert place is not None
    client = client_for(user_with_role("analyst"))
    page = client.get(reverse("incidents:list"), {"property": place.pk}).content.decode()
    assert "KC20000001" in page and "KC20000002" in page and "KC20000003" not in page
    assert f'Incidents at property <a class="usa-link" href="/places/{place.pk}/">' in page

    missing = client.get(reverse("incidents:list"), {"property": place.pk + 999})
    assert "There is no property with that record number." in missing.content.decode()

    api = client.get("/api/v1/incidents/", {"property": place.pk}).json()
    assert {i["report_number"] for i in api["results"]} == {"KC20000001", "KC20000002"}
    assert {i["property"] for i in api["results"]} == {place.pk}

    export = client.get(reverse("incidents:export"), {"property": place.pk})
    assert b"KC20000003" not in b"".join(export.streaming_content)
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).first()
    assert entry is not None and "3400 BLOCK NORTON AVE" in str(entry.changes)


def test_the_incident_page_links_its_property_for_roles_that_may_open_places(
    client_for, import_text
) -> None:
    import_text(PUBLIC)
    incident = Incident.objects.get(report_number="KC20000001")
    place = _place("KC20000001")
    assert place is not None
    url = reverse("incidents:detail", args=[incident.pk])
    link = f'href="/places/{place.pk}/"'

    assert link in client_for(user_with_role("case_manager")).get(url).content.decode()
    navigator_page = client_for(user_with_role("reentry_navigator")).get(url).content.decode()
    assert link not in navigator_page and "3400 BLOCK NORTON AVE" in navigator_page
