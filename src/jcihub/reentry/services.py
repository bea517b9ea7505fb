"""Reentry case actions: each one transaction, each one audited, each checked against the
access policy (`policy.can_work_case`) before it changes anything."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.access import policy
from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record
from jcihub.core.sensitivity import Sensitivity
from jcihub.people.models import Person
from jcihub.people.services import assign_case
from jcihub.referrals import services as referral_services
from jcihub.referrals.models import Service, TaxonomyTerm

from .models import (
    OPENS_DAYS_BEFORE_RELEASE,
    TASK_TRANSITIONS,
    Case,
    CaseKind,
    CaseStatus,
    Contact,
    Goal,
    Milestone,
    MilestoneKind,
    Need,
    NeedArea,
    NeedStatus,
    PlanReferral,
    Task,
    TaskStatus,
)

# A milestone reached meets the need it answers.
MILESTONE_NEED: dict[str, str] = {
    MilestoneKind.ID_OBTAINED: NeedArea.IDENTIFICATION,
    MilestoneKind.HOUSED: NeedArea.HOUSING,
    MilestoneKind.EMPLOYED: NeedArea.EMPLOYMENT,
    MilestoneKind.BENEFITS_ACTIVE: NeedArea.BENEFITS,
}
# Who may own each kind of case (besides the department-wide roles' staff it names).
NAVIGATOR_ROLES: dict[str, frozenset[str]] = {
    CaseKind.REENTRY: frozenset({R.REENTRY_NAVIGATOR, R.DIRECTOR, R.PROGRAM_MANAGER}),
    CaseKind.VICTIM_SERVICES: frozenset({R.VICTIM_ADVOCATE, R.DIRECTOR, R.PROGRAM_MANAGER}),
}


def _refuse(actor: Any, why: str, person_id: int | None) -> None:
    record(actor, AuditAction.DENIED, person_id=person_id, summary=why)
    raise PermissionDenied("You may not change this case.")


def _require_worker(actor: Any, case: Case) -> None:
    if not policy.can_work_case(actor, case):
        _refuse(actor, f"reentry case {case.number}: change refused", case.person_id)
    if not case.is_open:
        raise ValidationError("The case is closed.")


def earliest_opening(planned_release_on: dt.date) -> dt.date:
    return planned_release_on - dt.timedelta(days=OPENS_DAYS_BEFORE_RELEASE)


def check_opening(kind: str, planned_release_on: dt.date | None, today: dt.date) -> None:
    """A reentry case needs a planned release date and opens no earlier than 90 days
    before it (a date in the past means the person is already out)."""
    if kind != CaseKind.REENTRY:
        return
    if planned_release_on is None:
        raise ValidationError(
            {"planned_release_on": "Enter the planned release date (or the release date)."}
        )
    opens = earliest_opening(planned_release_on)
    if today < opens:
        raise ValidationError(
            {
                "planned_release_on": (
                    f"A reentry case opens at most {OPENS_DAYS_BEFORE_RELEASE} days before "
                    f"release. With release planned for {planned_release_on:%Y-%m-%d}, "
                    f"it can open from {opens:%Y-%m-%d}."
                )
            }
        )


def _check_navigator(kind: str, navigator: Any) -> None:
    if navigator is None or policy.role_of(navigator) not in NAVIGATOR_ROLES[kind]:
        who = "reentry navigator" if kind == CaseKind.REENTRY else "victim advocate"
        raise ValidationError({"navigator": f"The case's owner must be a {who}."})


def _case_state(case: Case) -> dict[str, Any]:
    return {
        "kind": case.kind,
        "status": case.status,
        "navigator": case.navigator_id,
        "planned_release_on": str(case.planned_release_on or ""),
        "released_on": str(case.released_on or ""),
    }


def open_case(
    actor: Any,
    person: Person,
    *,
    kind: str,
    navigator: Any,
    planned_release_on: dt.date | None = None,
    summary: str = "",
    safe_contact: str = "",
    team: Any = None,
) -> Case:
    """Open a case with its nine needs not yet assessed; assign the navigator to the person."""
    if kind not in policy.case_kinds_for(actor) or not policy.can_view_person(actor, person):
        _refuse(actor, f"opening a {kind} case refused", person.pk)
    check_opening(kind, planned_release_on, timezone.localdate())
    _check_navigator(kind, navigator)
    if kind != CaseKind.VICTIM_SERVICES and safe_contact.strip():
        raise ValidationError({"safe_contact": "Safe-contact details belong to victim cases."})
    if Case.objects.filter(person=person, kind=kind, status=CaseStatus.OPEN).exists():
        raise ValidationError(
            f"{person.record_number} already has an open {CaseKind(kind).label.lower()} case."
        )
    with transaction.atomic():
        case = Case.objects.create(
            person=person,
            kind=kind,
            navigator=navigator,
            team=team,
            planned_release_on=planned_release_on,
            summary=summary.strip(),
            safe_contact=safe_contact.strip(),
            opened_by=actor,
        )
        Need.objects.bulk_create(Need(case=case, area=area) for area in NeedArea.values)
        assign_case(actor, person, user=navigator, purpose=f"{case.get_kind_display()} {case}")
        record(
            actor,
            AuditAction.CREATE,
            case,
            person_id=person.pk,
            summary=f"Opened {case.get_kind_display().lower()} case {case} for "
            f"{person.record_number}",
            changes=field_changes({}, _case_state(case)),
        )
    return case


@transaction.atomic
def assess_need(actor: Any, need: Need, *, status: str, priority: str, notes: str) -> Need:
    _require_worker(actor, need.case)
    before = {"status": need.status, "priority": need.priority, "notes": need.notes}
    need.status, need.priority, need.notes = status, priority, notes.strip()
    after = {"status": need.status, "priority": need.priority, "notes": need.notes}
    if before == after:
        return need
    need.save(update_fields=["status", "priority", "notes", "updated_at"])
    record(
        actor,
        AuditAction.UPDATE,
        need,
        person_id=need.case.person_id,
        summary=f"Case {need.case}: {need.get_area_display()} need {need.get_status_display()}",
        changes=field_changes(before, after),
    )
    return need


@transaction.atomic
def add_goal(actor: Any, case: Case, description: str, need: Need | None = None) -> Goal:
    _require_worker(actor, case)
    if not description.strip():
        raise ValidationError({"description": "Describe the goal."})
    if need is not None and need.case_id != case.pk:
        raise ValidationError({"need": "Choose a need of this case."})
    goal = Goal.objects.create(case=case, need=need, description=description.strip())
    record(
        actor,
        AuditAction.CREATE,
        goal,
        person_id=case.person_id,
        summary=f"Case {case}: goal “{goal.description}”"[:300],
    )
    return goal


@transaction.atomic
def set_goal_status(actor: Any, goal: Goal, status: str) -> Goal:
    _require_worker(actor, goal.case)
    if status not in Goal.Status.values or status == goal.status:
        raise ValidationError(f"The goal is already {goal.get_status_display().lower()}.")
    before = {"status": goal.status}
    goal.status = status
    goal.save(update_fields=["status"])
    record(
        actor,
        AuditAction.UPDATE,
        goal,
        person_id=goal.case.person_id,
        summary=f"Case {goal.case_id}: goal {goal.pk} {goal.get_status_display().lower()}",
        changes=field_changes(before, {"status": status}),
    )
    return goal


@transaction.atomic
def add_task(actor: Any, goal: Goal, description: str, owner: Any, due_on: dt.date) -> Task:
    _require_worker(actor, goal.case)
    if not description.strip():
        raise ValidationError({"description": "Say what is to be done."})
    if owner is None:
        raise ValidationError({"owner": "Name who will do it."})
    task = Task.objects.create(
        goal=goal, description=description.strip(), owner=owner, due_on=due_on
    )
    record(
        actor,
        AuditAction.CREATE,
        task,
        person_id=goal.case.person_id,
        summary=f"Case {goal.case}: task “{task.description}” for {owner.get_username()} "
        f"by {due_on:%Y-%m-%d}"[:300],
    )
    return task


@transaction.atomic
def set_task_status(actor: Any, task: Task, status: str) -> Task:
    """Move a task along `TASK_TRANSITIONS`."""
    _require_worker(actor, task.goal.case)
    if status not in TASK_TRANSITIONS.get(task.status, frozenset()):
        raise ValidationError(
            f"A task that is {task.get_status_display().lower()} cannot become {status}."
        )
    before = {"status": task.status}
    task.status = status
    task.completed_at = timezone.now() if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at"])
    record(
        actor,
        AuditAction.UPDATE,
        task,
        person_id=task.goal.case.person_id,
        summary=f"Case {task.goal.case}: task {task.pk} {task.get_status_display().lower()}",
        changes=field_changes(before, {"status": status}),
    )
    return task


def _not_in_future(value: dt.date, field: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: "The date cannot be in the future."})


@transaction.atomic
def record_milestone(
    actor: Any, case: Case, kind: str, reached_on: dt.date, note: str = ""
) -> Milestone:
    """Record a milestone (once per kind); the need it answers becomes met."""
    _require_worker(actor, case)
    _not_in_future(reached_on, "reached_on")
    if case.milestones.filter(kind=kind).exists():
        raise ValidationError(
            {"kind": f"“{MilestoneKind(kind).label}” is already recorded on this case."}
        )
    milestone = Milestone.objects.create(
        case=case, kind=kind, reached_on=reached_on, note=note.strip(), recorded_by=actor
    )
    case.needs.filter(area=MILESTONE_NEED[kind]).exclude(status=NeedStatus.MET).update(
        status=NeedStatus.MET, updated_at=timezone.now()
    )
    record(
        actor,
        AuditAction.CREATE,
        milestone,
        person_id=case.person_id,
        summary=f"Case {case}: {milestone.get_kind_display().lower()} on {reached_on:%Y-%m-%d}",
    )
    return milestone


@transaction.atomic
def record_contact(
    actor: Any, case: Case, *, occurred_at: dt.datetime, method: str, outcome: str, note: str = ""
) -> Contact:
    _require_worker(actor, case)
    if occurred_at > timezone.now():
        raise ValidationError({"occurred_at": "The contact cannot be in the future."})
    contact = Contact.objects.create(
        case=case,
        occurred_at=occurred_at,
        method=method,
        outcome=outcome,
        note=note.strip(),
        recorded_by=actor,
    )
    record(
        actor,
        AuditAction.CREATE,
        contact,
        person_id=case.person_id,
        summary=f"Case {case}: contact ({contact})",
    )
    return contact


def refer_from_plan(
    actor: Any,
    case: Case,
    service: Service,
    *,
    need: Need | None = None,
    goal: Goal | None = None,
    note: str = "",
    send: bool = True,
) -> PlanReferral:
    """A referral through the referrals app (consent, service offered, its audit), linked
    to the need or goal of the plan it serves."""
    _require_worker(actor, case)
    if (need and need.case_id != case.pk) or (goal and goal.case_id != case.pk):
        raise ValidationError("Choose a need and goal of this case.")
    # The referral's need category (for the referrals report): the service's, if it has one.
    terms = list(TaxonomyTerm.objects.filter(attributes__service=service).distinct()[:2])
    with transaction.atomic():
        referral = referral_services.create_referral(
            actor,
            case.person,
            service,
            need=terms[0] if len(terms) == 1 else None,
            note=note,
            send=send,
            is_victim_service=case.is_victim_case,
        )
        link = PlanReferral.objects.create(case=case, referral=referral, need=need, goal=goal)
        if need is not None and need.status in (NeedStatus.NOT_ASSESSED, NeedStatus.NEEDED):
            need.status = NeedStatus.IN_PROGRESS
            need.save(update_fields=["status", "updated_at"])
    return link


@transaction.atomic
def record_release(actor: Any, case: Case, released_on: dt.date) -> Case:
    _require_worker(actor, case)
    _not_in_future(released_on, "released_on")
    before = _case_state(case)
    case.released_on = released_on
    case.save(update_fields=["released_on"])
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.person_id,
        summary=f"Case {case}: released {released_on:%Y-%m-%d}",
        changes=field_changes(before, _case_state(case)),
    )
    return case


@transaction.atomic
def set_safe_contact(actor: Any, case: Case, text: str) -> Case:
    """Victim cases only, and only by someone who may see victim-locating information."""
    _require_worker(actor, case)
    if not case.is_victim_case or not policy.can_view_sensitivity(
        actor, case.person, Sensitivity.VICTIM_LOCATING
    ):
        _refuse(actor, f"case {case.number}: safe-contact change refused", case.person_id)
    case.safe_contact = text.strip()
    case.save(update_fields=["safe_contact"])
    # The text itself is locating information: the audit trail says that it changed only.
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.person_id,
        summary=f"Case {case}: safe-contact details changed",
    )
    return case


@transaction.atomic
def close_case(actor: Any, case: Case, reason: str) -> Case:
    _require_worker(actor, case)
    if not reason.strip():
        raise ValidationError({"reason": "Say why the case closes."})
    before = _case_state(case)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.close_reason = reason.strip()
    case.save(update_fields=["status", "closed_at", "close_reason"])
    record(
        actor,
        AuditAction.UPDATE,
        case,
        person_id=case.person_id,
        summary=f"Closed case {case}",
        changes=field_changes(before, _case_state(case)),
        reason=case.close_reason,
    )
    return case
