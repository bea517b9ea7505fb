"""Notification pages: letter templates, letters, custom notifications, call-ins, services
offered, and the liaisons' list of re-offences after a notification.

Every record is fetched through `get_visible`, which answers 404 for a person the user may not
see (audited); every change goes through notification_services."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.forms import attach_errors
from jcihub.core.sensitivity import Sensitivity
from jcihub.people.models import Person

from . import charging_selectors, charging_services, letters, notification_selectors
from . import notification_forms as f
from . import notification_services as services
from .models import Candidate
from .notification_selectors import get_visible
from .notifications import (
    CallIn,
    CallInInvitation,
    CustomNotification,
    Letter,
    LetterTemplate,
    ServiceOffer,
)

PAGE_SIZE = 25


def _apply(request: HttpRequest, form: forms.Form, action: Any, success: str) -> bool:
    """Run the service with the form's data; put its refusal on the form."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        attach_errors(form, error)
        return False
    messages.success(request, success)
    return True


def _may_notify_reason(candidate: Candidate) -> str:
    try:
        services.check_may_notify(candidate)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def notifications_context(user: Any, candidate: Candidate) -> dict[str, Any]:
    """What the candidate page shows about notifications (see views.candidate_detail)."""
    person_id = candidate.person_id
    return {
        "letters": Letter.objects.filter(person_id=person_id).select_related("template_version"),
        "custom_notifications": CustomNotification.objects.filter(person_id=person_id),
        "invitations": CallInInvitation.objects.filter(person_id=person_id).select_related(
            "call_in"
        ),
        "service_offers": ServiceOffer.objects.filter(person_id=person_id).select_related(
            "referral"
        ),
        "can_notify": policy.has_capability(user, Cap.IPVI_NOTIFY),
        "blocked_reason": _may_notify_reason(candidate),
        "letter_form": f.LetterForm(initial={"language": _language_of(candidate.person)}),
    }


def _language_of(person: Person) -> str:
    spoken = (person.primary_language or "").strip().lower()
    return "es" if spoken.startswith(("span", "es")) else "en"


# --- Letter templates -----------------------------------------------------------------------


@requires(Cap.IPVI_VIEW)
@require_GET
def letter_templates(request: HttpRequest) -> HttpResponse:
    templates = LetterTemplate.objects.select_related("tier").prefetch_related("versions")
    return render(
        request,
        "ipvi/letter_templates.html",
        {
            "templates": templates,
            "can_edit": policy.has_capability(request.user, Cap.IPVI_TEMPLATES),
        },
    )


@requires(Cap.IPVI_TEMPLATES)
@require_http_methods(["GET", "POST"])
def letter_template_new(request: HttpRequest) -> HttpResponse:
    form = f.NewTemplateForm(request.POST or None)
    if request.method == "POST" and _apply(
        request,
        form,
        lambda d: services.create_template(
            request.user, d["tier"], d["language"], d["subject"], d["body"]
        ),
        "Letter template saved as version 1.",
    ):
        return redirect("ipvi:letter_templates")
    return render(request, "ipvi/letter_template_new.html", {"form": form})


@requires(Cap.IPVI_VIEW)
@require_http_methods(["GET", "POST"])
def letter_template(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_visible(request.user, LetterTemplate.objects.select_related("tier"), pk)
    current = template.current
    can_edit = policy.has_capability(request.user, Cap.IPVI_TEMPLATES)
    initial = {"subject": current.subject, "body": current.body} if current else {}
    form = f.TemplateVersionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_edit:
            deny(request.user, f"lacks {Cap.IPVI_TEMPLATES}")
        if _apply(
            request,
            form,
            lambda d: services.write_template_version(
                request.user, template, d["subject"], d["body"], d["change_note"]
            ),
            "Saved as a new version. Letters made before keep the version they used.",
        ):
            return redirect("ipvi:letter_template", pk=template.pk)
    return render(
        request,
        "ipvi/letter_template.html",
        {
            "template": template,
            "versions": template.versions.select_related("created_by"),
            "form": form,
            "can_edit": can_edit,
            "placeholders": letters.PLACEHOLDERS,
        },
    )


# --- Letters --------------------------------------------------------------------------------


def _candidate(user: Any, pk: int) -> Candidate:
    return get_visible(user, Candidate.objects.select_related("person", "incident", "tier"), pk)


@requires(Cap.IPVI_NOTIFY)
@require_POST
def letter_new(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request.user, pk)
    form = f.LetterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose the language of the letter.")
        return redirect("ipvi:candidate", pk=candidate.pk)
    try:
        letter = services.generate_letter(request.user, candidate, form.cleaned_data["language"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ipvi:candidate", pk=candidate.pk)
    messages.success(request, f"{letter} made. Download it, then record its delivery.")
    return redirect("ipvi:letter", pk=letter.pk)


def _letters() -> QuerySet[Letter]:
    return Letter.objects.select_related(
        "person", "candidate__tier", "template_version__template", "generated_by"
    )


@requires(Cap.IPVI_VIEW)
@require_http_methods(["GET", "POST"])
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_visible(request.user, _letters(), pk)
    can_record = (
        policy.has_capability(request.user, Cap.IPVI_NOTIFY)
        and letter.status != Letter.Status.DELIVERED
    )
    form = f.LetterDeliveryForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            deny(request.user, "IPVI letter delivery without the capability, or delivered")
        if _apply(
            request,
            form,
            lambda d: services.record_letter_delivery(
                request.user,
                letter,
                is_delivered=d["is_delivered"],
                occurred_at=d["occurred_at"],
                method=d["method"],
                delivered_by=d["delivered_by"],
                reason=d["reason"],
            ),
            "Delivery recorded.",
        ):
            return redirect("ipvi:letter", pk=letter.pk)
    access_services.log_person_view(
        request.user, letter.person, {Sensitivity.GENERAL}, "IPVI letter"
    )
    return render(
        request,
        "ipvi/letter.html",
        {
            "letter": letter,
            "deliveries": letter.deliveries.select_related("recorded_by"),
            "form": form,
            "can_record": can_record,
        },
    )


@requires(Cap.IPVI_VIEW)
@require_GET
def letter_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_visible(request.user, _letters(), pk)
    record(
        request.user,
        AuditAction.EXPORT,
        letter,
        person_id=letter.person_id,
        summary=f"{letter} downloaded (PDF)",
    )
    response = HttpResponse(letters.letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ipvi-letter-{letter.pk}.pdf"'
    return response


# --- Custom notifications -------------------------------------------------------------------


@requires(Cap.IPVI_NOTIFY)
@require_http_methods(["GET", "POST"])
def notification_new(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request.user, pk)
    form = f.ScheduleForm(request.POST or None)
    made: list[CustomNotification] = []
    if request.method == "POST" and _apply(
        request,
        form,
        lambda d: made.append(
            services.schedule_notification(request.user, candidate, d["scheduled_for"])
        ),
        "Custom notification scheduled. Add the team next.",
    ):
        return redirect("ipvi:notification", pk=made[0].pk)
    return render(
        request,
        "ipvi/notification_new.html",
        {"candidate": candidate, "form": form, "blocked_reason": _may_notify_reason(candidate)},
    )


NOTIFICATION_FORMS = {
    "team": f.TeamMemberForm,
    "conversation": f.ConversationForm,
    "attempt": f.AttemptForm,
    "close": f.CloseForm,
}


def _notification_action(user: Any, notification: CustomNotification, kind: str) -> Any:
    return {
        "team": lambda d: services.add_team_member(
            user, notification, d["role"], d["name"], d["organization"]
        ),
        "conversation": lambda d: services.update_conversation(user, notification, **d),
        "attempt": lambda d: services.record_attempt(
            user, notification, d["attempted_at"], d["outcome"], d["note"]
        ),
        "close": lambda d: services.close_undelivered(user, notification, d["reason"]),
    }[kind]


@requires(Cap.IPVI_VIEW)
@require_http_methods(["GET", "POST"])
def notification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_visible(
        request.user, CustomNotification.objects.select_related("person", "candidate__tier"), pk
    )
    can_work = policy.has_capability(request.user, Cap.IPVI_NOTIFY)
    kind = request.POST.get("form", "")
    bound = {
        name: form_class(
            request.POST if kind == name else None,
            prefix=name,
            initial=_conversation_initial(notification) if name == "conversation" else None,
        )
        for name, form_class in NOTIFICATION_FORMS.items()
    }
    if request.method == "POST":
        if not can_work or kind not in bound:
            deny(request.user, "IPVI notification change without the capability")
        action = _notification_action(request.user, notification, kind)
        if _apply(request, bound[kind], action, "Saved."):
            return redirect("ipvi:notification", pk=notification.pk)
    access_services.log_person_view(
        request.user, notification.person, {Sensitivity.GENERAL}, "IPVI custom notification"
    )
    return render(
        request,
        "ipvi/notification.html",
        {
            "notification": notification,
            "team": notification.team.all(),
            "attempts": notification.attempts.select_related("recorded_by"),
            "services": notification.services.all(),
            "forms": bound,
            "can_work": can_work,
            "is_open": notification.status == CustomNotification.Status.SCHEDULED,
        },
    )


def _conversation_initial(notification: CustomNotification) -> dict[str, Any]:
    return {name: getattr(notification, name) for name in f.ConversationForm.base_fields}


# --- Call-ins -------------------------------------------------------------------------------


@requires(Cap.IPVI_VIEW)
@require_GET
def call_ins(request: HttpRequest) -> HttpResponse:
    page = Paginator(CallIn.objects.order_by("-held_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "ipvi/call_ins.html",
        {
            "page_obj": page,
            "query_string": "",
            "can_work": policy.has_capability(request.user, Cap.IPVI_NOTIFY),
        },
    )


@requires(Cap.IPVI_NOTIFY)
@require_http_methods(["GET", "POST"])
def call_in_new(request: HttpRequest) -> HttpResponse:
    form = f.CallInForm(request.POST or None)
    made: list[CallIn] = []
    if request.method == "POST" and _apply(
        request,
        form,
        lambda d: made.append(
            services.create_call_in(request.user, d["title"], d["held_at"], d["venue"], d["notes"])
        ),
        "Call-in scheduled. Add speakers and invite people next.",
    ):
        return redirect("ipvi:call_in", pk=made[0].pk)
    return render(request, "ipvi/call_in_new.html", {"form": form})


def _invitable(user: Any) -> QuerySet[Candidate]:
    visible = policy.visible_people(user, Person.objects.all())
    return (
        Candidate.objects.filter(
            status__in=(Candidate.Status.CONFIRMED, Candidate.Status.OVERRIDDEN),
            person__in=visible,
        )
        .select_related("person", "tier")
        .order_by("-tier__level", "-incident_date")
    )


@requires(Cap.IPVI_VIEW)
@require_http_methods(["GET", "POST"])
def call_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call_in = get_visible(request.user, CallIn.objects.all(), pk)
    user = request.user
    can_work = policy.has_capability(user, Cap.IPVI_NOTIFY)
    kind = request.POST.get("form", "")
    visible = policy.visible_people(user, Person.objects.all())
    invitations = (
        call_in.invitations.filter(person__in=visible)
        .select_related("person", "candidate__tier")
        .prefetch_related("services")
    )
    forms_ = {
        "speaker": f.SpeakerForm(request.POST if kind == "speaker" else None, prefix="speaker"),
        "invite": f.InviteForm(
            request.POST if kind == "invite" else None, prefix="invite", candidates=_invitable(user)
        ),
    }
    if request.method == "POST":
        if not can_work:
            deny(user, "IPVI call-in change without the capability")
        if _call_in_post(request, call_in, kind, forms_, invitations):
            return redirect("ipvi:call_in", pk=call_in.pk)
    return render(
        request,
        "ipvi/call_in.html",
        {
            "call_in": call_in,
            "speakers": call_in.speakers.all(),
            "invitations": invitations,
            "forms": forms_,
            "attendance_choices": CallInInvitation.Attendance.choices,
            "service_form": f.ServiceOfferForm(prefix="service"),
            "can_work": can_work,
        },
    )


def _call_in_post(
    request: HttpRequest,
    call_in: CallIn,
    kind: str,
    forms_: Mapping[str, forms.Form],
    invitations: QuerySet[CallInInvitation],
) -> bool:
    user = request.user
    if kind == "speaker":
        return _apply(
            request,
            forms_["speaker"],
            lambda d: services.add_speaker(user, call_in, d["kind"], d["name"], d["organization"]),
            "Speaker added.",
        )
    if kind == "invite":
        return _apply(
            request,
            forms_["invite"],
            lambda d: services.invite(user, call_in, d["candidate"]),
            "Invitation recorded.",
        )
    if kind in ("attendance", "service"):
        invitation = invitations.filter(pk=_int(request.POST.get("invitation"))).first()
        if invitation is None:
            raise Http404
        if kind == "attendance":
            form: forms.Form = f.AttendanceForm(request.POST)
            action: Any = lambda d: services.record_attendance(user, invitation, d["attendance"])  # noqa: E731
        else:
            form = f.ServiceOfferForm(request.POST, prefix="service")
            action = lambda d: services.offer_service(  # noqa: E731
                user,
                invitation.candidate,
                d["need"],
                d["description"],
                where=invitation,
                directory_service=d["directory_service"],
            )
        if not _apply(request, form, action, "Saved."):
            errors = "; ".join(" ".join(str(m) for m in e) for e in form.errors.values())
            messages.error(request, errors or "Nothing was saved.")
        return True
    raise Http404


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- Services offered to the person ---------------------------------------------------------


@requires(Cap.IPVI_NOTIFY)
@require_http_methods(["GET", "POST"])
def service_new(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = _candidate(request.user, pk)
    form = f.ServiceOfferForm(request.POST or None)
    if request.method == "POST" and _apply(
        request,
        form,
        lambda d: services.offer_service(
            request.user,
            candidate,
            d["need"],
            d["description"],
            directory_service=d["directory_service"],
        ),
        "Service offer recorded.",
    ):
        return redirect("ipvi:candidate", pk=candidate.pk)
    return render(
        request,
        "ipvi/service_new.html",
        {"candidate": candidate, "form": form, "blocked_reason": _may_notify_reason(candidate)},
    )


@requires(Cap.IPVI_NOTIFY)
@require_POST
def service_answer(request: HttpRequest, pk: int) -> HttpResponse:
    offer = get_visible(request.user, ServiceOffer.objects.select_related("person"), pk)
    form = f.ServiceAnswerForm(request.POST)
    if form.is_valid():
        services.answer_service(request.user, offer, form.cleaned_data["response"])
        messages.success(request, "Answer recorded.")
    else:
        messages.error(request, "Choose the person's answer.")
    return redirect("ipvi:candidate", pk=offer.candidate_id)


# --- The liaisons: re-offences after a notification ----------------------------------------


@requires(Cap.IPVI_LIAISON)
@require_GET
def reoffences(request: HttpRequest) -> HttpResponse:
    found = notification_selectors.reoffences(request.user)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    record(
        request.user,
        AuditAction.VIEW,
        object_type="ipvi.reoffences",
        summary=f"Viewed the IPVI re-offence list ({len(found)} cases)",
    )
    return render(
        request, "ipvi/reoffences.html", {"page_obj": page, "query_string": "", "count": len(found)}
    )


def _reoffence(user: Any, pk: int) -> notification_selectors.Reoffence:
    candidate = _candidate(user, pk)
    match = next(
        (r for r in notification_selectors.reoffences(user) if r.candidate.pk == candidate.pk),
        None,
    )
    if match is None:
        raise Http404
    return match


@requires(Cap.IPVI_LIAISON)
@require_GET
def reoffence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _reoffence(request.user, pk)
    return _reoffence_page(request, found)


def _reoffence_page(
    request: HttpRequest,
    found: notification_selectors.Reoffence,
    charging_form: forms.Form | None = None,
) -> HttpResponse:
    notice = found.notice
    prior = {
        "letter": lambda: Letter.objects.get(pk=notice.pk),
        "custom notification": lambda: CustomNotification.objects.get(pk=notice.pk),
        "call-in": lambda: CallInInvitation.objects.select_related("call_in").get(pk=notice.pk),
    }[notice.kind]()
    access_services.log_person_view(
        request.user,
        found.candidate.person,
        {Sensitivity.GENERAL, Sensitivity.CRIMINAL_HISTORY},
        via="IPVI re-offence",
    )
    decisions = charging_selectors.history(found.candidate.pk)
    _log_decisions_read(request.user, found.candidate, decisions, "page")
    may_record = policy.may_record_charging_decision(request.user, found.candidate.person)
    return render(
        request,
        "ipvi/reoffence.html",
        {
            "found": found,
            "candidate": found.candidate,
            "notice": notice,
            "prior": prior,
            "offenses": found.candidate.incident.offenses.all(),
            "share_form": f.ShareForm(),
            "can_share": policy.has_capability(request.user, Cap.IPVI_NOTIFY),
            "decisions": decisions,
            "current_decision": decisions[0] if decisions else None,
            "days_to_decision": _days_to_decision(found.candidate, decisions),
            "can_record_decision": may_record,
            "charging_form": charging_form
            or f.ChargingDecisionForm(
                is_correction=bool(decisions), initial=_charging_initial(decisions)
            ),
        },
    )


def _log_decisions_read(user: Any, candidate: Candidate, decisions: list[Any], via: str) -> None:
    if decisions:
        record(
            user,
            AuditAction.VIEW,
            object_type="ipvi.chargingdecision",
            object_id=str(candidate.pk),
            person_id=candidate.person_id,
            summary=f"Viewed {len(decisions)} charging decision version(s) on a re-offence ({via})",
        )


def _days_to_decision(candidate: Candidate, decisions: list[Any]) -> int | None:
    if not decisions or candidate.incident_date is None:
        return None
    return int((decisions[0].decided_on - candidate.incident_date).days)


def _charging_initial(decisions: list[Any]) -> dict[str, Any]:
    if not decisions:
        return {"decided_on": timezone.localdate()}
    current = decisions[0]
    return {name: getattr(current, name) for name in charging_services.COMPARED}


@requires(Cap.IPVI_CHARGE)
@require_POST
def reoffence_charging(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the prosecutor's charging decision on the re-offence, or correct it."""
    found = _reoffence(request.user, pk)
    person = found.candidate.person
    if not policy.may_record_charging_decision(request.user, person):
        deny(request.user, "IPVI charging decision outside a prosecutor assignment")
    is_correction = bool(charging_selectors.history(found.candidate.pk))
    form = f.ChargingDecisionForm(request.POST, is_correction=is_correction)
    if _apply(
        request,
        form,
        lambda d: charging_services.record_charging_decision(request.user, found.candidate, **d),
        "Charging decision corrected." if is_correction else "Charging decision recorded.",
    ):
        return redirect("ipvi:reoffence", pk=found.candidate.pk)
    return _reoffence_page(request, found, charging_form=form)


@requires(Cap.IPVI_NOTIFY)
@require_POST
def reoffence_share(request: HttpRequest, pk: int) -> HttpResponse:
    found = _reoffence(request.user, pk)
    form = f.ShareForm(request.POST)
    if form.is_valid():
        made = services.share_with_liaisons(
            request.user, found.candidate, list(form.cleaned_data["teams"])
        )
        messages.success(
            request, f"Shared: {made} new liaison assignment{'s' if made != 1 else ''}."
        )
    else:
        messages.error(request, "Choose at least one liaison team.")
    return redirect("ipvi:reoffence", pk=found.candidate.pk)
