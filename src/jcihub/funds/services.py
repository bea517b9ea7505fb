"""Recording spending and voiding mistakes: each change audited, nothing deleted."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from .models import Authorisation, Expenditure


@transaction.atomic
def record_expenditure(actor: Any, authorisation: Authorisation, **fields: Any) -> Expenditure:
    """Spend against an authorisation; more than what remains of it is refused."""
    locked = Authorisation.objects.select_for_update().get(pk=authorisation.pk)
    amount = Decimal(fields["amount"])
    if amount <= 0:
        raise ValidationError({"amount": "An expenditure is a positive amount."})
    if amount > locked.remaining:
        raise ValidationError(
            {
                "amount": f"{locked.ordinance} has ${locked.remaining:,.2f} left of "
                f"${locked.amount:,.2f}: ${amount:,.2f} would spend more than it authorises."
            }
        )
    if locked.starts and fields["spent_on"] < locked.starts:
        raise ValidationError(
            {"spent_on": f"{locked.ordinance} authorises spending from {locked.starts:%d %B %Y}."}
        )
    if locked.ends and fields["spent_on"] > locked.ends:
        raise ValidationError(
            {"spent_on": f"{locked.ordinance} authorises spending until {locked.ends:%d %B %Y}."}
        )
    expenditure = Expenditure.objects.create(
        authorisation=locked,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    record(
        actor,
        AuditAction.CREATE,
        expenditure,
        summary=f"Expenditure of ${amount:,.2f} recorded against {locked.ordinance}",
        changes={name: str(value) for name, value in fields.items()},
    )
    return expenditure


@transaction.atomic
def void_expenditure(actor: Any, expenditure: Expenditure, reason: str) -> Expenditure:
    locked = Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why this expenditure is voided."})
    if locked.voided_at is not None:
        raise ValidationError("This expenditure was voided already.")
    locked.voided_at = timezone.now()
    locked.voided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.void_reason = reason[:500]
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        locked,
        summary=f"Expenditure of ${locked.amount:,.2f} voided",
        reason=locked.void_reason,
    )
    return locked
