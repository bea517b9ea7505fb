"""Read queries over places, shared by the pages and the API."""

from typing import Any

from django.db.models import Q, QuerySet

from . import sections
from .models import Property, RawAddress
from .normalise import search_terms, zip5

RAW_FORMS_SHOWN = 100


def search_properties(text: str = "", zip_code: str = "", kind: str = "") -> QuerySet[Property]:
    """Properties whose canonical line holds every word of `text` once written in the
    standard way ("3400 norton av" finds "3400 BLOCK NORTON AVE")."""
    found = Property.objects.all()
    for term in search_terms(text):
        found = found.filter(line__contains=term)
    if zip_code:
        found = found.filter(zip5=zip5(zip_code) or zip_code)
    if kind:
        found = found.filter(kind=kind)
    return found.order_by("line", "unit", "id")


def search_raw_addresses(
    text: str = "", source: str = "", corrected_only: bool = False
) -> QuerySet[RawAddress]:
    """Raw addresses whose written text or canonical line holds every word of `text`."""
    found = RawAddress.objects.select_related("property", "corrected_by")
    for word in text.split():
        found = found.filter(Q(raw_line__icontains=word) | Q(property__line__icontains=word))
    if source:
        found = found.filter(source=source)
    if corrected_only:
        found = found.filter(corrected_at__isnull=False)
    return found.order_by("raw_line", "raw_city", "id")


def raw_forms_query() -> QuerySet[RawAddress]:
    return RawAddress.objects.select_related("corrected_by").order_by(
        "source", "raw_line", "raw_city", "id"
    )


def raw_forms(place: Property) -> QuerySet[RawAddress]:
    """How the sources wrote this property, source by source."""
    return raw_forms_query().filter(property=place)


def raw_address_ids(place: Property) -> QuerySet[RawAddress, int]:
    """For other apps: the raw addresses whose records are "at this property"."""
    return RawAddress.objects.filter(property=place).values_list("id", flat=True)


def property_sections(user: Any, place: Property) -> list[sections.PropertySection]:
    """What other apps contribute to the property's page, as far as this user may see."""
    return sections.sections_for(user, place)
