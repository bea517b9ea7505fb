"""The assessment engine: instruments as versioned data, and the assessments made with them.

An `Instrument` is one screen (the LAP lethality screen, the Danger Assessment, ...); each
definition loaded for it is an `InstrumentVersion`, kept for ever, so an assessment
always points at the exact items, weights and rules it was scored with. Assessments hold
answers to yes/no and choice items only: no free text, so no instrument can become a
place where a victim's whereabouts are written down.
"""

from django.conf import settings
from django.db import models

from jcihub.core.models import RecordedByModel

from . import definitions


class Subject(models.TextChoices):
    VICTIM = "victim", "Victim"
    PERSON_WHO_CAUSED_HARM = "person_who_caused_harm", "Person who caused harm"
    PARTICIPANT = "participant", "Programme participant"


class Instrument(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    subject = models.CharField(max_length=30, choices=Subject.choices)
    disabled_on = models.DateField(
        null=True, blank=True, help_text="No new assessments from this day; history stays."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InstrumentVersion(models.Model):
    class Status(models.TextChoices):
        COMPLETE = "complete", "Complete: ready to record with"
        SKELETON = "skeleton", "Skeleton: licensed parts still to be filled"

    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices)
    definition = models.JSONField()
    digest = models.CharField(max_length=64, help_text="SHA-256 of the canonical definition.")
    source_name = models.CharField(max_length=300, blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["instrument", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "version"], name="instrument_version_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument} v{self.version}"

    @property
    def is_complete(self) -> bool:
        return self.status == self.Status.COMPLETE

    def read(self) -> definitions.Definition:
        return definitions.read(self.definition)


class Assessment(RecordedByModel):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="assessments"
    )
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="assessments"
    )
    administered_on = models.DateField()
    answers = models.JSONField(help_text="Item id → answer, as the version defines them.")
    score = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    band = models.CharField(max_length=80, blank=True)
    screened_in = models.BooleanField()
    reasons = models.JSONField(default=list, help_text="The screen-in rules that held.")

    class Meta:
        ordering = ["-administered_on", "-id"]
        indexes = [models.Index(fields=["person", "-administered_on"], name="assessment_history")]

    def __str__(self) -> str:
        return f"{self.version} for {self.person_id} on {self.administered_on}"
