"""Business actions on people. Each is one transaction with its audit entry inside it."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.forms.models import model_to_dict
from django.utils import timezone

from jcihub.accounts.models import Team
from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record
from jcihub.core.sensitivity import Sensitivity

from . import matching, validators
from .models import (
    Address,
    CaseAssignment,
    Consent,
    ContactPoint,
    Identifier,
    Person,
    PersonName,
    PersonRelationship,
    SafetyFlag,
)

PERSON_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "suffix",
    "birth_date",
    "birth_date_is_estimated",
    "sex",
    "gender_identity",
    "races",
    "ethnicity",
    "primary_language",
    "needs_interpreter",
    "is_restricted",
)


@dataclass
class PersonDetails:
    """What intake knows about a new person."""

    given_name: str
    family_name: str
    middle_name: str = ""
    suffix: str = ""
    birth_date: dt.date | None = None
    birth_date_is_estimated: bool = False
    sex: str = "U"
    gender_identity: str = ""
    races: list[str] = field(default_factory=list)
    ethnicity: str = "unknown"
    primary_language: str = "English"
    needs_interpreter: bool = False
    is_restricted: bool = False


def _snapshot(obj: Any, fields: Sequence[str]) -> dict[str, Any]:
    return model_to_dict(obj, fields=list(fields))


def _save_checked(obj: Any) -> None:
    obj.full_clean()
    obj.save()


def _legal_name_row(person: Person) -> PersonName:
    keys = matching.name_keys(person.given_name, person.family_name)
    return PersonName(
        person=person,
        kind=PersonName.Kind.LEGAL,
        given_name=person.given_name,
        family_name=person.family_name,
        family_key=keys.family_key,
        given_key=keys.given_key,
        given_initial=keys.given_initial,
    )


# How an identifier's errors read on the intake form, where its fields have other names.
_INTAKE_IDENTIFIER_FIELDS = {"system": "identifier_system", "value": "identifier"}


@transaction.atomic
def create_person(
    actor: Any, details: PersonDetails, identifiers: Sequence[tuple[str, str]] = ()
) -> Person:
    """A new person with their legal name and any (system, value) identifiers known at
    intake; all of it is stored, or none of it."""
    validators.validate_birth_date(details.birth_date)
    person = Person(created_by=actor, **{name: getattr(details, name) for name in PERSON_FIELDS})
    _save_checked(person)
    _legal_name_row(person).save()
    record(
        actor,
        AuditAction.CREATE,
        person,
        person_id=person.pk,
        summary=f"Created person {person.record_number}",
        changes=field_changes({}, _snapshot(person, PERSON_FIELDS)),
    )
    for system, value in identifiers:
        try:
            add_identifier(actor, person, system, value)
        except ValidationError as error:
            raise ValidationError(
                {_INTAKE_IDENTIFIER_FIELDS.get(k, k): v for k, v in error.message_dict.items()}
            ) from error
    return person


@transaction.atomic
def update_person(actor: Any, person: Person, **values: Any) -> Person:
    unknown = set(values) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    validators.validate_birth_date(values.get("birth_date", person.birth_date))
    before = _snapshot(person, PERSON_FIELDS)
    for name, value in values.items():
        setattr(person, name, value)
    _save_checked(person)
    changes = field_changes(before, _snapshot(person, PERSON_FIELDS))
    if {"given_name", "family_name"} & set(changes):
        PersonName.objects.filter(person=person, kind=PersonName.Kind.LEGAL).delete()
        _legal_name_row(person).save()
    if changes:
        record(
            actor,
            AuditAction.UPDATE,
            person,
            person_id=person.pk,
            summary=f"Changed person {person.record_number}",
            changes=changes,
        )
    return person


@transaction.atomic
def add_name(
    actor: Any, person: Person, given_name: str, family_name: str, kind: str = PersonName.Kind.ALIAS
) -> PersonName:
    keys = matching.name_keys(given_name, family_name)
    name = PersonName(
        person=person,
        kind=kind,
        given_name=given_name,
        family_name=family_name,
        family_key=keys.family_key,
        given_key=keys.given_key,
        given_initial=keys.given_initial,
    )
    _save_checked(name)
    record(
        actor,
        AuditAction.CREATE,
        name,
        person_id=person.pk,
        summary="Added a name",
        changes=field_changes(
            {}, {"kind": kind, "given_name": given_name, "family_name": family_name}
        ),
    )
    return name


@transaction.atomic
def add_identifier(actor: Any, person: Person, system: str, value: str) -> Identifier:
    value = validators.normalise_identifier(value)
    validators.validate_identifier(system, value)
    existing = Identifier.objects.filter(system=system, value=value).first()
    if existing:
        raise ValidationError({"value": "This identifier already belongs to a person record."})
    identifier = Identifier(person=person, system=system, value=value, created_by=actor)
    _save_checked(identifier)
    record(
        actor,
        AuditAction.CREATE,
        identifier,
        person_id=person.pk,
        summary="Added an identifier",
        changes={"system": system, "value": value},
    )
    return identifier


@transaction.atomic
def add_address(actor: Any, person: Person, **values: Any) -> Address:
    validators.validate_period(values.get("valid_from"), values.get("valid_to"), "valid_to")
    if not validators.ZIP_CODE.match(values.get("zip_code", "")):
        raise ValidationError({"zip_code": "Enter a 5-digit ZIP code, e.g. 64106."})
    address = Address(person=person, created_by=actor, **values)
    address.is_confidential = address.is_confidential or _was_harmed(person)
    _save_checked(address)
    # The audit entry names the field, never the confidential value itself.
    shown = {"kind": address.kind, "is_confidential": address.is_confidential}
    if not address.is_confidential:
        shown.update(line1=address.line1, zip_code=address.zip_code)
    record(
        actor,
        AuditAction.CREATE,
        address,
        person_id=person.pk,
        summary="Added an address",
        changes=field_changes({}, shown),
    )
    return address


@transaction.atomic
def add_contact_point(
    actor: Any,
    person: Person,
    kind: str,
    value: str,
    is_confidential: bool = False,
    is_safe_to_leave_message: bool = False,
) -> ContactPoint:
    if kind == ContactPoint.Kind.PHONE:
        value = validators.normalise_phone(value)
    else:
        try:
            validate_email(value)
        except ValidationError:
            raise ValidationError({"value": "Enter a valid email address."}) from None
    is_confidential = is_confidential or _was_harmed(person)
    contact = ContactPoint(
        person=person,
        kind=kind,
        value=value,
        created_by=actor,
        is_confidential=is_confidential,
        is_safe_to_leave_message=is_safe_to_leave_message,
    )
    _save_checked(contact)
    shown = {"kind": kind, "is_confidential": is_confidential}
    if not is_confidential:
        shown["value"] = value
    record(
        actor,
        AuditAction.CREATE,
        contact,
        person_id=person.pk,
        summary="Added a contact point",
        changes=field_changes({}, shown),
    )
    return contact


@transaction.atomic
def add_relationship(
    actor: Any,
    person: Person,
    related_person: Person,
    kind: str,
    *,
    person_caused_harm: bool = False,
    related_person_caused_harm: bool = False,
    valid_from: dt.date | None = None,
    note: str = "",
) -> PersonRelationship:
    if person.pk == related_person.pk:
        raise ValidationError({"related_person": "A person cannot be related to themself."})
    relationship = PersonRelationship(
        person=person,
        related_person=related_person,
        kind=kind,
        created_by=actor,
        person_caused_harm=person_caused_harm,
        related_person_caused_harm=related_person_caused_harm,
        valid_from=valid_from,
        note=note,
    )
    _save_checked(relationship)
    if person_caused_harm:
        _protect_victim_locating(actor, related_person)
    if related_person_caused_harm:
        _protect_victim_locating(actor, person)
    record(
        actor,
        AuditAction.CREATE,
        relationship,
        person_id=person.pk,
        summary=f"Recorded relationship with {related_person.record_number}",
        changes={
            "kind": kind,
            "related_person": related_person.pk,
            "person_caused_harm": person_caused_harm,
            "related_person_caused_harm": related_person_caused_harm,
        },
    )
    return relationship


def _was_harmed(person: Person) -> bool:
    """Someone is recorded as having caused this person harm: their locating details are
    victim-locating (confidential), including ones added later (docs/access.md)."""
    return PersonRelationship.objects.filter(
        Q(related_person=person, person_caused_harm=True)
        | Q(person=person, related_person_caused_harm=True)
    ).exists()


def _protect_victim_locating(actor: Any, victim: Person) -> None:
    """Once someone is recorded as harmed, their addresses and contacts become confidential."""
    changed = victim.addresses.filter(is_confidential=False).update(is_confidential=True)
    changed += victim.contact_points.filter(is_confidential=False).update(is_confidential=True)
    if changed:
        record(
            actor,
            AuditAction.UPDATE,
            victim,
            person_id=victim.pk,
            summary=f"Marked {changed} locating details confidential (victim of harm)",
        )


@transaction.atomic
def record_consent(
    actor: Any,
    person: Person,
    recipient: Team,
    categories: Sequence[str],
    purpose: str,
    valid_from: dt.date,
    valid_until: dt.date,
) -> Consent:
    validators.validate_period(valid_from, valid_until, "valid_until")
    unknown = set(categories) - set(Sensitivity.values)
    if unknown or not categories:
        raise ValidationError({"categories": "Choose one or more categories of information."})
    consent = Consent(
        person=person,
        recipient=recipient,
        categories=sorted(set(categories)),
        purpose=purpose,
        valid_from=valid_from,
        valid_until=valid_until,
        created_by=actor,
    )
    _save_checked(consent)
    record(
        actor,
        AuditAction.CREATE,
        consent,
        person_id=person.pk,
        summary=f"Recorded consent to share with {recipient}",
        changes={
            "recipient": recipient.name,
            "categories": consent.categories,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "purpose": purpose,
        },
    )
    return consent


@transaction.atomic
def revoke_consent(actor: Any, consent: Consent, note: str = "") -> Consent:
    if consent.revoked_at is not None:
        raise ValidationError("This consent has already been revoked.")
    consent.revoked_at = timezone.now()
    consent.revoked_by = actor
    consent.revocation_note = note[:300]
    consent.save(update_fields=["revoked_at", "revoked_by", "revocation_note", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        consent,
        person_id=consent.person_id,
        summary=f"Revoked consent to share with {consent.recipient}",
        changes={"revoked_at": {"old": None, "new": consent.revoked_at}},
        reason=note,
    )
    return consent


@transaction.atomic
def raise_flag(actor: Any, person: Person, kind: str, note: str = "") -> SafetyFlag:
    flag = SafetyFlag(person=person, kind=kind, note=note, created_by=actor)
    _save_checked(flag)
    record(
        actor,
        AuditAction.CREATE,
        flag,
        person_id=person.pk,
        summary=f"Raised flag: {flag.get_kind_display()}",
        changes={"kind": kind, "note": note},
    )
    return flag


@transaction.atomic
def clear_flag(actor: Any, flag: SafetyFlag, reason: str) -> SafetyFlag:
    if flag.cleared_at is not None:
        raise ValidationError("This flag is already cleared.")
    flag.cleared_at, flag.cleared_by = timezone.now(), actor
    flag.save(update_fields=["cleared_at", "cleared_by", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        flag,
        person_id=flag.person_id,
        summary=f"Cleared flag: {flag.get_kind_display()}",
        reason=reason,
    )
    return flag


@transaction.atomic
def assign_case(
    actor: Any,
    person: Person,
    *,
    user: Any = None,
    team: Team | None = None,
    purpose: str = "",
    started_on: dt.date | None = None,
) -> CaseAssignment:
    assignment = CaseAssignment(
        person=person,
        user=user,
        team=team,
        purpose=purpose,
        started_on=started_on or timezone.localdate(),
        created_by=actor,
    )
    _save_checked(assignment)
    record(
        actor,
        AuditAction.CREATE,
        assignment,
        person_id=person.pk,
        summary=f"Assigned {user or team} to work with {person.record_number}",
        changes={
            "user": getattr(user, "pk", None),
            "team": getattr(team, "pk", None),
            "purpose": purpose,
        },
    )
    return assignment


@transaction.atomic
def seal_person(actor: Any, person: Person, reason: str) -> Person:
    """Seal an expunged or closed record: gone from ordinary views, kept in the audit trail."""
    if not reason.strip():
        raise ValidationError({"reason": "Give the order or statute that requires sealing."})
    person.sealed_at, person.sealed_reason = timezone.now(), reason[:300]
    person.save(update_fields=["sealed_at", "sealed_reason", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        person,
        person_id=person.pk,
        summary=f"Sealed person {person.record_number}",
        reason=reason,
    )
    return person


def protect_victim_locating(actor: Any, victim: Person) -> None:
    """For other apps that learn a person is a victim (IPVI victim outreach): mark their
    addresses and contact points confidential now, as recording a harm relationship does."""
    with transaction.atomic():
        _protect_victim_locating(actor, victim)
