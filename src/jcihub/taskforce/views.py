"""Taskforce pages: thin — parse input, ask the policy, call a service or selector, render."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import requires
from jcihub.access.policy import Cap
from jcihub.access.services import log_export
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors
from jcihub.incidents.models import Offense

from . import selectors, services
from .forms import (
    ActionItemForm,
    CloseCaseForm,
    NewOffenseCodeForm,
    OffenseCategoriesForm,
    OpenCaseForm,
    RankingFilterForm,
)
from .models import ActionItem, OffenseCode, TaskforceCase

PAGE_SIZE = 25
UNMAPPED_SHOWN = 50
EXPORT_COLUMNS = (
    "rank",
    "property",
    "address",
    "city",
    "zip_code",
    "rules_met",
    "incidents_counted",
    "reasons",
)


def _query_string(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


def _ranking(request: HttpRequest) -> tuple[RankingFilterForm, dict[str, Any], dt.date]:
    form = RankingFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    end = filters.get("end") or selectors.default_end()
    return form, filters, end


def _ranked(filters: dict[str, Any], end: dt.date) -> list[selectors.RankedProperty]:
    return selectors.rank_problem_properties(
        end,
        beat=filters.get("beat", ""),
        zip_code=filters.get("zip_code", ""),
        category=filters.get("category", ""),
    )


@requires(Cap.TASKFORCE_VIEW)
@require_GET
def ranked_properties(request: HttpRequest) -> HttpResponse:
    """Properties over the flag rules' thresholds, each with the rules and incidents."""
    form, filters, end = _ranking(request)
    ranked = [] if form.errors else _ranked(filters, end)
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    selectors.attach_incidents(entries, filters.get("beat", ""), filters.get("zip_code", ""))
    counts = selectors.property_counts(
        end,
        place_ids=[entry.place.pk for entry in entries],
        incidents=selectors.located_incidents(filters.get("beat", ""), filters.get("zip_code", "")),
        categories=[selectors.ALL],
    )
    rows = [
        (entry, counts.get(entry.place.pk, {}).get(selectors.ALL, selectors.empty_trends())[90])
        for entry in entries
    ]
    encoded = _query_string(request.GET)
    return render(
        request,
        "taskforce/properties.html",
        {
            "form": form,
            "end": end,
            "page_obj": page,
            "rows": rows,
            "rules": selectors.active_rules(filters.get("category", "")),
            "query_string": encoded,
            "export_query": encoded.rstrip("&"),
            "can_export": policy.has_capability(request.user, Cap.TASKFORCE_EXPORT),
            "can_open_incidents": policy.has_capability(request.user, Cap.INCIDENTS_VIEW),
            "can_open_cases": policy.has_capability(request.user, Cap.TASKFORCE_CASEWORK),
        },
    )


@requires(Cap.TASKFORCE_EXPORT)
@require_GET
def ranked_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The ranked list as CSV: properties, rules met and counts; no people."""
    form, filters, end = _ranking(request)
    if form.errors:
        return HttpResponse(
            f"Fix the filters first: {form.errors.as_text()}",
            status=400,
            content_type="text/plain",
        )
    ranked = _ranked(filters, end)
    described = {k: str(v) for k, v in filters.items() if v not in ("", None)}
    log_export(request.user, "taskforce.ranked_property", len(ranked), {**described, "end": end})
    return csv_response(
        f"problem-properties-{end:%Y-%m-%d}.csv",
        EXPORT_COLUMNS,
        (
            (
                entry.rank,
                entry.place.record_number,
                entry.place.full_line,
                entry.place.city,
                entry.place.zip5,
                entry.score[0],
                entry.score[1],
                "; ".join(hit.reason for hit in entry.hits),
            )
            for entry in ranked
        ),
    )


@requires(Cap.TASKFORCE_MANAGE)
def offense_categories(request: HttpRequest) -> HttpResponse:
    """The editable table of offense codes and their categories; a form to add a code."""
    form = NewOffenseCodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            created = services.add_offense_code(
                request.user,
                form.cleaned_data["code"],
                form.cleaned_data["label"],
                form.cleaned_data["categories"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Added offense code {created.code}.")
            return redirect("taskforce:categories")
    known = OffenseCode.objects.values_list("code", flat=True)
    unmapped = (
        Offense.objects.exclude(ibrs="")
        .exclude(ibrs__in=known)
        .values_list("ibrs", flat=True)
        .distinct()
        .order_by("ibrs")[:UNMAPPED_SHOWN]
    )
    return render(
        request,
        "taskforce/categories.html",
        {"codes": OffenseCode.objects.all(), "unmapped": list(unmapped), "form": form},
    )


@requires(Cap.TASKFORCE_MANAGE)
def edit_offense_code(request: HttpRequest, pk: int) -> HttpResponse:
    code = get_object_or_404(OffenseCode, pk=pk)
    initial = {"label": code.label, "categories": code.categories}
    form = OffenseCategoriesForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if form.is_bound and form.is_valid():
        try:
            services.set_offense_categories(
                request.user, code, form.cleaned_data["label"], form.cleaned_data["categories"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Saved offense code {code.code}.")
            return redirect("taskforce:categories")
    return render(request, "taskforce/category_edit.html", {"code": code, "form": form})


# --- Cases and action items ------------------------------------------------------------


@requires(Cap.TASKFORCE_CASEWORK)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """Open cases, and every overdue action item on them."""
    today = timezone.localdate()
    cases = (
        selectors.open_cases()
        .order_by("-opened_at", "-id")
        .annotate(
            open_items=Count("items", filter=Q(items__status=ActionItem.Status.OPEN)),
            overdue=Count(
                "items", filter=Q(items__status=ActionItem.Status.OPEN, items__due_on__lt=today)
            ),
        )
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "taskforce/cases.html",
        {"page_obj": page, "overdue": selectors.overdue_items(today), "today": today},
    )


@requires(Cap.TASKFORCE_CASEWORK)
def case_new(request: HttpRequest) -> HttpResponse:
    initial = {"property": request.GET.get("property", "")[:12]}
    form = OpenCaseForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_bound and form.is_valid():
        try:
            case = services.open_case(
                request.user,
                form.cleaned_data["property"],
                form.cleaned_data["lead_agency"],
                form.cleaned_data["summary"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Opened {case}.")
            return redirect("taskforce:case", pk=case.pk)
    return render(request, "taskforce/case_new.html", {"form": form})


def _case_action(request: HttpRequest, case: TaskforceCase) -> tuple[Any, Any, bool]:
    """Run the action the page's form sent; (item form, close form, whether it was done)."""
    action = request.POST.get("action") if request.method == "POST" else None
    item_form = ActionItemForm(request.POST if action == "item" else None, prefix="item")
    close_form = CloseCaseForm(request.POST if action == "close" else None, prefix="close")
    try:
        if action == "item" and item_form.is_valid():
            data = item_form.cleaned_data
            services.add_action_item(
                request.user,
                case,
                data["description"],
                data["owner_agency"],
                data["due_on"],
                data["owner"],
            )
            return item_form, close_form, True
        if action == "close" and close_form.is_valid():
            services.close_case(request.user, case, close_form.cleaned_data["reason"])
            return item_form, close_form, True
        if action == "status":
            item = get_object_or_404(case.items, pk=_number(request.POST.get("item")))
            services.set_item_status(request.user, item, request.POST.get("status", ""))
            return item_form, close_form, True
    except ValidationError as error:
        target = close_form if action == "close" else item_form
        attach_errors(target, error)
        if action == "status":
            messages.error(request, " ".join(error.messages))
    return item_form, close_form, False


MOVE_LABELS = {"done": "Mark done", "cancelled": "Cancel", "open": "Reopen"}


def _moves(item: ActionItem) -> list[tuple[str, str]]:
    """The status changes offered for an item: (status, button label)."""
    allowed = ActionItem.TRANSITIONS.get(item.status, frozenset())
    return [(status, MOVE_LABELS[status]) for status in MOVE_LABELS if status in allowed]


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 9 else 0


@requires(Cap.TASKFORCE_CASEWORK)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_object_or_404(TaskforceCase.objects.select_related("property", "opened_by"), pk=pk)
    item_form, close_form, done = _case_action(request, case)
    if done:
        messages.success(request, "Saved.")
        return redirect("taskforce:case", pk=case.pk)
    today = timezone.localdate()
    items = [
        (item, item.is_overdue(today), _moves(item)) for item in case.items.select_related("owner")
    ]
    return render(
        request,
        "taskforce/case_detail.html",
        {
            "case": case,
            "items": items,
            "item_form": item_form,
            "close_form": close_form,
            "is_open": case.status == TaskforceCase.Status.OPEN,
        },
    )
