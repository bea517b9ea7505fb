"""People pages: thin — parse input, ask the policy, call a service or selector, render."""

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, get_person_for_user, requires
from jcihub.access.policy import Cap
from jcihub.core import timeline
from jcihub.core.forms import attach_errors, clean_search_text

from . import forms as people_forms
from . import selectors, services, validators
from .linkage.records import PersonRecord
from .matching import MatchQuery
from .models import Consent, Identifier, Person, SafetyFlag

TIMELINE_PAGE = 50


@requires(Cap.PEOPLE_SEARCH)
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    query = clean_search_text(request.GET.get("q", ""))
    if query:
        results: Any = selectors.search_people(request.user, query)
        access_services.log_search(request.user, query, len(results), via="search")
    else:
        results = policy.visible_people(request.user).order_by("family_name", "given_name", "id")
    page = Paginator(results, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "people/list.html",
        {
            "page_obj": page,
            "query": query,
            "is_search": bool(query),
            "query_string": f"q={query}&" if query else "",
            "can_create": policy.has_capability(request.user, Cap.PEOPLE_CREATE),
            "can_export": policy.has_capability(request.user, Cap.PEOPLE_EXPORT),
            "can_review_links": policy.has_capability(request.user, Cap.PEOPLE_LINK_REVIEW),
        },
    )


def _intake_query(data: dict[str, Any]) -> tuple[MatchQuery, PersonRecord]:
    """What intake looks for: in intake matching's terms, and as the linkage model reads a
    person. An identifier typed without its system is taken as any system that holds it."""
    identifier = validators.normalise_identifier(data.get("identifier") or "")
    systems: list[str] = []
    if identifier:
        systems = [data["identifier_system"]] if data.get("identifier_system") else []
        systems = systems or sorted(
            set(Identifier.objects.filter(value=identifier).values_list("system", flat=True))
        )
    query = MatchQuery(
        data.get("given_name", ""),
        data["family_name"],
        data.get("birth_date"),
        (identifier,) if identifier else (),
    )
    record = PersonRecord(
        record_id=0,
        given_name=query.given_name,
        family_name=query.family_name,
        birth_date=query.birth_date,
        sex=data.get("sex") or "",
        middle_name=data.get("middle_name") or "",
        identifiers=tuple((system, identifier) for system in systems),
    )
    return query, record


def _describe(form: forms.Form) -> str:
    data = form.cleaned_data
    parts = [
        data.get("given_name", ""),
        data.get("family_name", ""),
        data.get("birth_date"),
        data.get("identifier", ""),
    ]
    return " ".join(str(p) for p in parts if p)


@requires(Cap.PEOPLE_CREATE)
@require_GET
def intake_matches(request: HttpRequest) -> HttpResponse:
    """The live list of likely existing matches as the user types (htmx partial)."""
    form = people_forms.IntakeSearchForm(request.GET)
    matches = []
    if form.is_valid():
        matches = selectors.intake_matches(request.user, *_intake_query(form.cleaned_data))
        access_services.log_search(request.user, _describe(form), len(matches), via="intake")
    return render(
        request, "people/_matches.html", {"matches": matches, "searched": form.is_valid()}
    )


@requires(Cap.PEOPLE_CREATE)
def intake(request: HttpRequest) -> HttpResponse:
    """Step 1: describe the person and see likely matches. Step 2: pick one or create new."""
    form = people_forms.IntakeForm(request.POST or None)
    matches: list[selectors.RankedPerson] = []
    confirmed = request.POST.get("confirm_new") == "1"
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        matches = selectors.intake_matches(request.user, *_intake_query(data))
        system, identifier = data.pop("identifier_system"), data.pop("identifier")
        identifier = validators.normalise_identifier(identifier)
        access_services.log_search(request.user, _describe(form), len(matches), via="intake")
        if not matches or confirmed:
            try:
                person = services.create_person(
                    request.user,
                    services.PersonDetails(**data),
                    [(system, identifier)] if identifier else [],
                )
            except ValidationError as error:
                attach_errors(form, error)
            else:
                messages.success(request, f"Created {person.full_name} ({person.record_number}).")
                return redirect("people:detail", pk=person.pk)
    return render(
        request,
        "people/intake.html",
        {"form": form, "matches": matches, "checked": request.method == "POST"},
    )


@requires(Cap.PEOPLE_VIEW)
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_break_glass(request, pk)
    if isinstance(person, HttpResponse):
        return person
    user = request.user
    visible = policy.visible_sensitivities(user, person)
    identifiers = [i for i in person.identifiers.all() if i.sensitivity in visible]
    # The summary shows what holds today; what ended is in the timeline.
    today = timezone.localdate()
    every_address = selectors.person_addresses(person, visible)
    addresses = list(every_address.current(today))
    contacts = list(selectors.person_contact_points(person, visible))
    events = timeline.events_for(person.pk, visible)
    page = Paginator(events, TIMELINE_PAGE).get_page(request.GET.get("page"))
    shown = {i.sensitivity for i in identifiers} | {a.sensitivity for a in addresses}
    shown |= {c.sensitivity for c in contacts} | {e.sensitivity for e in page}
    access_services.log_person_view(user, person, shown, via="person page")
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "names": person.names.exclude(kind="legal"),
            "identifiers": identifiers,
            "addresses": addresses,
            "contacts": contacts,
            "hidden_locating": selectors.hidden_locating_count(person, visible),
            "relationships": selectors.person_relationships(user, person),
            "linked_records": selectors.linked_records(user, person),
            "can_review_links": policy.has_capability(user, Cap.PEOPLE_LINK_REVIEW),
            "flags": selectors.active_flags(person),
            "past_addresses": every_address.count() - len(addresses),
            "consents": selectors.person_consents(person).exclude(revoked_at__isnull=False),
            "ended_consents": selectors.person_consents(person)
            .filter(revoked_at__isnull=False)
            .count(),
            "assignments": person.assignments.select_related("user", "team"),
            "page_obj": page,
            "can_change": policy.can_change_person(user, person),
            "can_seal": policy.has_capability(user, Cap.PEOPLE_SEAL),
            "can_refer": policy.has_capability(user, Cap.REFERRALS_SEND),
            "can_view_assessments": policy.has_capability(user, Cap.ASSESSMENTS_VIEW),
            "detail_kinds": DETAIL_KINDS,
            "is_print": request.GET.get("print") == "1",
        },
    )


def _person_or_break_glass(request: HttpRequest, pk: int) -> Person | HttpResponse:
    try:
        return get_person_for_user(request.user, pk)
    except Http404:
        person = Person.objects.filter(pk=pk).first()
        if person is not None and policy.may_break_glass(request.user, person):
            return render(
                request,
                "people/break_glass.html",
                {"person_id": person.pk, "form": people_forms.ReasonForm()},
                status=403,
            )
        raise


@requires(Cap.BREAK_GLASS)
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person, pk=pk)
    if not policy.may_break_glass(request.user, person):
        deny(request.user, "break-the-glass not available", person_id=person.pk, not_found=True)
    form = people_forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access_services.break_glass(request.user, person, form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.warning(request, "Emergency access granted. Your reason is recorded.")
            return redirect("people:detail", pk=pk)
    return render(
        request,
        "people/break_glass.html",
        {"person_id": pk, "form": form},
        status=403 if request.method == "GET" else 200,
    )


@requires(Cap.PEOPLE_CHANGE)
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_change=True)
    initial = {name: getattr(person, name) for name in services.PERSON_FIELDS}
    form = people_forms.PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(request.user, person, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("people:detail", pk=pk)
    return render(
        request,
        "people/form.html",
        {"form": form, "person": person, "title": f"Edit {person.full_name}"},
    )


# --- Adding details to a person: one view, driven by this table ---------------------------

Save = Callable[[Any, Person, dict[str, Any]], Any]


@dataclass(frozen=True)
class DetailKind:
    title: str
    form: type[forms.Form]
    save: Save


def _relationship(actor: Any, person: Person, data: dict[str, Any]) -> Any:
    try:
        other = get_person_for_user(actor, data.pop("related_record").upper().lstrip("P"))
    except Http404:
        raise ValidationError(
            {"related_record": "No person you can see has that record number."}
        ) from None
    return services.add_relationship(actor, person, other, data.pop("kind"), **data)


DETAIL_KINDS: dict[str, DetailKind] = {
    "name": DetailKind(
        "Add a name",
        people_forms.NameForm,
        lambda a, p, d: services.add_name(a, p, d["given_name"], d["family_name"], d["kind"]),
    ),
    "identifier": DetailKind(
        "Add an identifier",
        people_forms.IdentifierForm,
        lambda a, p, d: services.add_identifier(a, p, **d),
    ),
    "address": DetailKind(
        "Add an address", people_forms.AddressForm, lambda a, p, d: services.add_address(a, p, **d)
    ),
    "contact": DetailKind(
        "Add a phone or email",
        people_forms.ContactPointForm,
        lambda a, p, d: services.add_contact_point(a, p, **d),
    ),
    "relationship": DetailKind(
        "Record a relationship", people_forms.RelationshipForm, _relationship
    ),
    "consent": DetailKind(
        "Record consent to share",
        people_forms.ConsentForm,
        lambda a, p, d: services.record_consent(a, p, **d),
    ),
    "flag": DetailKind(
        "Raise a safety flag", people_forms.FlagForm, lambda a, p, d: services.raise_flag(a, p, **d)
    ),
    "assignment": DetailKind(
        "Assign staff or a team",
        people_forms.AssignmentForm,
        lambda a, p, d: services.assign_case(a, p, **d),
    ),
}


@requires(Cap.PEOPLE_CHANGE)
def add_detail(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    detail = DETAIL_KINDS.get(kind)
    if detail is None:
        raise Http404
    person = get_person_for_user(request.user, pk, for_change=True)
    form = detail.form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            detail.save(request.user, person, dict(form.cleaned_data))
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, f"{detail.title}: saved.")
            return redirect("people:detail", pk=pk)
    return render(
        request, "people/form.html", {"form": form, "person": person, "title": detail.title}
    )


@requires(Cap.PEOPLE_CHANGE)
def revoke_consent(request: HttpRequest, pk: int, consent_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_change=True)
    consent = get_object_or_404(Consent, pk=consent_id, person=person)
    return _reason_action(
        request,
        person,
        "Revoke consent",
        lambda reason: services.revoke_consent(request.user, consent, reason),
        f"Sharing with {consent.recipient} stops now.",
    )


@requires(Cap.PEOPLE_CHANGE)
def clear_flag(request: HttpRequest, pk: int, flag_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_change=True)
    flag = get_object_or_404(SafetyFlag, pk=flag_id, person=person)
    return _reason_action(
        request,
        person,
        f"Clear flag: {flag.get_kind_display()}",
        lambda reason: services.clear_flag(request.user, flag, reason),
        "Flag cleared.",
    )


@requires(Cap.PEOPLE_SEAL)
def seal(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, for_change=True)
    return _reason_action(
        request,
        person,
        "Seal this record (expungement or closure)",
        lambda reason: services.seal_person(request.user, person, reason),
        "Record sealed. It no longer appears in ordinary views.",
        then=reverse("people:list"),
    )


def _reason_action(
    request: HttpRequest,
    person: Person,
    title: str,
    act: Callable[[str], Any],
    done: str,
    then: str = "",
) -> HttpResponse:
    form = people_forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            act(form.cleaned_data["reason"])
        except ValidationError as error:
            attach_errors(form, error)
        else:
            messages.success(request, done)
            return redirect(then or reverse("people:detail", kwargs={"pk": person.pk}))
    return render(request, "people/form.html", {"form": form, "person": person, "title": title})


# --- Export ---------------------------------------------------------------------------------

EXPORT_COLUMNS = ("record_number", "given_name", "middle_name", "family_name", "birth_date", "sex")


class _Echo:
    def write(self, value: str) -> str:
        return value


@requires(Cap.PEOPLE_EXPORT)
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Identity fields of every person the user may see; no sensitive class ever leaves here."""
    people = policy.visible_people(request.user).order_by("id")
    access_services.log_export(request.user, "people.person", people.count(), {})
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(EXPORT_COLUMNS)
        for person in people.iterator(chunk_size=2000):
            yield writer.writerow([getattr(person, column) or "" for column in EXPORT_COLUMNS])

    response = StreamingHttpResponse(rows(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="people.csv"'
    return response
