"""Hand-made incidents at hand-made properties, for the taskforce's tests."""

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from pathlib import Path

from jcihub.incidents.models import Incident, Offense
from jcihub.places import changes
from jcihub.places.models import Property, RawAddress
from jcihub.places.services import PropertyResolver

END = dt.date(2024, 6, 30)
HEADER = (
    "Report_No,Reported_Date,Reported Time,From_Date,From Time,To_Date,To Time,Offense,"
    "IBRS,Description,Beat,Address,City,Zip Code,Rep_Dist,Area,DVFlag,Invl_No,Involvement,"
    "Race,Sex,Age,Firearm Used Flag,Latitude,Longitude"
)
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


def skewed_incidents(
    rng: random.Random,
    places: Sequence[Property],
    count: int,
    codes: Sequence[str],
    *,
    days: int,
    firearm: float,
) -> None:
    """`count` incidents over the `days` before END, most at the first of `places` (a few
    hot spots, as in the city), each with one or two of `codes` ("" for none), one in ten
    domestic, a share `firearm` with a firearm, in beat 331 or 332."""
    for _ in range(count):
        where = places[min(int(len(places) * rng.random() ** 2), len(places) - 1)]
        picked = [c for c in rng.sample(list(codes), rng.randint(1, 2)) if c]
        incident(
            where,
            rng.randrange(days),
            *picked,
            dv=rng.random() < 0.1,
            firearm=rng.random() < firearm,
            beat=rng.choice(["331", "332"]),
        )


def kcpd_row(report: str, day: dt.date, ibrs: str, address: str = "3400  NORTON AV") -> str:
    """One line of a KCPD file under HEADER: a victim of `ibrs` at the address."""
    return (
        f"{report},{day:%m/%d/%Y},10:15,,,,,1301,{ibrs},offense {ibrs},332,{address},"
        "KANSAS CITY,64130,PJ2783,EPD,N,1,VIC,B,F,34,N,39.05,-94.55"
    )


def write(path: Path, *rows: str) -> Path:
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n")
    return path
