"""REST API for screening instruments and assessments: the same policy and audit as the pages.

An assessment holds answers to yes/no and choice items, its score, band and screen-in
result: never a free-text field, so no response carries anything about where a person
is; which assessments a caller sees is `policy.visible_assessments`."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, get_person_for_user
from jcihub.access.policy import Cap
from jcihub.core.sensitivity import Sensitivity

from . import scoring, selectors, services
from .models import Assessment, Instrument, Subject


class InstrumentSerializer(serializers.ModelSerializer[Instrument]):
    subject = serializers.ChoiceField(choices=Subject.choices, read_only=True)
    current_version = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    definition = serializers.SerializerMethodField()

    class Meta:
        model = Instrument
        fields = [
            "code",
            "name",
            "subject",
            "disabled_on",
            "current_version",
            "status",
            "definition",
        ]

    def get_current_version(self, instrument: Instrument) -> int | None:
        version = services.current_version(instrument)
        return version.version if version else None

    def get_status(self, instrument: Instrument) -> str:
        version = services.current_version(instrument)
        return version.status if version else ""

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_definition(self, instrument: Instrument) -> dict[str, Any]:
        """The current version's definition, as loaded (docs/programs.md)."""
        version = services.current_version(instrument)
        return dict(version.definition) if version else {}


class AssessmentSerializer(serializers.ModelSerializer[Assessment]):
    instrument = serializers.CharField(source="version.instrument.code", read_only=True)
    instrument_version = serializers.IntegerField(source="version.version", read_only=True)
    answers = serializers.DictField(child=serializers.CharField(), read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)
    recorded_by = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "instrument",
            "instrument_version",
            "administered_on",
            "answers",
            "score",
            "band",
            "screened_in",
            "reasons",
            "recorded_by",
            "created_at",
        ]
        read_only_fields = fields

    def get_recorded_by(self, assessment: Assessment) -> str:
        return assessment.created_by.get_username() if assessment.created_by else ""


class AssessmentCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1)
    instrument = serializers.SlugField(max_length=60)
    administered_on = serializers.DateField()
    answers = serializers.DictField(
        child=serializers.CharField(max_length=40, allow_blank=True), allow_empty=False
    )


@extend_schema_view(
    list=extend_schema(description="Screening instruments and their current definitions."),
)
class InstrumentViewSet(viewsets.ReadOnlyModelViewSet[Instrument]):
    """Instrument definitions: reference data, no people."""

    serializer_class = InstrumentSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9][a-z0-9-]{1,59}"
    access_capabilities = {"*": Cap.INSTRUMENTS_VIEW}
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Instrument]:
        return selectors.instruments()

    def check_access(self, user: Any, instrument: Instrument, write: bool) -> bool:
        return not write


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "person", OpenApiTypes.INT, description="Only this person's assessments."
            )
        ]
    )
)
class AssessmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Assessment]
):
    """Assessments the caller may read; others answer 404, as if they did not exist."""

    serializer_class = AssessmentSerializer
    access_capabilities = {
        "list": Cap.ASSESSMENTS_VIEW,
        "retrieve": Cap.ASSESSMENTS_VIEW,
        "create": Cap.ASSESSMENTS_RECORD,
    }
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Assessment]:
        qs = selectors.assessments_for_user(self.request.user).order_by("-administered_on", "-id")
        person = self.request.query_params.get("person", "")
        if person:
            if not person.isdigit() or len(person) > 12:
                raise ValidationError({"person": ["Give a person id (a whole number)."]})
            qs = qs.filter(person_id=int(person))
        return qs

    def get_object(self) -> Assessment:
        assessment = selectors.get_assessment_for_user(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, assessment)
        return assessment

    def check_access(self, user: Any, assessment: Assessment, write: bool) -> bool:
        subject = assessment.version.instrument.subject
        return not write and policy.may_see_assessments_of(user, assessment.person, subject)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        people = {row["person"] for row in response.data.get("results", [])}
        for person in selectors.people_by_id(people):
            access_services.log_person_view(
                request.user, person, {Sensitivity.GENERAL}, via="API assessments"
            )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assessment = self.get_object()
        access_services.log_person_view(
            request.user, assessment.person, {Sensitivity.GENERAL}, via="API assessment"
        )
        return Response(self.get_serializer(assessment).data)

    @extend_schema(request=AssessmentCreateSerializer, responses={201: AssessmentSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = AssessmentCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        person = get_person_for_user(request.user, data["person"])
        instrument = Instrument.objects.filter(code=data["instrument"]).first()
        if instrument is None:
            raise ValidationError({"instrument": ["No instrument has that code."]})
        if not policy.may_see_assessments_of(request.user, person, instrument.subject, record=True):
            deny(
                request.user,
                f"API: may not record {instrument.code} for this person",
                person_id=person.pk,
                not_found=True,
            )
        try:
            version = services.recordable_version(instrument)
            assessment = services.record_assessment(
                request.user, person, version, data["answers"], data["administered_on"]
            )
        except scoring.AnswerError as error:
            raise ValidationError({"answers": error.problems}) from None
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return Response(self.get_serializer(assessment).data, status=201)
