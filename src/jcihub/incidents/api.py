"""Read-only API over incidents: the same search and the same policy as the pages."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from jcihub.access.policy import Cap

from .forms import IncidentFilterForm
from .kcpd import INCIDENT_FIELDS
from .models import Incident, Offense, Party
from .selectors import search_incidents


class OffenseSerializer(serializers.ModelSerializer[Offense]):
    class Meta:
        model = Offense
        fields = ["code", "ibrs", "description"]


class PartySerializer(serializers.ModelSerializer[Party]):
    """As KCPD records the party; who the person is stays on the person's own record."""

    class Meta:
        model = Party
        fields = ["party_key", "involvement", "race", "sex", "age"]


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    offenses = OffenseSerializer(many=True, read_only=True)
    property = serializers.SerializerMethodField(
        help_text="The canonical property (places) the address maps to, if it names one."
    )

    def get_property(self, incident: Incident) -> int | None:
        raw_address = incident.raw_address
        return raw_address.property_id if raw_address else None

    class Meta:
        model = Incident
        fields = [
            "id",
            *INCIDENT_FIELDS,
            "property",
            "offenses",
        ]


class IncidentDetailSerializer(IncidentSerializer):
    parties = PartySerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "parties"]


_FILTER_TYPES = {
    "since": OpenApiTypes.DATE,
    "until": OpenApiTypes.DATE,
    "property": OpenApiTypes.INT,
}
_FILTERS = [
    OpenApiParameter(
        name,
        _FILTER_TYPES.get(name, OpenApiTypes.STR),
        description=str(field.help_text or field.label or name),
    )
    for name, field in IncidentFilterForm.base_fields.items()
]


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class IncidentViewSet(viewsets.ReadOnlyModelViewSet[Incident]):
    access_capabilities = {"*": Cap.INCIDENTS_VIEW}

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return IncidentDetailSerializer if self.action == "retrieve" else IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        if self.action != "list":
            return Incident.objects.select_related("raw_address").prefetch_related(
                "offenses", "parties"
            )
        form = IncidentFilterForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return search_incidents(form.cleaned_data).select_related("raw_address")

    def check_access(self, user: Any, incident: Incident, write: bool) -> bool:
        return not write
