from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import public, requires


@requires()
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "core/home.html",
        {
            "can_search": policy.has_capability(user, policy.Cap.PEOPLE_SEARCH),
            "can_create": policy.has_capability(user, policy.Cap.PEOPLE_CREATE),
            "can_audit": policy.has_capability(user, policy.Cap.AUDIT_VIEW),
            "can_manage_accounts": policy.has_capability(user, policy.Cap.ACCOUNTS_MANAGE),
        },
    )


@public
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for the load balancer; reveals nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
