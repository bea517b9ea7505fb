"""Factories shared by every app's tests."""

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from jcihub.accounts.models import Role, Team, User
from jcihub.people.matching import name_keys
from jcihub.people.models import (
    Address,
    CaseAssignment,
    Consent,
    ContactPoint,
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
