"""Directory records for tests: organisations, services and need categories."""

from typing import Any

import factory

from jcihub.referrals import models as m


class OrganizationFactory(factory.django.DjangoModelFactory[m.Organization]):
    class Meta:
        model = m.Organization

    name = factory.Sequence(lambda n: f"Community Partner {n:03d}")
    description = "Helps people in Kansas City."


class ServiceFactory(factory.django.DjangoModelFactory[m.Service]):
    class Meta:
        model = m.Service

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Service {n:03d}")
    description = "A service."


class TermFactory(factory.django.DjangoModelFactory[m.TaxonomyTerm]):
    class Meta:
        model = m.TaxonomyTerm

    name = factory.Sequence(lambda n: f"Need {n:03d}")
    description = "A need."
    taxonomy = "Needs"


def tag(service: m.Service, term: m.TaxonomyTerm) -> m.Attribute:
    return m.Attribute.objects.create(service=service, taxonomy_term=term)


def located(service: m.Service, postal_code: str, **address: Any) -> m.Location:
    """Put the service at a new location of its organisation with this ZIP code."""
    location = m.Location.objects.create(
        organization=service.organization, name=f"{service.name} site"
    )
    m.Address.objects.create(
        location=location,
        address_1=address.get("address_1", "100 Main St"),
        city=address.get("city", "Kansas City"),
        state_province=address.get("state_province", "MO"),
        postal_code=postal_code,
        country="US",
    )
    m.ServiceAtLocation.objects.create(service=service, location=location)
    return location


def sample_service() -> m.Service:
    """A service with every part its page shows, for the access and accessibility sweeps."""
    service = ServiceFactory(
        name="Reentry Employment Help",
        eligibility_description="Adults returning from prison or jail.",
        minimum_age=18,
    )
    tag(service, TermFactory(name="Employment", taxonomy="Jobs"))
    location = located(service, "64108")
    m.Language.objects.create(service=service, name="Spanish", code="es")
    m.Schedule.objects.create(
        service=service, byday="MO", opens_at="09:00:00", closes_at="17:00:00", freq="WEEKLY"
    )
    m.Phone.objects.create(service=service, location=location, number="816-555-0100")
    m.Contact.objects.create(organization=service.organization, name="Intake desk")
    m.ServiceArea.objects.create(service=service, name="Jackson County, MO")
    m.RequiredDocument.objects.create(service=service, document="Photo identification")
    return service


def sample_referral(
    person: Any, service: m.Service, team: Any, sender: Any = None, note: str = "Needs work boots."
) -> m.Referral:
    """A sent referral of the person to the service, whose organisation becomes the team's.
    The person must have consent in force naming the team."""
    from jcihub.core.tests.factories import user_with_role
    from jcihub.referrals import services

    organization = service.organization
    organization.team = team
    organization.save(update_fields=["team"])
    term = service.attributes.values_list("taxonomy_term", flat=True).first()
    return services.create_referral(
        sender or user_with_role("case_manager"),
        person,
        service,
        need=m.TaxonomyTerm.objects.filter(pk=term).first(),
        note=note,
    )
