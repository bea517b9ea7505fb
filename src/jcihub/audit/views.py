from dataclasses import asdict

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.access.services import log_export
from jcihub.core.exports import csv_response

from .forms import AuditFilterForm
from .selectors import search_entries

EXPORT_COLUMNS = (
    "id",
    "occurred_at",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "summary",
    "reason",
    "ip_address",
    "path",
    "entry_hash",
)


@requires(Cap.AUDIT_VIEW)
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    entries = search_entries(form.to_filter() if request.GET else AuditFilterForm({}).to_filter())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": f"{encoded}&" if encoded else "",
            "export_query": encoded,
        },
    )


@requires(Cap.AUDIT_VIEW)
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    form = AuditFilterForm(request.GET or {})
    audit_filter = form.to_filter()
    entries = search_entries(audit_filter)
    log_export(
        request.user,
        "audit.auditentry",
        entries.count(),
        {k: v for k, v in asdict(audit_filter).items() if v not in ("", None)},
    )
    return csv_response(
        "audit-trail.csv",
        EXPORT_COLUMNS,
        entries.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000),
    )
