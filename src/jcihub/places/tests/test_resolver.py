"""The bulk resolver an import uses: one raw address per written form, one property per
place, nothing duplicated however often it runs, on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest
from django.db import transaction

from jcihub.places.models import Property, RawAddress
from jcihub.places.services import BATCH, AddressRow, PropertyResolver

pytestmark = pytest.mark.django_db


def kcpd_row(line: str, city: str = "KANSAS CITY", zip_code: str = "64130", **kw) -> AddressRow:
    return AddressRow("kcpd", line, city, zip_code, block_rounded=True, **kw)


def test_the_same_raw_address_twice_gives_the_same_id() -> None:
    resolver = PropertyResolver()
    first = resolver.resolve("kcpd", "3400  NORTON AV", "KANSAS CITY", "64130", block_rounded=True)
    second = resolver.resolve("kcpd", "3400  NORTON AV", "KANSAS CITY", "64130", block_rounded=True)
    assert first == second
    assert RawAddress.objects.count() == 1
    assert Property.objects.get().line == "3400 BLOCK NORTON AVE"


def test_a_new_run_finds_what_an_earlier_run_made() -> None:
    rows = [kcpd_row("3400  NORTON AV"), kcpd_row("E 35 ST and PROSPECT AV"), kcpd_row("")]
    first = PropertyResolver().resolve_many(rows)
    second = PropertyResolver().resolve_many(rows)
    assert first == second
    assert RawAddress.objects.count() == 3
    assert Property.objects.count() == 2


def test_written_forms_of_one_place_share_its_property() -> None:
    ids = PropertyResolver().resolve_many(
        [
            kcpd_row("3400  NORTON AV"),
            kcpd_row("3400  NORTON AV", city="TE KANSAS CITY", zip_code="64128"),
            kcpd_row("3400  norton  av"),  # case and spacing do not make a new raw address
        ]
    )
    assert ids[0] == ids[2] != ids[1]
    properties = set(RawAddress.objects.values_list("property_id", flat=True))
    assert len(properties) == 1


def test_sources_keep_their_own_raw_addresses() -> None:
    resolver = PropertyResolver()
    police = resolver.resolve("kcpd", "3400 Norton Ave", "Kansas City", "64130")
    intake = resolver.resolve("intake", "3400 Norton Ave", "Kansas City", "64130")
    assert police != intake
    assert Property.objects.count() == 1


def test_a_blank_address_maps_to_no_property() -> None:
    resolver = PropertyResolver()
    raw_id = resolver.resolve("kcpd", "UNKNOWN", "KANSAS CITY", "99999", block_rounded=True)
    raw = RawAddress.objects.get(pk=raw_id)
    assert raw.property is None and raw.raw_line == "UNKNOWN"
    assert resolver.property_id(raw_id) is None


def test_raw_text_is_kept_as_written() -> None:
    raw_id = PropertyResolver().resolve("kcpd", "3400  NORTON AV", "TE KANSAS CITY", "64130.0")
    raw = RawAddress.objects.get(pk=raw_id)
    assert (raw.raw_line, raw.raw_city, raw.raw_zip) == (
        "3400  NORTON AV",
        "TE KANSAS CITY",
        "64130.0",
    )


def test_text_a_database_refuses_is_stored_safely() -> None:
    resolver = PropertyResolver()
    raw_id = resolver.resolve("kcpd", "12\x00 MAIN ST" + "X" * 500, "K\x00C", "6\x004130")
    assert resolver.resolve("kcpd", "12\x00 MAIN ST" + "X" * 500, "K\x00C", "6\x004130") == raw_id
    assert "\x00" not in RawAddress.objects.get(pk=raw_id).raw_line


def test_a_large_batch_takes_a_few_queries_per_500_addresses(django_assert_max_num_queries) -> None:
    rows = [kcpd_row(f"{n * 100}  MAIN ST") for n in range(BATCH * 2 + 100)]
    rows += rows[:50]  # repeats in the same batch
    # Per 500: look up raw addresses and properties, insert both, read both back; SQLite
    # caps an INSERT at 999 values, so there it is one INSERT per ~100 rows.
    with django_assert_max_num_queries(40):
        ids = PropertyResolver().resolve_many(rows)
    assert len(ids) == len(rows) and len(set(ids)) == BATCH * 2 + 100
    assert RawAddress.objects.count() == Property.objects.count() == BATCH * 2 + 100


def test_a_resolver_remembers_within_a_run(django_assert_num_queries) -> None:
    resolver = PropertyResolver()
    resolver.resolve("kcpd", "3400  NORTON AV", "KANSAS CITY", "64130", block_rounded=True)
    with django_assert_num_queries(0):
        resolver.resolve("kcpd", "3400  NORTON AV", "KANSAS CITY", "64130", block_rounded=True)


def test_it_works_inside_the_importers_transaction() -> None:
    with transaction.atomic():
        resolver = PropertyResolver()
        first = resolver.resolve_many([kcpd_row("3400  NORTON AV")])
        # Another run in the same transaction inserts nothing twice and fails nothing.
        assert PropertyResolver().resolve_many([kcpd_row("3400  NORTON AV")]) == first
    assert RawAddress.objects.count() == 1


def test_the_first_coordinates_are_kept() -> None:
    resolver = PropertyResolver()
    resolver.resolve_many(
        [
            kcpd_row("3400  NORTON AV", latitude=Decimal("39.048209"), longitude=-94.55397),
            kcpd_row("3400  NORTON AV", city="TE KANSAS CITY", latitude=39.1, longitude=-94.6),
        ]
    )
    place = Property.objects.get()
    assert (place.latitude, place.longitude) == (Decimal("39.048209"), Decimal("-94.553970"))


def test_a_property_without_coordinates_takes_the_first_given() -> None:
    PropertyResolver().resolve_many([kcpd_row("3400  NORTON AV")])
    resolver = PropertyResolver()
    resolver.resolve_many([kcpd_row("3400  NORTON AV", latitude=0, longitude=0)])  # not geocoded
    assert Property.objects.get().latitude is None
    resolver.resolve_many([kcpd_row("3400  NORTON AV", latitude=39.05, longitude=-94.55)])
    resolver.resolve_many([kcpd_row("3400  NORTON AV", latitude=38.0, longitude=-90.0)])
    assert Property.objects.get().latitude == Decimal("39.050000")


def test_a_corrected_mapping_survives_a_re_import() -> None:
    raw_id = PropertyResolver().resolve_many([kcpd_row("3400  NORTON AV")])[0]
    elsewhere = Property.objects.create(kind="street", line="1 ELSEWHERE ST", key="elsewhere")
    RawAddress.objects.filter(pk=raw_id).update(property=elsewhere)
    assert PropertyResolver().resolve_many([kcpd_row("3400  NORTON AV")]) == [raw_id]
    assert RawAddress.objects.get(pk=raw_id).property == elsewhere
