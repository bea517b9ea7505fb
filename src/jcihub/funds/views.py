"""Spending against each authorisation: the ledger, a new expenditure, a void, the CSV."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jcihub.access import policy
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors

from . import services
from .forms import ExpenditureForm, VoidForm
from .models import Authorisation, Expenditure

PAGE_SIZE = 50


@requires(Cap.FUNDS_VIEW)
@require_GET
def authorisations(request: HttpRequest) -> HttpResponse:
    rows = Authorisation.objects.select_related("fund").order_by("fund__account", "ordinance")
    return render(request, "funds/authorisations.html", {"authorisations": rows})


@requires(Cap.FUNDS_VIEW)
@require_http_methods(["GET", "POST"])
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    authorisation = get_object_or_404(Authorisation.objects.select_related("fund"), pk=pk)
    can_manage = policy.has_capability(request.user, Cap.FUNDS_MANAGE)
    form = ExpenditureForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_manage:
            deny(request.user, f"lacks {Cap.FUNDS_MANAGE}")
        if form.is_valid():
            try:
                services.record_expenditure(request.user, authorisation, **form.cleaned_data)
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, "Expenditure recorded.")
                return redirect("funds:ledger", pk=authorisation.pk)
    spending = authorisation.expenditures.select_related("recorded_by", "voided_by")
    page = Paginator(spending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funds/ledger.html",
        {
            "authorisation": authorisation,
            "page_obj": page,
            "query_string": "",
            "form": form,
            "can_manage": can_manage,
            "void_form": VoidForm(),
        },
    )


@requires(Cap.FUNDS_MANAGE)
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    expenditure = get_object_or_404(Expenditure, pk=pk)
    form = VoidForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why this expenditure is voided.")
        services.void_expenditure(request.user, expenditure, form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Expenditure voided; it stays in the ledger, struck out.")
    return redirect("funds:ledger", pk=expenditure.authorisation_id)


@requires(Cap.FUNDS_VIEW)
@require_GET
def export(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    authorisation = get_object_or_404(Authorisation.objects.select_related("fund"), pk=pk)
    record(
        request.user,
        AuditAction.EXPORT,
        authorisation,
        summary=f"Spending ledger of {authorisation.ordinance} exported as CSV",
    )
    rows = (
        (
            e.spent_on.isoformat(),
            f"{e.amount:.2f}",
            e.payee,
            e.get_category_display(),
            e.description,
            e.reference,
            "voided" if e.voided_at else "",
            e.void_reason,
        )
        for e in authorisation.expenditures.order_by("spent_on", "id").iterator()
    )
    return csv_response(
        f"spending-{authorisation.fund.account}-{authorisation.pk}.csv",
        ["date", "amount", "payee", "category", "description", "reference", "status", "why voided"],
        rows,
    )
