"""Business actions on places: resolving raw addresses to properties in bulk (for imports),
and an administrator's correction of one mapping. Corrections are one transaction each,
with their audit entry inside it."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jcihub.audit.models import AuditAction
from jcihub.audit.services import field_changes, record
from jcihub.core import bulk

from . import changes
from .models import (
    RAW_CITY_LENGTH,
    RAW_LINE_LENGTH,
    RAW_ZIP_LENGTH,
    Parcel,
    Property,
    RawAddress,
    raw_address_key,
    storable,
)
from .normalise import UNPARSED, NormalisedAddress, normalise

T = TypeVar("T")
BATCH = 500  # rows per INSERT and per IN (…) list: well inside SQLite's variable limit
_MICRODEGREE = Decimal("0.000001")


@dataclass(frozen=True, slots=True)
class AddressRow:
    """One address as a source wrote it, with the coordinates the source gave, if any."""

    source: str
    line: str
    city: str = ""
    zip_code: str = ""
    block_rounded: bool = False
    latitude: Decimal | float | None = None
    longitude: Decimal | float | None = None

    @property
    def identity(self) -> tuple[str, str, str, str, bool]:
        return (self.source, self.line, self.city, self.zip_code, self.block_rounded)


def _batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _coordinate(value: Decimal | float | None, limit: int) -> Decimal | None:
    """A usable coordinate to six places, or None (missing, zero or out of range)."""
    if value is None:
        return None
    try:
        number = Decimal(str(value)).quantize(_MICRODEGREE)
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and 0 < abs(number) <= limit else None


def _point(row: AddressRow) -> tuple[Decimal, Decimal] | None:
    latitude, longitude = _coordinate(row.latitude, 90), _coordinate(row.longitude, 180)
    return (latitude, longitude) if latitude is not None and longitude is not None else None


def _stored(row: AddressRow) -> tuple[str, str, str]:
    return (
        storable(row.line, RAW_LINE_LENGTH),
        storable(row.city, RAW_CITY_LENGTH),
        storable(row.zip_code, RAW_ZIP_LENGTH),
    )


def _new_property(address: NormalisedAddress, point: tuple[Decimal, Decimal] | None) -> Property:
    latitude, longitude = point or (None, None)
    return Property(
        kind=address.kind,
        line=address.line,
        unit=address.unit,
        city=address.city,
        state=address.state,
        zip5=address.zip5,
        key=address.key,
        latitude=latitude,
        longitude=longitude,
    )


class PropertyResolver:
    """Maps raw addresses to `RawAddress` ids, creating raw addresses and properties as
    needed, for one import run.

    Safe inside the importer's transaction on SQLite and PostgreSQL: rows are inserted
    with ON CONFLICT DO NOTHING (`core.bulk` with `ignore_conflicts`, which skips the
    ORM's per-field SQL compiling) on the unique keys
    and their ids read back, so a concurrent run inserting the same address is no error.
    Answers are remembered for the life of the resolver: make one per transaction, and
    drop it if the transaction rolls back. An existing raw address keeps its property, so
    an administrator's correction survives every re-import. A property without
    coordinates takes the first ones a row gives.

    Properties made here are not audited one by one: the import run that asks for them
    is the audited action.
    """

    def __init__(self) -> None:
        self._raw: dict[tuple[str, str, str, str, bool], int] = {}
        self._property_of_raw: dict[int, int | None] = {}
        self._property_ids: dict[str, int] = {}
        self._located: set[int] = set()  # properties known to have coordinates

    def resolve(
        self,
        source: str,
        line: str,
        city: str = "",
        zip_code: str = "",
        *,
        block_rounded: bool = False,
        latitude: Decimal | float | None = None,
        longitude: Decimal | float | None = None,
    ) -> int:
        """The id of the `RawAddress` for this address from this source. A new address
        costs a few queries: an import should send its rows through `resolve_many`."""
        raw_id = self._raw.get((source, line, city, zip_code, block_rounded))
        if raw_id is not None and (latitude is None or self._is_located(raw_id)):
            return raw_id  # the common case in an import: seen before in this run
        row = AddressRow(source, line, city, zip_code, block_rounded, latitude, longitude)
        return self.resolve_many([row])[0]

    def resolve_many(self, rows: Sequence[AddressRow]) -> list[int]:
        """`RawAddress` ids, one per row in order; a few queries per 500 new addresses."""
        missing = {row.identity: row for row in rows if row.identity not in self._raw}
        if missing:
            self._load(list(missing.values()))
        self._locate(rows)
        return [self._raw[row.identity] for row in rows]

    def _is_located(self, raw_id: int) -> bool:
        """Whether coordinates could no longer change anything for this raw address."""
        property_id = self._property_of_raw.get(raw_id)
        return property_id is None or property_id in self._located

    def property_id(self, raw_address_id: int) -> int | None:
        """The property a raw address resolved to in this run (None: it names no place)."""
        return self._property_of_raw.get(raw_address_id)

    # --- Raw addresses --------------------------------------------------------------

    def _load(self, rows: list[AddressRow]) -> None:
        """Find or make the raw addresses of rows not yet seen in this run. Rows that
        differ only in case or spacing share one raw address (the first one's text)."""
        raw_keys = {
            row.identity: (row.source, raw_address_key(*_stored(row), row.block_rounded))
            for row in rows
        }
        keyed: dict[tuple[str, str], AddressRow] = {}
        for row in rows:
            keyed.setdefault(raw_keys[row.identity], row)
        found = self._select_raw(keyed)
        new = {key: row for key, row in keyed.items() if key not in found}
        if new:
            self._create_raw(new)
            found |= self._select_raw(new)
        for identity, key in raw_keys.items():
            raw_id, property_id = found[key]
            self._raw[identity] = raw_id
            self._property_of_raw[raw_id] = property_id

    def _select_raw(
        self, keyed: dict[tuple[str, str], AddressRow]
    ) -> dict[tuple[str, str], tuple[int, int | None]]:
        found: dict[tuple[str, str], tuple[int, int | None]] = {}
        by_source: dict[str, list[str]] = {}
        for source, raw_key in keyed:
            by_source.setdefault(source, []).append(raw_key)
        for source, raw_keys in by_source.items():
            for batch in _batches(raw_keys):
                rows = RawAddress.objects.filter(source=source, raw_key__in=batch).values_list(
                    "raw_key", "id", "property_id", "property__latitude"
                )
                for raw_key, raw_id, property_id, latitude in rows:
                    found[(source, raw_key)] = (raw_id, property_id)
                    if property_id is not None and latitude is not None:
                        self._located.add(property_id)
        return found

    def _create_raw(self, new: dict[tuple[str, str], AddressRow]) -> None:
        addresses = {
            key: normalise(row.line, row.city, "", row.zip_code, block_rounded=row.block_rounded)
            for key, row in new.items()
        }
        self._ensure_properties([(address, _point(new[key])) for key, address in addresses.items()])
        raws = []
        for (source, raw_key), row in new.items():
            line, city, zip_code = _stored(row)
            raws.append(
                {
                    "source": source,
                    "raw_line": line,
                    "raw_city": city,
                    "raw_zip": zip_code,
                    "is_block_rounded": row.block_rounded,
                    "raw_key": raw_key,
                    "property_id": self._property_ids.get(addresses[(source, raw_key)].key),
                }
            )
        bulk.insert_values(RawAddress, raws, ignore_conflicts=True)

    # --- Properties -----------------------------------------------------------------

    def _ensure_properties(
        self, wanted: Iterable[tuple[NormalisedAddress, tuple[Decimal, Decimal] | None]]
    ) -> None:
        """Make sure every address that names a place has its property id in the cache."""
        new: dict[str, Property] = {}
        for address, point in wanted:
            if not address.names_a_place or address.key in self._property_ids:
                continue
            known = new.get(address.key)
            if known is None or (known.latitude is None and point is not None):
                new[address.key] = _new_property(address, point)
        if not new:
            return
        self._select_properties(list(new))
        to_create = [prop for key, prop in new.items() if key not in self._property_ids]
        bulk.insert(to_create, ignore_conflicts=True)
        self._select_properties([prop.key for prop in to_create])

    def _select_properties(self, keys: list[str]) -> None:
        for batch in _batches(keys):
            rows = Property.objects.filter(key__in=batch).values_list("key", "id", "latitude")
            for key, property_id, latitude in rows:
                self._property_ids[key] = property_id
                if latitude is not None:
                    self._located.add(property_id)

    def _locate(self, rows: Sequence[AddressRow]) -> None:
        """Give coordinates to properties that have none, from the first row that has some."""
        points: dict[int, tuple[Decimal, Decimal]] = {}
        for row in rows:
            if row.latitude is None or row.longitude is None:
                continue
            property_id = self._property_of_raw.get(self._raw[row.identity])
            if property_id is None or property_id in self._located or property_id in points:
                continue
            if (point := _point(row)) is not None:
                points[property_id] = point
        for property_id, (latitude, longitude) in points.items():
            Property.objects.filter(pk=property_id, latitude__isnull=True).update(
                latitude=latitude, longitude=longitude
            )
            self._located.add(property_id)


# --- Corrections -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectedAddress:
    """An address an administrator typed, to be normalised to a property."""

    line: str
    city: str = ""
    state: str = ""
    zip_code: str = ""


def _mapping(raw_address: RawAddress) -> dict[str, Any]:
    target = raw_address.property
    return {
        "property_id": target.pk if target else None,
        "property": str(target) if target else None,
    }


@transaction.atomic
def property_for_address(actor: Any, address: CorrectedAddress) -> Property:
    """The property a typed address normalises to, made (and audited) if it is new.
    An address that cannot be read is refused: a correction must name a real place."""
    normalised = normalise(address.line, address.city, address.state, address.zip_code)
    if normalised.kind == UNPARSED:
        raise ValidationError(
            {
                "line": "This cannot be read as an address. Give a house number and street "
                '("3412 Norton Ave"), a block ("3400 block Norton Ave") or an intersection '
                '("E 35th St & Prospect Ave").'
            }
        )
    found = Property.objects.filter(key=normalised.key).first()
    if found is not None:
        return found
    created = _new_property(normalised, None)
    created.save()
    record(
        actor,
        AuditAction.CREATE,
        created,
        summary=f"Created property {created.record_number}: {created}"[:300],
        changes=field_changes({}, {"key": created.key, "kind": created.kind}),
    )
    return created


@transaction.atomic
def correct_mapping(
    actor: Any, raw_address: RawAddress, target: Property | CorrectedAddress
) -> RawAddress:
    """Re-point a raw address at another property, and with it every record that arrived
    with that address. Audited with the old and the new property."""
    raw = RawAddress.objects.select_for_update().get(pk=raw_address.pk)
    if isinstance(target, CorrectedAddress):
        target = property_for_address(actor, target)
    if raw.property_id == target.pk:
        raise ValidationError({"property": "This address already maps to that property."})
    before = _mapping(raw)
    previous = raw.property_id
    raw.property = target
    raw.corrected_by = actor if getattr(actor, "is_authenticated", False) else None
    raw.corrected_at = timezone.now()
    raw.save(update_fields=["property", "corrected_by", "corrected_at"])
    record(
        actor,
        AuditAction.UPDATE,
        raw,
        summary=f"Re-pointed {raw.source} address “{raw}” to {target}"[:300],
        changes=field_changes(before, _mapping(raw)),
    )
    changes.notify({previous, target.pk})  # what is counted at both properties moves
    return raw


# --- Parcels: owner and parcel of record ------------------------------------------------------

PARCEL_FIELDS = ("parcel_number", "owner_name", "owner_address", "land_use")
PARCEL_COLUMNS = ("property", "address", "city", "zip_code", *PARCEL_FIELDS)


def _parcel_state(parcel: Parcel | None) -> dict[str, str]:
    return {name: getattr(parcel, name) if parcel else "" for name in PARCEL_FIELDS}


def _save_parcel(
    actor: Any, place: Property, values: dict[str, str], source: str, source_file: str = ""
) -> bool:
    """Write the parcel fields; True when something changed (then audited)."""
    parcel = Parcel.objects.filter(property=place).first()
    before = _parcel_state(parcel)
    after = {name: storable(values.get(name, "").strip(), 300) for name in PARCEL_FIELDS}
    if parcel is not None and before == after:
        return False
    parcel = parcel or Parcel(property=place)
    for name, value in after.items():
        setattr(parcel, name, value)
    parcel.source, parcel.source_file = source, source_file[:200]
    parcel.updated_at, parcel.updated_by = timezone.now(), actor
    parcel.full_clean(exclude=["property", "updated_by"])
    parcel.save()
    record(
        actor,
        AuditAction.UPDATE if any(before.values()) else AuditAction.CREATE,
        parcel,
        summary=f"Parcel of {place.record_number} {source}"[:300],
        changes=field_changes(before, after),
    )
    return True


@transaction.atomic
def record_parcel(actor: Any, place: Property, values: dict[str, str]) -> bool:
    """Owner and parcel entered by hand."""
    return _save_parcel(actor, place, values, Parcel.Source.ENTERED)


@dataclass
class ParcelImport:
    changed: int = 0
    unchanged: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def _find_property(row: dict[str, str]) -> Property | None:
    number = (row.get("property") or "").strip().upper().removeprefix("L")
    if number:
        return Property.objects.filter(pk=int(number)).first() if number.isdigit() else None
    address = normalise(row.get("address", ""), row.get("city", ""), "", row.get("zip_code", ""))
    return Property.objects.filter(key=address.key).first() if address.names_a_place else None


@transaction.atomic
def import_parcels(actor: Any, rows: Iterable[dict[str, str]], file_name: str) -> ParcelImport:
    """Parcel rows from a CSV: each lands on the property it names (record number, or the
    address as normalised), or is kept in `rejected` with its line and why. Importing the
    same file twice changes nothing; one bad row does not stop the others."""
    result = ParcelImport()
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        place = _find_property(row)
        if place is None:
            what = row.get("property") or row.get("address") or "(blank)"
            result.rejected.append((line, f"no property matches {what!r}"[:200]))
            continue
        if not any((row.get(name) or "").strip() for name in PARCEL_FIELDS):
            result.rejected.append((line, "no parcel number, owner or land use given"))
            continue
        try:
            changed = _save_parcel(actor, place, row, Parcel.Source.IMPORTED, file_name)
        except ValidationError as error:
            result.rejected.append((line, "; ".join(error.messages)[:200]))
            continue
        result.changed += changed
        result.unchanged += not changed
    record(
        actor,
        AuditAction.CREATE,
        object_type="places.parcel",
        summary=f"Imported parcels from {file_name}: {result.changed} changed, "
        f"{result.unchanged} unchanged, {len(result.rejected)} rejected"[:300],
    )
    return result
