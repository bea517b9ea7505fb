"""Partner organisations keep their own directory entries current: a partner user proposes
a change to their organisation or one of its services; it waits, unapplied, until a
directory manager approves (applied then) or rejects it (with a reason). Directory
managers also set what is the department's own, not HSDS: an organisation's partner team
and whether it is a victim service provider. Each step is one transaction and one audit
entry."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from jcihub.access import policy
from jcihub.access.guards import deny
from jcihub.access.policy import Cap
from jcihub.accounts.models import Team
from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record

from .models import (
    ORGANIZATION_EDITABLE,
    SERVICE_EDITABLE,
    EntryChange,
    Organization,
    Referral,
    Service,
)


def is_partner_of(user: Any, organization: Organization) -> bool:
    """The user is a partner user of the organisation's team (its own entry)."""
    return (
        policy.has_capability(user, Cap.DIRECTORY_PROPOSE)
        and organization.team_id is not None
        and user.teams.filter(pk=organization.team_id).exists()
    )


def visible_changes(user: Any) -> QuerySet[EntryChange]:
    changes = EntryChange.objects.select_related("organization", "service", "proposed_by")
    if policy.has_capability(user, Cap.DIRECTORY_MANAGE):
        return changes
    if policy.has_capability(user, Cap.DIRECTORY_PROPOSE):  # partners: their own entries'
        return changes.filter(organization__team__in=user.teams.all())
    return changes.none()


def change_for_user(user: Any, pk: Any) -> EntryChange:
    try:
        change = EntryChange.objects.select_related("organization", "service").get(pk=int(pk))
    except (EntryChange.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if not visible_changes(user).filter(pk=change.pk).exists():
        deny(user, "directory change not visible", not_found=True)
    return change


def _locked_entry(change: EntryChange) -> Organization | Service:
    """The entry as it is in the database now, locked until the decision is written."""
    if change.service_id:
        return Service.objects.select_for_update().get(pk=change.service_id)
    return Organization.objects.select_for_update().get(pk=change.organization_id)


def current_values(entry: Organization | Service) -> dict[str, Any]:
    fields = SERVICE_EDITABLE if isinstance(entry, Service) else ORGANIZATION_EDITABLE
    return {name: getattr(entry, name) for name in fields}


def propose_change(
    actor: Any, entry: Organization | Service, values: dict[str, Any], note: str = ""
) -> EntryChange:
    """Hold a partner's change to its own entry for review; nothing is applied yet."""
    organization = entry.organization if isinstance(entry, Service) else entry
    if not is_partner_of(actor, organization):
        record(actor, AuditAction.DENIED, entry, summary="directory change refused")
        raise PermissionDenied("Only your own organisation's entries can be changed.")
    before = current_values(entry)
    after = {k: v.strip() if isinstance(v, str) else v for k, v in values.items() if k in before}
    after = {k: v for k, v in after.items() if v != before[k]}
    if not after:
        raise ValidationError("Nothing is different from the entry as it is: nothing to send.")
    service = entry if isinstance(entry, Service) else None
    if EntryChange.objects.filter(
        organization=organization, service=service, status=EntryChange.Status.PENDING
    ).exists():
        raise ValidationError(
            "A change to this entry is already waiting for review; wait for the decision."
        )
    with transaction.atomic():
        change = EntryChange.objects.create(
            organization=organization,
            service=service,
            before={k: before[k] for k in after},
            after=after,
            note=note.strip(),
            proposed_by=actor,
            proposed_at=timezone.now(),
        )
        record(
            actor,
            AuditAction.CREATE,
            change,
            summary=f"Proposed a change to {change.entry_name}"[:300],
            changes=field_changes(change.before, after),
        )
    return change


def decide_change(actor: Any, change: EntryChange, *, approve: bool, note: str = "") -> EntryChange:
    """Approve (apply) or reject (with a reason) a waiting change."""
    if not policy.has_capability(actor, Cap.DIRECTORY_MANAGE):
        record(actor, AuditAction.DENIED, change, summary="directory change decision refused")
        raise PermissionDenied("Only directory managers decide changes.")
    if change.status != EntryChange.Status.PENDING:
        raise ValidationError(f"This change is already {change.get_status_display().lower()}.")
    if not approve and not note.strip():
        raise ValidationError({"note": "Give the reason for rejecting it (the partner sees it)."})
    with transaction.atomic():
        entry = _locked_entry(change)
        now = current_values(entry)
        if approve and any(now[k] != v for k, v in change.before.items()):
            raise ValidationError(
                "The entry has changed since this was proposed; reject it and ask the partner "
                "to propose again from the entry as it is now."
            )
        if approve:
            for name, value in change.after.items():
                setattr(entry, name, value)
            entry.save()
        change.status = EntryChange.Status.APPROVED if approve else EntryChange.Status.REJECTED
        change.decided_by, change.decided_at = actor, timezone.now()
        change.decision_note = note.strip()
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        record(
            actor,
            AuditAction.UPDATE,
            entry if approve else change,
            summary=f"{change.get_status_display()} change {change.pk} to {change.entry_name}"[
                :300
            ],
            changes=field_changes(change.before, change.after) if approve else None,
            reason=change.decision_note,
        )
    return change


def set_referral_settings(
    actor: Any,
    organization: Organization,
    *,
    team: Team | None,
    is_victim_service_provider: bool,
) -> int:
    """The department's own settings for an organisation, outside HSDS: the partner team
    that receives its referrals and keeps its entry current, and whether it is a victim
    service provider. Marking it one makes every referral already made to it a
    victim-services referral (the count is returned); unmarking leaves those as they are,
    since each still tells where a victim went."""
    if not policy.has_capability(actor, Cap.DIRECTORY_MANAGE):
        record(actor, AuditAction.DENIED, organization, summary="referral settings refused")
        raise PermissionDenied("Only directory managers change an organisation's settings.")
    if team is not None and team.kind != Team.Kind.PARTNER_ORGANIZATION:
        raise ValidationError({"team": "Choose a partner organisation's team."})
    before = {
        "team": organization.team.name if organization.team else "",
        "is_victim_service_provider": organization.is_victim_service_provider,
    }
    after = {
        "team": team.name if team else "",
        "is_victim_service_provider": is_victim_service_provider,
    }
    if before == after:
        raise ValidationError("Nothing was changed.")
    with transaction.atomic():
        organization.team = team
        organization.is_victim_service_provider = is_victim_service_provider
        organization.save(update_fields=["team", "is_victim_service_provider", "updated_at"])
        protected = 0
        if is_victim_service_provider:
            protected = Referral.objects.filter(
                organization=organization, is_victim_service=False
            ).update(is_victim_service=True)
        record(
            actor,
            AuditAction.UPDATE,
            organization,
            summary=f"Referral settings of {organization.name}"[:300]
            + (f"; {protected} past referrals now victim services" if protected else ""),
            changes=field_changes(before, after),
        )
    return protected
