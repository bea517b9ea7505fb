"""Import runs: what each file brought in, and every row that did not load, with why."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.access.services import log_export, log_person_view
from jcihub.core.exports import csv_response
from jcihub.core.sensitivity import Sensitivity
from jcihub.places.models import Property

from .forms import IncidentFilterForm
from .models import ImportRun, Incident, RejectedRow
from .selectors import search_incidents

REJECTED_COLUMNS = ("line_number", "reason", "raw")
EXPORT_COLUMNS = (
    "report_number",
    "reported_date",
    "reported_time",
    "from_date",
    "to_date",
    "beat",
    "reporting_district",
    "area",
    "address",
    "city",
    "zip_code",
    "latitude",
    "longitude",
    "is_domestic_violence",
    "firearm_used",
)


def _filters(request: HttpRequest) -> tuple[IncidentFilterForm, dict[str, object]]:
    form = IncidentFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_bound and form.is_valid() else {})


@requires(Cap.INCIDENTS_VIEW)
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    incidents = search_incidents(filters) if not form.errors else Incident.objects.none()
    page = Paginator(incidents, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return render(
        request,
        "incidents/list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": f"{encoded}&" if encoded else "",
            "export_query": encoded,
            "can_export": policy.has_capability(request.user, Cap.INCIDENTS_EXPORT),
            "place": filters.get("property"),
        },
    )


@requires(Cap.INCIDENTS_VIEW)
@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(Incident.objects.select_related("raw_address__property"), pk=pk)
    raw_address = incident.raw_address
    parties = []
    for party in incident.parties.select_related("person").order_by("party_key"):
        person = party.person
        # Who the party is, is criminal-justice information about that person.
        shown = person is not None and Sensitivity.CRIMINAL_HISTORY in (
            policy.visible_sensitivities(request.user, person)
        )
        if shown:
            log_person_view(
                request.user, person, {Sensitivity.CRIMINAL_HISTORY}, via="incident page"
            )
        parties.append((party, person if shown else None, person is not None and not shown))
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "offenses": incident.offenses.all(),
            "parties": parties,
            "place": raw_address.property if raw_address else None,
            "can_open_places": policy.has_capability(request.user, Cap.PLACES_VIEW),
        },
    )


@requires(Cap.INCIDENTS_EXPORT)
@require_GET
def incident_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The incidents the search shows, without the people in them."""
    form, filters = _filters(request)
    if form.errors:
        return HttpResponse(
            f"Fix the search first: {form.errors.as_text()}", status=400, content_type="text/plain"
        )
    incidents = search_incidents(filters)
    log_export(
        request.user,
        "incidents.incident",
        incidents.count(),
        {k: _described(v) for k, v in filters.items() if v not in ("", None)},
    )
    return csv_response(
        "incidents.csv",
        EXPORT_COLUMNS,
        incidents.prefetch_related(None).values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000),
    )


def _described(value: object) -> str:
    """A filter as the audit entry records it: a property by its number and line."""
    if isinstance(value, Property):
        return f"{value.record_number} {value.full_line}"
    return str(value)


@requires(Cap.IMPORTS_VIEW)
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    runs = ImportRun.objects.select_related("started_by")
    status = request.GET.get("status", "")
    if status in ImportRun.Status.values:
        runs = runs.filter(status=status)
    page = Paginator(runs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/run_list.html",
        {
            "page_obj": page,
            "status": status,
            "statuses": ImportRun.Status.choices,
            "query_string": f"status={status}&" if status else "",
        },
    )


@requires(Cap.IMPORTS_VIEW)
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun, pk=pk)
    rejected = RejectedRow.objects.filter(run=run)
    page = Paginator(rejected, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/run_detail.html",
        {
            "run": run,
            "page_obj": page,
            "can_see_rows": policy.has_capability(request.user, Cap.IMPORTS_MANAGE),
        },
    )


@requires(Cap.IMPORTS_MANAGE)
@require_GET
def rejected_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """The rejected rows of one run, to fix and send again."""
    run = get_object_or_404(ImportRun, pk=pk)
    rows = RejectedRow.objects.filter(run=run)
    log_export(request.user, "incidents.rejectedrow", rows.count(), {"run": run.pk})
    return csv_response(
        f"import-{run.pk}-rejected-rows.csv",
        REJECTED_COLUMNS,
        rows.values_list(*REJECTED_COLUMNS).iterator(chunk_size=2000),
    )
