"""Charging decisions: the prosecutor's answer to a re-offence after notification.

The message said further violence brings a swift and certain consequence; this is where
the consequence is recorded. A `ChargingDecision` belongs to one re-offence (the
`Candidate` row of the new incident) and is recorded by a prosecutor liaison. It is
versioned: a correction adds a new version with the reason for it, the earlier versions
stay, and nothing is deleted. The current decision is the highest version.

A decision names no victim and holds nothing that locates one (the form says so, and the
service refuses text that carries a victim's recorded address of the case).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ChargingOutcome(models.TextChoices):
    PENDING = "pending_review", "Pending review"
    CHARGED = "charged", "Charged"
    DECLINED = "declined", "Declined to charge"
    REFERRED_BACK = "referred_back", "Referred back for further investigation"


# Outcomes that end the wait for a consequence (a pending review does not): the insights'
# "time from re-offence to charging decision" counts the first of these.
DECIDED_OUTCOMES = frozenset(
    {ChargingOutcome.CHARGED, ChargingOutcome.DECLINED, ChargingOutcome.REFERRED_BACK}
)


class ChargingDecision(models.Model):
    reoffence = models.ForeignKey(
        "ipvi.Candidate",
        on_delete=models.PROTECT,
        related_name="charging_decisions",
        help_text="The candidate row of the new incident: the re-offence.",
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="ipvi_charging_decisions"
    )
    version = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=ChargingOutcome.choices)
    charges_filed = models.TextField(blank=True, max_length=2000)
    decided_on = models.DateField()
    reasons = models.TextField(blank=True, max_length=4000)
    correction_reason = models.CharField(
        max_length=500, blank=True, help_text="Why this version corrects the one before it."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["reoffence_id", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["reoffence", "version"], name="ipvi_charging_version_once"
            ),
            models.CheckConstraint(
                condition=Q(version=1) | ~Q(correction_reason=""),
                name="ipvi_charging_correction_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["person", "decided_on"], name="ipvi_charging_person")]

    def __str__(self) -> str:
        return f"Charging decision v{self.version} on candidate {self.reoffence_id}"

    @property
    def is_correction(self) -> bool:
        return self.version > 1
