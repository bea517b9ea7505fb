"""Recording a prosecutor's charging decision on a re-offence, and correcting it.

One function: the first decision is version 1; every later call is a correction, which
needs its reason and adds the next version. Earlier versions are never changed or
deleted. Who may call it is the access policy's question (`may_record_charging_decision`),
asked by the page and the API before they call here.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record

from . import letters
from .charging import ChargingDecision, ChargingOutcome
from .models import Candidate

NEEDS_REASONS = frozenset({ChargingOutcome.DECLINED, ChargingOutcome.REFERRED_BACK})
COMPARED = ("outcome", "charges_filed", "decided_on", "reasons")


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check(
    reoffence: Candidate, outcome: str, charges: str, decided_on: dt.date, reasons: str
) -> None:
    errors: dict[str, str] = {}
    if outcome not in ChargingOutcome.values:
        errors["outcome"] = "Choose the outcome of the charging decision."
    if decided_on > timezone.localdate():
        errors["decided_on"] = "The decision date cannot be in the future."
    elif reoffence.incident_date is not None and decided_on < reoffence.incident_date:
        errors["decided_on"] = (
            f"The decision date cannot be before the re-offence "
            f"({reoffence.incident_date:%Y-%m-%d})."
        )
    if outcome == ChargingOutcome.CHARGED and not charges:
        errors["charges_filed"] = "Name the charges filed."
    elif outcome != ChargingOutcome.CHARGED and charges:
        errors["charges_filed"] = "Charges are named only when the outcome is charged."
    if outcome in NEEDS_REASONS and not reasons:
        errors["reasons"] = "Give the reasons for declining or referring back."
    if errors:
        raise ValidationError(errors)


def _check_no_victim_locating(reoffence: Candidate, *texts: str) -> None:
    if letters.contains_locating_text(reoffence, *texts):
        raise ValidationError(
            "The text contains an address or contact detail of a victim or of the incident. "
            "A charging decision is read by the police and prosecutor liaisons: never write "
            "where a victim is."
        )


@transaction.atomic
def record_charging_decision(
    actor: Any,
    reoffence: Candidate,
    *,
    outcome: str,
    decided_on: dt.date,
    charges_filed: str = "",
    reasons: str = "",
    correction_reason: str = "",
) -> ChargingDecision:
    """Record the decision on this re-offence: version 1, or a correction of the current
    version (with its reason). Audited."""
    charges, why, correction = charges_filed.strip(), reasons.strip(), correction_reason.strip()
    # Lock the re-offence so that two corrections at once cannot take the same version.
    locked = Candidate.objects.select_for_update().get(pk=reoffence.pk)
    _check(locked, outcome, charges, decided_on, why)
    _check_no_victim_locating(locked, charges, why, correction)
    current = locked.charging_decisions.order_by("-version").first()
    if current is not None:
        _check_correction(current, outcome, charges, decided_on, why, correction)
    decision = ChargingDecision.objects.create(
        reoffence=locked,
        person_id=locked.person_id,
        version=current.version + 1 if current else 1,
        outcome=outcome,
        charges_filed=charges,
        decided_on=decided_on,
        reasons=why,
        correction_reason=correction if current else "",
        recorded_by=_user(actor),
        recorded_at=timezone.now(),
    )
    before = {name: str(getattr(current, name)) for name in COMPARED} if current else {}
    record(
        actor,
        AuditAction.CREATE,
        decision,
        person_id=locked.person_id,
        summary=(
            f"IPVI charging decision v{decision.version} on the re-offence in "
            f"{locked.incident.report_number}: {decision.get_outcome_display()}"
        ),
        changes=field_changes(before, {name: str(getattr(decision, name)) for name in COMPARED}),
        reason=decision.correction_reason,
    )
    return decision


def _check_correction(
    current: ChargingDecision,
    outcome: str,
    charges: str,
    decided_on: dt.date,
    reasons: str,
    correction: str,
) -> None:
    if not correction:
        raise ValidationError(
            {"correction_reason": "Say why the decision recorded before is corrected."}
        )
    same = (current.outcome, current.charges_filed, current.decided_on, current.reasons) == (
        outcome,
        charges,
        decided_on,
        reasons,
    )
    if same:
        raise ValidationError("Nothing differs from the current version: there is no correction.")
