"""IPVI victim outreach: the advocates' record of reaching and supporting a victim.

A `VictimCase` is one victim of one domestic-violence incident in the IPVI queue, worked
by victim advocates: contact attempts, safety-planning notes, lethality or danger screens
(recorded through the `programs` assessment engine), the protective-order status, and
services offered and accepted. The victim's own choices rule it: a victim who declines
contact stops outreach (`declined_contact_at`), and only the victim can restart it.
An advocate closes a case with a reason (`CloseReason`) and may reopen it with one; a
closed case leaves the open worklist and takes no contact attempts or service offers.
Every close and reopen is kept (`VictimCaseClosing`).

Safety-planning notes and contact-attempt notes are victim-locating information (they say
where a victim is staying or can be reached): shown to victim advocates only.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from jcihub.core.models import RecordedByModel


class ProtectiveOrderStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not known"
    NONE = "none", "None sought"
    PETITION_FILED = "petition_filed", "Petition filed"
    EX_PARTE = "ex_parte", "Ex parte (temporary) order in force"
    FULL_ORDER = "full_order", "Full order of protection in force"
    DENIED = "denied", "Petition denied or dismissed"
    EXPIRED = "expired", "Order expired"


class CloseReason(models.TextChoices):
    DECLINED = "declined_contact", "The victim declined further contact"
    UNREACHABLE = "unreachable", "Unreachable after attempts"
    SAFETY_GOALS_MET = "safety_goals_met", "Safety goals met"
    MOVED = "moved_away", "Moved out of the area"
    OTHER = "other", "Other"


class VictimCase(RecordedByModel):
    victim = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="ipvi_victim_cases"
    )
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.PROTECT, related_name="ipvi_victim_cases"
    )
    advocate = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    protective_order = models.CharField(
        max_length=20, choices=ProtectiveOrderStatus.choices, default=ProtectiveOrderStatus.UNKNOWN
    )
    protective_order_on = models.DateField(null=True, blank=True)
    declined_contact_at = models.DateTimeField(null=True, blank=True)
    declined_note = models.CharField(max_length=300, blank=True)
    # Closed by an advocate (see `VictimCaseClosing` for every close and reopen, with why).
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "victim"], name="ipvi_victim_case_once")
        ]
        indexes = [
            models.Index(fields=["declined_contact_at"], name="ipvi_outreach"),
            models.Index(fields=["closed_at"], name="ipvi_outreach_closed"),
        ]

    def __str__(self) -> str:
        return f"Outreach to {self.victim} ({self.incident})"

    @property
    def has_declined(self) -> bool:
        return self.declined_contact_at is not None

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class VictimCaseClosing(RecordedByModel):
    """One close or reopen of an outreach case, with its reason: the case's history."""

    class Kind(models.TextChoices):
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    case = models.ForeignKey(VictimCase, on_delete=models.PROTECT, related_name="closings")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.CharField(max_length=20, choices=CloseReason.choices, blank=True)
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why (required for other, and for a reopen). Never where the victim is.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="closed") & ~Q(reason="")) | (Q(kind="reopened") & ~Q(note="")),
                name="ipvi_victim_closing_has_reason",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} outreach case {self.case_id}"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    IN_PERSON = "in_person", "In person"
    EMAIL = "email", "Email"
    THIRD_PARTY = "third_party", "Through a partner (shelter, hospital, court)"


class ContactOutcome(models.TextChoices):
    REACHED = "reached", "Reached: spoke with the victim"
    NO_ANSWER = "no_answer", "No answer"
    LEFT_MESSAGE = "left_message", "Left a safe message"
    UNSAFE = "unsafe", "Not safe to talk: stopped"
    WRONG_NUMBER = "wrong_number", "Wrong or disconnected number"
    DECLINED = "declined", "Reached: the victim declined contact"


class ContactAttempt(RecordedByModel):
    case = models.ForeignKey(VictimCase, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    note = models.CharField(max_length=500, blank=True, help_text="Victim-locating.")

    class Meta:
        ordering = ["-attempted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_method_display()}: {self.get_outcome_display()}"


class SafetyPlanNote(RecordedByModel):
    case = models.ForeignKey(VictimCase, on_delete=models.CASCADE, related_name="safety_notes")
    note = models.TextField(max_length=4000, help_text="Victim-locating.")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Safety planning note {self.pk}"


class VictimServiceKind(models.TextChoices):
    SAFETY_PLANNING = "safety_planning", "Safety planning"
    SHELTER = "shelter", "Emergency shelter"
    COUNSELLING = "counselling", "Counselling"
    LEGAL_ADVOCACY = "legal_advocacy", "Legal advocacy"
    PROTECTIVE_ORDER_HELP = "protective_order_help", "Help with a protective order"
    COURT_ACCOMPANIMENT = "court_accompaniment", "Court accompaniment"
    RELOCATION = "relocation", "Relocation help"
    FINANCIAL = "financial", "Financial assistance"
    MEDICAL = "medical", "Medical care"
    CHILDREN = "children", "Services for children"
    OTHER = "other", "Other"


class ServiceResponse(models.TextChoices):
    PENDING = "pending", "Offered: no answer yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class VictimService(RecordedByModel):
    case = models.ForeignKey(VictimCase, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(max_length=30, choices=VictimServiceKind.choices)
    offered_on = models.DateField()
    response = models.CharField(
        max_length=10, choices=ServiceResponse.choices, default=ServiceResponse.PENDING
    )
    responded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_response_display()})"


class VictimScreen(models.Model):
    """A lethality or danger screen (a `programs` assessment) recorded in this case."""

    case = models.ForeignKey(VictimCase, on_delete=models.CASCADE, related_name="screens")
    assessment = models.OneToOneField(
        "programs.Assessment", on_delete=models.PROTECT, related_name="ipvi_victim_screen"
    )

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"Screen {self.assessment_id} in case {self.case_id}"
