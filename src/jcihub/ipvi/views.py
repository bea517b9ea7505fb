"""IPVI pages: the candidate queue, one candidate with its proposal, and the ladder."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.core.forms import attach_errors
from jcihub.core.sensitivity import Sensitivity
from jcihub.incidents.models import Incident
from jcihub.people import selectors as people_selectors
from jcihub.people.models import REVIEW_STATUSES, MatchCandidate, Person

from . import services
from .forms import DecisionForm, QueueFilterForm
from .models import Candidate, Tier

PAGE_SIZE = 25
Status = Candidate.Status


def _visible(user: Any) -> Any:
    """Candidates whose person the user may see: the queue never shows anyone else."""
    return Candidate.objects.filter(person__in=policy.visible_people(user, Person.objects.all()))


@requires(Cap.IPVI_VIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    candidates = _visible(request.user).select_related(
        "person", "incident", "proposed_tier", "tier"
    )
    status = data.get("status") or Status.PENDING
    candidates = candidates.filter(status=status)
    if data.get("tier"):
        candidates = candidates.filter(proposed_tier=data["tier"])
    page = Paginator(candidates.order_by("-incident_date", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return render(
        request,
        "ipvi/queue.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": f"{encoded}&" if encoded else "",
            "waiting": _visible(request.user).filter(status=Status.PENDING).count(),
            "can_rebuild": policy.has_capability(request.user, Cap.IPVI_DECIDE),
        },
    )


@requires(Cap.IPVI_DECIDE)
@require_POST
def rebuild(request: HttpRequest) -> HttpResponse:
    try:
        summary = services.rebuild_queue(request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Queue rebuilt: {summary.created} new, {summary.updated} updated, "
            f"{summary.withdrawn} withdrawn, {summary.decided_kept} decided kept as they were.",
        )
    return redirect("ipvi:queue")


@requires(Cap.IPVI_VIEW)
@require_http_methods(["GET", "POST"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        Candidate.objects.select_related(
            "person", "incident", "proposed_tier", "tier", "decided_by"
        ),
        pk=pk,
    )
    user = request.user
    if not policy.can_view_person(user, candidate.person):
        deny(user, "IPVI candidate of a person not visible to this user", not_found=True)
    can_decide = policy.has_capability(user, Cap.IPVI_DECIDE) and candidate.status == Status.PENDING
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"tier": candidate.proposed_tier_id},
    )
    if request.method == "POST":
        if not can_decide:
            deny(user, "IPVI decision without the capability, or on a decided candidate")
        if form.is_valid():
            try:
                services.decide(
                    user, candidate, form.cleaned_data["tier"], form.cleaned_data["reason"]
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, f"Tier {form.cleaned_data['tier'].code} recorded.")
                return redirect("ipvi:candidate", pk=candidate.pk)
    identity = [
        candidate.person,
        *(r.other for r in people_selectors.linked_records(user, candidate.person) if r.can_open),
    ]
    identity_ids = [p.pk for p in identity]
    priors = Incident.objects.filter(pk__in=candidate.prior_incident_ids).order_by("reported_date")
    access_services.log_person_view(
        user,
        candidate.person,
        {Sensitivity.GENERAL, Sensitivity.CRIMINAL_HISTORY},
        via="IPVI candidate",
    )
    return render(
        request,
        "ipvi/candidate.html",
        {
            "candidate": candidate,
            "priors": priors,
            "history": services.person_tier_history(identity_ids).exclude(pk=candidate.pk),
            "identity_under_review": MatchCandidate.objects.filter(
                Q(person_a__in=identity_ids) | Q(person_b__in=identity_ids),
                status__in=REVIEW_STATUSES,
            ).exists(),
            "form": form,
            "can_decide": can_decide,
            "can_view_incidents": policy.has_capability(user, Cap.INCIDENTS_VIEW),
        },
    )


@requires(Cap.IPVI_VIEW)
@require_GET
def ladder(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "ipvi/ladder.html",
        {
            "tiers": Tier.objects.order_by("level"),
            "can_configure": policy.has_capability(request.user, Cap.IPVI_CONFIGURE),
        },
    )
