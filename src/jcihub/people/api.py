"""REST API for the person registry: same policy, services and audit as the pages."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import get_person_for_user
from jcihub.access.policy import Cap
from jcihub.core import timeline
from jcihub.core.forms import clean_search_text

from . import selectors, services
from .models import Address, ContactPoint, Ethnicity, Identifier, Person, Race, Sex


def extend_schema_field_list(serializer: type[serializers.Serializer[Any]]) -> Any:
    return extend_schema_field(serializer(many=True))


class IdentifierSerializer(serializers.ModelSerializer[Identifier]):
    class Meta:
        model = Identifier
        fields = ["system", "value"]


class PersonSerializer(serializers.ModelSerializer[Person]):
    record_number = serializers.CharField(read_only=True)
    races = serializers.ListField(
        child=serializers.ChoiceField(choices=Race.choices), required=False, max_length=7
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)

    class Meta:
        model = Person
        fields = [
            "id",
            "record_number",
            "given_name",
            "middle_name",
            "family_name",
            "suffix",
            "birth_date",
            "birth_date_is_estimated",
            "sex",
            "gender_identity",
            "races",
            "ethnicity",
            "primary_language",
            "needs_interpreter",
            "is_restricted",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "record_number", "created_at", "updated_at"]
        extra_kwargs = {
            "birth_date": {
                "error_messages": {
                    # DRF's own "wrong format" misleads for 2023-02-30, which has the format.
                    "invalid": "Not a real date: give one that exists, as YYYY-MM-DD."
                }
            }
        }


class AddressSerializer(serializers.ModelSerializer[Address]):
    class Meta:
        model = Address
        fields = [
            "id",
            "kind",
            "line1",
            "line2",
            "city",
            "state",
            "zip_code",
            "is_confidential",
            "valid_from",
            "valid_to",
        ]


class ContactPointSerializer(serializers.ModelSerializer[ContactPoint]):
    class Meta:
        model = ContactPoint
        fields = ["id", "kind", "value", "is_confidential", "is_safe_to_leave_message"]


class PersonDetailSerializer(PersonSerializer):
    """The person with what the viewer may see of their identifiers and locating details."""

    identifiers = serializers.SerializerMethodField()
    addresses = serializers.SerializerMethodField()
    contact_points = serializers.SerializerMethodField()

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "identifiers", "addresses", "contact_points"]

    @extend_schema_field_list(IdentifierSerializer)
    def get_identifiers(self, person: Person) -> Any:
        visible = self.context["visible"]
        return IdentifierSerializer(
            [i for i in person.identifiers.all() if i.sensitivity in visible], many=True
        ).data

    @extend_schema_field_list(AddressSerializer)
    def get_addresses(self, person: Person) -> Any:
        rows = selectors.person_addresses(person, self.context["visible"])
        return AddressSerializer(rows, many=True).data

    @extend_schema_field_list(ContactPointSerializer)
    def get_contact_points(self, person: Person) -> Any:
        rows = selectors.person_contact_points(person, self.context["visible"])
        return ContactPointSerializer(rows, many=True).data


class TimelineEventSerializer(serializers.Serializer[Any]):
    occurred_at = serializers.DateTimeField()
    source = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=(
                    "Search by name, date of birth or record number; results ranked best first."
                ),
            )
        ]
    )
)
class PersonViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet[Person],
):
    """People the caller may see. Invisible people answer 404, as if they did not exist."""

    serializer_class = PersonSerializer
    access_capabilities = {
        "list": Cap.PEOPLE_SEARCH,
        "retrieve": Cap.PEOPLE_VIEW,
        "timeline": Cap.PEOPLE_VIEW,
        "create": Cap.PEOPLE_CREATE,
        "update": Cap.PEOPLE_CHANGE,
        "partial_update": Cap.PEOPLE_CHANGE,
    }
    filterset_fields = ["sex", "birth_date"]

    def get_queryset(self) -> QuerySet[Person]:
        return policy.visible_people(self.request.user).order_by("family_name", "given_name", "id")

    def get_object(self) -> Person:
        """Through the guarded look-up: a person the caller may not see (or change) answers
        404, and the refusal is audited."""
        write = self.request.method not in SAFE_METHODS
        person = get_person_for_user(self.request.user, self.kwargs["pk"], for_change=write)
        self.check_object_permissions(self.request, person)
        return person

    def check_access(self, user: Any, person: Person, write: bool) -> bool:
        return bool((policy.can_change_person if write else policy.can_view_person)(user, person))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return PersonDetailSerializer if self.action == "retrieve" else PersonSerializer

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = clean_search_text(request.query_params.get("q", ""))
        if not query:
            return super().list(request, *args, **kwargs)
        people = [row.person for row in selectors.search_people(request.user, query)]
        access_services.log_search(request.user, query, len(people), via="API")
        page = self.paginate_queryset(people)  # type: ignore[arg-type]
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        visible = policy.visible_sensitivities(request.user, person)
        data = PersonDetailSerializer(person, context={"visible": visible}).data
        shown = {i.sensitivity for i in person.identifiers.all() if i.sensitivity in visible}
        if any(row.get("is_confidential") for row in data["addresses"] + data["contact_points"]):
            shown.add(policy.Sensitivity.VICTIM_LOCATING)
        access_services.log_person_view(request.user, person, shown, via="API")
        return Response(data)

    def perform_create(self, serializer: serializers.BaseSerializer[Person]) -> None:
        details = services.PersonDetails(**serializer.validated_data)
        serializer.instance = services.create_person(self.request.user, details)

    def perform_update(self, serializer: serializers.BaseSerializer[Person]) -> None:
        assert serializer.instance is not None
        serializer.instance = services.update_person(
            self.request.user, serializer.instance, **serializer.validated_data
        )

    @extend_schema(responses=TimelineEventSerializer(many=True))
    @action(detail=True, filter_backends=[])
    def timeline(self, request: Request, pk: str | None = None) -> Response:
        person = self.get_object()
        visible = policy.visible_sensitivities(request.user, person)
        events = timeline.events_for(person.pk, visible)
        access_services.log_person_view(
            request.user, person, {e.sensitivity for e in events}, via="API timeline"
        )
        page = self.paginate_queryset(events)  # type: ignore[arg-type]
        return self.get_paginated_response(TimelineEventSerializer(page, many=True).data)
