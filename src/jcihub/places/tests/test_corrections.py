"""An administrator's correction re-points a raw address, and with it every record that
came with it; it is audited with the old and the new property, or refused whole."""

import pytest
from django.core.exceptions import ValidationError

from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.audit.services import verify_chain
from jcihub.core.tests.factories import user_with_role
from jcihub.places.models import Property, RawAddress
from jcihub.places.services import (
    CorrectedAddress,
    PropertyResolver,
    correct_mapping,
    property_for_address,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return user_with_role("system_admin")


@pytest.fixture
def misread() -> RawAddress:
    """A raw address the normaliser took for the wrong place."""
    raw_id = PropertyResolver().resolve(
        "kcpd", "3400  NORTON AV", "KANSAS CITY", "64130", block_rounded=True
    )
    return RawAddress.objects.get(pk=raw_id)


def test_a_correction_re_points_everything_that_came_with_the_address(admin, misread) -> None:
    old = misread.property
    right = property_for_address(admin, CorrectedAddress("3400 Norton Ave", "Kansas City", "MO"))

    correct_mapping(admin, misread, right)

    # Records point at the raw address, so "at the property" follows the new mapping.
    assert list(right.raw_addresses.all()) == [misread]
    assert not old.raw_addresses.exists()
    misread.refresh_from_db()
    assert misread.corrected_by == admin and misread.corrected_at is not None


def test_a_correction_is_audited_with_the_old_and_new_property(admin, misread) -> None:
    old = misread.property
    right = Property.objects.create(kind="street", line="3412 NORTON AVE", key="right")

    correct_mapping(admin, misread, right)

    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE).get()
    assert entry.object_type == "places.rawaddress" and entry.object_id == str(misread.pk)
    assert entry.actor == admin
    assert entry.changes["property_id"] == {"old": old.pk, "new": right.pk}
    assert entry.changes["property"]["new"] == str(right)
    assert verify_chain().is_intact


def test_a_typed_address_is_normalised_to_its_property(admin, misread) -> None:
    correct_mapping(
        admin, misread, CorrectedAddress("3412 norton avenue", "Kansas City", "MO", "64130")
    )
    misread.refresh_from_db()
    assert misread.property.key == "street|3412 NORTON AVE||KANSAS CITY|MO|"
    # The new property is audited as created, then the mapping as changed.
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.CREATE, AuditAction.UPDATE]


def test_a_typed_address_that_already_has_a_property_reuses_it(admin, misread) -> None:
    existing = property_for_address(admin, CorrectedAddress("E 35th St & Prospect Ave"))
    correct_mapping(admin, misread, CorrectedAddress("PROSPECT AV and E 35 ST"))
    misread.refresh_from_db()
    assert misread.property == existing


def test_an_unreadable_address_is_refused_and_nothing_changes(admin, misread) -> None:
    before = (misread.property_id, AuditEntry.objects.count(), Property.objects.count())
    with pytest.raises(ValidationError) as refused:
        correct_mapping(admin, misread, CorrectedAddress("somewhere near the park"))
    assert "line" in refused.value.message_dict
    misread.refresh_from_db()
    assert (misread.property_id, AuditEntry.objects.count(), Property.objects.count()) == before


def test_re_pointing_to_the_same_property_is_refused(admin, misread) -> None:
    with pytest.raises(ValidationError):
        correct_mapping(admin, misread, misread.property)
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_a_raw_address_with_no_place_can_be_given_one(admin) -> None:
    raw = RawAddress.objects.get(pk=PropertyResolver().resolve("kcpd", "UNKNOWN", "KANSAS CITY"))
    correct_mapping(admin, raw, CorrectedAddress("1200 block of Main St", "Kansas City", "MO"))
    raw.refresh_from_db()
    assert raw.property is not None and raw.property.line == "1200 BLOCK MAIN ST"
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE)
    assert entry.changes["property_id"]["old"] is None
