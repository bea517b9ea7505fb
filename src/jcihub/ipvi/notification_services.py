"""Notification actions: letters, custom notifications, call-ins and services offered.

Each function is one transaction with its audit entry (on the person's record). Nothing
goes out to a person unless `check_may_notify` allows it: their tier is decided, they
were an adult at the incident, and their identity is not waiting in the review queue of
possible duplicates (a letter to the wrong human, or about someone else's history, is
the one mistake a deterrence message cannot survive).
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.people.linkage.identities import identity_of
from jcihub.people.models import REVIEW_STATUSES, CaseAssignment, MatchCandidate

from . import letters, rules
from .models import Candidate
from .notifications import (
    CallIn,
    CallInInvitation,
    CallInSpeaker,
    CustomNotification,
    Letter,
    LetterDelivery,
    LetterTemplate,
    LetterTemplateVersion,
    NotificationAttempt,
    NotificationTeamMember,
    ServiceOffer,
    TeamRole,
)

Attendance = CallInInvitation.Attendance
YOUTH_MESSAGE = (
    "{name} was under 18 at the incident (age {age}). Adult deterrence does not apply: no "
    "letter, notification or call-in from this programme. Refer them to the youth path "
    "(juvenile court intake and youth services) instead."
)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def identity_under_review(person_id: int) -> bool:
    ids = identity_of(person_id)
    return MatchCandidate.objects.filter(
        Q(person_a__in=ids) | Q(person_b__in=ids), status__in=REVIEW_STATUSES
    ).exists()


def age_at_incident(candidate: Candidate) -> int | None:
    reported = (
        candidate.incident.parties.filter(person_id=candidate.person_id)
        .exclude(age__isnull=True)
        .values_list("age", flat=True)
        .first()
    )
    return rules.age_on(candidate.incident_date, reported, candidate.person.birth_date)


def check_may_notify(candidate: Candidate) -> None:
    """Refuse, with the reason a coordinator can act on, anything that must not go out."""
    age = age_at_incident(candidate)
    if candidate.status == Candidate.Status.YOUTH or (age is not None and age < rules.ADULT_AGE):
        raise ValidationError(
            YOUTH_MESSAGE.format(name=candidate.person.full_name, age=age if age else "under 18")
        )
    if not candidate.is_decided or candidate.tier_id is None:
        raise ValidationError(
            "Confirm or override this candidate's tier first: a notification carries the "
            "decided tier."
        )
    if identity_under_review(candidate.person_id):
        raise ValidationError(
            f"{candidate.person.full_name}'s identity is still in the review queue of possible "
            "duplicates. Nothing may go out until a reviewer decides whether the records are "
            "one person."
        )


# --- Letter templates -----------------------------------------------------------------------


@transaction.atomic
def write_template_version(
    actor: Any, template: LetterTemplate, subject: str, body: str, note: str = ""
) -> LetterTemplateVersion:
    """A new version of the template; earlier versions stay as letters used them."""
    subject, body = subject.strip(), body.strip()
    if not subject or not body:
        raise ValidationError("A letter needs a subject and a text.")
    letters.check_template(subject)
    letters.check_template(body)
    locked = LetterTemplate.objects.select_for_update().get(pk=template.pk)
    latest = locked.versions.aggregate(n=Max("number"))["n"] or 0
    version = LetterTemplateVersion.objects.create(
        template=locked,
        number=latest + 1,
        subject=subject,
        body=body,
        change_note=note.strip()[:300],
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE if latest == 0 else AuditAction.UPDATE,
        locked,
        summary=f"{locked}: version {version.number}",
        changes={"version": version.number},
        reason=version.change_note,
    )
    return version


def create_template(
    actor: Any, tier: Any, language: str, subject: str, body: str
) -> LetterTemplateVersion:
    if LetterTemplate.objects.filter(tier=tier, language=language).exists():
        raise ValidationError("That tier has a letter in that language already: edit it instead.")
    with transaction.atomic():
        template = LetterTemplate.objects.create(tier=tier, language=language)
        return write_template_version(actor, template, subject, body, "first version")


# --- Letters --------------------------------------------------------------------------------


@transaction.atomic
def generate_letter(actor: Any, candidate: Candidate, language: str) -> Letter:
    """A letter for the person at their decided tier, from the template's newest version."""
    check_may_notify(candidate)
    tier = candidate.tier
    assert tier is not None  # a decided candidate has its tier
    template = LetterTemplate.objects.filter(tier=tier, language=language).first()
    version = template.current if template else None
    if version is None:
        raise ValidationError(
            f"There is no letter for tier {tier.code} in that language yet: the "
            "coordinator writes one under Letter templates."
        )
    user = _user(actor)
    coordinator = (user.get_full_name() or user.get_username()) if user else "IPVI"
    values = letters.values_for(candidate, language, coordinator, timezone.localdate())
    subject = letters.render(version.subject, values)
    body = letters.render(version.body, values)
    letters.check_no_locating_text(candidate, subject, body)
    letter = Letter.objects.create(
        candidate=candidate,
        person=candidate.person,
        template_version=version,
        language=language,
        subject=subject,
        body=body,
        generated_by=user,
        generated_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        letter,
        person_id=candidate.person_id,
        summary=f"IPVI letter ({language}, tier {tier.code}) made",
        changes={"template_version": version.pk, "version_number": version.number},
    )
    return letter


@transaction.atomic
def record_letter_delivery(
    actor: Any,
    letter: Letter,
    *,
    is_delivered: bool,
    occurred_at: dt.datetime,
    method: str = "",
    delivered_by: str = "",
    reason: str = "",
) -> LetterDelivery:
    """How and by whom the letter was delivered, or why it could not be."""
    if is_delivered and not (method and delivered_by.strip()):
        raise ValidationError("Say how the letter was delivered and who delivered it.")
    if not is_delivered and not reason.strip():
        raise ValidationError({"reason": "Say why the letter could not be delivered."})
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": "A delivery cannot be in the future."})
    locked = Letter.objects.select_for_update().get(pk=letter.pk)
    if locked.status == Letter.Status.DELIVERED:
        raise ValidationError("This letter has been delivered already.")
    delivery = LetterDelivery.objects.create(
        letter=locked,
        is_delivered=is_delivered,
        method=method if is_delivered else "",
        delivered_by=delivered_by.strip()[:120],
        occurred_at=occurred_at,
        reason_not_delivered="" if is_delivered else reason.strip()[:500],
        recorded_by=_user(actor),
        recorded_at=timezone.now(),
    )
    locked.status = Letter.Status.DELIVERED if is_delivered else Letter.Status.NOT_DELIVERED
    locked.delivered_at = occurred_at if is_delivered else None
    locked.save(update_fields=["status", "delivered_at"])
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"{locked}: " + ("delivered" if is_delivered else "not delivered"),
        changes={"method": delivery.method, "delivered_by": delivery.delivered_by},
        reason=delivery.reason_not_delivered,
    )
    letter.status, letter.delivered_at = locked.status, locked.delivered_at
    return delivery


# --- Custom notifications -------------------------------------------------------------------


@transaction.atomic
def schedule_notification(
    actor: Any, candidate: Candidate, scheduled_for: dt.datetime
) -> CustomNotification:
    check_may_notify(candidate)
    notification = CustomNotification.objects.create(
        candidate=candidate,
        person=candidate.person,
        scheduled_for=scheduled_for,
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        notification,
        person_id=candidate.person_id,
        summary=f"IPVI custom notification scheduled for {scheduled_for:%Y-%m-%d %H:%M}",
    )
    return notification


def _open(notification: CustomNotification) -> CustomNotification:
    locked = CustomNotification.objects.select_for_update().get(pk=notification.pk)
    if locked.status != CustomNotification.Status.SCHEDULED:
        raise ValidationError("This notification is closed: schedule a new one.")
    return locked


@transaction.atomic
def add_team_member(
    actor: Any, notification: CustomNotification, role: str, name: str, organization: str = ""
) -> NotificationTeamMember:
    locked = _open(notification)
    if not name.strip():
        raise ValidationError({"name": "Give the team member's name."})
    member = NotificationTeamMember.objects.create(
        notification=locked, role=role, name=name.strip(), organization=organization.strip()
    )
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"{locked}: {member} joins the team",
    )
    return member


@transaction.atomic
def update_conversation(actor: Any, notification: CustomNotification, **fields: Any) -> None:
    """What was said and offered, the person's answer, and the follow-up."""
    locked = CustomNotification.objects.select_for_update().get(pk=notification.pk)
    allowed = {"said", "offered", "person_response", "follow_up", "follow_up_due"}
    before = {name: getattr(locked, name) for name in allowed}
    for name, value in fields.items():
        if name in allowed:
            setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.save()
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"{locked}: conversation and follow-up recorded",
        changes={name: "changed" for name in allowed if getattr(locked, name) != before[name]},
    )


@transaction.atomic
def record_attempt(
    actor: Any,
    notification: CustomNotification,
    attempted_at: dt.datetime,
    outcome: str,
    note: str = "",
) -> NotificationAttempt:
    """One try at the face-to-face visit. A delivered one needs an officer and a community
    member on the team, and what was said."""
    locked = _open(notification)
    if attempted_at > timezone.now():
        raise ValidationError({"attempted_at": "An attempt cannot be in the future."})
    if outcome == NotificationAttempt.Outcome.DELIVERED:
        roles = set(locked.team.values_list("role", flat=True))
        if not {TeamRole.POLICE_OFFICER, TeamRole.COMMUNITY_MEMBER} <= roles:
            raise ValidationError(
                "A custom notification is delivered by a police officer with a community "
                "member: add both to the team first."
            )
        if not locked.said.strip():
            raise ValidationError("Record what the team said before marking it delivered.")
    attempt = NotificationAttempt.objects.create(
        notification=locked,
        attempted_at=attempted_at,
        outcome=outcome,
        note=note.strip()[:500],
        recorded_by=_user(actor),
    )
    if outcome == NotificationAttempt.Outcome.DELIVERED:
        locked.status = CustomNotification.Status.DELIVERED
        locked.delivered_at = attempted_at
        locked.save(update_fields=["status", "delivered_at"])
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"{locked}: attempt on {attempted_at:%Y-%m-%d}, {attempt.get_outcome_display()}",
    )
    notification.status, notification.delivered_at = locked.status, locked.delivered_at
    return attempt


@transaction.atomic
def close_undelivered(actor: Any, notification: CustomNotification, reason: str) -> None:
    if not reason.strip():
        raise ValidationError({"reason": "Say why the notification will not be delivered."})
    locked = _open(notification)
    locked.status = CustomNotification.Status.NOT_DELIVERED
    locked.reason_not_delivered = reason.strip()[:500]
    locked.save(update_fields=["status", "reason_not_delivered"])
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        person_id=locked.person_id,
        summary=f"{locked}: closed without delivery",
        reason=locked.reason_not_delivered,
    )
    notification.status = locked.status


# --- Call-ins -------------------------------------------------------------------------------


@transaction.atomic
def create_call_in(
    actor: Any, title: str, held_at: dt.datetime, venue: str, notes: str = ""
) -> CallIn:
    call_in = CallIn.objects.create(
        title=title.strip(),
        held_at=held_at,
        venue=venue.strip(),
        notes=notes.strip(),
        created_by=_user(actor),
        created_at=timezone.now(),
    )
    record(actor, AuditAction.CREATE, call_in, summary=f"IPVI call-in: {call_in}")
    return call_in


@transaction.atomic
def add_speaker(
    actor: Any, call_in: CallIn, kind: str, name: str, organization: str = ""
) -> CallInSpeaker:
    speaker = CallInSpeaker.objects.create(
        call_in=call_in, kind=kind, name=name.strip(), organization=organization.strip()
    )
    record(actor, AuditAction.UPDATE, call_in, summary=f"{call_in}: speaker {speaker}")
    return speaker


@transaction.atomic
def invite(actor: Any, call_in: CallIn, candidate: Candidate) -> CallInInvitation:
    check_may_notify(candidate)
    if call_in.status == CallIn.Status.CANCELLED:
        raise ValidationError("This call-in was cancelled.")
    if call_in.invitations.filter(person_id=candidate.person_id).exists():
        raise ValidationError(f"{candidate.person.full_name} is invited already.")
    invitation = CallInInvitation.objects.create(
        call_in=call_in,
        candidate=candidate,
        person=candidate.person,
        invited_by=_user(actor),
        invited_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        invitation,
        person_id=candidate.person_id,
        summary=f"Invited to the IPVI call-in {call_in}",
    )
    return invitation


@transaction.atomic
def record_attendance(actor: Any, invitation: CallInInvitation, attendance: str) -> None:
    if attendance not in Attendance.values:
        raise ValidationError({"attendance": "Choose one of the listed answers."})
    if attendance != Attendance.INVITED and invitation.call_in.held_at > timezone.now():
        raise ValidationError("Attendance is recorded once the call-in has taken place.")
    before = invitation.attendance
    invitation.attendance = attendance
    invitation.save(update_fields=["attendance"])
    if attendance == Attendance.ATTENDED and invitation.call_in.status == CallIn.Status.SCHEDULED:
        CallIn.objects.filter(pk=invitation.call_in_id).update(status=CallIn.Status.HELD)
    record(
        actor,
        AuditAction.UPDATE,
        invitation,
        person_id=invitation.person_id,
        summary=f"IPVI call-in attendance: {invitation.get_attendance_display()}",
        changes={"attendance": {"old": before, "new": attendance}},
    )


# --- Services offered -----------------------------------------------------------------------


@transaction.atomic
def offer_service(
    actor: Any,
    candidate: Candidate,
    need: str,
    description: str = "",
    *,
    where: Letter | CustomNotification | CallInInvitation | None = None,
    directory_service: Any = None,
) -> ServiceOffer:
    """Record a service offered to the person; naming a directory service also makes a
    draft referral to it (the referrals app sends it once consent is in force)."""
    check_may_notify(candidate)
    referral = None
    if directory_service is not None:
        from jcihub.referrals.services import create_referral

        referral = create_referral(
            actor, candidate.person, directory_service, note=description, send=False
        )
    offer = ServiceOffer.objects.create(
        candidate=candidate,
        person=candidate.person,
        need=need,
        description=description.strip()[:300],
        letter=where if isinstance(where, Letter) else None,
        notification=where if isinstance(where, CustomNotification) else None,
        invitation=where if isinstance(where, CallInInvitation) else None,
        referral=referral,
        offered_by=_user(actor),
        offered_at=timezone.now(),
    )
    record(
        actor,
        AuditAction.CREATE,
        offer,
        person_id=candidate.person_id,
        summary=f"IPVI service offered ({offer.offered_where}): {offer.get_need_display()}",
        changes={"referral": referral.number if referral else ""},
    )
    return offer


@transaction.atomic
def answer_service(actor: Any, offer: ServiceOffer, response: str) -> None:
    if response not in ServiceOffer.Response.values:
        raise ValidationError({"response": "Choose one of the listed answers."})
    before = offer.response
    offer.response = response
    offer.answered_at = None if response == ServiceOffer.Response.OFFERED else timezone.now()
    offer.save(update_fields=["response", "answered_at"])
    record(
        actor,
        AuditAction.UPDATE,
        offer,
        person_id=offer.person_id,
        summary=f"IPVI service {offer.get_need_display()}: {offer.get_response_display()}",
        changes={"response": {"old": before, "new": response}},
    )


# --- The liaisons ---------------------------------------------------------------------------

LIAISON_PURPOSE = "IPVI: re-offence after notification"


@transaction.atomic
def share_with_liaisons(actor: Any, candidate: Candidate, teams: list[Any]) -> int:
    """Assign the person to the police and prosecutor liaison teams, so that their
    liaisons see the re-offence and the notification it broke (access is by assignment)."""
    if not teams:
        raise ValidationError({"teams": "Choose at least one liaison team."})
    today = timezone.localdate()
    made = 0
    for team in teams:
        current = CaseAssignment.objects.filter(
            person_id=candidate.person_id, team=team, started_on__lte=today
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        if not current.exists():
            CaseAssignment.objects.create(
                person_id=candidate.person_id,
                team=team,
                purpose=LIAISON_PURPOSE,
                started_on=today,
                created_by=_user(actor),
            )
            made += 1
    record(
        actor,
        AuditAction.UPDATE,
        candidate,
        person_id=candidate.person_id,
        summary=f"IPVI re-offence shared with {', '.join(str(t) for t in teams)}",
    )
    return made
