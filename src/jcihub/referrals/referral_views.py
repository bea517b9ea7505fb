"""Referral pages: the list (staff's referrals, or a partner's incoming ones), making a
referral, a referral's page with its history and actions, the CSV export and the report.

Thin: parse input, ask the policy, call a service or selector, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import get_person_for_user, requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.exports import csv_response
from jcihub.core.forms import attach_errors
from jcihub.core.sensitivity import Sensitivity
from jcihub.insights.survival import SUPPRESSION_NOTE

from . import selectors, services
from .forms import (
    FOLLOW_UP_DONE,
    NOTE_ONLY,
    SERVICE_DELIVERED,
    ReferralFilterForm,
    ReferralSendForm,
    ReferralStartForm,
    ReferralUpdateForm,
    ReportForm,
)
from .models import Organization, Referral, ReferralNote, ReferralStatus, Side

PAGE_SIZE = 25


def _organizations_for(user: Any) -> QuerySet[Organization]:
    """The organisations a user may filter by: their own (partner), else those on the portal."""
    organizations = Organization.objects.filter(team__isnull=False)
    if policy.has_capability(user, Cap.REFERRALS_RESPOND):
        organizations = organizations.filter(team__in=user.teams.all())
    return organizations.order_by("name", "id")


def _query_string(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return f"{encoded}&" if encoded else ""


@requires(Cap.REFERRALS_VIEW)
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    is_partner = policy.has_capability(user, Cap.REFERRALS_RESPOND)
    form = ReferralFilterForm(
        request.GET or None, organizations=_organizations_for(user), for_partner=is_partner
    )
    valid = not form.is_bound or form.is_valid()
    referrals = selectors.search_referrals(user, form.cleaned_data if form.is_bound else {})
    page = Paginator(referrals if valid else referrals.none(), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    shares = selectors.shared_categories(page.object_list) if is_partner else {}
    rows = [
        {"referral": r, "shows_person": not is_partner or "general" in shares.get(r.pk, ())}
        for r in page.object_list
    ]
    return render(
        request,
        "referrals/referral_list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": rows,
            "is_partner": is_partner,
            "query_string": _query_string(request),
            "can_export": policy.has_capability(user, Cap.REFERRALS_EXPORT),
            "can_report": policy.has_capability(user, Cap.REFERRALS_REPORT),
            "answer_hours": settings.REFERRAL_ANSWER_HOURS,
            "start_days": settings.REFERRAL_START_DAYS,
            # The sender's alerts: their referrals that nobody has answered in time, and
            # those accepted whose service has not started in time.
            **_my_overdue(user, is_partner),
        },
    )


def _my_overdue(user: Any, is_partner: bool) -> dict[str, int]:
    if is_partner:
        return {"my_overdue": 0, "my_not_started": 0, "my_follow_ups_due": 0}
    mine = selectors.search_referrals(user, {"overdue": True, "mine": True})
    return {
        "my_overdue": mine.filter(status=ReferralStatus.SENT).count(),
        "my_not_started": mine.filter(status=ReferralStatus.ACCEPTED).count(),
        "my_follow_ups_due": selectors.search_referrals(
            user, {"follow_up_due": True, "mine": True}
        ).count(),
    }


EXPORT_COLUMNS = (
    "referral",
    "person_record",
    "organization",
    "service",
    "need",
    "status",
    "created_at",
    "sent_at",
    "answered_at",
    "service_started_at",
    "closed_at",
    "overdue",
)


@requires(Cap.REFERRALS_EXPORT)
@require_GET
def referral_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The referrals the list shows, by record number (no names or details)."""
    form = ReferralFilterForm(request.GET or None, organizations=_organizations_for(request.user))
    if form.is_bound and not form.is_valid():
        return HttpResponse(
            f"Fix the filter first: {form.errors.as_text()}", status=400, content_type="text/plain"
        )
    filters = form.cleaned_data if form.is_bound else {}
    referrals = selectors.search_referrals(request.user, filters)
    access_services.log_export(
        request.user,
        "referrals.referral",
        referrals.count(),
        {k: str(v) for k, v in filters.items() if v not in ("", None, False)},
    )
    rows = (
        (
            f"R{r.pk:07d}",
            f"P{r.person_id:07d}",
            r.organization.name,
            r.service.name,
            r.need.name if r.need else "",
            r.get_status_display(),
            r.created_at.isoformat(),
            *(
                value.isoformat() if value else ""
                for value in (r.sent_at, r.answered_at, r.service_started_at, r.closed_at)
            ),
            "yes" if r.is_overdue else "no",  # type: ignore[attr-defined]
        )
        for r in referrals.iterator(chunk_size=2000)
    )
    return csv_response("referrals.csv", EXPORT_COLUMNS, rows)


@requires(Cap.REFERRALS_SEND)
def referral_create(request: HttpRequest) -> HttpResponse:
    """Step one picks the person and the service; step two shows exactly what will be
    shared, then saves a draft or sends."""
    start = ReferralStartForm(request.GET or None)
    context: dict[str, Any] = {"start": start}
    if not start.is_bound or not start.is_valid():
        return render(request, "referrals/referral_create.html", context)
    try:
        person = get_person_for_user(request.user, start.cleaned_data["person"])
    except Http404:
        start.add_error("person", "No one you may refer has this record number.")
        return render(request, "referrals/referral_create.html", context)
    service = start.cleaned_data["service"]
    try:
        services.check_service_takes_referrals(service)
    except ValidationError as error:
        start.add_error("service", error.messages)
        return render(request, "referrals/referral_create.html", context)
    form = ReferralSendForm(request.POST or None, service=service)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.create_referral(
                request.user,
                person,
                service,
                need=form.cleaned_data["need"],
                note=form.cleaned_data["note"],
                send=request.POST.get("send") == "1",
            )
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(
                request, f"Referral {referral.number} {referral.get_status_display().lower()}."
            )
            return redirect("referrals:detail", pk=referral.pk)
    note = form.cleaned_data.get("note", "") if form.is_bound and form.is_valid() else ""
    sharing = selectors.shared_details(person, service.organization.team_id, note)
    shown, withheld = selectors.shown_to(request.user, person, sharing)
    access_services.log_person_view(
        request.user, person, {i.sensitivity for i in shown}, via="referral preview"
    )
    context.update(
        person=person,
        service=service,
        form=form,
        sharing=sharing,
        shown=shown,
        withheld=withheld,
        shares_note=Sensitivity.GENERAL in sharing.categories,
        locates_victim=services.locates_a_victim(person, service),
    )
    return render(request, "referrals/referral_create.html", context)


def _update_choices(user: Any, referral: Referral) -> list[tuple[str, str]]:
    choices = [(to, ReferralStatus(to).label) for to in services.allowed_moves(user, referral)]
    sides = policy.referral_sides(user, referral)
    if Side.RECIPIENT in sides and referral.status == ReferralStatus.IN_SERVICE:
        choices.append((SERVICE_DELIVERED, "Record a service delivered"))
    if sides:
        choices.append((NOTE_ONLY, "Add a follow-up note"))
    for pk, due_on in selectors.open_follow_ups(user, referral).values_list("pk", "due_on"):
        choices.append((f"{FOLLOW_UP_DONE}{pk}", f"Mark the follow-up due {due_on:%Y-%m-%d} done"))
    return choices


@requires(Cap.REFERRALS_VIEW)
@require_GET
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_user(request.user, pk)
    return render(request, "referrals/referral_detail.html", _detail_context(request, referral))


def _detail_context(
    request: HttpRequest, referral: Referral, form: ReferralUpdateForm | None = None
) -> dict[str, Any]:
    user = request.user
    person = referral.person
    sharing = selectors.shared_details(person, referral.organization.team_id, referral.note)
    shown, withheld = selectors.shown_to(user, person, sharing)
    sides = policy.referral_sides(user, referral)
    can_see_person = policy.can_view_person(user, person)
    if shown:
        access_services.log_person_view(
            user, person, {i.sensitivity for i in shown}, via=f"referral {referral.number}"
        )
    else:
        record(user, AuditAction.VIEW, referral, summary=f"Viewed referral {referral.number}")
    choices = _update_choices(user, referral)
    return {
        "referral": referral,
        "sharing": sharing,
        "shown": shown,
        "withheld": withheld,
        "is_staff_side": Side.SENDER in sides,
        "can_open_person": can_see_person
        and not policy.has_capability(user, Cap.REFERRALS_RESPOND),
        "events": referral.events.select_related("actor"),
        "notes": selectors.visible_notes(user, referral, sharing.has_consent),
        "form": form or (ReferralUpdateForm(choices=choices) if choices else None),
        "overdue_reason": selectors.overdue_reason(referral),
        "service_has_ended": selectors.service_has_ended(referral),
    }


@requires(Cap.REFERRALS_VIEW)
def referral_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Record progress: accept, decline, start, complete or close, or add a note."""
    referral = selectors.referral_for_user(request.user, pk)
    choices = _update_choices(request.user, referral)
    form = ReferralUpdateForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        action, text = form.cleaned_data["action"], form.cleaned_data["text"]
        due_on = form.cleaned_data["due_on"]
        try:
            if action.startswith(FOLLOW_UP_DONE):
                note = referral.notes.get(pk=int(action.removeprefix(FOLLOW_UP_DONE)))
                services.complete_follow_up(request.user, note)
            elif action in (NOTE_ONLY, SERVICE_DELIVERED):
                kind = (
                    ReferralNote.Kind.SERVICE_DELIVERED
                    if action == SERVICE_DELIVERED
                    else ReferralNote.Kind.FOLLOW_UP
                )
                services.add_note(request.user, referral, text, kind, due_on)
            else:
                services.move_referral(request.user, referral, action, text)
        except ValidationError as error:
            attach_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, f"Referral {referral.number} updated.")
            return redirect("referrals:detail", pk=referral.pk)
    context = _detail_context(request, referral, form)
    if not choices:
        context["form"] = None
    return render(request, "referrals/referral_update.html", context)


@requires(Cap.REFERRALS_REPORT)
@require_GET
def referral_report(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.GET or None)
    rows = selectors.referral_report(**_report_range(form)) if _ok(form) else []
    return render(
        request,
        "referrals/referral_report.html",
        {
            "form": form,
            "rows": rows,
            "query_string": _query_string(request),
            "can_list": policy.has_capability(request.user, Cap.REFERRALS_VIEW),
            "suppression_note": SUPPRESSION_NOTE,
        },
    )


REPORT_COLUMNS = (
    "organization",
    "need",
    "sent",
    "accepted",
    "completed",
    "median_days_to_first_service",
)


@requires(Cap.REFERRALS_REPORT)
@require_GET
def referral_report_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form = ReportForm(request.GET or None)
    if not _ok(form):
        return HttpResponse(
            f"Fix the dates first: {form.errors.as_text()}", status=400, content_type="text/plain"
        )
    dates = _report_range(form)
    rows = selectors.referral_report(**dates)
    access_services.log_export(
        request.user, "referrals.report", len(rows), {k: str(v) for k, v in dates.items() if v}
    )
    # The file leaves the department: small cells suppressed, and said so in its last row.
    return csv_response(
        "referral-report.csv",
        REPORT_COLUMNS,
        [*(r.published() for r in rows), (f"Note: {SUPPRESSION_NOTE}",)],
    )


def _ok(form: ReportForm) -> bool:
    return not form.is_bound or form.is_valid()


def _report_range(form: ReportForm) -> dict[str, Any]:
    data = form.cleaned_data if form.is_bound else {}
    return {"since": data.get("since"), "until": data.get("until")}
