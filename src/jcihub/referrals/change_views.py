"""Pages for partner-proposed directory changes: propose (partner users, their own
entries), the list of changes, and one change with its decision (directory managers)."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.core.forms import attach_errors

from . import entry_changes
from .forms import (
    ChangeDecisionForm,
    ChangeFilterForm,
    OrganizationChangeForm,
    OrganizationSettingsForm,
    ServiceChangeForm,
)
from .models import EntryChange, Organization, Service

PAGE_SIZE = 25


def _propose(
    request: HttpRequest, entry: Organization | Service, form_class: type[OrganizationChangeForm]
) -> HttpResponse:
    organization = entry.organization if isinstance(entry, Service) else entry
    if not entry_changes.is_partner_of(request.user, organization):
        deny(request.user, "not a partner of this organisation", not_found=True)
    current = entry_changes.current_values(entry)
    form = form_class(request.POST if request.method == "POST" else None, initial=current)
    if form.is_bound and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "note"}
        try:
            change = entry_changes.propose_change(
                request.user, entry, values, form.cleaned_data["note"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Sent for review: the entry changes once approved.")
            return redirect("directory:change", pk=change.pk)
    return render(request, "referrals/change_propose.html", {"entry": entry, "form": form})


@requires(Cap.DIRECTORY_PROPOSE)
def propose_organization(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    organization = Organization.objects.filter(pk=pk).first()
    if organization is None:
        raise Http404
    return _propose(request, organization, OrganizationChangeForm)


@requires(Cap.DIRECTORY_PROPOSE)
def propose_service(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    service = Service.objects.select_related("organization").filter(pk=pk).first()
    if service is None:
        raise Http404
    return _propose(request, service, ServiceChangeForm)


@requires(Cap.DIRECTORY_CHANGES)
@require_GET
def change_list(request: HttpRequest) -> HttpResponse:
    form = ChangeFilterForm(request.GET or None)
    status = form.cleaned_data.get("status") if form.is_bound and form.is_valid() else ""
    changes = entry_changes.visible_changes(request.user)
    if status != "all":
        changes = changes.filter(status=status or EntryChange.Status.PENDING)
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return render(
        request,
        "referrals/change_list.html",
        {"form": form, "page_obj": page, "query_string": f"{encoded}&" if encoded else ""},
    )


@requires(Cap.DIRECTORY_CHANGES)
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    change = entry_changes.change_for_user(request.user, pk)
    may_decide = policy.has_capability(request.user, Cap.DIRECTORY_MANAGE)
    form = ChangeDecisionForm(request.POST if request.method == "POST" and may_decide else None)
    if form.is_bound and form.is_valid():
        try:
            entry_changes.decide_change(
                request.user,
                change,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Change {change.get_status_display().lower()}.")
            return redirect("directory:change", pk=change.pk)
    return render(
        request,
        "referrals/change_detail.html",
        {
            "change": change,
            "form": form,
            "may_decide": may_decide and change.status == EntryChange.Status.PENDING,
        },
    )


@requires(Cap.DIRECTORY_MANAGE)
def organization_settings(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The department's settings for an organisation: its partner team, and whether it is a
    victim service provider."""
    organization = Organization.objects.select_related("team").filter(pk=pk).first()
    if organization is None:
        raise Http404
    form = OrganizationSettingsForm(
        request.POST if request.method == "POST" else None, organization=organization
    )
    if form.is_bound and form.is_valid():
        try:
            protected = entry_changes.set_referral_settings(
                request.user,
                organization,
                team=form.cleaned_data["team"],
                is_victim_service_provider=form.cleaned_data["is_victim_service_provider"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            done = f"Settings of {organization.name} saved."
            if protected:
                done += f" {protected} earlier referrals to it are now victim-services referrals."
            messages.success(request, done)
            return redirect("directory:organization", pk=organization.pk)
    return render(
        request,
        "referrals/organization_settings.html",
        {"organization": organization, "form": form},
    )
