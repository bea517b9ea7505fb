"""Writing to the audit trail, and checking that its chain is whole."""

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from .context import current_origin
from .models import GENESIS_HASH, AuditAction, AuditEntry

_HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "person_id",
    "summary",
    "changes",
    "reason",
    "ip_address",
    "user_agent",
    "path",
    "prev_hash",
)
_PG_LOCK_KEY = 720_1  # any constant; serialises writers to the chain on PostgreSQL


def _jsonable(value: Any) -> Any:
    """Reduce to plain JSON so the stored value hashes the same when read back."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def compute_hash(entry: AuditEntry) -> str:
    payload = {name: getattr(entry, name) for name in _HASHED_FIELDS}
    payload["occurred_at"] = entry.occurred_at.astimezone(UTC).isoformat()
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def describe(obj: models.Model | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    return obj._meta.label_lower, str(obj.pk)


def record(
    actor: Any,
    action: AuditAction | str,
    obj: models.Model | None = None,
    *,
    person_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
    reason: str = "",
    object_type: str = "",
    object_id: str = "",
) -> AuditEntry:
    """Append one entry to the chain. Call inside the transaction of the change it records."""
    if obj is not None:
        object_type, object_id = describe(obj)
    origin = current_origin()
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        _lock_chain()
        last = AuditEntry.objects.order_by("-id").values_list("entry_hash", flat=True).first()
        entry = AuditEntry(
            occurred_at=timezone.now(),
            actor=actor if is_user else None,
            actor_username=actor.get_username() if is_user else "",
            actor_role=getattr(actor, "role_id", "") or "" if is_user else "",
            action=str(action),
            object_type=object_type,
            object_id=object_id,
            person_id=person_id,
            summary=summary[:300],
            changes=_jsonable(changes or {}),
            reason=reason,
            ip_address=origin.ip_address,
            user_agent=origin.user_agent,
            path=origin.path,
            prev_hash=last or GENESIS_HASH,
        )
        entry.entry_hash = compute_hash(entry)
        entry.save()
    return entry


def _lock_chain() -> None:
    # SQLite runs IMMEDIATE transactions (settings), which already admit one writer at a time.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value differs, as {field: {"old": …, "new": …}}."""
    return {
        name: {"old": before.get(name), "new": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None = None
    problem: str = ""

    @property
    def is_intact(self) -> bool:
        return self.first_broken_id is None


def _entries_in_order(batch: int = 2000) -> Iterator[AuditEntry]:
    last_id = 0
    while True:
        page = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not page:
            return
        yield from page
        last_id = page[-1].id


def verify_chain() -> ChainReport:
    """Walk the chain from the start; report the first entry whose link does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    for entry in _entries_in_order():
        if entry.prev_hash != expected_prev:
            return ChainReport(checked, entry.id, "does not follow the entry before it")
        if compute_hash(entry) != entry.entry_hash:
            return ChainReport(checked, entry.id, "its content no longer matches its hash")
        expected_prev = entry.entry_hash
        checked += 1
    return ChainReport(checked)
