"""The reentry cases API: the same policy, selectors, services and audit as the pages."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import get_person_for_user
from jcihub.access.policy import Cap
from jcihub.accounts.models import User
from jcihub.core.sensitivity import Sensitivity

from . import models as m
from . import selectors, services


class NeedSerializer(serializers.ModelSerializer[m.Need]):
    class Meta:
        model = m.Need
        fields = ["area", "status", "priority", "notes"]


class TaskSerializer(serializers.ModelSerializer[m.Task]):
    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = m.Task
        fields = ["id", "description", "owner", "due_on", "status", "completed_at"]


class GoalSerializer(serializers.ModelSerializer[m.Goal]):
    need = serializers.CharField(source="need.area", read_only=True, allow_null=True, default=None)
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = m.Goal
        fields = ["id", "description", "need", "status", "tasks"]


class MilestoneSerializer(serializers.ModelSerializer[m.Milestone]):
    class Meta:
        model = m.Milestone
        fields = ["kind", "reached_on", "note"]


class PlanReferralSerializer(serializers.ModelSerializer[m.PlanReferral]):
    number = serializers.CharField(source="referral.number", read_only=True)
    organization = serializers.CharField(source="referral.organization.name", read_only=True)
    status = serializers.CharField(source="referral.status", read_only=True)
    need = serializers.CharField(source="need.area", read_only=True, allow_null=True, default=None)
    goal = serializers.IntegerField(source="goal_id", read_only=True, allow_null=True)

    class Meta:
        model = m.PlanReferral
        fields = ["referral", "number", "organization", "status", "need", "goal"]


class CaseSerializer(serializers.ModelSerializer[m.Case]):
    number = serializers.CharField(read_only=True)
    navigator = serializers.CharField(source="navigator.username", read_only=True)

    class Meta:
        model = m.Case
        fields = [
            "id",
            "number",
            "person",
            "kind",
            "status",
            "navigator",
            "planned_release_on",
            "released_on",
            "opened_at",
            "closed_at",
        ]


class CaseDetailSerializer(CaseSerializer):
    needs = NeedSerializer(many=True, read_only=True)
    goals = GoalSerializer(many=True, read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)
    referrals = serializers.SerializerMethodField()
    safe_contact = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [
            *CaseSerializer.Meta.fields,
            "summary",
            "needs",
            "goals",
            "milestones",
            "referrals",
            "safe_contact",
        ]

    @extend_schema_field(PlanReferralSerializer(many=True))
    def get_referrals(self, case: m.Case) -> Any:
        """The plan's referrals the caller may see (a victim case's: victim advocates)."""
        shown = selectors.plan_referrals(self.context["request"].user, case)
        return PlanReferralSerializer(shown, many=True).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_safe_contact(self, case: m.Case) -> str | None:
        """Victim-locating information: null unless the caller may see it (advocates)."""
        return case.safe_contact if self.context.get("shows_locating") else None


class CaseCreateSerializer(serializers.Serializer[Any]):
    person = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=m.CaseKind.choices)
    navigator = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    planned_release_on = serializers.DateField(required=False, allow_null=True)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    safe_contact = serializers.CharField(required=False, allow_blank=True, max_length=2000)


FILTERS = [
    OpenApiParameter("kind", str, enum=m.CaseKind.values, required=False),
    OpenApiParameter("status", str, enum=m.CaseStatus.values, required=False),
    OpenApiParameter("q", str, required=False, description="Name or record number."),
]


class CaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[m.Case]
):
    """Reentry and victim-services cases in the caller's caseload; others answer 404."""

    serializer_class = CaseSerializer
    access_capabilities = {
        "list": Cap.REENTRY_VIEW,
        "retrieve": Cap.REENTRY_VIEW,
        "create": Cap.REENTRY_CASEWORK,
    }

    def get_queryset(self) -> QuerySet[m.Case]:
        params = self.request.query_params
        filters = {
            "kind": params.get("kind") if params.get("kind") in m.CaseKind.values else "",
            "status": params.get("status") if params.get("status") in m.CaseStatus.values else "",
            "q": params.get("q", ""),
        }
        return selectors.search_cases(self.request.user, filters)

    def get_object(self) -> m.Case:
        case = selectors.case_for_user(self.request.user, self.kwargs["pk"])
        self.check_object_permissions(self.request, case)
        return case

    def check_access(self, user: Any, case: m.Case, write: bool) -> bool:
        return policy.visible_cases(user).filter(pk=case.pk).exists()

    @extend_schema(parameters=FILTERS)
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=CaseDetailSerializer)
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        shows = selectors.may_see_locating(request.user, case)
        shown = {Sensitivity.GENERAL} | ({Sensitivity.VICTIM_LOCATING} if shows else set())
        access_services.log_person_view(request.user, case.person, shown, via=f"API case {case}")
        context = {**self.get_serializer_context(), "shows_locating": shows}
        return Response(CaseDetailSerializer(case, context=context).data)

    @extend_schema(request=CaseCreateSerializer, responses={201: CaseSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        given = CaseCreateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        person = get_person_for_user(request.user, data["person"])
        navigator = User.objects.filter(pk=data["navigator"], is_active=True).first()
        try:
            case = services.open_case(
                request.user,
                person,
                kind=data["kind"],
                navigator=navigator,
                planned_release_on=data.get("planned_release_on"),
                summary=data.get("summary", ""),
                safe_contact=data.get("safe_contact", ""),
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        except PermissionDenied:
            raise NotFound from None
        return Response(self.get_serializer(case).data, status=201)
