"""Read-only API over properties: the same search and the same policy as the pages."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from jcihub.access import policy
from jcihub.access.policy import Cap

from . import selectors
from .forms import PropertySearchForm
from .models import Property, RawAddress


class RawAddressSerializer(serializers.ModelSerializer[RawAddress]):
    class Meta:
        model = RawAddress
        fields = ["id", "source", "raw_line", "raw_city", "raw_zip", "corrected_at"]


class PropertySerializer(serializers.ModelSerializer[Property]):
    """A property with the raw addresses (as sources wrote them) that map to it."""

    record_number = serializers.CharField(read_only=True)
    raw_addresses = RawAddressSerializer(many=True, read_only=True)

    class Meta:
        model = Property
        fields = [
            "id",
            "record_number",
            "kind",
            "line",
            "unit",
            "city",
            "state",
            "zip5",
            "latitude",
            "longitude",
            "created_at",
            "raw_addresses",
        ]


_FILTERS = [
    OpenApiParameter(name, OpenApiTypes.STR, description=str(field.help_text or field.label))
    for name, field in PropertySearchForm.base_fields.items()
]


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class PropertyViewSet(viewsets.ReadOnlyModelViewSet[Property]):
    """Canonical properties; `q` finds words of the address in their standard form."""

    access_capabilities = {"*": Cap.PLACES_VIEW}

    serializer_class = PropertySerializer

    def get_queryset(self) -> QuerySet[Property]:
        found = Property.objects.all()
        if self.action == "list":
            form = PropertySearchForm(self.request.query_params)
            if not form.is_valid():
                raise ValidationError(form.errors.get_json_data())
            data = form.cleaned_data
            found = selectors.search_properties(data["q"], data["zip_code"], data["kind"])
        return found.prefetch_related(Prefetch("raw_addresses", selectors.raw_forms_query()))

    def check_access(self, user: Any, place: Property, write: bool) -> bool:
        return not write and policy.has_capability(user, Cap.PLACES_VIEW)
