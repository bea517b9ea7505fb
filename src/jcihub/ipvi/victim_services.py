"""Victim outreach actions: each one transaction, each one audited on the victim's record.

The victim's choice outranks the programme's: once a victim declines contact, contact
attempts and new service offers are refused (and the refusal audited) until the victim
themself asks for contact again (`resume_contact`, with a note of how they did).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.incidents.models import Incident, Involvement, Party
from jcihub.people import services as people_services
from jcihub.people.models import Person, SafetyFlag
from jcihub.programs.models import Assessment

from .models import Candidate
from .victims import (
    CloseReason,
    ContactAttempt,
    ContactOutcome,
    ProtectiveOrderStatus,
    SafetyPlanNote,
    ServiceResponse,
    VictimCase,
    VictimCaseClosing,
    VictimScreen,
    VictimService,
)

MIN_NOTE = 10


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _declined_message(case: VictimCase) -> str:
    assert case.declined_contact_at is not None
    when = timezone.localtime(case.declined_contact_at).date()
    return (
        f"{case.victim.full_name} declined contact on {when:%Y-%m-%d}: outreach has stopped "
        "and nothing more may be attempted or offered. If they reach out themselves and "
        "ask for contact again, record that first (Resume contact)."
    )


def _refuse_if_declined(actor: Any, case: VictimCase, what: str) -> None:
    if case.has_declined:
        # Outside any transaction of the refused action, so the refusal is kept.
        record(
            actor,
            AuditAction.DENIED,
            case,
            person_id=case.victim_id,
            summary=f"Refused: {what} after the victim declined contact",
        )
        raise ValidationError(_declined_message(case))


def _refuse_if_closed(actor: Any, case: VictimCase, what: str) -> None:
    if case.is_closed:
        record(
            actor,
            AuditAction.DENIED,
            case,
            person_id=case.victim_id,
            summary=f"Refused: {what} on a closed outreach case",
        )
        raise ValidationError(
            "This outreach case is closed: nothing more may be attempted or offered. "
            "Reopen it first, saying why."
        )


def open_case(actor: Any, incident: Incident, victim: Person) -> VictimCase:
    """Start outreach to a victim of an incident in the IPVI queue; the advocate who opens
    it is assigned to the victim, and the victim's locating details become confidential."""
    is_victim = Party.objects.filter(
        incident=incident, person=victim, involvement=Involvement.VICTIM
    ).exists()
    if not is_victim:
        raise ValidationError("This person is not recorded as a victim of that incident.")
    if not Candidate.objects.filter(incident=incident).exists():
        raise ValidationError("That incident is not in the IPVI candidate queue.")
    with transaction.atomic():
        case, created = VictimCase.objects.get_or_create(
            incident=incident,
            victim=victim,
            defaults={"advocate": _actor(actor), "created_by": _actor(actor)},
        )
        if not created:
            return case
        if _actor(actor) is not None:
            people_services.assign_case(actor, victim, user=actor, purpose="IPVI victim outreach")
        people_services.protect_victim_locating(actor, victim)
        record(
            actor,
            AuditAction.CREATE,
            case,
            person_id=victim.pk,
            summary=f"IPVI victim outreach opened for {victim.record_number}",
            changes={"incident": incident.pk},
        )
    return case


def record_attempt(
    actor: Any,
    case: VictimCase,
    *,
    attempted_at: dt.datetime,
    method: str,
    outcome: str,
    note: str = "",
) -> ContactAttempt:
    _refuse_if_closed(actor, case, "contact attempt")
    _refuse_if_declined(actor, case, "contact attempt")
    if attempted_at > timezone.now():
        raise ValidationError({"attempted_at": "The attempt cannot be in the future."})
    with transaction.atomic():
        attempt = ContactAttempt.objects.create(
            case=case,
            attempted_at=attempted_at,
            method=method,
            outcome=outcome,
            note=note.strip()[:500],
            created_by=_actor(actor),
        )
        record(
            actor,
            AuditAction.CREATE,
            attempt,
            person_id=case.victim_id,
            summary=f"Contact attempt: {attempt.get_method_display()}, "
            f"{attempt.get_outcome_display()}",
            changes={"method": method, "outcome": outcome},
        )
        if outcome == ContactOutcome.DECLINED:
            _decline(actor, case, note or "Declined when reached")
    return attempt


def decline_contact(actor: Any, case: VictimCase, note: str = "") -> VictimCase:
    """The victim's choice: no more contact. Stops outreach and flags the person record."""
    if case.has_declined:
        raise ValidationError("The victim's decision to decline contact is already recorded.")
    with transaction.atomic():
        _decline(actor, case, note)
    return case


def _decline(actor: Any, case: VictimCase, note: str) -> None:
    case.declined_contact_at = timezone.now()
    case.declined_note = note.strip()[:300]
    case.save(update_fields=["declined_contact_at", "declined_note", "updated_at"])
    people_services.raise_flag(
        actor, case.victim, SafetyFlag.Kind.DO_NOT_CONTACT, "Declined IPVI victim outreach"
    )
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.victim_id,
        summary="The victim declined contact: IPVI outreach stopped",
    )


def resume_contact(actor: Any, case: VictimCase, note: str) -> VictimCase:
    """Only when the victim asks for contact again; the note says how they did."""
    note = note.strip()
    if not case.has_declined:
        raise ValidationError("The victim has not declined contact.")
    if len(note) < MIN_NOTE:
        raise ValidationError(
            {"note": "Say how the victim asked for contact again (at least 10 characters)."}
        )
    with transaction.atomic():
        case.declined_contact_at = None
        case.declined_note = ""
        case.save(update_fields=["declined_contact_at", "declined_note", "updated_at"])
        flags = case.victim.safety_flags.filter(
            kind=SafetyFlag.Kind.DO_NOT_CONTACT, cleared_at__isnull=True
        )
        for flag in flags:
            people_services.clear_flag(actor, flag, "The victim asked for contact again")
        record(
            actor,
            AuditAction.UPDATE,
            case,
            person_id=case.victim_id,
            summary="The victim asked for contact again: IPVI outreach resumed",
            reason=note[:500],
        )
    return case


@transaction.atomic
def add_safety_note(actor: Any, case: VictimCase, note: str) -> SafetyPlanNote:
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Write the safety-planning note."})
    saved = SafetyPlanNote.objects.create(case=case, note=note[:4000], created_by=_actor(actor))
    # The note itself is victim-locating: the audit entry says that one was written, not what.
    record(
        actor, AuditAction.CREATE, saved, person_id=case.victim_id, summary="Safety-planning note"
    )
    return saved


def offer_service(actor: Any, case: VictimCase, kind: str, offered_on: dt.date) -> VictimService:
    _refuse_if_closed(actor, case, "service offer")
    _refuse_if_declined(actor, case, "service offer")
    if offered_on > timezone.localdate():
        raise ValidationError({"offered_on": "The date cannot be in the future."})
    with transaction.atomic():
        service = VictimService.objects.create(
            case=case, kind=kind, offered_on=offered_on, created_by=_actor(actor)
        )
        record(
            actor,
            AuditAction.CREATE,
            service,
            person_id=case.victim_id,
            summary=f"Service offered: {service.get_kind_display()}",
        )
    return service


@transaction.atomic
def answer_service(actor: Any, service: VictimService, response: str) -> VictimService:
    """The victim's answer to an offer: accepted or declined."""
    if response not in (ServiceResponse.ACCEPTED, ServiceResponse.DECLINED):
        raise ValidationError({"response": "Choose accepted or declined."})
    old = service.response
    service.response = response
    service.responded_on = timezone.localdate()
    service.save(update_fields=["response", "responded_on", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        service,
        person_id=service.case.victim_id,
        summary=f"{service.get_kind_display()}: {service.get_response_display().lower()}",
        changes={"response": {"old": old, "new": response}},
    )
    return service


@transaction.atomic
def set_protective_order(
    actor: Any, case: VictimCase, status: str, on: dt.date | None = None
) -> VictimCase:
    if status not in ProtectiveOrderStatus.values:
        raise ValidationError({"status": "Choose a protective-order status."})
    old = case.protective_order
    case.protective_order = status
    case.protective_order_on = on
    case.save(update_fields=["protective_order", "protective_order_on", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.victim_id,
        summary=f"Protective order: {case.get_protective_order_display()}",
        changes={"protective_order": {"old": old, "new": status}},
    )
    return case


@transaction.atomic
def attach_screen(actor: Any, case: VictimCase, assessment: Assessment) -> VictimScreen:
    if assessment.person_id != case.victim_id:
        raise ValidationError("That screen is of another person.")
    screen = VictimScreen.objects.create(case=case, assessment=assessment)
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.victim_id,
        summary=f"Screen {assessment.pk} added to the outreach case",
    )
    return screen


# --- Closing and reopening a case -----------------------------------------------------------


def close_case(actor: Any, case: VictimCase, reason: str, note: str = "") -> VictimCaseClosing:
    """Close the case with a reason ("other" needs its text). A victim who declined further
    contact is recorded as declining too, so the do-not-contact flag goes on their record."""
    note = note.strip()[:300]
    if case.is_closed:
        raise ValidationError("This outreach case is already closed.")
    if reason not in CloseReason.values:
        raise ValidationError({"reason": "Choose why the case is closed."})
    if reason == CloseReason.OTHER and len(note) < MIN_NOTE:
        raise ValidationError({"note": "Say why the case is closed (at least 10 characters)."})
    if reason == CloseReason.UNREACHABLE and not case.attempts.exists():
        raise ValidationError(
            {"reason": "Unreachable after attempts: record the contact attempts first."}
        )
    with transaction.atomic():
        if reason == CloseReason.DECLINED and not case.has_declined:
            _decline(actor, case, note or "Declined further contact")
        case.closed_at = timezone.now()
        case.close_reason = reason
        case.save(update_fields=["closed_at", "close_reason", "updated_at"])
        closing = VictimCaseClosing.objects.create(
            case=case,
            kind=VictimCaseClosing.Kind.CLOSED,
            reason=reason,
            note=note,
            created_by=_actor(actor),
        )
        record(
            actor,
            AuditAction.UPDATE,
            case,
            person_id=case.victim_id,
            summary=f"IPVI outreach case closed: {closing.get_reason_display()}",
            changes={"closed": {"old": False, "new": True}, "reason": reason},
            reason=note,
        )
    return closing


def reopen_case(actor: Any, case: VictimCase, note: str) -> VictimCaseClosing:
    """Reopen a closed case, saying why. A victim's decision to decline contact stays in
    force: only the victim can lift it (`resume_contact`)."""
    note = note.strip()[:300]
    if not case.is_closed:
        raise ValidationError("This outreach case is open.")
    if len(note) < MIN_NOTE:
        raise ValidationError({"note": "Say why the case is reopened (at least 10 characters)."})
    with transaction.atomic():
        old = case.close_reason
        case.closed_at = None
        case.close_reason = ""
        case.save(update_fields=["closed_at", "close_reason", "updated_at"])
        closing = VictimCaseClosing.objects.create(
            case=case, kind=VictimCaseClosing.Kind.REOPENED, note=note, created_by=_actor(actor)
        )
        record(
            actor,
            AuditAction.UPDATE,
            case,
            person_id=case.victim_id,
            summary="IPVI outreach case reopened",
            changes={"closed": {"old": True, "new": False}, "reason": {"old": old, "new": ""}},
            reason=note,
        )
    return closing
