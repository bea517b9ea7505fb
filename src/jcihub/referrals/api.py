"""The directory's read-only API, shaped like the Open Referral HSDS 3.0 API: HSDS field
names and ids, nested objects as HSDS nests them, and HSDS's paged lists
(`total_items`, `total_pages`, `page_number`, `size`, `first_page`, `last_page`, `empty`,
`contents`); and the referrals API, which applies the access policy and the consent in
force exactly as the referral pages do."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.exceptions import PermissionDenied as DrfPermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import get_person_for_user
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from . import models as m
from . import selectors, services
from .forms import DirectorySearchForm
from .selectors import search_services, with_summary


class HsdsPagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "per_page"
    max_page_size = 100

    def get_paginated_response(self, data: Any) -> Response:
        assert self.page is not None
        paginator = self.page.paginator
        return Response(
            {
                "total_items": paginator.count,
                "total_pages": paginator.num_pages,
                "page_number": self.page.number,
                "size": len(data),
                "first_page": self.page.number == 1,
                "last_page": not self.page.has_next(),
                "empty": not data,
                "contents": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        integer, boolean = {"type": "integer"}, {"type": "boolean"}
        return {
            "type": "object",
            "required": ["total_items", "total_pages", "page_number", "size", "contents"],
            "properties": {
                "total_items": integer,
                "total_pages": integer,
                "page_number": integer,
                "size": integer,
                "first_page": boolean,
                "last_page": boolean,
                "empty": boolean,
                "contents": schema,
            },
        }


class LanguageSerializer(serializers.ModelSerializer[m.Language]):
    class Meta:
        model = m.Language
        fields = ["id", "name", "code", "note"]


class PhoneSerializer(serializers.ModelSerializer[m.Phone]):
    languages = LanguageSerializer(many=True, read_only=True)

    class Meta:
        model = m.Phone
        fields = ["id", "number", "extension", "type", "description", "languages"]


class ContactSerializer(serializers.ModelSerializer[m.Contact]):
    phones = PhoneSerializer(many=True, read_only=True)

    class Meta:
        model = m.Contact
        fields = ["id", "name", "title", "department", "email", "phones"]


class ScheduleSerializer(serializers.ModelSerializer[m.Schedule]):
    class Meta:
        model = m.Schedule
        fields = [
            "id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ]


@extend_schema_serializer(component_name="HsdsAddress")  # people have their own Address
class AddressSerializer(serializers.ModelSerializer[m.Address]):
    class Meta:
        model = m.Address
        fields = [
            "id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ]


class LocationSerializer(serializers.ModelSerializer[m.Location]):
    addresses = AddressSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    schedules = ScheduleSerializer(many=True, read_only=True)
    languages = LanguageSerializer(many=True, read_only=True)

    class Meta:
        model = m.Location
        fields = [
            "id",
            "location_type",
            "url",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "addresses",
            "phones",
            "schedules",
            "languages",
        ]


class ServiceAtLocationSerializer(serializers.ModelSerializer[m.ServiceAtLocation]):
    location = LocationSerializer(read_only=True)

    class Meta:
        model = m.ServiceAtLocation
        fields = ["id", "description", "location"]


class ServiceAreaSerializer(serializers.ModelSerializer[m.ServiceArea]):
    class Meta:
        model = m.ServiceArea
        fields = ["id", "name", "description", "extent", "extent_type", "uri"]


class RequiredDocumentSerializer(serializers.ModelSerializer[m.RequiredDocument]):
    class Meta:
        model = m.RequiredDocument
        fields = ["id", "document", "uri"]


class TaxonomyTermSerializer(serializers.ModelSerializer[m.TaxonomyTerm]):
    class Meta:
        model = m.TaxonomyTerm
        fields = [
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "term_uri",
        ]


class AttributeSerializer(serializers.ModelSerializer[m.Attribute]):
    taxonomy_term = TaxonomyTermSerializer(read_only=True, allow_null=True)

    class Meta:
        model = m.Attribute
        fields = ["id", "link_type", "link_entity", "value", "taxonomy_term"]


ORGANIZATION_FIELDS = [
    "id",
    "name",
    "alternate_name",
    "description",
    "email",
    "website",
    "tax_status",
    "tax_id",
    "year_incorporated",
    "legal_status",
    "logo",
    "uri",
    "parent_organization_id",
]


class OrganizationSerializer(serializers.ModelSerializer[m.Organization]):
    class Meta:
        model = m.Organization
        fields = ORGANIZATION_FIELDS


class OrganizationFullSerializer(OrganizationSerializer):
    contacts = ContactSerializer(many=True, read_only=True)
    phones = PhoneSerializer(many=True, read_only=True)
    locations = LocationSerializer(many=True, read_only=True)

    class Meta(OrganizationSerializer.Meta):
        fields = [*ORGANIZATION_FIELDS, "contacts", "phones", "locations"]


SERVICE_FIELDS = [
    "id",
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "interpretation_services",
    "application_process",
    "fees_description",
    "wait_time",
    "fees",
    "accreditations",
    "eligibility_description",
    "minimum_age",
    "maximum_age",
    "assured_date",
    "assurer_email",
    "licenses",
    "alert",
    "last_modified",
]


class ServiceSerializer(serializers.ModelSerializer[m.Service]):
    """A service in a list: its organisation, need categories and languages."""

    organization = OrganizationSerializer(read_only=True)
    attributes = AttributeSerializer(many=True, read_only=True)
    languages = LanguageSerializer(many=True, read_only=True)

    class Meta:
        model = m.Service
        fields = [*SERVICE_FIELDS, "organization", "attributes", "languages"]


class ServiceFullSerializer(ServiceSerializer):
    """One service as HSDS's `service_full`."""

    phones = PhoneSerializer(many=True, read_only=True)
    schedules = ScheduleSerializer(many=True, read_only=True)
    service_areas = ServiceAreaSerializer(many=True, read_only=True)
    service_at_locations = ServiceAtLocationSerializer(many=True, read_only=True)
    required_documents = RequiredDocumentSerializer(many=True, read_only=True)
    contacts = ContactSerializer(many=True, read_only=True)

    class Meta(ServiceSerializer.Meta):
        fields = [
            *ServiceSerializer.Meta.fields,
            "phones",
            "schedules",
            "service_areas",
            "service_at_locations",
            "required_documents",
            "contacts",
        ]


_FILTER_TYPES = {"age": OpenApiTypes.INT, "category": OpenApiTypes.UUID}
_FILTERS = [
    OpenApiParameter(
        name,
        _FILTER_TYPES.get(name, OpenApiTypes.STR),
        description=str(field.help_text or field.label or name),
    )
    for name, field in DirectorySearchForm.base_fields.items()
]
_LOCATION_DETAILS = ("addresses", "phones__languages", "schedules", "languages")


@extend_schema_view(list=extend_schema(parameters=_FILTERS))
class ServiceViewSet(viewsets.ReadOnlyModelViewSet[m.Service]):
    """Services in the directory, searchable as on the directory page."""

    access_capabilities = {"*": Cap.DIRECTORY_VIEW}
    pagination_class = HsdsPagination

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return ServiceFullSerializer if self.action == "retrieve" else ServiceSerializer

    def get_queryset(self) -> QuerySet[m.Service]:
        if getattr(self, "swagger_fake_view", False):  # the schema: no search to run
            return m.Service.objects.none()
        if self.action != "list":
            return m.Service.objects.select_related("organization").prefetch_related(
                Prefetch("attributes", m.Attribute.objects.select_related("taxonomy_term")),
                "languages",
                "phones__languages",
                "schedules",
                "service_areas",
                "required_documents",
                "contacts__phones__languages",
                *(f"service_at_locations__location__{d}" for d in _LOCATION_DETAILS),
            )
        form = DirectorySearchForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form.errors.get_json_data())
        return with_summary(search_services(form.cleaned_data))

    def check_access(self, user: Any, service: m.Service, write: bool) -> bool:
        return not write


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet[m.Organization]):
    """Organisations in the directory, by name."""

    access_capabilities = {"*": Cap.DIRECTORY_VIEW}
    pagination_class = HsdsPagination

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        return OrganizationFullSerializer if self.action == "retrieve" else OrganizationSerializer

    def get_queryset(self) -> QuerySet[m.Organization]:
        organizations = m.Organization.objects.order_by("name", "id")
        if self.action == "list":
            return organizations
        return organizations.prefetch_related(
            "phones__languages",
            "contacts__phones__languages",
            *(f"locations__{d}" for d in _LOCATION_DETAILS),
        )

    def check_access(self, user: Any, organization: m.Organization, write: bool) -> bool:
        return not write


class TaxonomyTermViewSet(viewsets.ReadOnlyModelViewSet[m.TaxonomyTerm]):
    """The need categories services are tagged with."""

    access_capabilities = {"*": Cap.DIRECTORY_VIEW}
    pagination_class = HsdsPagination
    serializer_class = TaxonomyTermSerializer
    queryset = m.TaxonomyTerm.objects.order_by("taxonomy", "name", "id")

    def check_access(self, user: Any, term: m.TaxonomyTerm, write: bool) -> bool:
        return not write


# --- Referrals ------------------------------------------------------------------------------


class SharedItemSerializer(serializers.Serializer[Any]):
    label = serializers.CharField()  # type: ignore[assignment]
    value = serializers.CharField()
    category = serializers.CharField(source="sensitivity")


class ReferralSerializer(serializers.ModelSerializer[m.Referral]):
    """A referral. `person` is given only to the department's staff; the organisation
    learns who the person is from `shared` (retrieve), which follows the consent in force."""

    number = serializers.CharField(read_only=True)
    person = serializers.SerializerMethodField()
    organization = serializers.CharField(source="organization.name", read_only=True)
    service = serializers.UUIDField(source="service_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    need = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    is_victim_service = serializers.BooleanField(
        read_only=True,
        help_text="For a victim (see Referral.is_victim_service): shown only to its sender, "
        "victim advocates and the receiving organisation.",
    )

    class Meta:
        model = m.Referral
        fields = [
            "id",
            "number",
            "person",
            "organization",
            "service",
            "service_name",
            "need",
            "status",
            "created_at",
            "sent_at",
            "answered_at",
            "service_started_at",
            "closed_at",
            "decline_reason",
            "outcome",
            "is_overdue",
            "is_victim_service",
        ]

    def get_person(self, referral: m.Referral) -> int | None:
        return referral.person_id if self.context.get("is_staff_side") else None

    def get_need(self, referral: m.Referral) -> str | None:
        return referral.need.name if referral.need else None

    def get_is_overdue(self, referral: m.Referral) -> bool:
        return bool(getattr(referral, "is_overdue", False))


class ReferralDetailSerializer(ReferralSerializer):
    shared = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "shared"]

    @extend_schema_field(SharedItemSerializer(many=True))
    def get_shared(self, referral: m.Referral) -> Any:
        return SharedItemSerializer(self.context["shown"], many=True).data


class ReferralCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField()
    service = serializers.UUIDField()
    need = serializers.UUIDField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    send = serializers.BooleanField(default=True)


class ReferralMoveSerializer(serializers.Serializer[Any]):
    to = serializers.ChoiceField(choices=m.ReferralStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class FollowUpSerializer(serializers.ModelSerializer[m.ReferralNote]):
    """A follow-up on a referral: something to do by a date, kept by one side (the
    department's `sender` or the organisation's `recipient`), open until marked done."""

    kept_by = serializers.ChoiceField(source="side", choices=m.Side.choices, read_only=True)
    is_done = serializers.SerializerMethodField()
    is_due = serializers.SerializerMethodField()
    can_complete = serializers.SerializerMethodField()

    class Meta:
        model = m.ReferralNote
        fields = [
            "id",
            "text",
            "kept_by",
            "due_on",
            "created_at",
            "is_done",
            "done_at",
            "is_due",
            "can_complete",
        ]
        read_only_fields = fields

    def get_is_done(self, note: m.ReferralNote) -> bool:
        return note.done_at is not None

    def get_is_due(self, note: m.ReferralNote) -> bool:
        """Open and due today or earlier."""
        return note.done_at is None and note.due_on is not None and note.due_on <= self._today

    def get_can_complete(self, note: m.ReferralNote) -> bool:
        """Whether the caller may mark it done: open, and kept by the caller's side."""
        return note.done_at is None and note.side in self.context.get("sides", frozenset())

    @property
    def _today(self) -> Any:
        return self.context.get("today") or timezone.localdate()


class FollowUpCreateSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(max_length=4000, help_text="What is to be done.")
    due_on = serializers.DateField(help_text="The date to do it by: today or later.")


class ReferralViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[m.Referral]
):
    """Referrals the caller may see: staff, those of people they can see and those they
    sent; partner users, those sent to their organisation. Others answer 404."""

    serializer_class = ReferralSerializer
    access_capabilities = {
        "list": Cap.REFERRALS_VIEW,
        "retrieve": Cap.REFERRALS_VIEW,
        "create": Cap.REFERRALS_SEND,
        "move": Cap.REFERRALS_VIEW,
        # Either side keeps follow-ups; which it may read and close is checked per referral.
        "follow_ups": Cap.REFERRALS_VIEW,
        "complete_follow_up": Cap.REFERRALS_VIEW,
    }

    def get_queryset(self) -> QuerySet[m.Referral]:
        status = self.request.query_params.get("status", "")
        filters = {"status": status} if status in m.ReferralStatus.values else {}
        return selectors.search_referrals(self.request.user, filters)

    def get_serializer_context(self) -> dict[str, Any]:
        return {
            **super().get_serializer_context(),
            "is_staff_side": policy.has_capability(self.request.user, Cap.REFERRALS_SEND),
        }

    def get_object(self) -> m.Referral:
        referral = selectors.referral_for_user(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, referral)
        return referral

    def check_access(self, user: Any, referral: m.Referral, write: bool) -> bool:
        return policy.visible_referrals(user).filter(pk=referral.pk).exists()

    @extend_schema(responses=ReferralDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        referral = self.get_object()
        sharing = selectors.shared_details(
            referral.person, referral.organization.team_id, referral.note
        )
        shown, _ = selectors.shown_to(request.user, referral.person, sharing)
        if shown:
            access_services.log_person_view(
                request.user, referral.person, {i.sensitivity for i in shown}, via="API referral"
            )
        else:
            record(request.user, AuditAction.VIEW, referral, summary="Viewed referral (API)")
        context = {**self.get_serializer_context(), "shown": shown}
        return Response(ReferralDetailSerializer(referral, context=context).data)

    @extend_schema(request=ReferralCreateSerializer, responses={201: ReferralSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = ReferralCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        person = get_person_for_user(request.user, data["person"])
        service = (
            m.Service.objects.select_related("organization").filter(pk=data["service"]).first()
        )
        if service is None:
            raise ValidationError({"service": ["No such service in the directory."]})
        need = (
            m.TaxonomyTerm.objects.filter(pk=data.get("need")).first() if data.get("need") else None
        )
        try:
            referral = services.create_referral(
                request.user,
                person,
                service,
                need=need,
                note=data.get("note", ""),
                send=data["send"],
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return Response(self.get_serializer(referral).data, status=201)

    @extend_schema(request=ReferralMoveSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the referral to its next state (accept, decline with a reason, start
        service, complete or close with an outcome), as the caller's side may."""
        referral = self.get_object()
        given = ReferralMoveSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            services.move_referral(
                request.user,
                referral,
                given.validated_data["to"],
                given.validated_data.get("note", ""),
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        except PermissionDenied:
            raise NotFound from None
        return Response(self.get_serializer(referral).data)

    def _follow_up_context(self, referral: m.Referral) -> dict[str, Any]:
        return {
            **self.get_serializer_context(),
            "sides": policy.referral_sides(self.request.user, referral),
            "today": timezone.localdate(),
        }

    @extend_schema(
        methods=["GET"],
        responses=FollowUpSerializer(many=True),
        description="The referral's follow-ups the caller may read, by date: the "
        "organisation's own always, the department's only while the person's consent "
        "naming the organisation is in force.",
    )
    @extend_schema(
        methods=["POST"],
        request=FollowUpCreateSerializer,
        responses={201: FollowUpSerializer},
        description="Add a follow-up to do by a date, kept by the caller's side.",
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="follow-ups",
        url_name="follow-ups",
        pagination_class=None,
    )
    def follow_ups(self, request: Request, pk: str | None = None) -> Response:
        referral = self.get_object()
        if request.method == "POST":
            return self._add_follow_up(request, referral)
        follow_ups = list(selectors.follow_ups_for(request.user, referral))
        record(
            request.user,
            AuditAction.VIEW,
            referral,
            person_id=referral.person_id,
            summary=f"Viewed referral {referral.number} follow-ups (API)",
        )
        context = self._follow_up_context(referral)
        return Response(FollowUpSerializer(follow_ups, many=True, context=context).data)

    def _add_follow_up(self, request: Request, referral: m.Referral) -> Response:
        given = FollowUpCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        try:
            added = services.add_note(
                request.user,
                referral,
                given.validated_data["text"],
                m.ReferralNote.Kind.FOLLOW_UP,
                given.validated_data["due_on"],
            )
        except PermissionDenied:
            raise NotFound from None
        context = self._follow_up_context(referral)
        return Response(FollowUpSerializer(added, context=context).data, status=201)

    @extend_schema(
        request=None,
        responses=FollowUpSerializer,
        parameters=[OpenApiParameter("follow_up_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        description="Mark an open follow-up done. Only its own side may: the department's "
        "staff theirs, the organisation's users the organisation's (403 otherwise).",
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"follow-ups/(?P<follow_up_id>[0-9]+)/complete",
        url_name="complete-follow-up",
    )
    def complete_follow_up(
        self, request: Request, pk: str | None = None, follow_up_id: str | None = None
    ) -> Response:
        referral = self.get_object()
        follow_up = selectors.follow_up_for_user(request.user, referral, follow_up_id)
        try:
            services.complete_follow_up(request.user, follow_up)
        except PermissionDenied as refused:
            raise DrfPermissionDenied(str(refused)) from None
        return Response(
            FollowUpSerializer(follow_up, context=self._follow_up_context(referral)).data
        )
