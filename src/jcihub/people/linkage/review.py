"""A reviewer's decision on a proposed pair: the same person, two people, or not yet.

The review pages call `decide_candidate`; the allowed moves are the table
`ALLOWED_DECISIONS` beside the model (rejecting a linked pair is the unmerge). Each
decision is audited once for each of the two person records, so either record's history
shows it. A rejection holds for the whole identity (`linkage.identities`): a pair that
would join records judged different people cannot be accepted, and rejecting a pair
still joined through other records sends the automatic links that join them back to
review.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from ..models import ALLOWED_DECISIONS, LINKED_STATUSES, MatchCandidate
from .identities import Separation, rejected_pairs_joined_by, separate

Status = MatchCandidate.Status


@dataclass
class Decision:
    """The pair as decided, and what a rejection did to the identity around it."""

    candidate: MatchCandidate
    separation: Separation = field(default_factory=Separation)


@transaction.atomic
def decide_candidate(
    actor: Any, candidate: MatchCandidate, decision: str, note: str = ""
) -> Decision:
    """Accept, reject or defer a pair. A rejected pair is never proposed again."""
    locked = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
    if decision not in ALLOWED_DECISIONS[locked.status]:
        wanted = dict(Status.choices).get(decision, repr(decision))
        raise ValidationError(
            f"A pair that is {locked.get_status_display().lower()} cannot become "
            f"{str(wanted).lower()}."
        )
    if decision == Status.ACCEPTED and not locked.is_link:
        _refuse_joining_rejected(locked)
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
    outcome = Decision(locked)
    if decision == Status.REJECTED:
        outcome.separation = separate(locked.person_a_id, locked.person_b_id)
        _record_separation(actor, locked, outcome.separation)
    return outcome


def _refuse_joining_rejected(candidate: MatchCandidate) -> None:
    conflicts = rejected_pairs_joined_by(candidate)
    if conflicts:
        pairs = "; ".join(f"P{c.person_a_id:07d} and P{c.person_b_id:07d}" for c in conflicts)
        raise ValidationError(
            "Accepting this pair would make one person of records a reviewer judged to be "
            f"different people ({pairs}). Unmerge the link that joins them first, or reject "
            "this pair."
        )


def _record_separation(actor: Any, rejected: MatchCandidate, separation: Separation) -> None:
    for link in separation.returned_to_review:
        for person_id in (link.person_a_id, link.person_b_id):
            record(
                actor,
                AuditAction.UPDATE,
                link,
                person_id=person_id,
                summary=f"Automatic link {link} back to review: it joined "
                f"P{rejected.person_a_id:07d} and P{rejected.person_b_id:07d}, judged different",
                changes={"status": {"old": Status.AUTO_LINKED, "new": Status.PENDING}},
            )
