"""The URL map. Every view is wrapped by `access.guards.requires` or marked `public`;
`access/tests/test_url_matrix.py` fails for any URL that is not in its matrix."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from jcihub.core.views import healthz

from .api_urls import api_patterns

urlpatterns = [
    path("", include("jcihub.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("jcihub.accounts.urls")),
    path("people/", include("jcihub.people.urls")),
    path("audit/", include("jcihub.audit.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
