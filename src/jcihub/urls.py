"""The URL map. Every page view is wrapped by `access.guards.requires` or marked `public`,
every API view runs `access.api.PolicyPermission`; `access/tests/test_url_matrix.py` fails
for any URL that is not guarded or not in its matrix."""

from django.urls import include, path

from jcihub.core.views import healthz

from .api_urls import APIDocs, APISchema, api_patterns

urlpatterns = [
    path("", include("jcihub.core.urls")),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("jcihub.accounts.urls")),
    path("people/", include("jcihub.people.urls")),
    path("audit/", include("jcihub.audit.urls")),
    path("incidents/", include("jcihub.incidents.urls")),
    path("places/", include("jcihub.places.urls")),
    path("directory/", include("jcihub.referrals.urls")),
    path("referrals/", include("jcihub.referrals.referral_urls")),
    path("taskforce/", include("jcihub.taskforce.urls")),
    path("ipvi/victims/", include("jcihub.ipvi.victim_urls")),
    path("ipvi/", include("jcihub.ipvi.urls")),
    path("funds/", include("jcihub.funds.urls")),
    path("insights/", include("jcihub.insights.urls")),
    path("programs/", include("jcihub.programs.urls")),
    path("api/v1/", include(api_patterns)),
    path("api/schema/", APISchema.as_view(), name="api-schema"),
    path("api/docs/", APIDocs.as_view(url_name="api-schema"), name="api-docs"),
]
