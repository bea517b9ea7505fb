"""The REST API under /api/v1/: one router, every viewset guarded by `access.api`."""

from rest_framework.routers import APIRootView, DefaultRouter

from jcihub.audit.api import AuditEntryViewSet
from jcihub.people.api import PersonViewSet


class APIRoot(APIRootView):
    """JCI Hub API, version 1. Every endpoint applies the department's access policy."""

    access_capabilities = {"*": "signed_in"}


router = DefaultRouter()
router.APIRootView = APIRoot
router.register("people", PersonViewSet, basename="person")
router.register("audit-entries", AuditEntryViewSet, basename="auditentry")

api_patterns = router.urls
