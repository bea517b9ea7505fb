"""Synthetic KCPD crime-data files, with the quirks of the real ones.

For tests and benchmarks at sizes the published extracts do not reach (a million rows),
in the full 2015-style layout: one row per person per offense per report, block-rounded
addresses with two spaces ("3400  NORTON AV"), intersections, misspelt cities, a ZIP in
the city field, the street suffix leaking into the city ("TE KANSAS CITY"), missing ages
and coordinates (0.0), exact duplicate rows, and DV flags Y/N/U. With `bad_share` above
zero, that share of rows is broken the ways files break: impossible dates, unknown codes,
truncated lines. Everything is synthetic; no row describes a real report or person.
"""

import csv
import datetime as dt
import gzip
import io
import random
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TextIO

HEADER = [
    "Report_No",
    "Reported_Date",
    "Reported Time",
    "From_Date",
    "From Time",
    "To_Date",
    "To Time",
    "Offense",
    "IBRS",
    "Description",
    "Beat",
    "Address",
    "City",
    "Zip Code",
    "Rep_Dist",
    "Area",
    "DVFlag",
    "Invl_No",
    "Involvement",
    "Race",
    "Sex",
    "Age",
    "Firearm Used Flag",
    "Latitude",
    "Longitude",
]
# (KCPD offense code, IBRS, description, share of DV among them)
OFFENSES = (
    ("1301", "13B", "Simple Assault", 0.45),
    ("401", "13A", "Aggravated Assault", 0.3),
    ("1303", "13C", "Intimidation", 0.35),
    ("501", "220", "Burglary - Residence", 0.02),
    ("702", "240", "Auto Theft", 0.01),
    ("601", "23F", "Stealing From Auto", 0.0),
    ("1401", "290", "Property Damage", 0.15),
    ("2601", "90Z", "Violation of Protection Order", 0.95),
    ("1001", "250", "Forgery", 0.0),
    ("3501", "35A", "Possession/Sale/Dist", 0.0),
)
STREETS = (
    "NORTON AV",
    "MILL ST",
    "PROSPECT AV",
    "TROOST AV",
    "MAIN ST",
    "INDEPENDENCE AV",
    "LINWOOD BL",
    "E 35 ST",
    "E 63 ST",
    "N OAK TR",
    "BROADWAY BL",
    "WARD PY",
    "SWOPE PY",
    "BLUE RIDGE BL",
    "WORNALL RD",
    "N BRIGHTON AV",
    "E TRUMAN RD",
    "GREGORY BL",
)
ZIPS = (
    "64106",
    "64109",
    "64110",
    "64111",
    "64124",
    "64127",
    "64128",
    "64130",
    "64132",
    "64134",
    "64119",
    "64152",
    "64155",
)
CITY_MISSPELLINGS = ("KANSAS CIT", "KANSSA CITY", "KC", "KANSAS CITY MO", "KANSAS  CITY")
AREAS = ("CPD", "EPD", "MPD", "SPD", "NPD", "SCP")
RACES = ("B", "W", "W", "B", "U", "A", "I", "P")


class KcpdFileGenerator:
    """Rows of reports over the 365 days from `start` (1 January of `year` unless given).
    A `hotspot_share` of reports happen at one of `hotspots` (place dicts as `_place`
    makes them), chosen by their `weight`: the repeat addresses a taskforce looks for."""

    def __init__(
        self,
        seed: int = 2026,
        *,
        year: int = 2019,
        bad_share: float = 0.0,
        start: dt.date | None = None,
        hotspots: Sequence[dict[str, str]] = (),
        hotspot_share: float = 0.0,
    ) -> None:
        self.rng = random.Random(seed)
        self.start = start or dt.date(year, 1, 1)
        self.year = self.start.year
        self.bad_share = bad_share
        self.hotspots = list(hotspots)
        self.hotspot_share = hotspot_share if hotspots else 0.0
        self.serial = 0

    def rows(self, count: int) -> Iterator[list[str]]:
        """`count` data rows (not counting the header)."""
        made = 0
        while made < count:
            for row in self._report():
                if made >= count:
                    return
                yield self._break(row) if self.rng.random() < self.bad_share else row
                made += 1
                if made < count and self.rng.random() < 0.01:  # an exact duplicate row
                    yield list(row)
                    made += 1

    def write(self, path: Path, count: int) -> None:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "wt", newline="", encoding="utf-8") as handle:
            self.write_to(handle, count)

    def write_to(self, handle: TextIO | io.StringIO, count: int) -> None:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(self.rows(count))

    # --- One report ---------------------------------------------------------------------

    def _report(self) -> list[list[str]]:
        rng = self.rng
        self.serial += 1
        report = f"{self.year % 100:02d}{self.serial:07d}"
        reported = self.start + dt.timedelta(days=rng.randrange(365))
        began = reported - dt.timedelta(days=rng.choice((0, 0, 0, 1, 2, 7)))
        ended = began + dt.timedelta(days=1) if rng.random() < 0.4 else None
        offenses = rng.sample(OFFENSES, rng.choice((1, 1, 1, 2)))
        dv = any(rng.random() < share for *_, share in offenses)
        place = self._hotspot() if rng.random() < self.hotspot_share else self._place()
        people = [("VIC", *self._person()) for _ in range(rng.choice((1, 1, 2)))]
        people += [("SUS", *self._person()) for _ in range(rng.choice((0, 1, 1, 2)))]
        if people[-1][0] == "SUS" and rng.random() < 0.2:
            people.append(("ARR", *people[-1][1:]))
        reported_at = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        began_at = f"{rng.randrange(24):02d}:{rng.randrange(60):02d}"
        ended_at = f"{rng.randrange(24):02d}:00" if ended else ""
        district = f"PJ{rng.randrange(1000, 9999)}"
        firearm = "Y" if rng.random() < 0.08 else "N"
        flag = "Y" if dv else rng.choice(("N", "N", "U"))
        rows = []
        for code, ibrs, description, _ in offenses:
            for number, (involvement, race, sex, age) in enumerate(people, start=1):
                rows.append(
                    [
                        report,
                        f"{reported:%m/%d/%Y}",
                        reported_at,
                        f"{began:%m/%d/%Y}",
                        began_at,
                        f"{ended:%m/%d/%Y}" if ended else "",
                        ended_at,
                        code,
                        ibrs,
                        description,
                        place["beat"],
                        place["address"],
                        place["city"],
                        place["zip"],
                        district,
                        place["area"],
                        flag,
                        str(number),
                        involvement,
                        race,
                        sex,
                        age,
                        firearm,
                        place["lat"],
                        place["lon"],
                    ]
                )
        return rows

    def _place(self) -> dict[str, str]:
        rng = self.rng
        zip_code = rng.choice(ZIPS)
        street = rng.choice(STREETS)
        if rng.random() < 0.1:
            address = f"{street} and {rng.choice(STREETS)}"
        else:
            address = f"{rng.randrange(1, 120) * 100}  {street}"
        city = "KANSAS CITY"
        quirk = rng.random()
        if quirk < 0.03:
            city = rng.choice(CITY_MISSPELLINGS)
        elif quirk < 0.05:
            city = zip_code
        elif quirk < 0.07:
            city = f"{street.rsplit(' ', 1)[-1]} KANSAS CITY"
        if rng.random() < 0.4:
            lat, lon = "0.0", "0.0"
        else:
            lat = f"{39.0 + rng.random() * 0.3:.6f}"
            lon = f"{-94.7 + rng.random() * 0.3:.6f}"
        return {
            "address": address,
            "city": city,
            "zip": zip_code,
            "beat": str(rng.randrange(110, 700)),
            "area": rng.choice(AREAS),
            "lat": lat,
            "lon": lon,
        }

    def _hotspot(self) -> dict[str, str]:
        weights = [float(place.get("weight", 1)) for place in self.hotspots]
        return self.rng.choices(self.hotspots, weights=weights)[0]

    def _person(self) -> tuple[str, str, str]:
        rng = self.rng
        age = "" if rng.random() < 0.3 else str(rng.randrange(14, 80))
        return rng.choice(RACES), rng.choice(("M", "F", "F", "M", "U")), age

    def _break(self, row: list[str]) -> list[str]:
        broken = list(row)
        kind = self.rng.randrange(3)
        if kind == 0:
            broken[1] = "02/30/" + broken[1][-4:]
        elif kind == 1:
            broken[18] = "WIT"
        else:
            broken = broken[: self.rng.randrange(3, len(broken) - 1)]
        return broken
