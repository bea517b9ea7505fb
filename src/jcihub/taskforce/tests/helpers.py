"""Hand-made incidents at hand-made properties, for the taskforce's tests."""

import datetime as dt
import itertools

from jcihub.incidents.models import Incident, Offense
from jcihub.places import changes
from jcihub.places.models import Property, RawAddress
from jcihub.places.services import PropertyResolver

END = dt.date(2024, 6, 30)
_numbers = itertools.count(1)


def place(line: str = "3400  NORTON AV", zip_code: str = "64130") -> Property:
    raw = RawAddress.objects.get(
        pk=PropertyResolver().resolve("kcpd", line, "KANSAS CITY", zip_code, block_rounded=True)
    )
    assert raw.property is not None
    return raw.property


def incident(
    at: Property,
    days_before_end: int,
    *codes: str,
    dv: bool | None = None,
    firearm: bool | None = None,
    beat: str = "332",
) -> Incident:
    """An incident at the property, reported `days_before_end` days before END."""
    number = next(_numbers)
    made = Incident.objects.create(
        source_key=f"KC{number:08d}",
        report_number=f"KC{number:08d}",
        reported_date=END - dt.timedelta(days=days_before_end),
        raw_address=RawAddress.objects.filter(property=at).first(),
        is_domestic_violence=dv,
        firearm_used=firearm,
        beat=beat,
    )
    for code in codes:
        Offense.objects.create(incident=made, ibrs=code, description=f"offense {code}")
    changes.notify({at.pk})  # as an import does: the kept counts follow
    return made
