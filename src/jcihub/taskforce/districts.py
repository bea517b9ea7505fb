"""Council districts, where a boundary file is configured: which district a point is in.

The file (`TASKFORCE_COUNCIL_DISTRICTS_FILE`, gzip or plain CSV) has one row per district
with its boundary as WKT MULTIPOLYGON in longitude/latitude (`the_geom`), its number
(`DIST_ID`) and name (`DISTRICT_2`, "1st"). It is read once per process. Without the file,
`available()` is false and no district filter is offered: the district is "where known".
A property counts in a district when its point (KCPD's block-level point for most) lies
inside; points exactly on a boundary fall on one side or the other.
"""

import csv
import gzip
import io
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

_RING = re.compile(r"\(([^()]+)\)")

Ring = list[tuple[float, float]]


@dataclass(frozen=True)
class District:
    number: str
    name: str
    rings: tuple[Ring, ...]
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def contains(self, lon: float, lat: float) -> bool:
        west, south, east, north = self.box
        if not (west <= lon <= east and south <= lat <= north):
            return False
        inside = False
        for ring in self.rings:  # even-odd over every ring: holes cancel out
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        return inside


def parse_rings(wkt: str) -> tuple[Ring, ...]:
    rings = []
    for body in _RING.findall(wkt):
        points = [tuple(float(v) for v in pair.split()[:2]) for pair in body.split(",")]
        rings.append([(p[0], p[1]) for p in points if len(p) == 2])
    return tuple(ring for ring in rings if len(ring) >= 3)


def _read(path: Path) -> list[District]:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8-sig")
    csv.field_size_limit(sys.maxsize)
    found = []
    for row in csv.DictReader(io.StringIO(text)):
        rings = parse_rings(row.get("the_geom", ""))
        if not rings:
            continue
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        number = (row.get("DIST_ID") or "").strip()
        name = (row.get("DISTRICT_2") or number).strip()
        found.append(District(number, name, rings, (min(xs), min(ys), max(xs), max(ys))))
    return sorted(found, key=lambda d: (len(d.number), d.number))


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[District, ...]:
    file = Path(path)
    return tuple(_read(file)) if file.is_file() else ()


def districts() -> tuple[District, ...]:
    return _load(str(settings.TASKFORCE_COUNCIL_DISTRICTS_FILE))


def available() -> bool:
    return bool(districts())


def choices() -> list[tuple[str, str]]:
    return [(d.number, f"District {d.number} ({d.name})") for d in districts()]


@lru_cache(maxsize=200_000)
def _district_at(path: str, lon: float, lat: float) -> str:
    return next((d.number for d in _load(path) if d.contains(lon, lat)), "")


def district_of(latitude: object, longitude: object) -> str:
    """The district number the point is in; "" when unknown (no point, no file, outside)."""
    if latitude is None or longitude is None:
        return ""
    path = str(settings.TASKFORCE_COUNCIL_DISTRICTS_FILE)
    return _district_at(path, float(str(longitude)), float(str(latitude)))
