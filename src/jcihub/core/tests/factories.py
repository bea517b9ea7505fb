"""Factories shared by every app's tests."""

import datetime as dt
from typing import Any

import factory
from django.test import Client
from django.utils import timezone

from jcihub.accounts.models import Role, Team, User
from jcihub.people.matching import name_keys
from jcihub.people.models import (
    Address,
    CaseAssignment,
    Consent,
    ContactPoint,
    LinkageRun,
    MatchCandidate,
    Person,
    PersonName,
    PersonRelationship,
)

TEST_PASSWORD = "correct-horse-battery-staple"


class TeamFactory(factory.django.DjangoModelFactory[Team]):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = Team.Kind.PROGRAM_TEAM


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    role = factory.LazyFunction(lambda: Role.objects.get(code="case_manager"))
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def teams(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.teams.set(extracted)
        if create:
            self.save()


def user_with_role(role: str, **kwargs: Any) -> User:
    return UserFactory(
        username=kwargs.pop("username", f"{role}-{User.objects.count()}"),
        role=Role.objects.get(code=role),
        **kwargs,
    )


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_date = factory.Faker(
        "date_between", start_date=dt.date(1950, 1, 1), end_date=dt.date(2005, 12, 31)
    )

    @factory.post_generation
    def legal_name(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            keys = name_keys(self.given_name, self.family_name)
            PersonName.objects.create(
                person=self,
                kind=PersonName.Kind.LEGAL,
                given_name=self.given_name,
                family_name=self.family_name,
                family_key=keys.family_key,
                given_key=keys.given_key,
                given_initial=keys.given_initial,
            )


class AddressFactory(factory.django.DjangoModelFactory[Address]):
    class Meta:
        model = Address

    person = factory.SubFactory(PersonFactory)
    line1 = factory.Sequence(lambda n: f"{100 + n} Troost Ave")
    zip_code = "64110"


class ContactPointFactory(factory.django.DjangoModelFactory[ContactPoint]):
    class Meta:
        model = ContactPoint

    person = factory.SubFactory(PersonFactory)
    kind = ContactPoint.Kind.PHONE
    value = "(816) 555-0100"


def assign(person: Person, user: User | None = None, team: Team | None = None) -> CaseAssignment:
    return CaseAssignment.objects.create(person=person, user=user, team=team)


def consent(person: Person, team: Team, categories: list[str], **kwargs: Any) -> Consent:
    today = timezone.localdate()
    return Consent.objects.create(
        person=person,
        recipient=team,
        categories=categories,
        purpose="services",
        valid_from=kwargs.get("valid_from", today - dt.timedelta(days=1)),
        valid_until=kwargs.get("valid_until", today + dt.timedelta(days=30)),
    )


def harm(causer: Person, victim: Person) -> PersonRelationship:
    return PersonRelationship.objects.create(
        person=causer, related_person=victim, kind="ip_current", person_caused_harm=True
    )


# Explanations as a linkage run stores them (see people.linkage.model.explain).
AGREEING_EXPLANATION = [
    {"comparison": name, "level": level, "bayes_factor": 2**weight, "match_weight": weight}
    for name, level, weight in (
        ("given_name", "Exact match", 5.3),
        ("family_name", "Exact match", 6.5),
        ("birth_date", "All other", -3.3),
        ("sex", "Exact match", 0.9),
    )
]


def match_candidate(
    one: Person, other: Person, *, status: str = "pending", probability: float = 0.95
) -> MatchCandidate:
    """A scored pair, as a linkage run leaves it (the run itself made by hand)."""
    now = timezone.now()
    run = LinkageRun.objects.create(
        started_at=now,
        finished_at=now,
        model_source="tests",
        model={},
        auto_threshold=0.99,
        review_threshold=0.8,
        records=2,
        pairs_scored=1,
        auto_linked=int(status == "auto_linked"),
        queued=int(status == "pending"),
        refreshed=0,
        withdrawn=0,
        unchanged=0,
        skipped_rejected=0,
        skipped_related=0,
    )
    first, second = sorted((one, other), key=lambda person: person.pk)
    return MatchCandidate.objects.create(
        person_a=first,
        person_b=second,
        run=run,
        match_probability=probability,
        match_weight=9.0,
        explanation=AGREEING_EXPLANATION,
        status=status,
    )


def client_for(user: Any) -> Client:
    """A test client signed in as this user (no second factor, no sign-in form)."""
    client = Client()
    client.force_login(user)
    return client
