"""Police incidents and the people involved, as KCPD publishes them, and the import runs
that brought them in.

KCPD's grain is one row per person per offense per report (see DOMAIN.md): an Incident is
one report, with its Offenses and its Parties. Every row of every file either lands in
these tables or is kept as a RejectedRow of its ImportRun with the reason.
"""

from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed (nothing loaded)"
        REFUSED = "refused", "Refused (file not recognised)"
        ABANDONED = "abandoned", "Abandoned (interrupted; nothing loaded)"

    source = models.CharField(max_length=20, default="kcpd")
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_size = models.BigIntegerField(default=0)
    variant = models.CharField(max_length=60, blank=True, help_text="Column layout detected.")
    columns_ignored = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # Which process runs the import, so a run its process left "running" when it died
    # can be told from one still going (see `importer.abandon_stale_runs`).
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    incidents_created = models.PositiveIntegerField(default=0)
    incidents_updated = models.PositiveIntegerField(default=0)
    incidents_unchanged = models.PositiveIntegerField(default=0)
    parties_created = models.PositiveIntegerField(default=0)
    parties_updated = models.PositiveIntegerField(default=0)
    parties_unchanged = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["file_sha256"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.file_name} ({self.get_status_display()})"


class RejectedRow(models.Model):
    """A row that did not load, kept word for word (up to a limit) with the reason."""

    RAW_LIMIT = 4000

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_rows")
    line_number = models.PositiveIntegerField(help_text="Line in the file where the row starts.")
    reason = models.CharField(max_length=300)
    raw = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "line_number", "id"]

    def __str__(self) -> str:
        return f"Line {self.line_number}: {self.reason}"


def _run_pointer() -> "models.ForeignKey[ImportRun | None, ImportRun | None]":
    """Which import run first or last brought a row. Indexed, but without a database
    foreign-key constraint: the import writes these for up to a million rows in the one
    transaction whose own run they name, and the constraint's check of each row at
    commit was a third of the database's work in an import. Deleting a run goes through
    Django, which sets them to NULL (on_delete) as the constraint would have."""
    return models.ForeignKey(
        ImportRun, null=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )


class Incident(models.Model):
    """One police report. `source_key` is the report number; for extracts that carry no
    report number it is derived from the row's content (see `kcpd.anonymous_key`)."""

    source_key = models.CharField(max_length=60)
    report_number = models.CharField(max_length=30, blank=True)
    reported_date = models.DateField(null=True, blank=True, db_index=True)
    reported_time = models.TimeField(null=True, blank=True)
    from_date = models.DateField(null=True, blank=True)
    from_time = models.TimeField(null=True, blank=True)
    to_date = models.DateField(null=True, blank=True)
    to_time = models.TimeField(null=True, blank=True)
    beat = models.CharField(max_length=10, blank=True)
    reporting_district = models.CharField(max_length=20, blank=True)
    area = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=60, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_domestic_violence = models.BooleanField(null=True, db_index=True)
    firearm_used = models.BooleanField(null=True)
    # The address as the source wrote it, which `places` maps to a canonical property:
    # "the incidents at a property" follow an administrator's correction of that mapping.
    raw_address = models.ForeignKey(
        "places.RawAddress",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    first_run = _run_pointer()
    last_run = _run_pointer()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-reported_date", "source_key"]
        # Declared here rather than as unique=True / db_index=True on the fields: on
        # PostgreSQL those add a second, text-pattern (LIKE) index to each text column,
        # which no query uses and every imported row pays for.
        constraints = [models.UniqueConstraint(fields=["source_key"], name="incident_source_once")]
        indexes = [
            models.Index(fields=["report_number"], name="incident_report_number"),
            models.Index(fields=["beat"], name="incident_beat"),
            models.Index(fields=["zip_code"], name="incident_zip"),
        ]

    def __str__(self) -> str:
        return self.report_number or self.source_key


class Offense(models.Model):
    # No index of its own: `offense_once` starts with the incident.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="offenses", db_index=False
    )
    code = models.CharField(max_length=80, blank=True, help_text="KCPD offense code or text.")
    ibrs = models.CharField(max_length=10, blank=True, help_text="NIBRS offense code.")
    description = models.CharField(max_length=120, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "code", "ibrs", "description"], name="offense_once"
            )
        ]

    def __str__(self) -> str:
        return self.description or self.code


class Involvement(models.TextChoices):
    VICTIM = "VIC", "Victim"
    SUSPECT = "SUS", "Suspect"
    ARRESTEE = "ARR", "Arrestee"
    UNKNOWN = "", "Not stated"


class Party(models.Model):
    """A person involved in an incident. `party_key` is KCPD's involvement number where the
    file has one, else derived from what is known of the person (see `kcpd.party_keys`)."""

    # No index of its own: `party_once` starts with the incident.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="parties", db_index=False
    )
    party_key = models.CharField(max_length=40)
    involvement = models.CharField(max_length=3, choices=Involvement.choices, blank=True)
    race = models.CharField(max_length=1, blank=True)
    sex = models.CharField(max_length=1, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    kcpd_person_number = models.CharField(max_length=20, blank=True)
    first_run = _run_pointer()
    last_run = _run_pointer()
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="incident_parties",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["incident", "party_key"], name="party_once")]

    def __str__(self) -> str:
        return f"{self.get_involvement_display()} in {self.incident_id}"
