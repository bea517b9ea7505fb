"""The Multidisciplinary Public Safety Taskforce: which offenses count as what, and the
rules that flag a property for review; and the cases the taskforce opens on a property,
with their action items.

The categories and the rules are data, not code: a coordinator changes which IBRS/NIBRS
codes count as violent (`OffenseCode`) on a page, and the taskforce coordinator edits
the flagging rules (`FlagRule`, seeded by a migration) on another. The kept daily counts
and the stored rankings are here too; counting itself is in `counts.py` and
`selectors.py`.
"""

import datetime as dt
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    VIOLENT = "violent", "Violent"
    DOMESTIC_VIOLENCE = "domestic_violence", "Domestic violence"
    FIREARM = "firearm", "Firearm"
    DRUG = "drug", "Drug"
    PROPERTY = "property", "Property crime"
    DISORDER = "disorder", "Disorder"


# Categories that an incident also falls in by KCPD's own flag, whatever its offenses.
FLAG_FIELDS: dict[str, str] = {
    Category.DOMESTIC_VIOLENCE: "is_domestic_violence",
    Category.FIREARM: "firearm_used",
}


class OffenseCode(models.Model):
    """One IBRS/NIBRS offense code and the categories whose counts its incidents join.
    A code with no category counts only in "all incidents"."""

    code = models.CharField(max_length=10, unique=True, help_text="As KCPD writes it: 13A, 120.")
    label = models.CharField(max_length=120, blank=True)
    categories = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}".strip()

    @property
    def category_labels(self) -> list[str]:
        labels = dict(Category.choices)
        return [str(labels[c]) for c in Category.values if c in self.categories]


class Window(models.IntegerChoices):
    DAYS_30 = 30, "30 days"
    DAYS_90 = 90, "90 days"
    DAYS_365 = 365, "365 days"


class FlagRule(models.Model):
    """A property is flagged when, in the window ending on the chosen date, it has at
    least `min_count` incidents of the category (blank: any incident) and, if
    `history_factor` is set, at least that many times its own average for a window of
    that length over the year before the window."""

    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=Category.choices, blank=True)
    window_days = models.PositiveSmallIntegerField(choices=Window.choices)
    min_count = models.PositiveSmallIntegerField()
    history_factor = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        what = f"{self.get_category_display().lower()} incidents" if self.category else "incidents"
        text = f"At least {self.min_count} {what} in {self.window_days} days"
        if self.history_factor:
            text += (
                f", and at least {self.history_factor} times the property's own average "
                f"for {self.window_days} days over the year before"
            )
        return text


class Agency(models.TextChoices):
    POLICE = "police", "Police (KCPD)"
    PROSECUTOR = "prosecutor", "Prosecutor"
    NEIGHBORHOOD_SERVICES = "neighborhood_services", "Neighborhood services / code enforcement"
    HEALTH = "health", "Health department"
    FIRE = "fire", "Fire department"
    HOUSING = "housing", "Housing"
    COMMUNITY = "community", "Community organisation"
    DEPARTMENT = "jci", "Justice and Community Intervention"


class TaskforceCase(models.Model):
    """The taskforce's follow-up on one property, led by one agency."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    property = models.ForeignKey(
        "places.Property", on_delete=models.PROTECT, related_name="taskforce_cases"
    )
    lead_agency = models.CharField(max_length=30, choices=Agency.choices)
    summary = models.TextField(help_text="Why the property is under review.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # Required when the case closes with action items still open.
    close_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["status", "opened_at"], name="taskforce_case_status")]

    def __str__(self) -> str:
        return f"Taskforce case {self.pk}"


class ActionItem(models.Model):
    """One thing to do on a case, owned by one agency (and, optionally, one person)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    # The moves the service allows, from each status.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.OPEN: frozenset({Status.DONE, Status.CANCELLED}),
        Status.DONE: frozenset({Status.OPEN}),
        Status.CANCELLED: frozenset({Status.OPEN}),
    }

    case = models.ForeignKey(TaskforceCase, on_delete=models.CASCADE, related_name="items")
    description = models.CharField(max_length=300)
    owner_agency = models.CharField(max_length=30, choices=Agency.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Set once, by `escalate_overdue_items`, when the item is overdue by more than
    # TASKFORCE_ESCALATE_AFTER_DAYS; cleared when the item is reopened or its date moves.
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Set when every message about the escalation has gone out (`taskforce.mail`); an item
    # whose mail failed is mailed again by the next run.
    escalation_mailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="taskforce_item_due"),
            models.Index(fields=["owner_agency", "status"], name="taskforce_item_agency"),
        ]

    def __str__(self) -> str:
        return self.description

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.OPEN and self.due_on < today

    def days_overdue(self, today: dt.date) -> int:
        return (today - self.due_on).days if self.is_overdue(today) else 0

    @property
    def was_on_time(self) -> bool:
        done = self.completed_at
        return done is not None and timezone.localdate(done) <= self.due_on


# --- Member agencies, notes and attachments, meetings ----------------------------------


class AgencyTeam(models.Model):
    """Which team of users stands for a taskforce agency. Agency liaisons in the team see
    and work that agency's cases and action items, and nothing else of the taskforce."""

    agency = models.CharField(max_length=30, choices=Agency.choices)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["agency", "team__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "team"], name="taskforce_agency_team_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_display()}: {self.team}"


class CaseAgency(models.Model):
    """An agency taking part in a case; the case's lead agency is always one of them."""

    case = models.ForeignKey(TaskforceCase, on_delete=models.CASCADE, related_name="agencies")
    agency = models.CharField(max_length=30, choices=Agency.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["agency"]
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="taskforce_case_agency_once")
        ]
        indexes = [models.Index(fields=["agency", "case"], name="taskforce_case_agency")]

    def __str__(self) -> str:
        return self.get_agency_display()


class AttachmentStorage(FileSystemStorage):
    """Files under `TASKFORCE_ATTACHMENT_DIR`, read when used (so a test, or a changed
    setting, moves them), with no URL: they are served only through the policy-checked
    download view, never as static or media files."""

    @property
    def base_location(self) -> str:
        return str(settings.TASKFORCE_ATTACHMENT_DIR)

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    def url(self, name: str | None) -> str:
        raise ValueError("Case attachments have no URL; use the download view.")


def attachment_storage() -> AttachmentStorage:
    return AttachmentStorage()


class CaseNote(models.Model):
    """A note on a case, optionally with one attached file (type and size checked)."""

    case = models.ForeignKey(TaskforceCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.CharField(max_length=30, choices=Agency.choices, blank=True)
    text = models.TextField(blank=True)
    # The stored name is random; the name the user gave is kept only to label the file.
    attachment = models.FileField(storage=attachment_storage, upload_to="cases/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)
    attachment_size = models.PositiveIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Note {self.pk} on taskforce case {self.case_id}"


class Meeting(models.Model):
    """A taskforce meeting: its agenda (fixed when the meeting is set up), who attended,
    and the decisions recorded against cases."""

    held_on = models.DateField()
    title = models.CharField(max_length=200, default="Taskforce meeting")
    agenda = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.title}, {self.held_on:%Y-%m-%d}"


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(max_length=160)
    agency = models.CharField(max_length=30, choices=Agency.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return self.name


class Decision(models.Model):
    """What the meeting decided about one case."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    case = models.ForeignKey(TaskforceCase, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.text[:80]


# --- Kept counts and the stored ranking ------------------------------------------------


class DailyCount(models.Model):
    """How many incidents at a property on one day fell in a category ("" for all
    incidents), by police beat: the narrow table the ranked list counts from instead of
    the incidents, their offenses and their addresses. Kept by `counts` when an import
    changes incidents, an address correction re-points them, or the category table
    changes; always equal to `counts.fresh_rows` over the incidents themselves."""

    property = models.ForeignKey(
        "places.Property", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    day = models.DateField()
    category = models.CharField(max_length=20, blank=True)
    beat = models.CharField(max_length=10, blank=True)
    n = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["property", "day", "category", "beat"], name="taskforce_daily_once"
            )
        ]
        # The rules read one category over a window, property and count only: an
        # index-only scan on PostgreSQL.
        indexes = [
            models.Index(fields=["category", "day", "property", "n"], name="taskforce_daily_window")
        ]

    def __str__(self) -> str:
        return f"{self.property_id} {self.day} {self.category or 'all'}: {self.n}"


class RankingVersion(models.Model):
    """One row: bumped by whatever changes what the ranked list says (counts, rules, the
    category table). A stored ranking of another version is not used."""

    version = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"Ranking version {self.version}"


class StoredRanking(models.Model):
    """The ranked list for one end date and filter set, as computed at one version:
    `entries` is [[property id, [[rule id, count, history or null], ...]], ...] in rank
    order. Reused by every page until the version moves on."""

    key = models.CharField(max_length=200, unique=True)
    version = models.PositiveBigIntegerField()
    entries = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)
    compute_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Stored ranking {self.key} (version {self.version})"
