"""Taskforce pages: thin — parse input, ask the policy, call a service or selector, render."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.access.services import log_export
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors
from jcihub.incidents.models import Offense

from . import districts, selectors, services
from .forms import (
    ActionItemForm,
    AgencyTeamForm,
    CaseAgenciesForm,
    CloseCaseForm,
    FlagRuleForm,
    NewOffenseCodeForm,
    NoteForm,
    OffenseCategoriesForm,
    OpenCaseForm,
    RankingFilterForm,
)
from .models import ActionItem, Agency, AgencyTeam, FlagRule, OffenseCode, TaskforceCase
from .outcomes import case_outcome

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
    """The stored ranking, narrowed; properties not loaded (see `selectors.load_places`)."""
    ranked = selectors.stored_ranking(
        end,
        beat=filters.get("beat", ""),
        zip_code=filters.get("zip_code", ""),
        category=filters.get("category", ""),
    )
    return selectors.narrow_ranking(
        ranked, district=filters.get("district", ""), review=filters.get("review", "")
    )


@requires(Cap.TASKFORCE_VIEW)
@require_GET
def ranked_properties(request: HttpRequest) -> HttpResponse:
    """Properties over the flag rules' thresholds, each with the rules and incidents."""
    form, filters, end = _ranking(request)
    ranked = [] if form.errors else _ranked(filters, end)
    page = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    selectors.load_places(entries)  # only this page's properties
    entries = [entry for entry in entries if entry.loaded is not None]
    selectors.attach_incidents(entries, filters.get("beat", ""), filters.get("zip_code", ""))
    counts = selectors.property_counts(
        end,
        place_ids=[entry.place_id for entry in entries],
        categories=[selectors.ALL],
        beat=filters.get("beat", ""),
        zip_code=filters.get("zip_code", ""),
    )
    # The open case of each property on the page the user may see: "under review".
    under_review = {
        case.property_id: case
        for case in selectors.open_cases(request.user).filter(
            property_id__in=[entry.place_id for entry in entries]
        )
    }
    rows = [
        (
            entry,
            counts.get(entry.place_id, {}).get(selectors.ALL, selectors.empty_trends())[90],
            under_review.get(entry.place_id),
        )
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
    selectors.load_places(ranked)
    ranked = [entry for entry in ranked if entry.loaded is not None]
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


@requires(Cap.TASKFORCE_RULES)
def flag_rules(request: HttpRequest) -> HttpResponse:
    """The flag rules, active and not, and a form to add one."""
    form = FlagRuleForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            created = services.save_flag_rule(request.user, None, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Added the rule “{created.name}”.")
            return redirect("taskforce:rules")
    return render(request, "taskforce/rules.html", {"rules": FlagRule.objects.all(), "form": form})


@requires(Cap.TASKFORCE_RULES)
def edit_flag_rule(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(FlagRule, pk=pk)
    form = FlagRuleForm(
        request.POST if request.method == "POST" else None,
        initial=FlagRuleForm.initial_for(rule),
    )
    if form.is_bound and form.is_valid():
        try:
            services.save_flag_rule(request.user, rule, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Saved the rule “{rule.name}”.")
            return redirect("taskforce:rules")
    return render(request, "taskforce/rule_edit.html", {"rule": rule, "form": form})


# --- Cases and action items ------------------------------------------------------------


def get_case_for_user(user: Any, pk: int) -> TaskforceCase:
    """The case, if the user may see it; 404 otherwise (audited), so a refusal does not
    reveal that the case exists."""
    case = TaskforceCase.objects.select_related("property", "opened_by").filter(pk=pk).first()
    if case is None:
        raise Http404
    if not policy.can_view_taskforce_case(user, case):
        deny(user, f"taskforce case {pk} not visible to this user", not_found=True)
    return case


def _with_counts(cases: Any, today: dt.date, user: Any) -> Any:
    """Each case's open and overdue items, counting only the items the user may see."""
    agencies = policy.taskforce_agencies(user)
    mine = Q() if agencies is None else Q(items__owner_agency__in=agencies)
    is_open = Q(items__status=ActionItem.Status.OPEN) & mine
    return cases.annotate(
        open_items=Count("items", filter=is_open),
        overdue=Count("items", filter=is_open & Q(items__due_on__lt=today)),
    )


@requires(Cap.TASKFORCE_CASEWORK)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """The coordinator's dashboard (an agency liaison's: their agency's): escalated and
    overdue action items, then the open cases."""
    today = timezone.localdate()
    cases = _with_counts(selectors.open_cases(request.user), today, request.user).order_by(
        "-opened_at", "-id"
    )
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "taskforce/cases.html",
        {
            "page_obj": page,
            "overdue": selectors.overdue_items(today, request.user),
            "escalated": selectors.escalated_items(request.user),
            "today": today,
            "escalate_after": settings.TASKFORCE_ESCALATE_AFTER_DAYS,
            "can_coordinate": policy.has_capability(request.user, Cap.TASKFORCE_COORDINATE),
        },
    )


@requires(Cap.TASKFORCE_CASEWORK)
@require_GET
def my_items(request: HttpRequest) -> HttpResponse:
    """The owner's dashboard: the open items this person owns, overdue ones marked."""
    today = timezone.localdate()
    items = [(item, item.days_overdue(today)) for item in selectors.owned_items(request.user)]
    return render(
        request,
        "taskforce/my_items.html",
        {
            "items": items,
            "overdue_count": sum(1 for _, late in items if late),
            "escalate_after": settings.TASKFORCE_ESCALATE_AFTER_DAYS,
        },
    )


@requires(Cap.TASKFORCE_COORDINATE)
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
                form.cleaned_data["members"],
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Opened {case}.")
            return redirect("taskforce:case", pk=case.pk)
    return render(request, "taskforce/case_new.html", {"form": form})


@dataclass
class CaseForms:
    item: ActionItemForm
    close: CloseCaseForm
    agencies: CaseAgenciesForm
    note: NoteForm

    def target(self, action: str | None) -> Any:
        return {"close": self.close, "agencies": self.agencies, "note": self.note}.get(
            action or "", self.item
        )


COORDINATOR_ACTIONS = frozenset({"item", "close", "agencies"})


def _case_forms(request: HttpRequest, action: str | None) -> CaseForms:
    def bound(name: str) -> Any:
        return request.POST if action == name else None

    return CaseForms(
        item=ActionItemForm(bound("item"), prefix="item"),
        close=CloseCaseForm(bound("close"), prefix="close"),
        agencies=CaseAgenciesForm(bound("agencies"), prefix="agencies"),
        note=NoteForm(bound("note"), request.FILES if action == "note" else None, prefix="note"),
    )


def _run_action(request: HttpRequest, case: TaskforceCase, action: str, forms: CaseForms) -> bool:
    """Do what the sent form asks; True when it was done."""
    user = request.user
    if action in COORDINATOR_ACTIONS and not policy.has_capability(user, Cap.TASKFORCE_COORDINATE):
        deny(user, f"taskforce case {case.pk}: {action} needs {Cap.TASKFORCE_COORDINATE}")
    if action == "item" and forms.item.is_valid():
        data = forms.item.cleaned_data
        services.add_action_item(
            user, case, data["description"], data["owner_agency"], data["due_on"], data["owner"]
        )
        return True
    if action == "close" and forms.close.is_valid():
        services.close_case(user, case, forms.close.cleaned_data["reason"])
        return True
    if action == "agencies" and forms.agencies.is_valid():
        services.add_case_agencies(user, case, forms.agencies.cleaned_data["agencies"])
        return True
    if action == "note" and forms.note.is_valid():
        agency = _acting_agency(user, case)
        data = forms.note.cleaned_data
        services.add_note(user, case, data["text"], data["attachment"], agency)
        return True
    if action == "status":
        item = get_object_or_404(case.items, pk=_number(request.POST.get("item")))
        if not policy.can_update_action_item(user, item):
            deny(user, f"action item {item.pk} is not this user's agency's", not_found=True)
        services.set_item_status(user, item, request.POST.get("status", ""))
        return True
    return False


def _acting_agency(user: Any, case: TaskforceCase) -> str:
    """The agency a liaison writes for on this case (one of theirs that takes part); ""
    for the coordinating roles."""
    agencies = policy.taskforce_agencies(user)
    if not agencies:
        return ""
    members = {case.lead_agency, *case.agencies.values_list("agency", flat=True)}
    return next((a for a in Agency.values if a in agencies & members), "")


MOVE_LABELS = {"done": "Mark done", "cancelled": "Cancel", "open": "Reopen"}


def _moves(item: ActionItem) -> list[tuple[str, str]]:
    """The status changes offered for an item: (status, button label)."""
    allowed = ActionItem.TRANSITIONS.get(item.status, frozenset())
    return [(status, MOVE_LABELS[status]) for status in MOVE_LABELS if status in allowed]


def _number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) <= 9 else 0


@requires(Cap.TASKFORCE_CASEWORK)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = _case_forms(request, action)
    if action:
        try:
            if _run_action(request, case, action, forms):
                messages.success(request, "Saved.")
                return redirect("taskforce:case", pk=case.pk)
        except ValidationError as error:
            attach_errors(forms.target(action), error)
            if action == "status":
                messages.error(request, " ".join(error.messages))
    today = timezone.localdate()
    items = [
        (
            item,
            item.is_overdue(today),
            _moves(item) if policy.can_update_action_item(request.user, item) else [],
        )
        for item in selectors.case_items(request.user, case)
    ]
    return render(
        request,
        "taskforce/case_detail.html",
        {
            "case": case,
            "items": items,
            "forms": forms,
            "agencies": selectors.member_agencies(case),
            "notes": case.notes.select_related("author"),
            "decisions": case.decisions.select_related("meeting"),
            "outcome": case_outcome(case),
            "is_open": case.status == TaskforceCase.Status.OPEN,
            "can_coordinate": policy.has_capability(request.user, Cap.TASKFORCE_COORDINATE),
            "sees_every_item": policy.taskforce_agencies(request.user) is None,
        },
    )


@requires(Cap.TASKFORCE_CASEWORK)
@require_GET
def note_attachment(request: HttpRequest, pk: int, note_pk: int) -> FileResponse:
    """A note's attached file, for those who may see the case; every download audited."""
    case = get_case_for_user(request.user, pk)
    note = get_object_or_404(case.notes.exclude(attachment=""), pk=note_pk)
    try:
        handle = note.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    record(
        request.user,
        AuditAction.VIEW,
        note,
        summary=f"Downloaded {note.attachment_name} from taskforce case {case.pk}"[:300],
    )
    response = FileResponse(
        handle, as_attachment=True, filename=note.attachment_name, content_type=note.attachment_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@requires(Cap.TASKFORCE_MANAGE)
def agency_teams(request: HttpRequest) -> HttpResponse:
    """Which team stands for which agency: their liaisons work that agency's items."""
    form = AgencyTeamForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and request.POST.get("remove"):
        link = get_object_or_404(AgencyTeam, pk=_number(request.POST.get("remove")))
        services.unlink_agency_team(request.user, link)
        messages.success(request, f"Removed {link}.")
        return redirect("taskforce:agencies")
    if form.is_bound and form.is_valid():
        try:
            link = services.link_agency_team(
                request.user, form.cleaned_data["agency"], form.cleaned_data["team"]
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"Linked {link}.")
            return redirect("taskforce:agencies")
    links = AgencyTeam.objects.select_related("team")
    return render(request, "taskforce/agencies.html", {"form": form, "links": links})


MAP_POINTS = 2000  # the map draws at most this many; the table pages through every one


@requires(Cap.TASKFORCE_VIEW)
@require_GET
def flagged_map(request: HttpRequest) -> HttpResponse:
    """Flagged properties on a map, and the same as a table (the accessible equivalent)."""
    form, filters, end = _ranking(request)
    ranked = [] if form.errors else _ranked(filters, end)
    selectors.load_places(ranked)  # the map draws every flagged property
    ranked = [entry for entry in ranked if entry.loaded is not None]
    placed = [e for e in ranked if e.place.latitude is not None and e.place.longitude is not None]
    points = [
        {
            "lat": float(e.place.latitude),
            "lon": float(e.place.longitude),
            "rank": e.rank,
            "rules": e.score[0],
            "label": e.place.full_line,
            "reasons": "; ".join(hit.rule.name for hit in e.hits),
            "url": reverse("places:detail", args=[e.place.pk]),
        }
        for e in placed[:MAP_POINTS]
        if e.place.latitude is not None and e.place.longitude is not None
    ]
    page = Paginator(ranked, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(
        request,
        "taskforce/map.html",
        {
            "form": form,
            "end": end,
            "page_obj": page,
            "map_config": {
                "tiles": settings.TASKFORCE_TILE_URL,
                "attribution": settings.TASKFORCE_TILE_ATTRIBUTION,
                "points": points,
            },
            "placed": len(placed),
            "shown": len(points),
            "unplaced": len(ranked) - len(placed),
            "query_string": _query_string(request.GET),
            "has_districts": districts.available(),
            "has_tiles": bool(settings.TASKFORCE_TILE_URL),
        },
    )
