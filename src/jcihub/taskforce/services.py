"""Taskforce actions: each one transaction, each one audited."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record

from .models import ActionItem, Category, OffenseCode, TaskforceCase


def _clean_categories(categories: list[str]) -> list[str]:
    unknown = set(categories) - set(Category.values)
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}"})
    return [c for c in Category.values if c in categories]  # one order, no repeats


def _state(code: OffenseCode) -> dict[str, Any]:
    return {"code": code.code, "label": code.label, "categories": code.categories}


@transaction.atomic
def set_offense_categories(
    actor: Any, code: OffenseCode, label: str, categories: list[str]
) -> OffenseCode:
    """Change which categories an offense code's incidents count in (and its label)."""
    before = _state(code)
    code.label = label.strip()
    code.categories = _clean_categories(categories)
    code.save(update_fields=["label", "categories", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        code,
        summary=f"Offense code {code.code} now counts as: "
        f"{', '.join(code.category_labels) or 'no category'}"[:300],
        changes=field_changes(before, _state(code)),
    )
    return code


@transaction.atomic
def add_offense_code(actor: Any, code: str, label: str, categories: list[str]) -> OffenseCode:
    """Add a code to the table (one the seeded mapping did not know)."""
    text = code.strip().upper()
    if not text:
        raise ValidationError({"code": "Enter the offense code."})
    if OffenseCode.objects.filter(code=text).exists():
        raise ValidationError({"code": f"Code {text} is already in the table; edit it there."})
    created = OffenseCode.objects.create(
        code=text, label=label.strip(), categories=_clean_categories(categories)
    )
    record(
        actor,
        AuditAction.CREATE,
        created,
        summary=f"Added offense code {created.code}"[:300],
        changes=field_changes({}, _state(created)),
    )
    return created


# --- Cases and action items ------------------------------------------------------------


def _case_state(case: TaskforceCase) -> dict[str, Any]:
    return {
        "status": case.status,
        "lead_agency": case.lead_agency,
        "close_reason": case.close_reason,
    }


@transaction.atomic
def open_case(actor: Any, place: Any, lead_agency: str, summary: str) -> TaskforceCase:
    """Open a taskforce case on a property."""
    if not summary.strip():
        raise ValidationError({"summary": "Say why the property is under review."})
    case = TaskforceCase.objects.create(
        property=place, lead_agency=lead_agency, summary=summary.strip(), opened_by=actor
    )
    record(
        actor,
        AuditAction.CREATE,
        case,
        summary=f"Opened taskforce case {case.pk} on {place.record_number} {place.full_line}"[:300],
        changes=field_changes({}, _case_state(case)),
    )
    return case


def _require_open(case: TaskforceCase) -> None:
    if case.status != TaskforceCase.Status.OPEN:
        raise ValidationError("The case is closed.")


@transaction.atomic
def add_action_item(
    actor: Any,
    case: TaskforceCase,
    description: str,
    owner_agency: str,
    due_on: dt.date,
    owner: Any = None,
) -> ActionItem:
    """Add an action item with one owner (an agency, and optionally a person)."""
    _require_open(case)
    item = ActionItem.objects.create(
        case=case,
        description=description.strip(),
        owner_agency=owner_agency,
        owner=owner,
        due_on=due_on,
    )
    record(
        actor,
        AuditAction.CREATE,
        item,
        summary=f"Action item on taskforce case {case.pk}: {item.description}"[:300],
        changes=field_changes(
            {},
            {
                "description": item.description,
                "owner_agency": owner_agency,
                "owner": owner.get_username() if owner else "",
                "due_on": str(due_on),
            },
        ),
    )
    return item


@transaction.atomic
def set_item_status(actor: Any, item: ActionItem, status: str) -> ActionItem:
    """Move an action item along `ActionItem.TRANSITIONS`."""
    _require_open(item.case)
    if status not in ActionItem.TRANSITIONS.get(item.status, frozenset()):
        raise ValidationError(
            f"An item that is {item.get_status_display().lower()} cannot become {status}."
        )
    before = {"status": item.status}
    item.status = status
    item.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
    item.save(update_fields=["status", "completed_at"])
    record(
        actor,
        AuditAction.UPDATE,
        item,
        summary=f"Action item {item.pk} on taskforce case {item.case_id}: {status}",
        changes=field_changes(before, {"status": status}),
    )
    return item


@transaction.atomic
def close_case(actor: Any, case: TaskforceCase, reason: str = "") -> TaskforceCase:
    """Close the case. With action items still open, only with a recorded reason."""
    _require_open(case)
    still_open = case.items.filter(status=ActionItem.Status.OPEN).count()
    if still_open and not reason.strip():
        raise ValidationError(
            {
                "reason": f"{still_open} action item{'s are' if still_open > 1 else ' is'} "
                "still open: record why the case closes anyway."
            }
        )
    before = _case_state(case)
    case.status = TaskforceCase.Status.CLOSED
    case.close_reason = reason.strip()
    case.closed_by = actor
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "close_reason", "closed_by", "closed_at"])
    record(
        actor,
        AuditAction.UPDATE,
        case,
        summary=f"Closed taskforce case {case.pk} with {still_open} item(s) open",
        changes=field_changes(before, _case_state(case)),
        reason=case.close_reason,
    )
    return case
