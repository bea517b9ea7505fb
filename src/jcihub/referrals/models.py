"""The service directory, in the tables of Open Referral HSDS 3.0.

Each model is one HSDS table and keeps HSDS's field names and UUID ids, so a row's id is
the id an HSDS document gives it and importing the same document again finds the same
rows. As in HSDS's tabular form, a phone, contact, schedule or language row carries a
link to every kind of record it can belong to: one phone may be a service's, its
location's and its contact's at once, and is still one row.

HSDS fields the department does not search or show (funding, cost options, programmes,
accessibility, organisation identifiers, metadata, …) are kept as given in `extra`, so an
export gives back what an import read.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper


def web_link(url: str) -> str:
    """The address if a page may link to it (http or https only: an imported file could
    hold a javascript: address), otherwise ""."""
    return url if url.lower().startswith(("http://", "https://")) else ""


class HsdsRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # HSDS fields without a column here, kept as the document gave them.
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class Taxonomy(HsdsRecord):
    """A vocabulary of terms (HSDS `taxonomy`), e.g. the department's need categories."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(HsdsRecord):
    """A need category (HSDS `taxonomy_term`): what a service helps with."""

    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # Not a foreign key: HSDS documents often name parents from a taxonomy they omit.
    parent_id = models.UUIDField(null=True, blank=True, db_index=True)
    taxonomy = models.CharField(max_length=200, blank=True)
    taxonomy_detail = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.SET_NULL, related_name="terms"
    )
    language = models.CharField(max_length=20, blank=True)
    term_uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Organization(HsdsRecord):
    """An organisation that provides services (HSDS `organization`)."""

    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True)
    website = models.CharField(max_length=500, blank=True)
    tax_status = models.CharField(max_length=100, blank=True)
    tax_id = models.CharField(max_length=100, blank=True)
    year_incorporated = models.IntegerField(null=True, blank=True)
    legal_status = models.CharField(max_length=100, blank=True)
    logo = models.CharField(max_length=500, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    parent_organization_id = models.UUIDField(null=True, blank=True)
    # The partner organisation whose users keep this entry current (not part of HSDS).
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_organizations",
        limit_choices_to={"kind": "partner_org"},
    )
    # A victim service provider (a shelter, a domestic-violence advocacy programme; the
    # VAWA term): that someone is referred here locates them, so every referral to it is
    # a victim-services referral (`Referral.is_victim_service`). Set by directory
    # managers, not part of HSDS.
    is_victim_service_provider = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="referrals_org_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def website_link(self) -> str:
        return web_link(self.website)


class Location(HsdsRecord):
    """Where services are delivered, or a postal or virtual address (HSDS `location`)."""

    class Type(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    location_type = models.CharField(max_length=10, choices=Type.choices, default=Type.PHYSICAL)
    url = models.CharField(max_length=500, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="locations"
    )
    name = models.CharField(max_length=300, blank=True)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    transportation = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.CharField(max_length=200, blank=True)
    external_identifier_type = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name", "id"]
        # The distance search's bounding box.
        indexes = [models.Index(fields=["latitude", "longitude"], name="referrals_location_point")]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Address(HsdsRecord):
    """A location's street or postal address (HSDS `address`)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    attention = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=300)
    address_2 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100)
    postal_code = models.CharField(max_length=20, db_index=True)
    country = models.CharField(max_length=2)
    address_type = models.CharField(
        max_length=10, choices=Location.Type.choices, default=Location.Type.PHYSICAL
    )

    class Meta:
        ordering = ["address_1", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        parts = (self.address_1, self.address_2, self.city, self.state_province)
        return ", ".join(p for p in parts if p) + f" {self.postal_code}".rstrip()


class Service(HsdsRecord):
    """A service an organisation offers (HSDS `service`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="services"
    )
    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    interpretation_services = models.TextField(blank=True)
    application_process = models.TextField(blank=True)
    fees_description = models.TextField(blank=True)
    wait_time = models.CharField(max_length=300, blank=True)
    fees = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    assured_date = models.CharField(max_length=40, blank=True)
    assurer_email = models.CharField(max_length=254, blank=True)
    licenses = models.TextField(blank=True)
    alert = models.TextField(blank=True)
    last_modified = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["name", "id"], name="referrals_service_name"),
            models.Index(fields=["status", "name", "id"], name="referrals_service_status"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def url_link(self) -> str:
        return web_link(self.url)


class ServiceAtLocation(HsdsRecord):
    """A service as delivered at one location (HSDS `service_at_location`)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.service_id} at {self.location_id}"


class Contact(HsdsRecord):
    """A named person or desk to reach (HSDS `contact`)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.department or str(self.id)


class Phone(HsdsRecord):
    """A telephone number (HSDS `phone`)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="phones"
    )
    number = models.CharField(max_length=60)
    extension = models.PositiveIntegerField(null=True, blank=True)
    type = models.CharField(max_length=30, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number", "id"]

    def __str__(self) -> str:
        return self.number


class Schedule(HsdsRecord):
    """Opening hours, as an iCalendar-style rule (HSDS `schedule`)."""

    class Weekday(models.TextChoices):
        MO = "MO", "Monday"
        TU = "TU", "Tuesday"
        WE = "WE", "Wednesday"
        TH = "TH", "Thursday"
        FR = "FR", "Friday"
        SA = "SA", "Saturday"
        SU = "SU", "Sunday"

    class Frequency(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    valid_from = models.CharField(max_length=40, blank=True)
    valid_to = models.CharField(max_length=40, blank=True)
    dtstart = models.CharField(max_length=40, blank=True)
    timezone = models.FloatField(null=True, blank=True)
    until = models.CharField(max_length=40, blank=True)
    count = models.PositiveIntegerField(null=True, blank=True)
    wkst = models.CharField(max_length=2, choices=Weekday.choices, blank=True)
    freq = models.CharField(max_length=7, choices=Frequency.choices, blank=True)
    interval = models.PositiveIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=100, blank=True)
    byweekno = models.CharField(max_length=200, blank=True)
    bymonthday = models.CharField(max_length=200, blank=True)
    byyearday = models.CharField(max_length=400, blank=True)
    description = models.TextField(blank=True)
    opens_at = models.CharField(max_length=20, blank=True)
    closes_at = models.CharField(max_length=20, blank=True)
    schedule_link = models.CharField(max_length=500, blank=True)
    attending_type = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["byday", "opens_at", "id"]

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"


class ServiceArea(HsdsRecord):
    """Where a service is available (HSDS `service_area`), e.g. a ZIP code or a county."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=30, blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or self.description[:80]


class Language(HsdsRecord):
    """A language a service, location or phone line works in (HSDS `language`)."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.CASCADE, related_name="languages"
    )
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=20, blank=True, db_index=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name", "id"]
        # The search's language filter compares upper-cased code and name.
        indexes = [
            models.Index(Upper("code"), name="referrals_language_code_upper"),
            models.Index(Upper("name"), name="referrals_language_name_upper"),
        ]

    def __str__(self) -> str:
        return self.name or self.code


class RequiredDocument(HsdsRecord):
    """A document a person must bring to use a service (HSDS `required_document`)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="required_documents"
    )
    document = models.TextField(blank=True)
    uri = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.document[:80]


class Attribute(HsdsRecord):
    """A taxonomy term attached to a service (HSDS `attribute`): its need categories."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="attributes"
    )
    link_type = models.CharField(max_length=100, blank=True)
    link_entity = models.CharField(max_length=100, blank=True)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["taxonomy_term", "service"], name="referrals_attr_term")]

    def __str__(self) -> str:
        return self.value or str(self.taxonomy_term_id or self.id)


# --- Closed-loop referrals -------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    IN_SERVICE = "in_service", "In service"
    COMPLETED = "completed", "Completed"
    CLOSED_UNRESOLVED = "closed_unresolved", "Closed unresolved"


class Side(models.TextChoices):
    """Which side of a referral acts: the department that sends it, or the organisation
    that receives it (through its partner users)."""

    SENDER = "sender", "Department"
    RECIPIENT = "recipient", "Receiving organisation"


# The state machine: for each move, which side may make it. `services.move_referral`
# refuses every move not in this table.
S = ReferralStatus
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (S.DRAFT, S.SENT): frozenset({Side.SENDER}),
    (S.SENT, S.ACCEPTED): frozenset({Side.RECIPIENT}),
    (S.SENT, S.DECLINED): frozenset({Side.RECIPIENT}),
    (S.SENT, S.CLOSED_UNRESOLVED): frozenset({Side.SENDER}),
    (S.ACCEPTED, S.IN_SERVICE): frozenset({Side.RECIPIENT}),
    (S.ACCEPTED, S.CLOSED_UNRESOLVED): frozenset({Side.SENDER, Side.RECIPIENT}),
    (S.IN_SERVICE, S.COMPLETED): frozenset({Side.RECIPIENT}),
    (S.IN_SERVICE, S.CLOSED_UNRESOLVED): frozenset({Side.SENDER, Side.RECIPIENT}),
}
# Moves that need a written reason (declining) or outcome (closing).
NOTE_REQUIRED = frozenset({S.DECLINED, S.COMPLETED, S.CLOSED_UNRESOLVED})
CLOSED_STATUSES = frozenset({S.DECLINED, S.COMPLETED, S.CLOSED_UNRESOLVED})


class Referral(models.Model):
    """A person sent to a service at an organisation. It holds no copy of the person's
    details: what the organisation sees is worked out on every read from the consent in
    force (`selectors.shared_details`), so revoking consent withdraws it at once."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="referrals"
    )
    need = models.ForeignKey(
        TaxonomyTerm, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    note = models.TextField(blank=True, help_text="Why the person is referred (shared).")
    status = models.CharField(
        max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # The time of each milestone, also kept move by move in ReferralEvent.
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    service_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    # When the sender was last mailed that the referral is past its service-level timer
    # (`jcihub referrals remind`): once per overdue episode, so again only after a move
    # (sent_at, answered_at) later than this starts a new timer that runs out too.
    reminded_at = models.DateTimeField(null=True, blank=True)
    # When the sender was mailed that the referral's service is no longer offered (its
    # directory status is no longer active) while the referral is still open: once.
    service_ended_mailed_at = models.DateTimeField(null=True, blank=True)
    # For a victim: made from a victim-services case, to a victim service provider, or for
    # a person the record shows as harmed (`referrals.services.locates_a_victim`). That the
    # person is sent to this organisation is then itself victim-locating information, so
    # the policy shows the referral only to staff who may see that class for the person,
    # its sender and the receiving organisation (`access.policy.visible_referrals`).
    is_victim_service = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "sent_at"], name="referral_status_sent"),
            models.Index(fields=["organization", "status"], name="referral_org_status"),
            models.Index(fields=["created_by", "status"], name="referral_sender_status"),
            models.Index(fields=["-created_at", "-id"], name="referral_newest"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"R{self.pk:07d}" if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class ReferralEvent(models.Model):
    """One move of a referral's state, with who made it and when: its history."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    occurred_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status or 'new'} → {self.to_status}"


class ReferralNote(models.Model):
    """A follow-up note, or a service the organisation delivered."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "Follow-up"
        SERVICE_DELIVERED = "service_delivered", "Service delivered"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FOLLOW_UP)
    side = models.CharField(max_length=10, choices=Side.choices)
    text = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    # A follow-up to do by a date (shown as due to the referral's sender until done).
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        # "Follow-ups due": open ones by date.
        indexes = [models.Index(fields=["done_at", "due_on"], name="referral_note_follow_up_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.referral_id}"

    @property
    def is_follow_up(self) -> bool:
        return self.due_on is not None


# --- Distance search ---------------------------------------------------------------------------


class ZipCentroid(models.Model):
    """A ZIP code's centre, for searching services by distance from a ZIP code: the
    area-weighted centroid of the Census ZIP Code Tabulation Area, loaded by
    `jcihub directory load-zips` (not HSDS)."""

    zip_code = models.CharField(max_length=5, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["zip_code"]

    def __str__(self) -> str:
        return self.zip_code


# --- Partner-proposed changes to directory entries ------------------------------------------

# The fields a partner organisation's users may propose changes to, by entry kind.
ORGANIZATION_EDITABLE = ("description", "email", "website")
SERVICE_EDITABLE = (
    "description",
    "url",
    "email",
    "status",
    "eligibility_description",
    "application_process",
    "fees_description",
    "wait_time",
)


class EntryChange(models.Model):
    """A change a partner organisation proposes to its own directory entry (the
    organisation, or one of its services), held until the department approves or rejects
    it. `before` is the entry as it was when proposed; approving refuses if it has changed
    since."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="entry_changes"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="entry_changes"
    )
    before = models.JSONField()
    after = models.JSONField()
    note = models.TextField(blank=True, help_text="The partner's explanation.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-proposed_at"], name="referrals_change_status"),
            models.Index(fields=["organization", "status"], name="referrals_change_org"),
        ]

    def __str__(self) -> str:
        return f"Change {self.pk} to {self.entry_name}"

    @property
    def entry_name(self) -> str:
        return self.service.name if self.service_id and self.service else self.organization.name

    @property
    def fields(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for each field the change touches."""
        return [(name, self.before.get(name, ""), value) for name, value in self.after.items()]
