"""Directory pages: search services, and an organisation's and a service's page."""

import uuid

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import requires
from jcihub.access.policy import Cap

from .entry_changes import is_partner_of
from .forms import DirectorySearchForm
from .geo import miles
from .models import Organization, Service
from .selectors import organization_for_page, search_services, service_for_page, with_summary

PAGE_SIZE = 25


@requires(Cap.DIRECTORY_VIEW)
@require_GET
def directory_search(request: HttpRequest) -> HttpResponse:
    form = DirectorySearchForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    services = search_services(form.cleaned_data if form.is_bound else {}) if valid else None
    page = Paginator(
        with_summary(services) if services is not None else Service.objects.none(), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    by_distance = bool(valid and form.is_bound and form.cleaned_data.get("near_point"))
    for service in page.object_list if by_distance else ():
        service.distance_miles = miles(service.distance2)
    return render(
        request,
        "referrals/search.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": f"{encoded}&" if encoded else "",
            "by_distance": by_distance,
        },
    )


@requires(Cap.DIRECTORY_VIEW)
@require_GET
def organization_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        organization = organization_for_page(pk)
    except Organization.DoesNotExist:
        raise Http404 from None
    services = with_summary(organization.services.order_by("name", "id"))
    page = Paginator(services, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/organization.html",
        {
            "organization": organization,
            "page_obj": page,
            "query_string": "",
            "can_propose": is_partner_of(request.user, organization),
            "can_manage": policy.has_capability(request.user, Cap.DIRECTORY_MANAGE),
        },
    )


@requires(Cap.DIRECTORY_VIEW)
@require_GET
def service_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    try:
        service = service_for_page(pk)
    except Service.DoesNotExist:
        raise Http404 from None
    can_refer = (
        policy.has_capability(request.user, Cap.REFERRALS_SEND)
        and service.status == Service.Status.ACTIVE
        and service.organization.team_id is not None
    )
    return render(
        request,
        "referrals/service.html",
        {
            "service": service,
            "can_refer": can_refer,
            "can_propose": is_partner_of(request.user, service.organization),
        },
    )
