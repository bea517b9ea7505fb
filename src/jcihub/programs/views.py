"""Instrument and assessment pages: the definitions, a form generated from one, the result
and a person's history. Every read of an assessment is audited on the person's record."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, get_person_for_user, requires
from jcihub.access.policy import Cap
from jcihub.core.forms import attach_errors
from jcihub.core.sensitivity import Sensitivity

from . import scoring, selectors, services
from .forms import ITEM_PREFIX, AssessmentForm
from .models import Assessment, Instrument

PAGE_SIZE = 25


@requires(Cap.INSTRUMENTS_VIEW)
@require_GET
def instrument_list(request: HttpRequest) -> HttpResponse:
    rows = [(i, services.current_version(i)) for i in selectors.instruments()]
    return render(request, "programs/instrument_list.html", {"rows": rows})


@requires(Cap.INSTRUMENTS_VIEW)
@require_GET
def instrument_detail(request: HttpRequest, code: str) -> HttpResponse:
    instrument = selectors.get_instrument(code)
    version = services.current_version(instrument)
    return render(
        request,
        "programs/instrument_detail.html",
        {
            "instrument": instrument,
            "version": version,
            "definition": version.read() if version else None,
            "versions": instrument.versions.select_related("loaded_by"),
        },
    )


def assessment_form_page(
    request: HttpRequest,
    person: Any,
    instrument: Instrument,
    *,
    template: str,
    context: dict[str, Any],
    recorded: Callable[[Assessment], HttpResponse],
) -> HttpResponse:
    """Show the instrument's form for the person, and record it on a valid POST: the
    assessment page here and the IPVI victim screen share this. The caller has checked
    the user may record this instrument for this person."""
    try:
        version = services.recordable_version(instrument)
    except ValidationError as error:
        return render(
            request, template, {**context, "instrument": instrument, "unusable": error.messages}
        )
    definition = version.read()
    form = AssessmentForm(definition, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.record_assessment(
                request.user, person, version, form.answers(), form.cleaned_data["administered_on"]
            )
        except scoring.AnswerError as error:
            for item_id, problem in error.problems.items():
                field = ITEM_PREFIX + item_id
                form.add_error(field if field in form.fields else None, problem)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            return recorded(assessment)
    return render(
        request,
        template,
        {
            **context,
            "instrument": instrument,
            "version": version,
            "definition": definition,
            "form": form,
        },
    )


@requires(Cap.ASSESSMENTS_RECORD)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    instrument = selectors.get_instrument(code)
    if not policy.may_see_assessments_of(request.user, person, instrument.subject, record=True):
        # Existence-hiding, as for the person: the instrument is not for this user and person.
        deny(
            request.user,
            f"may not record {instrument.code} for this person",
            person_id=person.pk,
            not_found=True,
        )
    return assessment_form_page(
        request,
        person,
        instrument,
        template="programs/assess.html",
        context={"person": person},
        recorded=lambda a: redirect("programs:assessment", pk=a.pk),
    )


@requires(Cap.ASSESSMENTS_VIEW)
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = selectors.get_assessment_for_user(request.user, pk)
    access_services.log_person_view(
        request.user, assessment.person, {Sensitivity.GENERAL}, via="assessment"
    )
    return render(
        request,
        "programs/assessment_detail.html",
        {
            "assessment": assessment,
            "definition": assessment.version.read(),
            "answers": selectors.answered_items(assessment),
        },
    )


@requires(Cap.ASSESSMENTS_VIEW)
@require_GET
def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    history = selectors.person_history(request.user, person)
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    access_services.log_person_view(request.user, person, {Sensitivity.GENERAL}, via="assessments")
    recordable = [
        i
        for i in selectors.instruments()
        if policy.may_see_assessments_of(request.user, person, i.subject, record=True)
    ]
    return render(
        request,
        "programs/history.html",
        {"person": person, "page_obj": page, "query_string": "", "instruments": recordable},
    )
