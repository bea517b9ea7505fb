"""The person registry: one Person per human, with the facts every app shares."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from jcihub.accounts.models import Team
from jcihub.core.models import RecordedByModel
from jcihub.core.sensitivity import Sensitivity


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    INTERSEX = "X", "Intersex / another sex"
    UNKNOWN = "U", "Unknown"


class Ethnicity(models.TextChoices):
    HISPANIC = "hispanic", "Hispanic or Latino"
    NOT_HISPANIC = "not_hispanic", "Not Hispanic or Latino"
    UNKNOWN = "unknown", "Unknown"


class Race(models.TextChoices):
    AMERICAN_INDIAN = "american_indian", "American Indian or Alaska Native"
    ASIAN = "asian", "Asian"
    BLACK = "black", "Black or African American"
    PACIFIC_ISLANDER = "pacific_islander", "Native Hawaiian or Other Pacific Islander"
    WHITE = "white", "White"
    OTHER = "other", "Another race"
    UNKNOWN = "unknown", "Unknown"


class PersonQuerySet(models.QuerySet["Person"]):
    def unsealed(self) -> "PersonQuerySet":
        return self.filter(sealed_at__isnull=True)


class Person(RecordedByModel):
    given_name = models.CharField(max_length=100)
    middle_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    suffix = models.CharField(max_length=20, blank=True)
    birth_date = models.DateField(null=True, blank=True, db_index=True)
    birth_date_is_estimated = models.BooleanField(default=False)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = models.CharField(max_length=60, blank=True)
    races = models.JSONField(default=list, blank=True)
    ethnicity = models.CharField(
        max_length=20, choices=Ethnicity.choices, default=Ethnicity.UNKNOWN
    )
    primary_language = models.CharField(max_length=60, blank=True, default="English")
    needs_interpreter = models.BooleanField(default=False)
    # A restricted record is hidden from the registry except to people with a relationship
    # to it (for example a victim in a protected programme).
    is_restricted = models.BooleanField(default=False)
    # A sealed (expunged or closed) record disappears from ordinary views and exports.
    sealed_at = models.DateTimeField(null=True, blank=True)
    sealed_reason = models.CharField(max_length=300, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.given_name, self.middle_name, self.family_name, self.suffix]
        return " ".join(part for part in parts if part)

    @property
    def record_number(self) -> str:
        return f"P{self.pk:07d}" if self.pk else ""

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        before_birthday = (day.month, day.day) < (self.birth_date.month, self.birth_date.day)
        return day.year - self.birth_date.year - before_birthday


class PersonName(models.Model):
    """Every name a person is known by, the legal one included, with matching keys."""

    class Kind(models.TextChoices):
        LEGAL = "legal", "Legal name"
        ALIAS = "alias", "Alias / also known as"
        PREVIOUS = "previous", "Previous name"
        NICKNAME = "nickname", "Nickname"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ALIAS)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100)
    # Blocking keys for fast candidate search: phonetic codes and the first initial.
    family_key = models.CharField(max_length=12, db_index=True)
    given_key = models.CharField(max_length=12, blank=True)
    given_initial = models.CharField(max_length=1, blank=True)

    class Meta:
        ordering = ["kind", "family_name"]
        indexes = [
            models.Index(fields=["family_key", "given_initial"]),
            models.Index(fields=["given_key", "given_initial"]),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip()


class IdentifierSystem(models.TextChoices):
    KCPD = "kcpd", "KCPD person number"
    COURT = "court", "Court case party id"
    JAIL_BOOKING = "jail_booking", "Jail booking number"
    PROGRAM_INTAKE = "program_intake", "Programme intake id"
    HOSPITAL = "hospital", "Hospital medical record number"
    STATE_ID = "state_id", "Missouri driver licence / state id"


# Identifiers reveal contact with the system that issued them: police, court and jail numbers
# are criminal-justice information, a hospital number is health information.
IDENTIFIER_SENSITIVITY: dict[str, Sensitivity] = {
    IdentifierSystem.KCPD: Sensitivity.CRIMINAL_HISTORY,
    IdentifierSystem.COURT: Sensitivity.CRIMINAL_HISTORY,
    IdentifierSystem.JAIL_BOOKING: Sensitivity.CRIMINAL_HISTORY,
    IdentifierSystem.HOSPITAL: Sensitivity.HEALTH,
    IdentifierSystem.PROGRAM_INTAKE: Sensitivity.GENERAL,
    IdentifierSystem.STATE_ID: Sensitivity.GENERAL,
}


class Identifier(RecordedByModel):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=20, choices=IdentifierSystem.choices)
    value = models.CharField(max_length=40)

    class Meta:
        ordering = ["system", "value"]
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="identifier_unique_per_system")
        ]
        # Search and intake look a number up without knowing its system.
        indexes = [models.Index(fields=["value"], name="identifier_value")]

    def __str__(self) -> str:
        return f"{self.get_system_display()} {self.value}"

    @property
    def sensitivity(self) -> Sensitivity:
        return IDENTIFIER_SENSITIVITY[self.system]


class ValidityQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> "ValidityQuerySet":
        on = on or dt.date.today()
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class Address(RecordedByModel):
    class Kind(models.TextChoices):
        HOME = "home", "Home"
        MAILING = "mailing", "Mailing"
        SHELTER = "shelter", "Shelter"
        WORK = "work", "Work"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.HOME)
    line1 = models.CharField(max_length=120)
    line2 = models.CharField(max_length=120, blank=True)
    city = models.CharField(max_length=60, default="Kansas City")
    state = models.CharField(max_length=2, default="MO")
    zip_code = models.CharField(max_length=10)
    # Confidential addresses are victim-locating information (VAWA).
    is_confidential = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return ", ".join(p for p in [self.line1, self.line2, self.city, self.state] if p)

    @property
    def sensitivity(self) -> Sensitivity:
        return Sensitivity.VICTIM_LOCATING if self.is_confidential else Sensitivity.GENERAL


class ContactPoint(RecordedByModel):
    class Kind(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    value = models.CharField(max_length=254)
    is_confidential = models.BooleanField(default=False)
    is_safe_to_leave_message = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def sensitivity(self) -> Sensitivity:
        return Sensitivity.VICTIM_LOCATING if self.is_confidential else Sensitivity.GENERAL


class RelationshipKind(models.TextChoices):
    INTIMATE_PARTNER_CURRENT = "ip_current", "Intimate partner (current)"
    INTIMATE_PARTNER_FORMER = "ip_former", "Intimate partner (former)"
    HOUSEHOLD = "household", "Household member"
    PARENT_OF = "parent_of", "Parent of"
    CO_DEFENDANT = "co_defendant", "Co-defendant"


INTIMATE_PARTNER_KINDS = (
    RelationshipKind.INTIMATE_PARTNER_CURRENT,
    RelationshipKind.INTIMATE_PARTNER_FORMER,
)


class PersonRelationship(RecordedByModel):
    """A relationship between two people, read from `person` to `related_person`."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    # Who caused harm, where the relationship involves violence between the two.
    person_caused_harm = models.BooleanField(default=False)
    related_person_caused_harm = models.BooleanField(default=False)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person=models.F("related_person")), name="relationship_not_self"
            ),
            models.UniqueConstraint(
                fields=["person", "related_person", "kind"], name="relationship_unique_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_kind_display()} - {self.related_person}"


class SafetyFlag(RecordedByModel):
    class Kind(models.TextChoices):
        OFFICER_SAFETY = "officer_safety", "Staff safety caution"
        HIGH_LETHALITY = "high_lethality", "High lethality risk (victim)"
        NO_CONTACT_ORDER = "no_contact_order", "No-contact / protection order in force"
        WEAPONS = "weapons", "Access to weapons"
        MEDICAL_ALERT = "medical_alert", "Medical alert"
        DO_NOT_CONTACT = "do_not_contact", "Do not contact (person's own choice)"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="safety_flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.CharField(max_length=300, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()

    @property
    def is_active(self) -> bool:
        return self.cleared_at is None


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self, on: dt.date | None = None) -> "ConsentQuerySet":
        on = on or dt.date.today()
        return self.filter(revoked_at__isnull=True, valid_from__lte=on, valid_until__gte=on)


class Consent(RecordedByModel):
    """Informed, written, time-limited consent to share categories of information."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    recipient = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="consents")
    # Sensitivity values the person agreed to share ("general" covers identity and case).
    categories = models.JSONField(default=list)
    purpose = models.CharField(max_length=300)
    valid_from = models.DateField()
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    revocation_note = models.CharField(max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        indexes = [models.Index(fields=["recipient", "person"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="consent_period_order"
            )
        ]

    def __str__(self) -> str:
        return f"Consent to share with {self.recipient}"

    def is_active_on(self, day: dt.date) -> bool:
        return self.revoked_at is None and self.valid_from <= day <= self.valid_until


class CaseAssignment(RecordedByModel):
    """A staff member's or team's working relationship with a person (their caseload)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    purpose = models.CharField(max_length=120, blank=True)
    started_on = models.DateField(default=dt.date.today)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["user", "ended_on"]),
            models.Index(fields=["team", "ended_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(team__isnull=False),
                name="assignment_has_user_or_team",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} works with {self.person}"


class LinkageRun(models.Model):
    """One stored run of batch identity resolution (`jcihub link people`).

    A dry run stores nothing, so every run here has finished and its candidates are in
    the database. `model` is the Splink model it scored with (trained on the run's own
    records, or read from `model_source`)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    model_source = models.CharField(max_length=500)
    model = models.JSONField()
    # The name frequencies and shared contacts of the records scored, so that intake can
    # score a new person exactly as this run would have (see linkage.model.lookups).
    lookups = models.JSONField(default=dict)
    auto_threshold = models.FloatField()
    review_threshold = models.FloatField()
    records = models.PositiveIntegerField(help_text="Person records read.")
    pairs_scored = models.PositiveBigIntegerField(help_text="Pairs the blocking rules made.")
    auto_linked = models.PositiveIntegerField(help_text="New automatic links.")
    queued = models.PositiveIntegerField(help_text="Pairs newly waiting for review.")
    refreshed = models.PositiveIntegerField(help_text="Queued pairs given a new score.")
    withdrawn = models.PositiveIntegerField(help_text="Queued pairs that no longer qualify.")
    unchanged = models.PositiveIntegerField(help_text="Pairs already linked or decided.")
    skipped_rejected = models.PositiveIntegerField(help_text="Pairs a reviewer rejected before.")
    skipped_related = models.PositiveIntegerField(
        help_text="Pairs recorded as related to each other, so two people."
    )
    held_apart = models.PositiveIntegerField(
        default=0,
        help_text="Pairs scored for an automatic link but queued for review instead: the "
        "link would make one identity of records a reviewer judged different people.",
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Linkage run {self.pk} ({self.started_at:%Y-%m-%d %H:%M})"


class MatchCandidate(models.Model):
    """Two person records that may stand for one human, as a linkage run scored them.

    The candidate is also the link: an automatic or accepted candidate says the two
    records are the same person. Neither record is changed, so every source record and
    identifier stays where it was; a merge reads the links, and rejecting a link
    restores the split exactly. A rejected pair is never proposed again."""

    class Status(models.TextChoices):
        AUTO_LINKED = "auto_linked", "Linked automatically"
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted: the same person"
        REJECTED = "rejected", "Rejected: different people"
        DEFERRED = "deferred", "Deferred"

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(
        LinkageRun,
        on_delete=models.PROTECT,
        related_name="candidates",
        help_text="The run that last scored the pair.",
    )
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    # Per comparison: the level the pair fell in and its Bayes factor (see linkage.model).
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=Status.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-match_probability", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="match_pair_unique"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="match_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-match_probability"], name="match_queue")]

    def __str__(self) -> str:
        return f"P{self.person_a_id:07d} / P{self.person_b_id:07d} ({self.get_status_display()})"

    @property
    def is_link(self) -> bool:
        return self.status in LINKED_STATUSES


LINKED_STATUSES = (MatchCandidate.Status.AUTO_LINKED, MatchCandidate.Status.ACCEPTED)
REVIEW_STATUSES = (MatchCandidate.Status.PENDING, MatchCandidate.Status.DEFERRED)
# The decisions a reviewer may make, from each status. A rejection is final: the pair
# is never proposed again. Rejecting a linked pair is the unmerge: since a link changed
# neither record, removing it restores the split exactly.
ALLOWED_DECISIONS: dict[str, frozenset[str]] = {
    MatchCandidate.Status.PENDING: frozenset(
        {
            MatchCandidate.Status.ACCEPTED,
            MatchCandidate.Status.REJECTED,
            MatchCandidate.Status.DEFERRED,
        }
    ),
    MatchCandidate.Status.DEFERRED: frozenset(
        {MatchCandidate.Status.ACCEPTED, MatchCandidate.Status.REJECTED}
    ),
    MatchCandidate.Status.AUTO_LINKED: frozenset(
        {MatchCandidate.Status.ACCEPTED, MatchCandidate.Status.REJECTED}
    ),
    MatchCandidate.Status.ACCEPTED: frozenset({MatchCandidate.Status.REJECTED}),
    MatchCandidate.Status.REJECTED: frozenset(),
}
