"""A reviewer's decision on a proposed pair: the same person, two people, or not yet.

The review pages call `decide_candidate`; the allowed moves are the table
`ALLOWED_DECISIONS` beside the model (rejecting a linked pair is the unmerge). Each
decision is audited once for each of the two person records, so either record's history
shows it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from ..models import ALLOWED_DECISIONS, LINKED_STATUSES, MatchCandidate


@transaction.atomic
def decide_candidate(
    actor: Any, candidate: MatchCandidate, decision: str, note: str = ""
) -> MatchCandidate:
    """Accept, reject or defer a pair. A rejected pair is never proposed again."""
    locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if decision not in ALLOWED_DECISIONS[locked.status]:
        wanted = dict(MatchCandidate.Status.choices).get(decision, repr(decision))
        raise ValidationError(
            f"A pair that is {locked.get_status_display().lower()} cannot become "
            f"{str(wanted).lower()}."
        )
    before = locked.status
    unmerged = locked.is_link and decision not in LINKED_STATUSES
    locked.status = decision
    locked.decided_by = actor if getattr(actor, "is_authenticated", False) else None
    locked.decided_at = timezone.now()
    locked.decision_note = note[:300]
    locked.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    for person_id, other_id in (
        (locked.person_a_id, locked.person_b_id),
        (locked.person_b_id, locked.person_a_id),
    ):
        record(
            actor,
            AuditAction.UPDATE,
            locked,
            person_id=person_id,
            summary=f"Match with P{other_id:07d}: "
            + ("unmerged, different people" if unmerged else locked.get_status_display()),
            changes={"status": {"old": before, "new": decision}, "other_person": other_id},
            reason=locked.decision_note,
        )
    return locked
