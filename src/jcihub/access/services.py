"""Access actions: emergency (break-the-glass) access and the read-access log."""

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record
from jcihub.core.sensitivity import Sensitivity

from . import policy
from .models import BreakGlassGrant

MIN_REASON_LENGTH = 15


def break_glass(user: Any, person: Any, reason: str) -> BreakGlassGrant:
    """Grant time-limited access to a restricted record; the reason goes in the audit trail."""
    reason = reason.strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise ValidationError(
            {"reason": f"Explain the emergency in at least {MIN_REASON_LENGTH} characters."}
        )
    if not policy.may_break_glass(user, person):
        # Outside the grant's transaction, so raising does not roll the refusal back.
        record(user, AuditAction.DENIED, person_id=person.pk, summary="break-the-glass refused")
        raise PermissionDenied("Emergency access is not available for this record.")
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            person=person,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=settings.BREAK_GLASS_MINUTES),
        )
        record(
            user,
            AuditAction.BREAK_GLASS,
            person,
            person_id=person.pk,
            reason=reason,
            summary=f"Emergency access for {settings.BREAK_GLASS_MINUTES} minutes",
        )
    return grant


def log_person_view(user: Any, person: Any, shown: Collection[Sensitivity], via: str) -> None:
    """Record that the user saw the person, and which sensitive classes were on the screen."""
    sensitive = sorted(s.value for s in shown if s != Sensitivity.GENERAL)
    record(
        user,
        AuditAction.VIEW_SENSITIVE if sensitive else AuditAction.VIEW,
        person,
        person_id=person.pk,
        summary=f"Viewed {person.record_number} ({via})",
        changes={"sensitive": sensitive} if sensitive else None,
    )


def log_export(user: Any, what: str, row_count: int, filters: dict[str, Any]) -> None:
    record(
        user,
        AuditAction.EXPORT,
        object_type=what,
        summary=f"Exported {row_count} rows",
        changes={"filters": filters, "rows": row_count},
    )


def log_search(user: Any, query: str, result_count: int, via: str) -> None:
    """Searches reveal who is on record, so each one is logged with what was asked."""
    record(
        user,
        AuditAction.SEARCH,
        object_type="people.person",
        summary=f"Searched people ({via}): {result_count} results",
        changes={"query": query[:200], "results": result_count},
    )
