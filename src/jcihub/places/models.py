"""Places: one canonical `Property` per place, and every address as a source wrote it.

Records about a place point at the `RawAddress` they arrived with, never straight at a
`Property`: "what happened at this property" is everything whose raw address maps to it,
so correcting one mapping re-points every past record at once.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import normalise as n

RAW_LINE_LENGTH = 200
RAW_CITY_LENGTH = 60
RAW_ZIP_LENGTH = 10


class PropertyKind(models.TextChoices):
    STREET = n.STREET, "Street address"
    BLOCK = n.BLOCK, "Block (public, rounded to the hundred)"
    INTERSECTION = n.INTERSECTION, "Intersection"
    UNPARSED = n.UNPARSED, "Not read as an address"


class Property(models.Model):
    """A place in USPS Publication 28 form (see `places.normalise`), one row per `key`."""

    kind = models.CharField(max_length=12, choices=PropertyKind.choices)
    line = models.CharField(max_length=n.LINE_LENGTH)
    unit = models.CharField(max_length=n.MAX_UNIT, blank=True)
    city = models.CharField(max_length=n.MAX_CITY, blank=True)
    state = models.CharField(max_length=2, blank=True)
    zip5 = models.CharField("ZIP code", max_length=5, blank=True)
    key = models.CharField(max_length=n.KEY_LENGTH, unique=True)
    # The first coordinates a source gave (KCPD's public points are block-level).
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "properties"
        ordering = ["line", "unit", "id"]
        indexes = [
            models.Index(fields=["line", "unit"], name="property_line"),
            models.Index(fields=["zip5", "line"], name="property_zip"),
            models.Index(fields=["kind", "line"], name="property_kind"),
        ]

    def __str__(self) -> str:
        place = " ".join(part for part in (self.state, self.zip5) if part)
        return ", ".join(part for part in (self.full_line, self.city, place) if part)

    @property
    def full_line(self) -> str:
        return f"{self.line} {self.unit}" if self.unit else self.line

    @property
    def record_number(self) -> str:
        return f"L{self.pk:07d}" if self.pk else ""


def storable(text: str, length: int) -> str:
    """Text as a column can hold it: PostgreSQL refuses NUL, and columns have a length."""
    return text.replace("\x00", "\ufffd")[:length]


def raw_address_key(line: str, city: str, zip_code: str, block_rounded: bool) -> str:
    """The identity of a raw address within its source: its three parts with case and
    runs of space ignored (and whether the source rounds to blocks), hashed to 32 hex
    characters so that the unique index stays small whatever the source wrote."""
    parts = [" ".join(part.split()).upper() for part in (line, city, zip_code)]
    text = "\x1f".join([*parts, "block" if block_rounded else ""])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class RawAddress(models.Model):
    """An address exactly as a source wrote it, and the property it is taken to mean."""

    source = models.CharField(max_length=20, help_text='Where it came from, e.g. "kcpd".')
    raw_line = models.CharField(max_length=RAW_LINE_LENGTH, blank=True)
    raw_city = models.CharField(max_length=RAW_CITY_LENGTH, blank=True)
    raw_zip = models.CharField(max_length=RAW_ZIP_LENGTH, blank=True)
    is_block_rounded = models.BooleanField(default=False)
    raw_key = models.CharField(max_length=32)
    # Empty when the source named no place ("", "UNKNOWN").
    property = models.ForeignKey(
        Property,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="raw_addresses",
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when an administrator re-pointed the mapping by hand; re-imports keep it.
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "raw addresses"
        ordering = ["raw_line", "raw_city", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "raw_key"], name="raw_address_unique_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["raw_line", "raw_city"], name="raw_address_line"),
            models.Index(fields=["source", "raw_line"], name="raw_address_source"),
            models.Index(fields=["corrected_at"], name="raw_address_corrected"),
        ]

    def __str__(self) -> str:
        parts = (self.raw_line.strip(), self.raw_city.strip(), self.raw_zip.strip())
        return ", ".join(part for part in parts if part) or "(blank)"


class Parcel(models.Model):
    """The county's parcel and owner of record for a property, entered by hand or imported
    from an assessor's CSV (`places.services.import_parcels`). Public record, not the
    department's own finding: where it came from is kept with it."""

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by hand"
        IMPORTED = "imported", "Imported from a CSV file"

    property = models.OneToOneField(Property, on_delete=models.CASCADE, related_name="parcel")
    parcel_number = models.CharField("Parcel number", max_length=40, blank=True)
    owner_name = models.CharField("Owner of record", max_length=200, blank=True)
    owner_address = models.CharField("Owner's mailing address", max_length=300, blank=True)
    land_use = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_file = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["parcel_number"], name="parcel_number")]

    def __str__(self) -> str:
        return f"Parcel {self.parcel_number or '(no number)'} at {self.property_id}"
