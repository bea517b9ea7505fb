"""Taskforce actions: each one transaction, each one audited."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.access import policy
from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record
from jcihub.incidents.models import Incident

from . import counts
from .attachments import check_upload
from .models import (
    ActionItem,
    Agency,
    AgencyTeam,
    Attendance,
    CaseAgency,
    CaseNote,
    Category,
    Decision,
    FlagRule,
    Meeting,
    OffenseCode,
    TaskforceCase,
    Window,
)


def _clean_categories(categories: list[str]) -> list[str]:
    unknown = set(categories) - set(Category.values)
    if unknown:
        raise ValidationError({"categories": f"Unknown categories: {', '.join(sorted(unknown))}"})
    return [c for c in Category.values if c in categories]  # one order, no repeats


def _recount_code(code: str) -> None:
    """The kept counts of every property with an incident of that code follow the
    table (and the stored rankings go, if any count moved)."""
    places = (
        Incident.objects.filter(offenses__ibrs=code, raw_address__property__isnull=False)
        .values_list("raw_address__property", flat=True)
        .distinct()
    )
    counts.refresh(set(places), reason=f"offense code {code} now counts otherwise")


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
    if code.categories != before["categories"]:
        _recount_code(code.code)
    record(
        actor,
        AuditAction.UPDATE,
        code,
        summary=f"Offense code {code.code} now counts as: "
        f"{', '.join(code.category_labels) or 'no category'}"[:300],
        changes=field_changes(before, _state(code)),
    )
    return code


RULE_FIELDS = ("name", "category", "window_days", "min_count", "history_factor", "is_active")


def _rule_state(rule: FlagRule) -> dict[str, Any]:
    return {name: getattr(rule, name) for name in RULE_FIELDS}


def _clean_rule(values: dict[str, Any], rule: FlagRule | None) -> dict[str, Any]:
    """The values a rule may hold, or ValidationError naming each field at fault (the
    form checks most of it; the service holds whoever calls it to the same)."""
    errors: dict[str, str] = {}
    name = " ".join(str(values.get("name") or "").split())
    others = FlagRule.objects.exclude(pk=rule.pk) if rule else FlagRule.objects.all()
    if not name:
        errors["name"] = "Enter a name for the rule."
    elif others.filter(name__iexact=name).exists():
        errors["name"] = f"Another rule is called “{name}”: give this one its own name."
    category = values.get("category") or ""
    if category and category not in Category.values:
        errors["category"] = "Choose a category, or any incident."
    window = values.get("window_days")
    if window not in Window.values:
        errors["window_days"] = "Choose 30, 90 or 365 days."
    count = values.get("min_count")
    if not isinstance(count, int) or not 1 <= count <= 1000:
        errors["min_count"] = "Enter a whole number from 1 to 1000."
    factor = values.get("history_factor")
    if factor is not None and (not isinstance(factor, int) or not 2 <= factor <= 20):
        errors["history_factor"] = "Enter a whole number from 2 to 20, or leave it blank."
    if errors:
        raise ValidationError(errors)
    return {
        "name": name,
        "category": category,
        "window_days": window,
        "min_count": count,
        "history_factor": factor,
        "is_active": bool(values.get("is_active")),
    }


@transaction.atomic
def save_flag_rule(actor: Any, rule: FlagRule | None, values: dict[str, Any]) -> FlagRule:
    """Add a flag rule (rule None) or change one (deactivating it included). Audited with
    the old and the new values; the stored rankings are computed again from the next
    page on."""
    cleaned = _clean_rule(values, rule)
    before = _rule_state(rule) if rule else {}
    target = rule or FlagRule()
    for name, value in cleaned.items():
        setattr(target, name, value)
    if rule is not None and _rule_state(target) == before:
        return target  # nothing changed: no audit entry, the stored rankings stand
    target.save()
    what = (
        "Added"
        if rule is None
        else "Deactivated"
        if before.get("is_active") and not target.is_active
        else "Changed"
    )
    record(
        actor,
        AuditAction.CREATE if rule is None else AuditAction.UPDATE,
        target,
        summary=f"{what} flag rule “{target.name}”: {target.description}"[:300],
        changes=field_changes(before, _rule_state(target)),
    )
    counts.bump(f"flag rule {target.pk} {what.lower()}")
    return target


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
    if created.categories:
        _recount_code(created.code)
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
def open_case(
    actor: Any,
    place: Any,
    lead_agency: str,
    summary: str,
    members: Iterable[str] = (),
) -> TaskforceCase:
    """Open a taskforce case on a property, led by one agency, with its member agencies."""
    if not summary.strip():
        raise ValidationError({"summary": "Say why the property is under review."})
    if lead_agency not in Agency.values:
        raise ValidationError({"lead_agency": "Choose the lead agency."})
    case = TaskforceCase.objects.create(
        property=place, lead_agency=lead_agency, summary=summary.strip(), opened_by=actor
    )
    agencies = _join_agencies(case, [lead_agency, *members])
    record(
        actor,
        AuditAction.CREATE,
        case,
        summary=f"Opened taskforce case {case.pk} on {place.record_number} {place.full_line}"[:300],
        changes=field_changes({}, {**_case_state(case), "agencies": agencies}),
    )
    return case


def _join_agencies(case: TaskforceCase, agencies: Iterable[str]) -> list[str]:
    """Add the agencies the case does not have yet; the ones added, in a stable order."""
    unknown = set(agencies) - set(Agency.values)
    if unknown:
        raise ValidationError({"agencies": f"Unknown agencies: {', '.join(sorted(unknown))}"})
    present = set(case.agencies.values_list("agency", flat=True))
    added = [a for a in Agency.values if a in set(agencies) - present]
    CaseAgency.objects.bulk_create([CaseAgency(case=case, agency=a) for a in added])
    return added


@transaction.atomic
def add_case_agencies(actor: Any, case: TaskforceCase, agencies: Iterable[str]) -> list[str]:
    """Make more agencies members of the case."""
    _require_open(case)
    present = set(case.agencies.values_list("agency", flat=True))
    added = _join_agencies(case, agencies)
    if added:
        record(
            actor,
            AuditAction.UPDATE,
            case,
            summary=f"Taskforce case {case.pk}: member agencies added: {', '.join(added)}"[:300],
            changes=field_changes(
                {"agencies": sorted(present)}, {"agencies": sorted(present | set(added))}
            ),
        )
    return added


def may_own(user: Any, agency: str) -> bool:
    """A person may own an agency's item when they act for that agency (a liaison in its
    team) or coordinate the taskforce (they may act for any agency)."""
    if user is None or not user.is_active:
        return False
    agencies = policy.taskforce_agencies(user)
    return agencies is None or agency in agencies


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
    owner: Any,
) -> ActionItem:
    """Add an action item with one owner: an agency and one person who acts for it. The
    agency becomes a member of the case if it was not one."""
    _require_open(case)
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    if owner is None:
        raise ValidationError({"owner": "Choose the one person responsible."})
    if not may_own(owner, owner_agency):
        raise ValidationError(
            {
                "owner": f"{owner} does not act for {Agency(owner_agency).label}: choose someone "
                "in that agency's team, or a taskforce coordinator."
            }
        )
    _join_agencies(case, [owner_agency])
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
                "owner": owner.get_username(),
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
    if status == ActionItem.Status.OPEN:
        item.escalated_at = None  # reopened: the clock for escalation starts again
        item.escalation_mailed_at = None
    item.save(update_fields=["status", "completed_at", "escalated_at", "escalation_mailed_at"])
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


# --- Escalation ---------------------------------------------------------------------------


def escalate_overdue_items(today: dt.date, after_days: int) -> list[ActionItem]:
    """Escalate every open item on an open case overdue by more than `after_days` days
    that is not escalated yet: one transaction, and one audit entry, per item. Running it
    again the same day escalates nothing more."""
    if after_days < 0:
        raise ValidationError("The escalation delay cannot be negative.")
    cutoff = today - dt.timedelta(days=after_days)
    due = ActionItem.objects.filter(
        status=ActionItem.Status.OPEN,
        case__status=TaskforceCase.Status.OPEN,
        due_on__lt=cutoff,
        escalated_at__isnull=True,
    ).order_by("due_on", "id")
    escalated = []
    for item_id in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            item = ActionItem.objects.select_for_update().get(pk=item_id)
            if item.escalated_at is not None:
                continue
            item.escalated_at = timezone.now()
            item.save(update_fields=["escalated_at"])
            record(
                None,
                AuditAction.UPDATE,
                item,
                summary=f"Escalated action item {item.pk} on taskforce case {item.case_id}: "
                f"{(today - item.due_on).days} days overdue (limit {after_days})",
                changes=field_changes({"escalated": False}, {"escalated": True}),
            )
        escalated.append(item)
    return escalated


# --- Notes and attachments ------------------------------------------------------------------


@transaction.atomic
def add_note(
    actor: Any, case: TaskforceCase, text: str, upload: Any = None, agency: str = ""
) -> CaseNote:
    """A note on the case, with one attachment if given (checked: type and size)."""
    text = text.strip()
    if not text and upload is None:
        raise ValidationError({"text": "Write a note or choose a file to attach."})
    note = CaseNote(case=case, author=actor, agency=agency, text=text)
    facts: dict[str, Any] = {"text": text}
    if upload is not None:
        checked = check_upload(upload)
        note.attachment.save(checked.stored_name, upload, save=False)
        note.attachment_name = checked.original_name
        note.attachment_type = checked.content_type
        note.attachment_size = checked.size
        note.attachment_sha256 = checked.sha256
        facts.update(attachment=checked.original_name, size=checked.size, sha256=checked.sha256)
    note.save()
    what = f" with attachment {note.attachment_name}" if note.attachment_name else ""
    record(
        actor,
        AuditAction.CREATE,
        note,
        summary=f"Note on taskforce case {case.pk}{what}"[:300],
        changes=field_changes({}, facts),
    )
    return note


# --- Meetings ---------------------------------------------------------------------------------


@transaction.atomic
def schedule_meeting(actor: Any, held_on: dt.date, title: str, agenda: dict[str, Any]) -> Meeting:
    """Set up a meeting with its agenda (built by `selectors.meeting_agenda`), fixed now so
    the minutes show what the meeting had before it."""
    meeting = Meeting.objects.create(
        held_on=held_on, title=title.strip() or "Taskforce meeting", agenda=agenda, created_by=actor
    )
    record(
        actor,
        AuditAction.CREATE,
        meeting,
        summary=f"Scheduled {meeting}"[:300],
        changes=field_changes({}, {"held_on": str(held_on), "title": meeting.title}),
    )
    return meeting


@transaction.atomic
def record_attendance(
    actor: Any, meeting: Meeting, name: str, agency: str, user: Any = None
) -> Attendance:
    name = name.strip() or (str(user) if user is not None else "")
    if not name:
        raise ValidationError({"name": "Enter who attended."})
    if agency not in Agency.values:
        raise ValidationError({"agency": "Choose the agency they came for."})
    present = Attendance.objects.create(meeting=meeting, name=name, agency=agency, user=user)
    record(
        actor,
        AuditAction.CREATE,
        present,
        summary=f"{name} ({Agency(agency).label}) attended {meeting}"[:300],
    )
    return present


@transaction.atomic
def record_decision(actor: Any, meeting: Meeting, case: TaskforceCase, text: str) -> Decision:
    if not text.strip():
        raise ValidationError({"text": "Write what was decided."})
    decision = Decision.objects.create(
        meeting=meeting, case=case, text=text.strip(), recorded_by=actor
    )
    record(
        actor,
        AuditAction.CREATE,
        decision,
        summary=f"Decision on taskforce case {case.pk} at {meeting}: {decision.text}"[:300],
    )
    return decision


@transaction.atomic
def set_meeting_notes(actor: Any, meeting: Meeting, notes: str) -> Meeting:
    before = {"notes": meeting.notes}
    meeting.notes = notes.strip()
    meeting.save(update_fields=["notes"])
    record(
        actor,
        AuditAction.UPDATE,
        meeting,
        summary=f"Minutes of {meeting} updated"[:300],
        changes=field_changes(before, {"notes": meeting.notes}),
    )
    return meeting


# --- Which team stands for which agency -----------------------------------------------------


@transaction.atomic
def link_agency_team(actor: Any, agency: str, team: Any) -> AgencyTeam:
    if AgencyTeam.objects.filter(agency=agency, team=team).exists():
        raise ValidationError({"team": f"{team} already stands for that agency."})
    link = AgencyTeam.objects.create(agency=agency, team=team)
    record(
        actor,
        AuditAction.CREATE,
        link,
        summary=f"Team {team} acts for {link.get_agency_display()}"[:300],
    )
    return link


@transaction.atomic
def unlink_agency_team(actor: Any, link: AgencyTeam) -> None:
    record(
        actor,
        AuditAction.DELETE,
        link,
        summary=f"Team {link.team} no longer acts for {link.get_agency_display()}"[:300],
    )
    link.delete()
