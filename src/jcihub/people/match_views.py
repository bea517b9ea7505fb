"""The review queue of identity resolution: pairs of person records that may be one human.

A reviewer (director or programme manager, who see the whole registry) opens a pair,
sees the two records side by side with how each comparison came out and what it weighed,
and accepts (the same person: the records are linked), rejects (two people: the pair is
never proposed again) or defers it. Unlinking a linked pair restores the two records
exactly as they were, since linking never changed either of them.
"""

import math
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from jcihub.access import policy
from jcihub.access import services as access_services
from jcihub.access.guards import deny, requires
from jcihub.access.policy import Cap
from jcihub.core.forms import usa_widgets
from jcihub.core.sensitivity import Sensitivity

from . import selectors
from .linkage.identities import rejected_pairs_joined_by
from .linkage.review import Decision, decide_candidate
from .models import ALLOWED_DECISIONS, REVIEW_STATUSES, MatchCandidate, Person

QUEUE_PAGE = 25
Status = MatchCandidate.Status

# What a reviewer is asked, per decision, in the words of the form.
DECISION_LABELS = {
    Status.ACCEPTED: "The same person: link the two records",
    Status.REJECTED: "Two different people: never propose this pair again",
    Status.DEFERRED: "Not sure yet: keep it in the queue, marked deferred",
}
# A linked pair (automatic or accepted) is confirmed or unmerged.
LINKED_DECISION_LABELS = {
    Status.ACCEPTED: "The same person: confirm the link",
    Status.REJECTED: "Two different people: unlink the records (unmerge) and never propose "
    "this pair again",
}
# How each comparison of the model reads to a person, and which record fields show it.
COMPARISONS = {
    "given_name": "Given name",
    "family_name": "Family name",
    "birth_date": "Date of birth",
    "sex": "Sex",
    "address": "Address",
    "identifiers": "Identifiers",
    "contacts": "Phone and email",
}


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", "Waiting for review (pending and deferred)"), *Status.choices],
        required=False,
        label="Show",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        usa_widgets(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(widget=forms.RadioSelect, label="Your decision")
    note = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you checked, for whoever reads this decision later (optional).",
    )

    def __init__(self, *args: Any, candidate: MatchCandidate, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ALLOWED_DECISIONS[candidate.status]
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        labels = LINKED_DECISION_LABELS if candidate.is_link else DECISION_LABELS
        decision.choices = [(s, label) for s, label in labels.items() if s in allowed]
        usa_widgets(self)


@requires(Cap.PEOPLE_LINK_REVIEW)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    candidates = MatchCandidate.objects.select_related("person_a", "person_b", "run")
    if status:
        candidates = candidates.filter(status=status)
    else:
        candidates = candidates.filter(status__in=REVIEW_STATUSES)
    page = Paginator(candidates.order_by("-match_probability", "id"), QUEUE_PAGE).get_page(
        request.GET.get("page")
    )
    waiting = MatchCandidate.objects.filter(status__in=REVIEW_STATUSES).count()
    return render(
        request,
        "people/matches/queue.html",
        {
            "form": form,
            "page_obj": page,
            "waiting": waiting,
            "query_string": f"status={status}&" if status else "",
        },
    )


@dataclass(frozen=True)
class ComparedField:
    """One comparison of the model: what each record holds, and what the model made of it."""

    label: str
    value_a: str
    value_b: str
    level: str
    weight: float | None

    @property
    def verdict(self) -> str:
        if self.weight is None or abs(self.weight) < 0.5:
            return "neutral"
        return "for" if self.weight > 0 else "against"


def _report_decision(request: HttpRequest, before: MatchCandidate, outcome: Decision) -> None:
    decided, separation = outcome.candidate, outcome.separation
    unmerged = before.is_link and not decided.is_link
    messages.success(
        request,
        "Unmerged: the two records are separate again."
        if unmerged
        else f"Recorded: {decided.get_status_display()}.",
    )
    if separation.returned_to_review:
        messages.info(
            request,
            f"{len(separation.returned_to_review)} automatic link(s) that still joined the two "
            "records through other records went back to the review queue.",
        )
    if separation.still_joined_by:
        links = ", ".join(str(link) for link in separation.still_joined_by)
        messages.warning(
            request,
            "The two records are still one identity through links a reviewer accepted: "
            f"{links}. Review those links and unmerge the one that is wrong.",
        )


@requires(Cap.PEOPLE_LINK_REVIEW)
@require_http_methods(["GET", "POST"])
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(
        MatchCandidate.objects.select_related("person_a", "person_b", "run", "decided_by"), pk=pk
    )
    user = request.user
    a, b = candidate.person_a, candidate.person_b
    for person in (a, b):
        if not policy.can_view_person(user, person):
            deny(user, "match pair holds a person not visible to this user", person_id=person.pk)
    posted = request.POST if request.method == "POST" else None
    form = DecisionForm(posted, candidate=candidate)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = decide_candidate(
                user, candidate, form.cleaned_data["decision"], form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            _report_decision(request, candidate, outcome)
            return redirect("people:match_queue")
    summaries = [_summary(user, person) for person in (a, b)]
    for person, summary in zip((a, b), summaries, strict=True):
        shown = {Sensitivity.GENERAL} | {i.sensitivity for i in summary["identifiers"]}
        access_services.log_person_view(user, person, shown, via="match review")
    return render(
        request,
        "people/matches/detail.html",
        {
            "candidate": candidate,
            "a": summaries[0],
            "b": summaries[1],
            "fields": _compared_fields(candidate, summaries[0], summaries[1]),
            "form": form,
            "can_decide": bool(ALLOWED_DECISIONS[candidate.status]),
            "prior_weight": _prior_weight(candidate),
            "joins_rejected": [] if candidate.is_link else rejected_pairs_joined_by(candidate),
        },
    )


def _prior_weight(candidate: MatchCandidate) -> float | None:
    """The match weight every pair starts from: the log-odds that two records picked at
    random are one person, as the run's model estimated it. With the fields' weights it
    adds up to the pair's match weight."""
    prior = float(candidate.run.model.get("probability_two_random_records_match") or 0)
    return math.log2(prior / (1 - prior)) if 0 < prior < 1 else None


def _summary(user: Any, person: Person) -> dict[str, Any]:
    """What the reviewer sees of one record: what the model compared, as the policy
    allows this reviewer to see it (no victim-locating details: the model never sees
    them either)."""
    visible = policy.visible_sensitivities(user, person) - {Sensitivity.VICTIM_LOCATING}
    identifiers = [i for i in person.identifiers.all() if i.sensitivity in visible]
    today = timezone.localdate()
    addresses = selectors.person_addresses(person, visible).current(today)
    contacts = selectors.person_contact_points(person, visible)
    names = list(person.names.values_list("given_name", "family_name"))
    return {
        "person": person,
        "given_names": sorted({person.given_name, *(given for given, _ in names)} - {""}),
        "family_names": sorted({person.family_name, *(family for _, family in names)} - {""}),
        "identifiers": identifiers,
        "addresses": [a for a in addresses if not a.is_confidential],
        "contacts": [c for c in contacts if not c.is_confidential],
    }


def _compared_fields(
    candidate: MatchCandidate, a: dict[str, Any], b: dict[str, Any]
) -> list[ComparedField]:
    values = {
        "given_name": lambda s: "; ".join(s["given_names"]),
        "family_name": lambda s: "; ".join(s["family_names"]),
        "birth_date": lambda s: _birth(s["person"]),
        "sex": lambda s: s["person"].get_sex_display() if s["person"].sex else "",
        "address": lambda s: "; ".join(str(x) for x in s["addresses"]),
        "identifiers": lambda s: "; ".join(
            f"{i.get_system_display()} {i.value}" for i in s["identifiers"]
        ),
        "contacts": lambda s: "; ".join(c.value for c in s["contacts"]),
    }
    explained = {item.get("comparison", ""): item for item in candidate.explanation}
    names = [*COMPARISONS, *(name for name in explained if name not in COMPARISONS)]
    fields = []
    for name in names:
        item = explained.get(name, {})
        read = values.get(name)
        fields.append(
            ComparedField(
                label=COMPARISONS.get(name, name.replace("_", " ").capitalize()),
                value_a=read(a) if read else "",
                value_b=read(b) if read else "",
                level=str(item.get("level", "Not compared by this model")),
                weight=item.get("match_weight"),
            )
        )
    return fields


def _birth(person: Person) -> str:
    if person.birth_date is None:
        return ""
    text = f"{person.birth_date:%Y-%m-%d}"
    return f"{text} (estimated)" if person.birth_date_is_estimated else text
