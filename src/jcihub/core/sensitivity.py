"""The classes of sensitive data the access policy distinguishes (see DOMAIN.md)."""

from django.db import models


class Sensitivity(models.TextChoices):
    GENERAL = "general", "General"
    VICTIM_LOCATING = "victim_locating", "Victim-locating information (VAWA)"
    HEALTH = "health", "Health information (HIPAA)"
    SUBSTANCE_USE = "substance_use", "Substance-use treatment (42 CFR Part 2)"
    CRIMINAL_HISTORY = "criminal_history", "Criminal-justice information (CJIS)"


SENSITIVE = frozenset(s for s in Sensitivity if s != Sensitivity.GENERAL)
