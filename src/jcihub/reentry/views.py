"""Reentry pages: thin — parse input, ask the policy, call a service or selector, render."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import get_person_for_user, requires
from jcihub.access.policy import Cap
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors
from jcihub.core.sensitivity import Sensitivity
from jcihub.insights.survival import SUPPRESSION_NOTE

from . import selectors, services
from .forms import (
    CaseFilterForm,
    CloseForm,
    ContactForm,
    GoalForm,
    MilestoneForm,
    OpenCaseForm,
    PlanReferralForm,
    ReleaseForm,
    ReportForm,
    SafeContactForm,
    TaskForm,
    need_forms,
)
from .models import TASK_TRANSITIONS, Case, Goal, Task

PAGE_SIZE = 25


def _query_string(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@requires(Cap.REENTRY_VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    form = CaseFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    cases = selectors.search_cases(request.user, filters)
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reentry/case_list.html",
        {
            "form": form,
            "page_obj": page,
            "query_string": _query_string(request.GET),
            "overdue_tasks": selectors.overdue_tasks(request.user, timezone.localdate()),
            "can_open": bool(policy.case_kinds_for(request.user)),
            "can_report": policy.has_capability(request.user, Cap.REENTRY_REPORT),
        },
    )


@requires(Cap.REENTRY_CASEWORK)
def case_new(request: HttpRequest) -> HttpResponse:
    kinds = policy.case_kinds_for(request.user)
    initial = {"person": request.GET.get("person", "")[:20], "navigator": request.user.pk}
    form = OpenCaseForm(
        request.POST if request.method == "POST" else None, initial=initial, kinds=kinds
    )
    if form.is_bound and form.is_valid():
        case = _open(request, form)
        if case is not None:
            messages.success(request, f"Opened case {case}.")
            return redirect("reentry:case", pk=case.pk)
    return render(request, "reentry/case_new.html", {"form": form})


def _open(request: HttpRequest, form: OpenCaseForm) -> Case | None:
    data = form.cleaned_data
    try:
        person = get_person_for_user(request.user, data["person"])
    except Http404:
        form.add_error("person", "No person you may see has that record number.")
        return None
    try:
        return services.open_case(
            request.user,
            person,
            kind=data["kind"],
            navigator=data["navigator"],
            planned_release_on=data["planned_release_on"],
            summary=data["summary"],
            safe_contact=data.get("safe_contact", ""),
        )
    except ValidationError as error:
        attach_errors(form, error)
        return None


# The case page's forms, by the action each posts; CASE_FORMS take the case.
ACTIONS: dict[str, type[forms.Form]] = {
    "goal": GoalForm,
    "task": TaskForm,
    "milestone": MilestoneForm,
    "contact": ContactForm,
    "refer": PlanReferralForm,
    "release": ReleaseForm,
    "safe_contact": SafeContactForm,
    "close": CloseForm,
}
CASE_FORMS = frozenset({"goal", "task", "refer"})


def _forms(request: HttpRequest, case: Case, action: str | None) -> dict[str, forms.Form]:
    built = {}
    for name, form_class in ACTIONS.items():
        data = request.POST if name == action else None
        kwargs: dict[str, Any] = {"case": case} if name in CASE_FORMS else {}
        if name == "safe_contact":
            kwargs["initial"] = {"safe_contact": case.safe_contact}
        built[name] = form_class(data, prefix=name, **kwargs)
    return built


def _run(actor: Any, case: Case, action: str, data: dict[str, Any]) -> str:
    """Call the service the action names; the message to show."""
    handlers: dict[str, Callable[[], Any]] = {
        "goal": lambda: services.add_goal(actor, case, data["description"], data["need"]),
        "task": lambda: services.add_task(
            actor, data["goal"], data["description"], data["owner"], data["due_on"]
        ),
        "milestone": lambda: services.record_milestone(
            actor, case, data["kind"], data["reached_on"], data["note"]
        ),
        "contact": lambda: services.record_contact(actor, case, **data),
        "refer": lambda: services.refer_from_plan(
            actor,
            case,
            data["service"],
            need=data["need"],
            goal=data["goal"],
            note=data["note"],
            send=not data["draft"],
        ),
        "release": lambda: services.record_release(actor, case, data["released_on"]),
        "safe_contact": lambda: services.set_safe_contact(actor, case, data["safe_contact"]),
        "close": lambda: services.close_case(actor, case, data["reason"]),
    }
    result = handlers[action]()
    if action == "refer":
        return f"Referral {result.referral.number} {result.referral.get_status_display().lower()}."
    return "Saved."


def _status_change(request: HttpRequest, case: Case) -> None:
    """A task or goal status button."""
    number = request.POST.get("item", "")
    pk = int(number) if number.isdigit() and len(number) <= 9 else 0
    status = request.POST.get("status", "")
    if request.POST.get("action") == "task_status":
        task = get_object_or_404(Task, pk=pk, goal__case=case)
        services.set_task_status(request.user, task, status)
    else:
        goal = get_object_or_404(Goal, pk=pk, case=case)
        services.set_goal_status(request.user, goal, status)


def _post(request: HttpRequest, case: Case, built: dict[str, forms.Form]) -> bool:
    action = request.POST.get("action", "")
    try:
        if action in ("task_status", "goal_status"):
            _status_change(request, case)
            messages.success(request, "Saved.")
            return True
        form = built.get(action)
        if form is not None and form.is_valid():
            messages.success(request, _run(request.user, case, action, form.cleaned_data))
            return True
    except ValidationError as error:
        if action in built:
            attach_errors(built[action], error)
        else:
            messages.error(request, " ".join(error.messages))
    return False


TASK_MOVES = {"done": "Mark done", "cancelled": "Cancel", "open": "Reopen"}


def _task_moves(task: Task) -> list[tuple[str, str]]:
    """The status changes offered for a task: (status, button label)."""
    allowed = TASK_TRANSITIONS[task.status]
    return [(status, label) for status, label in TASK_MOVES.items() if status in allowed]


@requires(Cap.REENTRY_VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_user(request.user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    built = _forms(request, case, action)
    if action and _post(request, case, built):
        return redirect("reentry:case", pk=case.pk)
    shows_locating = selectors.may_see_locating(request.user, case)
    shown = {Sensitivity.GENERAL} | ({Sensitivity.VICTIM_LOCATING} if shows_locating else set())
    access_services.log_person_view(request.user, case.person, shown, via=f"case {case}")
    today = timezone.localdate()
    referrals = list(selectors.plan_referrals(request.user, case))
    goals = [
        (goal, [(task, task.is_overdue(today), _task_moves(task)) for task in goal.tasks.all()])
        for goal in selectors.goals_with_tasks(case)
    ]
    return render(
        request,
        "reentry/case_detail.html",
        {
            "case": case,
            "needs": case.needs.all(),
            "goals": goals,
            "milestones": case.milestones.select_related("recorded_by"),
            "contacts": case.contacts.select_related("recorded_by")[:50],
            "referrals": referrals,
            "referrals_withheld": case.plan_referrals.count() - len(referrals),
            "forms": built,
            "can_work": case.is_open and policy.can_work_case(request.user, case),
            "shows_locating": shows_locating,
            "opens_on": services.earliest_opening(case.planned_release_on)
            if case.planned_release_on
            else None,
        },
    )


@requires(Cap.REENTRY_CASEWORK)
def case_needs(request: HttpRequest, pk: int) -> HttpResponse:
    """The needs assessment: status, priority and notes for each of the nine areas."""
    case = selectors.case_for_user(request.user, pk)
    rows = need_forms(case, request.POST if request.method == "POST" else None)
    if request.method == "POST" and all(form.is_valid() for _, form in rows):
        try:
            for need, form in rows:
                services.assess_need(request.user, need, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Needs assessment saved.")
            return redirect("reentry:case", pk=case.pk)
    access_services.log_person_view(
        request.user, case.person, {Sensitivity.GENERAL}, via=f"case {case} needs"
    )
    return render(request, "reentry/case_needs.html", {"case": case, "rows": rows})


# --- Report ---------------------------------------------------------------------------------

NAVIGATOR_COLUMNS = (
    "navigator",
    "people_served",
    "cases",
    "needs_identified",
    "needs_met",
    "median_days_to_housing",
    "median_days_to_employment",
    "referrals_sent",
    "referrals_completed",
    "referral_completion_percent",
)
ORGANIZATION_COLUMNS = (
    "organization",
    "people_referred",
    "referrals_sent",
    "referrals_accepted",
    "referrals_completed",
    "referral_completion_percent",
)


def _report(request: HttpRequest) -> tuple[ReportForm, dict[str, Any], selectors.Report | None]:
    form = ReportForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if form.is_bound and form.errors:
        return form, filters, None
    report = selectors.reentry_report(
        filters.get("since"), filters.get("until"), filters.get("kind", "")
    )
    return form, filters, report


@requires(Cap.REENTRY_REPORT)
@require_GET
def report(request: HttpRequest) -> HttpResponse:
    form, _, result = _report(request)
    return render(
        request,
        "reentry/report.html",
        {
            "form": form,
            "report": result,
            "query": _query_string(request.GET).rstrip("&"),
            "suppression_note": SUPPRESSION_NOTE,
        },
    )


@requires(Cap.REENTRY_REPORT)
@require_GET
def report_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The report as CSV; `by=organization` for the organisations' table. Counts only."""
    form, filters, result = _report(request)
    if result is None:
        return HttpResponse(
            f"Fix the filters first: {form.errors.as_text()}", status=400, content_type="text/plain"
        )
    by_org = request.GET.get("by") == "organization"
    # The file leaves the department: small cells suppressed, and said so in its last row.
    rows: list[tuple[object, ...]] = [
        r.published() for r in (result.by_organization if by_org else result.by_navigator)
    ]
    described = {k: str(v) for k, v in filters.items() if v not in ("", None)}
    what = "organization" if by_org else "navigator"
    access_services.log_export(request.user, f"reentry.report_by_{what}", len(rows), described)
    return csv_response(
        f"reentry-report-by-{what}.csv",
        ORGANIZATION_COLUMNS if by_org else NAVIGATOR_COLUMNS,
        [*rows, (f"Note: {SUPPRESSION_NOTE}",)],
    )
