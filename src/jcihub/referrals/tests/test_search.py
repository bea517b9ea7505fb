"""Directory search: each filter finds what it says and nothing else."""

from importlib import import_module
from typing import Any

import pytest
from django.db import connection

from jcihub.referrals import models as m
from jcihub.referrals.forms import DirectorySearchForm
from jcihub.referrals.selectors import search_services
from jcihub.referrals.tests.factories import ServiceFactory, TermFactory, located, tag

pytestmark = pytest.mark.django_db
TRIGRAM_INDEXES = import_module(
    "jcihub.referrals.migrations.0007_trigram_search_indexes"
).TRIGRAM_INDEXES


def found(**data: Any) -> set[str]:
    form = DirectorySearchForm(data)
    assert form.is_valid(), form.errors
    return {s.name for s in search_services(form.cleaned_data)}


def test_need_category_finds_services_tagged_with_it_or_a_term_under_it() -> None:
    housing = TermFactory(name="Housing")
    shelter = TermFactory(name="Emergency shelter", parent_id=housing.pk)
    tag(ServiceFactory(name="Night shelter"), shelter)
    tag(ServiceFactory(name="Rent help"), housing)
    ServiceFactory(name="Food pantry")
    assert found(category=str(housing.pk)) == {"Night shelter", "Rent help"}
    assert found(category=str(shelter.pk)) == {"Night shelter"}


def test_zip_code_finds_sites_in_it_and_services_whose_area_names_it() -> None:
    located(ServiceFactory(name="Clinic"), "64108")
    located(ServiceFactory(name="Far clinic"), "66104")
    outreach = ServiceFactory(name="Street outreach")
    m.ServiceArea.objects.create(service=outreach, name="ZIP codes 64108, 64109")
    assert found(zip_code="64108") == {"Clinic", "Street outreach"}


def test_language_matches_its_code_or_name_at_the_service_or_its_site() -> None:
    spanish = ServiceFactory(name="Legal aid")
    m.Language.objects.create(service=spanish, name="Spanish", code="es")
    somali = ServiceFactory(name="Refugee help")
    site = located(somali, "64124")
    m.Language.objects.create(location=site, name="Somali", code="so")
    ServiceFactory(name="English only")
    assert found(language="es") == {"Legal aid"}
    assert found(language="spanish") == {"Legal aid"}
    assert found(language="SO") == {"Refugee help"}


def test_eligibility_text_and_age_narrow_the_list() -> None:
    ServiceFactory(name="Veterans housing", eligibility_description="Veterans of any age")
    ServiceFactory(name="Youth program", minimum_age=13, maximum_age=17)
    ServiceFactory(name="Open to all")
    assert found(eligibility="veteran") == {"Veterans housing"}
    assert found(age=15) == {"Veterans housing", "Youth program", "Open to all"}
    assert found(age=30) == {"Veterans housing", "Open to all"}


def test_free_text_reads_names_descriptions_and_the_organisation() -> None:
    ServiceFactory(name="Pantry", description="Groceries on Tuesdays")
    ServiceFactory(name="Clinic", organization__name="Samuel Rodgers Health")
    assert found(q="groceries") == {"Pantry"}
    assert found(q="rodgers") == {"Clinic"}


def test_free_text_matching_both_service_and_organisation_lists_the_service_once() -> None:
    ServiceFactory(name="Mission pantry", organization__name="Mission of Hope")
    ServiceFactory(name="Mission clinic", alternate_name="MISSION health", status="inactive")
    names = [s.name for s in search_services({"q": "mission"})]
    assert names == ["Mission pantry"]
    assert found(q="MISSION", status="inactive") == {"Mission clinic"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_free_text_and_eligibility_use_the_trigram_indexes_on_postgresql() -> None:
    """Over a few thousand rows, a rare word is found through the trigram indexes, not by
    reading every service's text (the benchmark's 20,000 services: docs/benchmarks.md)."""
    organizations = m.Organization.objects.bulk_create(
        m.Organization(name=f"Partner {n}") for n in range(2000)
    )
    m.Service.objects.bulk_create(
        m.Service(
            organization=organizations[n % 2000],
            name=f"Service {n}",
            description=f"Helps with need {n}",
            eligibility_description=f"Adults in group {n}",
        )
        for n in range(4000)
    )
    ServiceFactory(name="Zebra crossing help", eligibility_description="Zebra keepers")
    ServiceFactory(name="Other", organization__name="Zebra Org")
    with connection.cursor() as cursor:
        # New rows wait in each GIN index's pending list (which the planner prices high)
        # until a vacuum, which a test's transaction cannot run; merge them by hand.
        for index in TRIGRAM_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE referrals_service; ANALYZE referrals_organization")
    assert found(q="zebra") == {"Zebra crossing help", "Other"}
    by_text = search_services({"q": "zebra"}).explain()
    for index in TRIGRAM_INDEXES:
        if "eligibility" not in index:
            assert index in by_text, by_text
    by_eligibility = search_services({"eligibility": "zebra"}).explain()
    assert "referrals_service_eligibility_trgm" in by_eligibility, by_eligibility


def test_services_no_longer_offered_appear_only_when_asked_for() -> None:
    ServiceFactory(name="Open")
    ServiceFactory(name="Closed", status="defunct")
    assert found() == {"Open"}
    assert found(status="any") == {"Open", "Closed"}
    assert found(status="defunct") == {"Closed"}


def test_bad_filters_get_clear_messages() -> None:
    form = DirectorySearchForm({"zip_code": "641", "age": "old", "category": "nope"})
    assert not form.is_valid()
    assert form.errors["zip_code"] == ["Enter a 5-digit ZIP code."]
    assert form.errors["age"] == ["Enter the age as a whole number of years."]
    assert form.errors["category"] == ["Choose a need category from the list."]
