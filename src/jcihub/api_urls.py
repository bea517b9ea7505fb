"""The REST API under /api/v1/: one router, every viewset guarded by `access.api`."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import APIRootView, DefaultRouter

from jcihub.access.api import PolicyPermission
from jcihub.audit.api import AuditEntryViewSet
from jcihub.incidents.api import IncidentViewSet
from jcihub.ipvi.api import (
    CallInViewSet,
    ChargingDecisionViewSet,
    CustomNotificationViewSet,
    LetterViewSet,
    ReoffenceViewSet,
    ServiceOfferViewSet,
)
from jcihub.people.api import PersonViewSet
from jcihub.places.api import PropertyViewSet
from jcihub.programs.api import AssessmentViewSet, InstrumentViewSet
from jcihub.reentry.api import CaseViewSet
from jcihub.referrals.api import (
    OrganizationViewSet,
    ReferralViewSet,
    ServiceViewSet,
    TaxonomyTermViewSet,
)


class APIRoot(APIRootView):
    """JCI Hub API, version 1. Every endpoint applies the department's access policy."""

    access_capabilities = {"*": "signed_in"}


class APISchema(SpectacularAPIView):
    """The OpenAPI schema. It describes endpoints, never records: any signed-in user."""

    permission_classes = [PolicyPermission]
    access_capabilities = {"*": "signed_in"}


class APIDocs(SpectacularSwaggerSplitView):
    """Interactive API documentation (Swagger UI, served locally)."""

    permission_classes = [PolicyPermission]
    access_capabilities = {"*": "signed_in"}


router = DefaultRouter()
router.APIRootView = APIRoot
router.register("people", PersonViewSet, basename="person")
router.register("audit-entries", AuditEntryViewSet, basename="auditentry")
router.register("incidents", IncidentViewSet, basename="incident")
router.register("properties", PropertyViewSet, basename="property")
router.register("directory/services", ServiceViewSet, basename="hsds-service")
router.register("directory/organizations", OrganizationViewSet, basename="hsds-organization")
router.register("directory/taxonomy_terms", TaxonomyTermViewSet, basename="hsds-taxonomy-term")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("assessments", AssessmentViewSet, basename="assessment")
router.register("reentry/cases", CaseViewSet, basename="reentry-case")
router.register("ipvi/letters", LetterViewSet, basename="ipvi-letter")
router.register("ipvi/notifications", CustomNotificationViewSet, basename="ipvi-notification")
router.register("ipvi/call-ins", CallInViewSet, basename="ipvi-call-in")
router.register("ipvi/services", ServiceOfferViewSet, basename="ipvi-service")
router.register("ipvi/reoffences", ReoffenceViewSet, basename="ipvi-reoffence")
router.register(
    "ipvi/charging-decisions", ChargingDecisionViewSet, basename="ipvi-charging-decision"
)

api_patterns = router.urls
