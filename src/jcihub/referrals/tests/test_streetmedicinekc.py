"""The real Street Medicine KC guide (2016) loads as a directory, with its quirks cleaned."""

from pathlib import Path

import pytest

from jcihub.referrals import streetmedicinekc
from jcihub.referrals.importer import import_documents
from jcihub.referrals.models import Address, Language, Location, Organization, Schedule, Service

pytestmark = pytest.mark.django_db

GUIDE = Path(__file__).resolve().parents[5] / "shared" / "data" / "services"


@pytest.fixture
def loaded() -> None:
    if not GUIDE.exists():
        pytest.skip("../shared/data/services is not present")
    import_documents(streetmedicinekc.guide_documents(GUIDE))


def test_the_guides_test_rows_are_left_out(loaded: None) -> None:
    assert not Service.objects.filter(name__in=["Sample Agency", "An Agency"]).exists()
    assert Service.objects.count() == 25


def test_one_organisation_at_two_sites_or_under_two_names_is_one_organisation(
    loaded: None,
) -> None:
    assert Organization.objects.get(name="Salvation Army").services.count() == 2
    della_lamb = Organization.objects.get(name__startswith="Della Lamb")
    assert della_lamb.locations.count() == 2


def test_po_boxes_are_postal_and_hotlines_have_no_address(loaded: None) -> None:
    rose_brooks = Location.objects.get(name="Rose Brooks Center")
    assert rose_brooks.location_type == "postal" and rose_brooks.latitude is None
    hotline = Service.objects.get(name="Kansas Crisis Hotline")
    assert not hotline.service_at_locations.exists()


def test_cities_and_entities_are_cleaned(loaded: None) -> None:
    assert Address.objects.get(location__name="Truman Medical Center").city == "Kansas City"
    assert Address.objects.filter(city="Lee's Summit").exists()
    assert not Address.objects.filter(city__in=["kc", "KC", " Kansas City"]).exists()


def test_languages_categories_and_hours_carry_over(loaded: None) -> None:
    assert Language.objects.filter(code="es").exists()
    truman = Service.objects.get(name="Truman Medical Center")
    assert Schedule.objects.filter(service=truman).count() == 7
    dentist = Service.objects.get(name="Cabot West Side Dental Clinic")
    assert dentist.attributes.filter(taxonomy_term__name="Dentist").exists()
    assert not Organization.objects.filter(email="ecb@example.com").exists()


def test_loading_the_guide_again_changes_nothing(loaded: None) -> None:
    again = import_documents(streetmedicinekc.guide_documents(GUIDE))
    assert again.total(0) == again.total(1) == 0


def test_a_folder_without_the_guide_is_refused(tmp_path: Path) -> None:
    with pytest.raises(streetmedicinekc.GuideMissing, match="not the Street Medicine KC"):
        streetmedicinekc.guide_documents(tmp_path)


def test_domestic_violence_programmes_arrive_as_victim_service_providers(loaded: None) -> None:
    providers = set(
        Organization.objects.filter(is_victim_service_provider=True).values_list("name", flat=True)
    )
    dv = set(
        Organization.objects.filter(
            services__attributes__taxonomy_term__name="Domestic Violence"
        ).values_list("name", flat=True)
    )
    assert providers == dv and "Rose Brooks Center" in providers
    assert not Organization.objects.get(name="Salvation Army").is_victim_service_provider
    # A directory manager's "not a provider" survives the next import.
    Organization.objects.filter(name="Rose Brooks Center").update(is_victim_service_provider=False)
    again = import_documents(streetmedicinekc.guide_documents(GUIDE))
    assert again.victim_providers == 0
    assert not Organization.objects.get(name="Rose Brooks Center").is_victim_service_provider
