"""Referral actions: each one transaction, each one audited, each move checked against
the state machine (`models.TRANSITIONS`) and the access policy's sides."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.access import policy
from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.people.models import Person

from . import selectors
from .models import (
    NOTE_REQUIRED,
    TRANSITIONS,
    Referral,
    ReferralEvent,
    ReferralNote,
    ReferralStatus,
    Service,
    Side,
    TaxonomyTerm,
)

# The referral's milestone field each state sets.
_MILESTONES = {
    ReferralStatus.SENT: "sent_at",
    ReferralStatus.ACCEPTED: "answered_at",
    ReferralStatus.DECLINED: "answered_at",
    ReferralStatus.IN_SERVICE: "service_started_at",
    ReferralStatus.COMPLETED: "closed_at",
    ReferralStatus.CLOSED_UNRESOLVED: "closed_at",
}


def check_service_takes_referrals(service: Service) -> None:
    """Refuse a service that is no longer offered, or an organisation not on the portal."""
    organization = service.organization
    if service.status != Service.Status.ACTIVE:
        raise ValidationError(
            f"{organization.name} no longer offers “{service.name}” (the directory lists it "
            f"as {service.get_status_display().lower()}), so it cannot take referrals. "
            "Choose another service."
        )
    if organization.team_id is None:
        raise ValidationError(
            f"{organization.name} does not receive referrals through JCI Hub: it has no "
            "partner organisation account."
        )


def check_consent(referral: Referral) -> None:
    sharing = selectors.shared_details(referral.person, referral.organization.team_id)
    if not sharing.has_consent:
        raise ValidationError(
            f"{referral.person.full_name} has no consent in force to share information with "
            f"{referral.organization.name}, so the referral cannot be sent. Record the "
            "person's written consent naming the organisation first."
        )


def locates_a_victim(person: Person, service: Service) -> bool:
    """Whether referring this person to this service tells where a victim can be found: the
    organisation is a victim service provider, or the record shows the person as harmed."""
    return service.organization.is_victim_service_provider or policy.is_known_victim(person.pk)


def create_referral(
    actor: Any,
    person: Person,
    service: Service,
    *,
    need: TaxonomyTerm | None = None,
    note: str = "",
    send: bool = True,
    is_victim_service: bool = False,
) -> Referral:
    """A new referral: a draft, or sent at once. Sending needs consent in force. A referral
    for victim services is victim-locating information (see `Referral.is_victim_service`):
    callers say so for a victim case, and `locates_a_victim` says so whoever calls."""
    if not policy.has_capability(actor, policy.Cap.REFERRALS_SEND) or not policy.can_view_person(
        actor, person
    ):
        record(actor, AuditAction.DENIED, person_id=person.pk, summary="referral refused")
        raise PermissionDenied("You may not refer this person.")
    check_service_takes_referrals(service)
    now = timezone.now()
    with transaction.atomic():
        referral = Referral.objects.create(
            person=person,
            service=service,
            organization=service.organization,
            need=need,
            note=note.strip(),
            created_by=actor,
            created_at=now,
            is_victim_service=is_victim_service or locates_a_victim(person, service),
        )
        ReferralEvent.objects.create(
            referral=referral,
            to_status=ReferralStatus.DRAFT,
            occurred_at=now,
            actor=actor,
            side=Side.SENDER,
        )
        record(
            actor,
            AuditAction.CREATE,
            referral,
            person_id=person.pk,
            summary=f"Referral {referral.number} to {service.organization.name}: {service.name}",
            changes={"service": str(service.pk), "need": need.name if need else ""},
        )
        if send:
            move_referral(actor, referral, ReferralStatus.SENT)
    return referral


def allowed_moves(actor: Any, referral: Referral) -> list[str]:
    """The states this user may move the referral to now."""
    sides = policy.referral_sides(actor, referral)
    return [
        to
        for (frm, to), allowed in TRANSITIONS.items()
        if frm == referral.status and allowed & sides
    ]


def move_referral(actor: Any, referral: Referral, to_status: str, note: str = "") -> Referral:
    """Move the referral to a new state, if the state machine and the user's side allow."""
    note = note.strip()
    allowed = TRANSITIONS.get((referral.status, to_status))
    if allowed is None:
        raise ValidationError(
            f"A referral that is {referral.get_status_display().lower()} cannot be moved to "
            f"{ReferralStatus(to_status).label.lower()}."
        )
    sides = allowed & policy.referral_sides(actor, referral)
    if not sides:
        record(
            actor,
            AuditAction.DENIED,
            referral,
            person_id=referral.person_id,
            summary=f"referral move to {to_status} refused",
        )
        raise PermissionDenied("You may not make this change to the referral.")
    if to_status in NOTE_REQUIRED and not note:
        word = "reason" if to_status == ReferralStatus.DECLINED else "outcome"
        raise ValidationError({"text": f"Give the {word}."})
    if to_status == ReferralStatus.SENT:
        check_service_takes_referrals(referral.service)
        check_consent(referral)
    with transaction.atomic():
        return _apply_move(actor, referral, to_status, note, min(sides))


def _apply_move(actor: Any, referral: Referral, to_status: str, note: str, side: str) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status != referral.status:
        raise ValidationError("Someone else changed this referral just now; look again.")
    now = timezone.now()
    before = locked.status
    milestone = _MILESTONES[ReferralStatus(to_status)]
    locked.status = to_status
    setattr(locked, milestone, now)
    changed = ["status", milestone]
    if to_status == ReferralStatus.DECLINED:
        locked.decline_reason = note
        changed.append("decline_reason")
    elif to_status in NOTE_REQUIRED:
        locked.outcome = note
        changed.append("outcome")
    # Only what this move changes, from the row as it is now (never a stale copy).
    locked.save(update_fields=changed)
    referral.refresh_from_db()
    ReferralEvent.objects.create(
        referral=referral,
        from_status=before,
        to_status=to_status,
        occurred_at=now,
        actor=actor,
        side=side,
        note=note,
    )
    record(
        actor,
        AuditAction.UPDATE,
        referral,
        person_id=referral.person_id,
        summary=f"Referral {referral.number}: {ReferralStatus(to_status).label.lower()}",
        changes={"status": {"old": before, "new": to_status}},
        reason=note,
    )
    return referral


def add_note(
    actor: Any,
    referral: Referral,
    text: str,
    kind: str = ReferralNote.Kind.FOLLOW_UP,
    due_on: dt.date | None = None,
) -> ReferralNote:
    """A follow-up note (either side), to do by `due_on` if given, or a service delivered
    (the organisation's side)."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": "Write the note."})
    if due_on is not None and kind != ReferralNote.Kind.FOLLOW_UP:
        raise ValidationError({"due_on": "Only a follow-up note has a date to do it by."})
    if due_on is not None and due_on < timezone.localdate():
        raise ValidationError({"due_on": "The follow-up date is in the past."})
    sides = policy.referral_sides(actor, referral)
    if kind == ReferralNote.Kind.SERVICE_DELIVERED:
        sides &= {Side.RECIPIENT}
    if not sides:
        record(
            actor,
            AuditAction.DENIED,
            referral,
            person_id=referral.person_id,
            summary="referral note refused",
        )
        raise PermissionDenied("You may not add notes to this referral.")
    with transaction.atomic():
        added = ReferralNote.objects.create(
            referral=referral,
            kind=kind,
            side=min(sides),
            text=text,
            author=actor,
            created_at=timezone.now(),
            due_on=due_on,
        )
        due = f", due {due_on:%Y-%m-%d}" if due_on else ""
        record(
            actor,
            AuditAction.CREATE,
            added,
            person_id=referral.person_id,
            summary=f"Referral {referral.number}: {added.get_kind_display().lower()} note{due}",
        )
    return added


def complete_follow_up(actor: Any, follow_up: ReferralNote) -> ReferralNote:
    """Mark a follow-up done: by its own side (the department's, or the organisation's)."""
    referral = follow_up.referral
    if follow_up.side not in policy.referral_sides(actor, referral):
        record(
            actor,
            AuditAction.DENIED,
            referral,
            person_id=referral.person_id,
            summary="referral follow-up completion refused",
        )
        raise PermissionDenied("You may not mark this follow-up done.")
    if follow_up.due_on is None or follow_up.done_at is not None:
        raise ValidationError({"action": "This follow-up is not open."})
    with transaction.atomic():
        follow_up.done_at, follow_up.done_by = timezone.now(), actor
        follow_up.save(update_fields=["done_at", "done_by"])
        record(
            actor,
            AuditAction.UPDATE,
            follow_up,
            person_id=referral.person_id,
            summary=f"Referral {referral.number}: follow-up due {follow_up.due_on:%Y-%m-%d} done",
            changes={"done_at": {"old": None, "new": follow_up.done_at.isoformat()}},
        )
    return follow_up
