"""Identities: records joined by links, kept apart where a reviewer said "different people".

A link joins two records; an identity is every record reachable through links. A
rejection says two records are different people, and that must hold for the identity,
not only for the pair: a rejected A-B may not come back as one identity through A-C and
C-B. So:

- a run does not link automatically a pair that would put a rejected pair into one
  identity; it queues the pair for review instead (`Identities.would_join_rejected`);
- a reviewer cannot accept such a pair (`rejected_pairs_joined_by`);
- rejecting a pair whose records are still one identity through other links sends the
  automatic links that still join them back to the review queue, and names any link a
  reviewer accepted that still does (`separate`).
"""

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q

from ..models import LINKED_STATUSES, MatchCandidate

Status = MatchCandidate.Status
COMPONENT_LIMIT = 5_000  # records one identity may gather before a search stops
ITERATOR_CHUNK = 50_000


class Identities:
    """Union-find over every link, with each identity's rejected partners (in memory:
    two integers per link, which a registry of millions holds easily)."""

    def __init__(self) -> None:
        self._parent: dict[int, int] = {}
        self._members: dict[int, set[int]] = {}
        self._rejected: dict[int, set[int]] = {}  # root → records rejected against a member

    @classmethod
    def from_database(cls) -> "Identities":
        identities = cls()
        pairs = MatchCandidate.objects.filter(
            status__in=(*LINKED_STATUSES, Status.REJECTED)
        ).values_list("person_a_id", "person_b_id", "status")
        rejections = []
        for a, b, status in pairs.order_by().iterator(chunk_size=ITERATOR_CHUNK):
            if status == Status.REJECTED:
                rejections.append((a, b))
            else:
                identities.join(a, b)
        for a, b in rejections:
            identities.reject(a, b)
        return identities

    def _root(self, record: int) -> int:
        parent = self._parent
        root = parent.setdefault(record, record)
        while parent[root] != root:
            root = parent[root]
        while parent[record] != root:  # path compression
            parent[record], record = root, parent[record]
        return root

    def key(self, record: int) -> int:
        """One key per human: the lowest id among the records linked to this one."""
        root = self._root(record)
        return min(self._members.get(root, {root}))

    def reject(self, a: int, b: int) -> None:
        self._rejected.setdefault(self._root(a), set()).add(b)
        self._rejected.setdefault(self._root(b), set()).add(a)

    def would_join_rejected(self, a: int, b: int) -> bool:
        root_a, root_b = self._root(a), self._root(b)
        if root_a == root_b:
            return False
        members_b = self._members.get(root_b, {root_b})
        members_a = self._members.get(root_a, {root_a})
        return bool(self._rejected.get(root_a, set()) & members_b) or bool(
            self._rejected.get(root_b, set()) & members_a
        )

    def join(self, a: int, b: int) -> None:
        root_a, root_b = self._root(a), self._root(b)
        if root_a == root_b:
            return
        members_a = self._members.pop(root_a, {root_a})
        members_b = self._members.pop(root_b, {root_b})
        if len(members_a) < len(members_b):
            root_a, root_b, members_a, members_b = root_b, root_a, members_b, members_a
        self._parent[root_b] = root_a
        self._members[root_a] = members_a | members_b
        rejected = self._rejected.pop(root_a, set()) | self._rejected.pop(root_b, set())
        if rejected:
            self._rejected[root_a] = rejected


# --- Reading one identity from the database -------------------------------------------------


def _neighbours(records: Iterable[int]) -> list[MatchCandidate]:
    ids = list(records)
    return list(
        MatchCandidate.objects.filter(status__in=LINKED_STATUSES).filter(
            Q(person_a__in=ids) | Q(person_b__in=ids)
        )
    )


def identity_of(record: int) -> set[int]:
    """Every record joined to `record` through links (itself included)."""
    seen, frontier = {record}, {record}
    while frontier and len(seen) < COMPONENT_LIMIT:
        found = set()
        for link in _neighbours(frontier):
            found |= {link.person_a_id, link.person_b_id} - seen
        seen |= found
        frontier = found
    return seen


def rejected_pairs_joined_by(candidate: MatchCandidate) -> list[MatchCandidate]:
    """The rejected pairs that linking `candidate` would put into one identity."""
    one = identity_of(candidate.person_a_id)
    if candidate.person_b_id in one:
        return []
    other = identity_of(candidate.person_b_id)
    return list(
        MatchCandidate.objects.filter(status=Status.REJECTED)
        .filter(Q(person_a__in=one, person_b__in=other) | Q(person_a__in=other, person_b__in=one))
        .exclude(pk=candidate.pk)
        .order_by("person_a", "person_b")
    )


@dataclass
class Separation:
    """What `separate` did: automatic links sent back to review, and accepted links
    that still join the two records (a reviewer must unmerge one of them)."""

    returned_to_review: list[MatchCandidate] = field(default_factory=list)
    still_joined_by: list[MatchCandidate] = field(default_factory=list)


def link_path(a: int, b: int) -> list[MatchCandidate] | None:
    """The links of a shortest path from record `a` to record `b`, or None."""
    came_by: dict[int, MatchCandidate | None] = {a: None}
    queue = deque([a])
    while queue and len(came_by) < COMPONENT_LIMIT:
        frontier = list(queue)
        queue.clear()
        for link in _neighbours(frontier):
            for here, there in (
                (link.person_a_id, link.person_b_id),
                (link.person_b_id, link.person_a_id),
            ):
                if here in came_by and there not in came_by:
                    came_by[there] = link
                    queue.append(there)
        if b in came_by:
            break
    if b not in came_by:
        return None
    path: list[MatchCandidate] = []
    record = b
    while (step := came_by[record]) is not None:
        path.append(step)
        record = step.person_a_id if step.person_b_id == record else step.person_b_id
    return path[::-1]


def separate(a: int, b: int) -> Separation:
    """Undo the automatic links that keep records `a` and `b` in one identity (inside the
    caller's transaction). Accepted links are a reviewer's word: they stay, and are named."""
    outcome = Separation()
    while (path := link_path(a, b)) is not None:
        automatic = [link for link in path if link.status == Status.AUTO_LINKED]
        if not automatic:
            outcome.still_joined_by = path
            break
        ids = [link.pk for link in automatic]
        MatchCandidate.objects.filter(pk__in=ids, status=Status.AUTO_LINKED).update(
            status=Status.PENDING
        )
        outcome.returned_to_review += automatic
    return outcome
