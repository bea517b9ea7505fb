"""How the programme tells a person who caused harm: letters, face-to-face custom
notifications, call-ins, and the services offered with each.

Every notification hangs on a decided `Candidate` (a person at a confirmed tier), so it
records which tier the message carried. None of these records holds anything about a
victim: a letter's text is rendered from a template whose placeholders name only the
person notified and the programme (see `letters`), and is checked against the victims'
addresses and contact points before it is kept.
"""

from django.conf import settings
from django.db import models

from .models import Candidate, Tier

USER = settings.AUTH_USER_MODEL


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish (español)"


# --- Letters --------------------------------------------------------------------------------


class LetterTemplate(models.Model):
    """The letter for one tier in one language. Its text lives in versions: an edit adds
    a version and never changes one a letter was made from."""

    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="letter_templates")
    language = models.CharField(max_length=2, choices=Language.choices)

    class Meta:
        ordering = ["tier__level", "language"]
        constraints = [
            models.UniqueConstraint(fields=["tier", "language"], name="ipvi_letter_template_once")
        ]

    def __str__(self) -> str:
        return f"Tier {self.tier.code} letter ({self.get_language_display()})"

    @property
    def current(self) -> "LetterTemplateVersion | None":
        return self.versions.order_by("-number").first()


class LetterTemplateVersion(models.Model):
    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    change_note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="ipvi_letter_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.template}, version {self.number}"


class Letter(models.Model):
    """A letter made for a person at a decided tier: the text as rendered, and the
    template version it came from."""

    class Status(models.TextChoices):
        GENERATED = "generated", "Not yet delivered"
        DELIVERED = "delivered", "Delivered"
        NOT_DELIVERED = "not_delivered", "Could not be delivered"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="letters")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    template_version = models.ForeignKey(
        LetterTemplateVersion, on_delete=models.PROTECT, related_name="letters"
    )
    language = models.CharField(max_length=2, choices=Language.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.GENERATED)
    delivered_at = models.DateTimeField(null=True, blank=True)
    generated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["person", "status"], name="ipvi_letter_person")]

    def __str__(self) -> str:
        return f"Letter L{self.pk:06d}" if self.pk else "Letter"


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", "Handed over in person (programme staff)"
    OFFICER = "officer", "Handed over by a police officer"
    MAIL = "mail", "Mailed"


class LetterDelivery(models.Model):
    """One try at getting the letter to the person: how and by whom, or why not."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="deliveries")
    is_delivered = models.BooleanField()
    method = models.CharField(max_length=10, choices=DeliveryMethod.choices, blank=True)
    delivered_by = models.CharField(
        max_length=120, blank=True, help_text="Who handed it over or mailed it."
    )
    occurred_at = models.DateTimeField()
    reason_not_delivered = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.letter}: " + ("delivered" if self.is_delivered else "not delivered")


# --- Custom notifications -------------------------------------------------------------------


class CustomNotification(models.Model):
    """A face-to-face notification by a police officer with a community member."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        DELIVERED = "delivered", "Delivered"
        NOT_DELIVERED = "not_delivered", "Not delivered (closed)"

    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="custom_notifications"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.SCHEDULED)
    delivered_at = models.DateTimeField(null=True, blank=True)
    said = models.TextField(blank=True, help_text="What the team told the person.")
    offered = models.TextField(blank=True, help_text="What help the team offered.")
    person_response = models.TextField(blank=True, help_text="How the person answered.")
    follow_up = models.TextField(blank=True, help_text="What happens next, and who does it.")
    follow_up_due = models.DateField(null=True, blank=True)
    reason_not_delivered = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        indexes = [
            models.Index(fields=["status", "scheduled_for"], name="ipvi_notification_due"),
            models.Index(fields=["person", "status"], name="ipvi_notification_person"),
        ]

    def __str__(self) -> str:
        return f"Custom notification N{self.pk:06d}" if self.pk else "Custom notification"


class TeamRole(models.TextChoices):
    POLICE_OFFICER = "police_officer", "Police officer"
    COMMUNITY_MEMBER = "community_member", "Community member"
    OUTREACH_WORKER = "outreach_worker", "Outreach worker"
    SERVICE_PROVIDER = "service_provider", "Service provider"
    OTHER = "other", "Other"


class NotificationTeamMember(models.Model):
    notification = models.ForeignKey(
        CustomNotification, on_delete=models.CASCADE, related_name="team"
    )
    role = models.CharField(max_length=20, choices=TeamRole.choices)
    name = models.CharField(max_length=120)
    organization = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["role", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class NotificationAttempt(models.Model):
    class Outcome(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        NOT_FOUND = "not_found", "Person not found"
        REFUSED = "refused", "Person refused to talk"
        UNSAFE = "unsafe", "Called off: not safe"
        OTHER = "other", "Other"

    notification = models.ForeignKey(
        CustomNotification, on_delete=models.CASCADE, related_name="attempts"
    )
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.notification}: {self.get_outcome_display()}"


# --- Call-ins -------------------------------------------------------------------------------


class CallIn(models.Model):
    """A call-in meeting: invited people hear police, prosecutor, services and community."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    held_at = models.DateTimeField(db_index=True)
    venue = models.CharField(max_length=200, help_text="A public venue, never a home address.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.held_at:%Y-%m-%d})"


class SpeakerKind(models.TextChoices):
    POLICE = "police", "Police"
    PROSECUTOR = "prosecutor", "Prosecutor"
    SERVICES = "services", "Services"
    COMMUNITY = "community", "Community"
    OTHER = "other", "Other"


class CallInSpeaker(models.Model):
    call_in = models.ForeignKey(CallIn, on_delete=models.CASCADE, related_name="speakers")
    kind = models.CharField(max_length=12, choices=SpeakerKind.choices)
    name = models.CharField(max_length=120)
    organization = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class CallInInvitation(models.Model):
    class Attendance(models.TextChoices):
        INVITED = "invited", "Invited"
        ATTENDED = "attended", "Attended"
        ABSENT = "absent", "Did not attend"
        EXCUSED = "excused", "Excused"

    call_in = models.ForeignKey(CallIn, on_delete=models.CASCADE, related_name="invitations")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="call_in_invitations"
    )
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    attendance = models.CharField(
        max_length=10, choices=Attendance.choices, default=Attendance.INVITED
    )
    invited_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_at = models.DateTimeField()

    class Meta:
        ordering = ["call_in", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call_in", "person"], name="ipvi_invited_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.call_in}"


# --- Services offered to the person who caused harm ----------------------------------------


class ServiceNeed(models.TextChoices):
    BATTERER_INTERVENTION = "batterer_intervention", "Batterer-intervention programme"
    SUBSTANCE_USE = "substance_use", "Substance-use treatment"
    EMPLOYMENT = "employment", "Employment"
    MENTAL_HEALTH = "mental_health", "Mental health"
    HOUSING = "housing", "Housing"
    OTHER = "other", "Other"


class ServiceOffer(models.Model):
    """A service offered to the person, where it was offered, and their answer. When a
    directory service is named, the offer is also a referral (referrals app)."""

    class Response(models.TextChoices):
        OFFERED = "offered", "Offered, no answer yet"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="services")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    need = models.CharField(max_length=24, choices=ServiceNeed.choices)
    description = models.CharField(max_length=300, blank=True)
    letter = models.ForeignKey(
        Letter, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    notification = models.ForeignKey(
        CustomNotification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    invitation = models.ForeignKey(
        CallInInvitation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="services",
    )
    referral = models.ForeignKey(
        "referrals.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.OFFERED)
    offered_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        indexes = [models.Index(fields=["person", "need"], name="ipvi_service_person")]

    def __str__(self) -> str:
        return f"{self.get_need_display()} for {self.person}"

    @property
    def offered_where(self) -> str:
        if self.invitation_id:
            return "at a call-in"
        if self.notification_id:
            return "at a custom notification"
        if self.letter_id:
            return "with a letter"
        return "by the programme"
