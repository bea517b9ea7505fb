"""The IPVI focused-deterrence programme: its tier ladder and the candidates for it.

The ladder is data (`Tier` rows, seeded with the High Point model's four levels), so a
jurisdiction changes levels and the rules that propose them without code. A `Candidate`
is one person who caused harm in one domestic-violence incident, with the tier the rules
propose and why; the coordinator's decision on it (confirm, or override with a reason)
is kept on the candidate, so a person's confirmed candidates are their tier history.
"""

from django.conf import settings
from django.db import models


class Tier(models.Model):
    """One level of the ladder, lowest level first. A tier is proposed when any of its
    rules holds; the highest such tier wins (see `rules.propose`)."""

    level = models.PositiveSmallIntegerField(unique=True, help_text="1 is the lowest.")
    code = models.CharField(max_length=4, unique=True)
    name = models.CharField(max_length=80)
    response = models.TextField(help_text="What the programme does at this level.")
    min_prior_incidents = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Proposed when the person caused harm in at least this many earlier "
        "domestic-violence incidents (blank: this rule is off).",
    )
    on_serious_violence = models.BooleanField(
        default=False,
        help_text="Proposed when the incident shows serious violence (a firearm, "
        "aggravated assault, strangulation, a protection-order violation).",
    )
    on_reoffence_after_tier = models.BooleanField(
        default=False,
        help_text="Proposed when the person re-offends after being placed on a lower tier.",
    )

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.code}: {self.name}"


class Candidate(models.Model):
    """A person who caused harm in a domestic-violence incident, for the coordinator."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the coordinator"
        CONFIRMED = "confirmed", "Tier confirmed"
        OVERRIDDEN = "overridden", "Tier overridden"
        YOUTH = "youth", "Under 18: youth path, no adult deterrence"

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="ipvi_candidates"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="ipvi_candidates"
    )
    incident_date = models.DateField(null=True, blank=True, db_index=True)
    why_domestic = models.CharField(
        max_length=120, help_text="The DV flag, or the recorded intimate-partner relationship."
    )
    prior_incident_ids = models.JSONField(
        default=list, help_text="Earlier DV incidents where the person caused harm."
    )
    flags = models.JSONField(default=list, help_text="Serious-violence signs in the incident.")
    proposed_tier = models.ForeignKey(
        Tier, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(default=list, help_text="Why the rules propose that tier.")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    tier = models.ForeignKey(
        Tier,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text="The tier the coordinator decided on.",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-incident_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "person"], name="ipvi_candidate_once")
        ]
        indexes = [models.Index(fields=["status", "-incident_date"], name="ipvi_queue")]

    def __str__(self) -> str:
        return f"{self.person} in {self.incident}"

    @property
    def is_decided(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.OVERRIDDEN)


# Victim outreach lives in its own module; imported here so Django registers its models.
# The notification records (letters, custom notifications, call-ins, services offered)
# live in their own module; importing it here registers them with the app.
from .charging import ChargingDecision  # noqa: E402, F401
from .notifications import (  # noqa: E402, F401
    CallIn,
    CallInInvitation,
    CallInSpeaker,
    CustomNotification,
    Letter,
    LetterDelivery,
    LetterTemplate,
    LetterTemplateVersion,
    NotificationAttempt,
    NotificationTeamMember,
    ServiceOffer,
)
from .victims import (  # noqa: E402, F401
    ContactAttempt,
    SafetyPlanNote,
    VictimCase,
    VictimCaseClosing,
    VictimScreen,
    VictimService,
)
