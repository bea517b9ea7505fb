import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import AddressFactory, TeamFactory, user_with_role
from jcihub.people import services
from jcihub.people.models import Address, Person, PersonName

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor():
    return user_with_role("case_manager")


def _details(**overrides: object) -> services.PersonDetails:
    values = {"given_name": "Maria", "family_name": "Lopez", "birth_date": dt.date(1988, 4, 2)}
    return services.PersonDetails(**{**values, **overrides})  # type: ignore[arg-type]


def test_creating_a_person_writes_the_legal_name_and_an_audit_entry(actor) -> None:
    person = services.create_person(actor, _details())
    assert person.names.get(kind=PersonName.Kind.LEGAL).family_key
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, person_id=person.pk)
    assert entry.actor == actor
    assert entry.changes["family_name"] == {"old": None, "new": "Lopez"}


def test_a_future_birth_date_is_refused_and_nothing_is_stored(actor) -> None:
    future = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.create_person(actor, _details(birth_date=future))
    assert "birth_date" in error.value.message_dict
    assert not Person.objects.exists()


def test_an_oversized_name_is_refused_field_by_field(actor) -> None:
    with pytest.raises(ValidationError) as error:
        services.create_person(actor, _details(family_name="x" * 101))
    assert "family_name" in error.value.message_dict
    assert not Person.objects.exists()


def test_updating_records_old_and_new_values_and_refreshes_the_legal_name(actor) -> None:
    person = services.create_person(actor, _details())
    services.update_person(actor, person, family_name="Lopez-Garcia")
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert entry.changes == {"family_name": {"old": "Lopez", "new": "Lopez-Garcia"}}
    assert person.names.get(kind=PersonName.Kind.LEGAL).family_name == "Lopez-Garcia"


def test_an_update_that_changes_nothing_writes_no_entry(actor) -> None:
    person = services.create_person(actor, _details())
    before = AuditEntry.objects.count()
    services.update_person(actor, person, family_name="Lopez")
    assert AuditEntry.objects.count() == before


def test_identifiers_are_normalised_and_checked_per_system(actor, person) -> None:
    identifier = services.add_identifier(actor, person, "jail_booking", " b2024 0001 ")
    assert identifier.value == "B20240001"
    with pytest.raises(ValidationError, match="1 to 12 digits"):
        services.add_identifier(actor, person, "kcpd", "12AB")


def test_an_identifier_cannot_belong_to_two_people(actor, person) -> None:
    other = services.create_person(actor, _details())
    services.add_identifier(actor, person, "kcpd", "700001")
    with pytest.raises(ValidationError, match="already belongs"):
        services.add_identifier(actor, other, "kcpd", "700001")


def test_a_confidential_address_is_audited_without_its_value(actor, person) -> None:
    services.add_address(
        actor, person, line1="123 Secret St", zip_code="64110", is_confidential=True
    )
    entry = AuditEntry.objects.filter(object_type="people.address").latest("id")
    assert "Secret" not in str(entry.changes)


def test_a_bad_zip_code_is_refused(actor, person) -> None:
    with pytest.raises(ValidationError) as error:
        services.add_address(actor, person, line1="1 Main St", zip_code="641")
    assert "zip_code" in error.value.message_dict


def test_phone_numbers_are_normalised(actor, person) -> None:
    contact = services.add_contact_point(actor, person, "phone", "816.555.0123")
    assert contact.value == "(816) 555-0123"
    with pytest.raises(ValidationError):
        services.add_contact_point(actor, person, "phone", "12")


def test_recording_harm_makes_the_victims_locating_details_confidential(actor) -> None:
    causer = services.create_person(actor, _details(given_name="Tom"))
    victim = services.create_person(actor, _details(given_name="Ana"))
    AddressFactory(person=victim)
    services.add_relationship(actor, causer, victim, "ip_current", person_caused_harm=True)
    assert not Address.objects.filter(person=victim, is_confidential=False).exists()


def test_a_person_cannot_be_related_to_themself(actor, person) -> None:
    with pytest.raises(ValidationError):
        services.add_relationship(actor, person, person, "household")


def test_consent_must_end_after_it_starts_and_name_a_category(actor, person) -> None:
    team = TeamFactory()
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.record_consent(
            actor, person, team, ["general"], "x", today, today - dt.timedelta(1)
        )
    with pytest.raises(ValidationError):
        services.record_consent(actor, person, team, [], "x", today, today)


def test_revoking_consent_twice_is_refused(actor, person) -> None:
    today = timezone.localdate()
    consent = services.record_consent(
        actor, person, TeamFactory(), ["general"], "housing", today, today + dt.timedelta(days=90)
    )
    services.revoke_consent(actor, consent, "client asked")
    assert not consent.is_active_on(today)
    with pytest.raises(ValidationError):
        services.revoke_consent(actor, consent)


def test_sealing_needs_a_reason_and_is_audited(actor, person) -> None:
    with pytest.raises(ValidationError):
        services.seal_person(actor, person, "  ")
    services.seal_person(actor, person, "Order of the 16th Circuit, case 2026-CV-1")
    person.refresh_from_db()
    assert person.sealed_at is not None
    assert AuditEntry.objects.filter(person_id=person.pk, reason__contains="16th Circuit").exists()
