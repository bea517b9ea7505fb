"""Read queries for instruments and assessments, shared by the pages and the API."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jcihub.access import policy
from jcihub.access.guards import deny
from jcihub.people.models import Person

from .models import Assessment, Instrument


def instruments() -> QuerySet[Instrument]:
    return Instrument.objects.prefetch_related("versions").order_by("name")


def get_instrument(code: str) -> Instrument:
    instrument = Instrument.objects.filter(code=str(code)[:60]).first()
    if instrument is None:
        raise Http404
    return instrument


def assessments_for_user(user: Any) -> QuerySet[Assessment]:
    return policy.visible_assessments(user).select_related(
        "version__instrument", "person", "created_by"
    )


def get_assessment_for_user(user: Any, pk: Any) -> Assessment:
    """The assessment, if the user may read it; 404 (audited) otherwise."""
    try:
        assessment = Assessment.objects.select_related(
            "version__instrument", "person", "created_by"
        ).get(pk=int(pk))
    except (Assessment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    subject = assessment.version.instrument.subject
    if not policy.may_see_assessments_of(user, assessment.person, subject):
        deny(
            user,
            "assessment not visible to this user",
            person_id=assessment.person_id,
            not_found=True,
        )
    return assessment


def people_by_id(ids: set[int]) -> list[Person]:
    return list(Person.objects.filter(pk__in=ids).order_by("pk"))


def person_history(user: Any, person: Any) -> QuerySet[Assessment]:
    """The person's assessments the user may read, newest first."""
    return assessments_for_user(user).filter(person=person).order_by("-administered_on", "-id")


def answered_items(assessment: Assessment) -> list[tuple[str, str]]:
    """(question, answer label) for each item, as the assessment's own version words them."""
    definition = assessment.version.read()
    rows = []
    for n, item in enumerate(definition.items, 1):
        labels = dict(item.choices())
        answer = assessment.answers.get(item.id, "")
        rows.append((f"{n}. {item.text or item.label}", labels.get(answer, answer)))
    return rows
