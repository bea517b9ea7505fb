"""The IPVI notifications API: letters, custom notifications, call-ins, services offered
and the liaisons' re-offences, under the same policy, services and audit as the pages.

No response carries anything about a victim: a letter's text is checked when it is made
(`letters.check_no_locating_text`), and the re-offence view shows the new incident's
report number, date, offenses and signs, never its address."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from jcihub.access import policy
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.people.models import Person

from . import charging_selectors, charging_services
from . import notification_selectors as selectors
from . import notification_services as services
from .charging import ChargingDecision, ChargingOutcome
from .models import Candidate
from .notifications import (
    CallIn,
    CallInInvitation,
    CallInSpeaker,
    CustomNotification,
    DeliveryMethod,
    Letter,
    LetterDelivery,
    NotificationAttempt,
    NotificationTeamMember,
    ServiceOffer,
)


class PersonRefSerializer(serializers.ModelSerializer[Person]):
    record_number = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "record_number", "full_name"]


class LetterDeliverySerializer(serializers.ModelSerializer[LetterDelivery]):
    class Meta:
        model = LetterDelivery
        fields = ["is_delivered", "method", "delivered_by", "occurred_at", "reason_not_delivered"]


class LetterSerializer(serializers.ModelSerializer[Letter]):
    person = PersonRefSerializer(read_only=True)
    tier = serializers.CharField(source="candidate.tier.code", read_only=True)
    template_version = serializers.IntegerField(source="template_version.number", read_only=True)
    deliveries = LetterDeliverySerializer(many=True, read_only=True)

    class Meta:
        model = Letter
        fields = [
            "id",
            "candidate",
            "person",
            "tier",
            "language",
            "template_version",
            "subject",
            "body",
            "status",
            "generated_at",
            "delivered_at",
            "deliveries",
        ]


class DeliveryInputSerializer(serializers.Serializer[Any]):
    is_delivered = serializers.BooleanField()
    occurred_at = serializers.DateTimeField()
    method = serializers.ChoiceField(choices=DeliveryMethod.choices, required=False, default="")
    delivered_by = serializers.CharField(max_length=120, required=False, default="")
    reason = serializers.CharField(max_length=500, required=False, default="")


class TeamMemberSerializer(serializers.ModelSerializer[NotificationTeamMember]):
    class Meta:
        model = NotificationTeamMember
        fields = ["role", "name", "organization"]


class AttemptSerializer(serializers.ModelSerializer[NotificationAttempt]):
    class Meta:
        model = NotificationAttempt
        fields = ["attempted_at", "outcome", "note"]


class CustomNotificationSerializer(serializers.ModelSerializer[CustomNotification]):
    person = PersonRefSerializer(read_only=True)
    tier = serializers.CharField(source="candidate.tier.code", read_only=True)
    team = TeamMemberSerializer(many=True, read_only=True)
    attempts = AttemptSerializer(many=True, read_only=True)

    class Meta:
        model = CustomNotification
        fields = [
            "id",
            "candidate",
            "person",
            "tier",
            "scheduled_for",
            "status",
            "delivered_at",
            "team",
            "attempts",
            "said",
            "offered",
            "person_response",
            "follow_up",
            "follow_up_due",
            "reason_not_delivered",
        ]


class SpeakerSerializer(serializers.ModelSerializer[CallInSpeaker]):
    class Meta:
        model = CallInSpeaker
        fields = ["kind", "name", "organization"]


class InvitationSerializer(serializers.ModelSerializer[CallInInvitation]):
    person = PersonRefSerializer(read_only=True)

    class Meta:
        model = CallInInvitation
        fields = ["id", "candidate", "person", "attendance", "invited_at"]


class CallInSerializer(serializers.ModelSerializer[CallIn]):
    speakers = SpeakerSerializer(many=True, read_only=True)
    invitations = serializers.SerializerMethodField()

    class Meta:
        model = CallIn
        fields = ["id", "title", "held_at", "venue", "status", "speakers", "invitations"]

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, call_in: CallIn) -> list[dict[str, Any]]:
        """Only the invited people the caller may see."""
        visible = policy.visible_people(self.context["request"].user)
        shown = call_in.invitations.filter(person__in=visible).select_related("person")
        return list(InvitationSerializer(shown, many=True).data)


class ServiceOfferSerializer(serializers.ModelSerializer[ServiceOffer]):
    person = PersonRefSerializer(read_only=True)
    offered_where = serializers.CharField(read_only=True)

    class Meta:
        model = ServiceOffer
        fields = [
            "id",
            "candidate",
            "person",
            "need",
            "description",
            "offered_where",
            "referral",
            "response",
            "offered_at",
            "answered_at",
        ]


class _PersonScoped(viewsets.GenericViewSet[Any]):
    """List what the caller may see; fetch one through the guarded look-up (404)."""

    @staticmethod
    def base() -> QuerySet[Any]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Any]:
        return self.base().filter(person__in=policy.visible_people(self.request.user))

    def get_object(self) -> Any:
        found = selectors.get_visible(self.request.user, self.base(), self.kwargs["pk"])
        self.check_object_permissions(self.request, found)
        return found

    def check_access(self, user: Any, obj: Any, write: bool) -> bool:
        return bool(policy.can_view_person(user, obj.person))


class LetterViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PersonScoped):
    """Letters made for people at a decided tier, with their delivery records."""

    serializer_class = LetterSerializer
    access_capabilities = {
        "list": Cap.IPVI_VIEW,
        "retrieve": Cap.IPVI_VIEW,
        "delivery": Cap.IPVI_NOTIFY,
    }

    @staticmethod
    def base() -> QuerySet[Letter]:
        return (
            Letter.objects.select_related("person", "candidate__tier", "template_version")
            .prefetch_related("deliveries")
            .order_by("-generated_at", "-id")
        )

    @extend_schema(request=DeliveryInputSerializer, responses=LetterSerializer)
    @action(detail=True, methods=["post"])
    def delivery(self, request: Request, pk: str | None = None) -> Response:
        """Record how and by whom the letter was delivered, or why it could not be."""
        letter = self.get_object()
        given = DeliveryInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        try:
            services.record_letter_delivery(
                request.user,
                letter,
                is_delivered=data["is_delivered"],
                occurred_at=data["occurred_at"],
                method=data["method"],
                delivered_by=data["delivered_by"],
                reason=data["reason"],
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        return Response(self.get_serializer(self.get_object()).data)


class CustomNotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PersonScoped):
    """Face-to-face notifications: the team, the attempts, what was said and offered."""

    serializer_class = CustomNotificationSerializer
    access_capabilities = {"list": Cap.IPVI_VIEW, "retrieve": Cap.IPVI_VIEW}

    @staticmethod
    def base() -> QuerySet[CustomNotification]:
        return (
            CustomNotification.objects.select_related("person", "candidate__tier")
            .prefetch_related("team", "attempts")
            .order_by("-scheduled_for", "-id")
        )


class ServiceOfferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, _PersonScoped):
    """Services offered to people who caused harm, and their answers."""

    serializer_class = ServiceOfferSerializer
    access_capabilities = {"list": Cap.IPVI_VIEW, "retrieve": Cap.IPVI_VIEW}

    @staticmethod
    def base() -> QuerySet[ServiceOffer]:
        return ServiceOffer.objects.select_related("person").order_by("-offered_at", "-id")


class CallInViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[CallIn]
):
    """Call-in meetings, their speakers, and the invited people the caller may see."""

    serializer_class = CallInSerializer
    access_capabilities = {"list": Cap.IPVI_VIEW, "retrieve": Cap.IPVI_VIEW}
    queryset = CallIn.objects.prefetch_related("speakers").order_by("-held_at", "-id")

    def check_access(self, user: Any, obj: Any, write: bool) -> bool:
        return True  # a call-in names no one; its invitations are filtered per person


class ReoffenceSerializer(serializers.Serializer[Any]):
    candidate = serializers.IntegerField(source="candidate.pk")
    person = PersonRefSerializer(source="candidate.person")
    report_number = serializers.CharField(source="candidate.incident.report_number")
    incident_date = serializers.DateField(source="candidate.incident_date", allow_null=True)
    proposed_tier = serializers.CharField(source="candidate.proposed_tier.code", allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), source="candidate.reasons")
    notified_on = serializers.DateField(source="notice.on")
    notification_kind = serializers.CharField(source="notice.kind")
    notification_id = serializers.IntegerField(source="notice.pk")


class ReoffenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet[Any]):
    """New DV incidents after a delivered notification, of people the caller may see
    (liaisons: the people assigned to their agency)."""

    serializer_class = ReoffenceSerializer
    access_capabilities = {"list": Cap.IPVI_LIAISON}
    queryset = Candidate.objects.none()  # for the schema: the list is built by the selector

    def get_queryset(self) -> Any:
        return selectors.reoffences(self.request.user)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        record(
            request.user,
            AuditAction.VIEW,
            object_type="ipvi.reoffences",
            summary="Listed IPVI re-offences (API)",
        )
        return response


# --- Charging decisions on re-offences ------------------------------------------------------


class ChargingDecisionSerializer(serializers.ModelSerializer[ChargingDecision]):
    person = PersonRefSerializer(read_only=True)
    report_number = serializers.CharField(source="reoffence.incident.report_number")
    reoffence_date = serializers.DateField(source="reoffence.incident_date", allow_null=True)
    recorded_by = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = ChargingDecision
        fields = [
            "id",
            "reoffence",
            "person",
            "report_number",
            "reoffence_date",
            "version",
            "outcome",
            "charges_filed",
            "decided_on",
            "reasons",
            "correction_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class ChargingDecisionFilterSerializer(serializers.Serializer[Any]):
    reoffence = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="Only this re-offence."
    )


class ChargingDecisionInputSerializer(serializers.Serializer[Any]):
    reoffence = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, help_text="The candidate id of the re-offence."
    )
    outcome = serializers.ChoiceField(choices=ChargingOutcome.choices)
    decided_on = serializers.DateField()
    charges_filed = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
    reasons = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    correction_reason = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        default="",
        help_text="Needed when a decision is already recorded: this one corrects it.",
    )


class ChargingDecisionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[ChargingDecision]
):
    """Prosecutors' charging decisions on re-offences after notification, every version
    (a correction is a new version; nothing is deleted). Read by whoever sees the
    re-offences; recorded by a prosecutor liaison for a person assigned to their office."""

    serializer_class = ChargingDecisionSerializer
    access_capabilities = {
        "list": Cap.IPVI_LIAISON,
        "retrieve": Cap.IPVI_LIAISON,
        "create": Cap.IPVI_CHARGE,
    }

    def get_queryset(self) -> QuerySet[ChargingDecision]:
        found = charging_selectors.visible_decisions(self.request.user)
        if getattr(self, "action", None) == "list":
            given = ChargingDecisionFilterSerializer(data=self.request.query_params)
            given.is_valid(raise_exception=True)
            # An empty `reoffence=` is no filter, as an absent one (DRF drops it).
            if (reoffence := given.validated_data.get("reoffence")) is not None:
                found = found.filter(reoffence_id=reoffence)
        return found

    def get_object(self) -> ChargingDecision:
        found = selectors.get_visible(
            self.request.user,
            charging_selectors.visible_decisions(self.request.user),
            self.kwargs["pk"],
        )
        self.check_object_permissions(self.request, found)
        return found

    def check_access(self, user: Any, obj: Any, write: bool) -> bool:
        return bool(policy.can_view_person(user, obj.person))

    @extend_schema(parameters=[ChargingDecisionFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        record(
            request.user,
            AuditAction.VIEW,
            object_type="ipvi.chargingdecision",
            summary="Listed IPVI charging decisions (API)",
            changes={"reoffence": request.query_params.get("reoffence", "")[:20]},
        )
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        decision = self.get_object()
        record(
            request.user,
            AuditAction.VIEW,
            decision,
            person_id=decision.person_id,
            summary=f"Viewed IPVI charging decision v{decision.version} (API)",
        )
        return Response(self.get_serializer(decision).data)

    @extend_schema(
        request=ChargingDecisionInputSerializer, responses={201: ChargingDecisionSerializer}
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record the decision on a re-offence, or correct the one recorded (with a reason)."""
        given = ChargingDecisionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        reoffence = self._reoffence(request.user, data.pop("reoffence"))
        if not policy.may_record_charging_decision(request.user, reoffence.person):
            record(
                request.user,
                AuditAction.DENIED,
                person_id=reoffence.person_id,
                summary="API: IPVI charging decision outside a prosecutor assignment",
            )
            raise PermissionDenied("Only a prosecutor liaison assigned to this person may.")
        try:
            decision = charging_services.record_charging_decision(request.user, reoffence, **data)
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return Response(self.get_serializer(decision).data, status=201)

    @staticmethod
    def _reoffence(user: Any, pk: int) -> Candidate:
        candidate = selectors.get_visible(user, Candidate.objects.select_related("person"), pk)
        if not any(r.candidate.pk == candidate.pk for r in selectors.reoffences(user)):
            raise NotFound("No re-offence after notification with this id.")
        return candidate
