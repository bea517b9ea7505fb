"""Reentry cases: a returning citizen's (or a victim's) needs, plan, milestones, contacts
and the referrals made from the plan.

One case machinery serves two kinds of work: reentry for a returning citizen, worked by a
reentry navigator, and victim services / resource assistance for a victim, worked by a
victim advocate. A victim case may hold victim-locating information (how and where the
victim can be reached safely), which the access policy shows to advocates only.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

# A reentry case may open by hand up to this many days before the planned release.
OPENS_DAYS_BEFORE_RELEASE = 90


class CaseKind(models.TextChoices):
    REENTRY = "reentry", "Reentry"
    VICTIM_SERVICES = "victim_services", "Victim services and resource assistance"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class NeedArea(models.TextChoices):
    EMPLOYMENT = "employment", "Employment"
    HOUSING = "housing", "Housing"
    IDENTIFICATION = "identification", "Identification documents"
    BENEFITS = "benefits", "Benefits"
    LEGAL_AID = "legal_aid", "Legal aid"
    HEALTH = "health", "Health and behavioural health"
    TRANSPORTATION = "transportation", "Transportation"
    FAMILY = "family", "Family"
    EDUCATION = "education", "Education"


class NeedStatus(models.TextChoices):
    NOT_ASSESSED = "not_assessed", "Not assessed"
    NO_NEED = "no_need", "No need"
    NEEDED = "needed", "Needed"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"


# Needs the person has (or had): the report's "needs met" counts MET among these.
HAS_NEED = frozenset({NeedStatus.NEEDED, NeedStatus.IN_PROGRESS, NeedStatus.MET})


class Priority(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class Case(models.Model):
    """One person's reentry (or victim services) case, owned by one navigator."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CaseKind.choices, default=CaseKind.REENTRY)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reentry_cases"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_release_on = models.DateField(null=True, blank=True)
    released_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    # Victim cases only: how and where the victim can be reached safely (VAWA).
    safe_contact = models.TextField(blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["status", "kind", "-opened_at"], name="reentry_case_list"),
            models.Index(fields=["navigator", "status"], name="reentry_case_navigator"),
            models.Index(fields=["planned_release_on"], name="reentry_case_release"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"C{self.pk:07d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN

    @property
    def is_victim_case(self) -> bool:
        return self.kind == CaseKind.VICTIM_SERVICES

    @property
    def starts_on(self) -> dt.date:
        """The day the clock for "time to housing/employment" starts: release, else opening."""
        return self.released_on or self.planned_release_on or timezone.localdate(self.opened_at)


class Need(models.Model):
    """One area of the needs assessment; every case has one row per area."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="needs")
    area = models.CharField(max_length=20, choices=NeedArea.choices)
    status = models.CharField(
        max_length=20, choices=NeedStatus.choices, default=NeedStatus.NOT_ASSESSED
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.MEDIUM)
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "area"], name="reentry_need_one_per_area")
        ]
        indexes = [models.Index(fields=["area", "status"], name="reentry_need_area")]

    def __str__(self) -> str:
        return self.get_area_display()


class Goal(models.Model):
    """A goal of the case's plan, usually answering one need."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    description = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.description


class TaskStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


# The moves `services.set_task_status` allows, from each status.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.DONE, TaskStatus.CANCELLED}),
    TaskStatus.DONE: frozenset({TaskStatus.OPEN}),
    TaskStatus.CANCELLED: frozenset({TaskStatus.OPEN}),
}


class Task(models.Model):
    """One step towards a goal, with one owner and a due date."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="tasks")
    description = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reentry_tasks"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["owner", "status", "due_on"], name="reentry_task_owner")]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == TaskStatus.OPEN and self.due_on < today


class MilestoneKind(models.TextChoices):
    ID_OBTAINED = "id_obtained", "Identification obtained"
    HOUSED = "housed", "Housed"
    EMPLOYED = "employed", "Employed"
    BENEFITS_ACTIVE = "benefits_active", "Benefits active"


class Milestone(models.Model):
    """A milestone reached, once per kind per case, with the date it was reached."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=MilestoneKind.choices)
    reached_on = models.DateField()
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["reached_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="reentry_milestone_once")
        ]
        indexes = [models.Index(fields=["kind", "reached_on"], name="reentry_milestone_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()


class Contact(models.Model):
    """An attempt to reach the person, or a meeting with them."""

    class Method(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video"
        TEXT = "text", "Text message"
        LETTER = "letter", "Letter or e-mail"
        IN_CUSTODY = "in_custody", "Visit in custody"

    class Outcome(models.TextChoices):
        MET = "met", "Met / spoke with the person"
        LEFT_MESSAGE = "left_message", "Left a message"
        NO_ANSWER = "no_answer", "No answer"
        NO_SHOW = "no_show", "Person did not come"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    occurred_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=Method.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_outcome_display()}"

    @property
    def is_attempt(self) -> bool:
        return self.outcome != self.Outcome.MET


class PlanReferral(models.Model):
    """A referral (referrals app) made from the case's plan, for one need or goal."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plan_referrals")
    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="reentry_link"
    )
    need = models.ForeignKey(
        Need, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_referrals"
    )
    goal = models.ForeignKey(
        Goal, null=True, blank=True, on_delete=models.SET_NULL, related_name="plan_referrals"
    )

    class Meta:
        ordering = ["-referral__created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} → {self.referral}"
