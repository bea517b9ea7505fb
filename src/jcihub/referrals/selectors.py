"""Read queries over the service directory, shared by pages, API and benchmark."""

import uuid
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from .forms import ANY_STATUS
from .models import (
    Address,
    Attribute,
    Language,
    Organization,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)


def search_services(filters: dict[str, Any]) -> QuerySet[Service]:
    """Services matching a DirectorySearchForm's cleaned data, by name."""
    services = Service.objects.select_related("organization")
    status = filters.get("status") or Service.Status.ACTIVE
    if status != ANY_STATUS:
        services = services.filter(status=status)
    if filters.get("q"):
        text = filters["q"]
        services = services.filter(
            Q(name__icontains=text)
            | Q(alternate_name__icontains=text)
            | Q(description__icontains=text)
            | Q(organization__in=Organization.objects.filter(name__icontains=text).values("pk"))
        )
    if filters.get("category"):
        services = services.filter(pk__in=_with_category(filters["category"]))
    if filters.get("zip_code"):
        services = services.filter(_serving_zip(filters["zip_code"]))
    if filters.get("language"):
        services = services.filter(_speaking(filters["language"]))
    if filters.get("eligibility"):
        services = services.filter(eligibility_description__icontains=filters["eligibility"])
    if filters.get("age") is not None:
        age = filters["age"]
        services = services.filter(
            Q(minimum_age__isnull=True) | Q(minimum_age__lte=age),
            Q(maximum_age__isnull=True) | Q(maximum_age__gte=age),
        )
    return services.order_by("name", "id")


def _with_category(term_id: str | uuid.UUID) -> QuerySet[Any]:
    """Services tagged with the term or with a term directly under it."""
    terms = TaxonomyTerm.objects.filter(Q(pk=term_id) | Q(parent_id=term_id)).values("pk")
    return Attribute.objects.filter(taxonomy_term__in=terms).values("service_id")


def _serving_zip(zip_code: str) -> Q:
    at_sites = ServiceAtLocation.objects.filter(
        location__in=Address.objects.filter(postal_code__startswith=zip_code).values("location_id")
    ).values("service_id")
    by_area = ServiceArea.objects.filter(
        Q(name__contains=zip_code) | Q(description__contains=zip_code)
    ).values("service_id")
    return Q(pk__in=at_sites) | Q(pk__in=by_area)


def _speaking(language: str) -> Q:
    """Services working in the language, or at a site that does (by ISO code or name)."""
    matching = Language.objects.filter(Q(code__iexact=language) | Q(name__iexact=language))
    at_sites = ServiceAtLocation.objects.filter(location__in=matching.values("location_id")).values(
        "service_id"
    )
    return Q(pk__in=matching.values("service_id")) | Q(pk__in=at_sites)


def with_summary(services: QuerySet[Service]) -> QuerySet[Service]:
    """What a list of services shows: need categories, languages and ZIP codes."""
    return services.prefetch_related(
        Prefetch("attributes", Attribute.objects.select_related("taxonomy_term")),
        "languages",
        Prefetch(
            "service_at_locations",
            ServiceAtLocation.objects.prefetch_related("location__addresses"),
        ),
    )


def service_for_page(pk: uuid.UUID) -> Service:
    """One service with everything its page shows (Service.DoesNotExist if unknown)."""
    locations = ServiceAtLocation.objects.select_related("location").prefetch_related(
        "location__addresses", "location__phones", "location__schedules", "location__languages"
    )
    return (
        Service.objects.select_related("organization")
        .prefetch_related(
            Prefetch("attributes", Attribute.objects.select_related("taxonomy_term")),
            "languages",
            "schedules",
            "service_areas",
            "required_documents",
            "phones",
            "contacts__phones",
            Prefetch("service_at_locations", locations),
        )
        .get(pk=pk)
    )


def organization_for_page(pk: uuid.UUID) -> Organization:
    return (
        Organization.objects.select_related("team")
        .prefetch_related("phones", "contacts__phones", "locations__addresses")
        .get(pk=pk)
    )
