"""Victim-outreach pages: the advocates' list, one victim's case, and what they record.

Reading a case is audited on the victim's record, with victim-locating information named
when the page showed it; what a role may not see is left off the page entirely."""

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, get_person_for_user, requires
from jcihub.access.policy import Cap
from jcihub.core.forms import attach_errors
from jcihub.incidents.models import Incident
from jcihub.programs import selectors as program_selectors
from jcihub.programs.models import Subject
from jcihub.programs.views import assessment_form_page

from . import victim_selectors as selectors
from . import victim_services as services
from .victim_forms import (
    AttemptForm,
    CloseCaseForm,
    DeclineForm,
    OpenCaseForm,
    ProtectiveOrderForm,
    ReopenCaseForm,
    ResumeForm,
    SafetyNoteForm,
    ServiceAnswerForm,
    ServiceOfferForm,
)
from .victims import VictimCase

PAGE_SIZE = 25
SHOWS = ("declined", "closed", "all")
FORMS: dict[str, type[forms.Form]] = {
    "attempt": AttemptForm,
    "note": SafetyNoteForm,
    "service": ServiceOfferForm,
    "answer": ServiceAnswerForm,
    "order": ProtectiveOrderForm,
    "decline": DeclineForm,
    "resume": ResumeForm,
    "close": CloseCaseForm,
    "reopen": ReopenCaseForm,
}
DONE = {
    "attempt": "Contact attempt recorded.",
    "note": "Safety-planning note saved.",
    "service": "Service offer recorded.",
    "answer": "The victim's answer recorded.",
    "order": "Protective-order status recorded.",
    "decline": "The victim declined contact: outreach has stopped.",
    "resume": "Contact resumed at the victim's request.",
    "close": "The outreach case is closed.",
    "reopen": "The outreach case is reopened.",
}


@requires(Cap.IPVI_VICTIMS_VIEW)
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    show = request.GET.get("show", "")
    cases = selectors.visible_cases(user)
    if show == "declined":
        cases = cases.filter(declined_contact_at__isnull=False)
    elif show == "closed":
        cases = cases.filter(closed_at__isnull=False)
    elif show != "all":
        cases = selectors.open_cases(cases)
    page = Paginator(cases.order_by("-created_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    waiting = Paginator(selectors.awaiting_outreach(user), PAGE_SIZE).get_page(
        request.GET.get("waiting_page")
    )
    return render(
        request,
        "ipvi/victim_list.html",
        {
            "page_obj": page,
            "waiting": waiting,
            "show": show if show in SHOWS else "",
            "query_string": f"show={show}&" if show in SHOWS else "",
            "can_open": policy.has_capability(user, Cap.IPVI_OUTREACH),
        },
    )


@requires(Cap.IPVI_OUTREACH)
@require_POST
def open_case(request: HttpRequest) -> HttpResponse:
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a victim of an incident in the IPVI queue.")
        return redirect("ipvi_victims:list")
    victim = get_person_for_user(request.user, form.cleaned_data["victim"])
    incident = Incident.objects.filter(pk=form.cleaned_data["incident"]).first()
    if incident is None:
        raise Http404
    try:
        case = services.open_case(request.user, incident, victim)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("ipvi_victims:list")
    return redirect("ipvi_victims:case", pk=case.pk)


def _render_case(
    request: HttpRequest, case: VictimCase, bound: dict[str, forms.Form] | None = None
) -> HttpResponse:
    user = request.user
    view = selectors.case_view(user, case)
    access_services.log_person_view(user, case.victim, view.shown, via="IPVI victim outreach")
    can_act = policy.has_capability(user, Cap.IPVI_OUTREACH)
    built = {name: cls(prefix=name) for name, cls in FORMS.items()} if can_act else {}
    built.update(bound or {})
    if "order" in built and not built["order"].is_bound:
        built["order"] = ProtectiveOrderForm(
            prefix="order",
            initial={"status": case.protective_order, "on": case.protective_order_on},
        )
    return render(
        request,
        "ipvi/victim_case.html",
        {
            "case": case,
            "view": view,
            "forms": built,
            "can_act": can_act,
            "can_screen": can_act and view.shows_locating,
            "instruments": [
                i for i in program_selectors.instruments() if i.subject == Subject.VICTIM
            ],
        },
    )


@requires(Cap.IPVI_VICTIMS_VIEW)
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_case(request, selectors.get_case_for_user(request.user, pk))


def _may_work(user: Any, case: VictimCase) -> None:
    """Recording in a case needs what reading its locating details needs: an advocate who
    works with someone who caused this victim harm may not."""
    if not policy.may_see_victim_locating(user, case.victim, selectors.causer_ids(case)):
        deny(
            user,
            "outreach by a user who may not see this victim's locating details",
            person_id=case.victim_id,
        )


def _act(user: Any, case: VictimCase, action: str, data: dict[str, Any]) -> None:
    if action == "attempt":
        services.record_attempt(user, case, **data)
    elif action == "note":
        services.add_safety_note(user, case, data["note"])
    elif action == "service":
        services.offer_service(user, case, data["kind"], data["offered_on"])
    elif action == "answer":
        service = case.services.filter(pk=data["service"]).first()
        if service is None:
            raise ValidationError("That service offer is not part of this case.")
        services.answer_service(user, service, data["response"])
    elif action == "order":
        services.set_protective_order(user, case, data["status"], data["on"])
    elif action == "decline":
        services.decline_contact(user, case, data["note"])
    elif action == "close":
        services.close_case(user, case, data["reason"], data["note"])
    elif action == "reopen":
        services.reopen_case(user, case, data["note"])
    else:
        services.resume_contact(user, case, data["note"])


@requires(Cap.IPVI_OUTREACH)
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in FORMS:
        raise Http404
    case = selectors.get_case_for_user(request.user, pk)
    _may_work(request.user, case)
    form = FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            _act(request.user, case, action, form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
            case.refresh_from_db()
        else:
            messages.success(request, DONE[action])
            return redirect("ipvi_victims:case", pk=case.pk)
    return _render_case(request, case, {action: form})


@requires(Cap.IPVI_OUTREACH)
@require_http_methods(["GET", "POST"])
def screen(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """A lethality or danger screen for the case's victim, through the programs engine."""
    case = selectors.get_case_for_user(request.user, pk)
    _may_work(request.user, case)
    instrument = program_selectors.get_instrument(code)
    if not policy.may_see_assessments_of(
        request.user, case.victim, instrument.subject, record=True
    ):
        deny(
            request.user,
            f"may not record {instrument.code} for this person",
            person_id=case.victim_id,
            not_found=True,
        )

    def recorded(assessment: Any) -> HttpResponse:
        services.attach_screen(request.user, case, assessment)
        messages.success(request, f"{instrument.name} recorded.")
        return redirect("ipvi_victims:case", pk=case.pk)

    return assessment_form_page(
        request,
        case.victim,
        instrument,
        template="ipvi/victim_screen.html",
        context={"case": case, "person": case.victim},
        recorded=recorded,
    )
