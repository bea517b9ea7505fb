"""ZIP-code centroids and distances, for searching the directory by distance.

Centroids come from a GeoJSON file of ZIP Code Tabulation Areas (the planning
repository's `shared/data/geo/kc_region_zcta_2010s.geojson.gz`: 154 ZCTAs of the Kansas
City region, CC BY 4.0): each is the area-weighted centroid of its polygons' outer rings.
Distances use the equirectangular approximation, which both SQLite and PostgreSQL can
compute with arithmetic alone and which, over a metropolitan area, is within a fraction
of a percent of the great-circle distance.
"""

import gzip
import itertools
import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.db import transaction

from jcihub.audit.models import AuditAction
from jcihub.audit.services import record

from .models import ZipCentroid

MILES_PER_DEGREE = 69.09  # one degree of latitude (and of longitude at the equator)
ZIP_PROPERTIES = ("GEOID_ZCTA", "ZCTA5CE10", "ZCTA5CE20", "postalcode", "zip_code", "ZIP")

Ring = Sequence[Sequence[float]]


def _ring_centroid(ring: Ring) -> tuple[float, float, float]:
    """(signed area, x, y) of one ring by the shoelace formula, in degrees."""
    area = cx = cy = 0.0
    for (x0, y0, *_), (x1, y1, *_) in itertools.pairwise(ring):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if area == 0:
        return 0.0, 0.0, 0.0
    return area, cx / (6 * area), cy / (6 * area)


def polygon_centroid(polygons: Iterable[Sequence[Ring]]) -> tuple[float, float]:
    """(latitude, longitude) of a (multi)polygon's outer rings, weighted by their areas."""
    total = sx = sy = 0.0
    for polygon in polygons:
        area, x, y = _ring_centroid(polygon[0])
        weight = abs(area)
        total += weight
        sx += x * weight
        sy += y * weight
    if total == 0:
        raise ValueError("the shape has no area")
    return sy / total, sx / total


def _zip_of(properties: dict[str, Any]) -> str:
    for key in ZIP_PROPERTIES:
        value = str(properties.get(key) or "").strip()
        if len(value) == 5 and value.isdigit():
            return value
    return ""


def read_centroids(path: Path) -> dict[str, tuple[float, float]]:
    """ZIP code → (latitude, longitude) from a GeoJSON file (optionally gzipped)."""
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        collection = json.load(handle)
    found = {}
    for feature in collection.get("features", []):
        zip_code = _zip_of(feature.get("properties") or {})
        geometry = feature.get("geometry") or {}
        shapes = geometry.get("coordinates") or []
        if not zip_code or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [shapes] if geometry["type"] == "Polygon" else shapes
        found[zip_code] = polygon_centroid(polygons)
    return found


@transaction.atomic
def load_zip_centroids(actor: Any, path: Path) -> tuple[int, int]:
    """Write the file's centroids (adding and updating; re-running changes nothing).
    Returns (added, updated)."""
    centroids = read_centroids(path)
    known = {z.zip_code: z for z in ZipCentroid.objects.filter(zip_code__in=centroids)}
    added, changed = [], []
    for zip_code, (lat, lon) in sorted(centroids.items()):
        row = known.get(zip_code)
        if row is None:
            added.append(ZipCentroid(zip_code, round(lat, 6), round(lon, 6), path.name))
        elif (row.latitude, row.longitude) != (round(lat, 6), round(lon, 6)):
            row.latitude, row.longitude, row.source = round(lat, 6), round(lon, 6), path.name
            changed.append(row)
    ZipCentroid.objects.bulk_create(added)
    ZipCentroid.objects.bulk_update(changed, ["latitude", "longitude", "source"])
    record(
        actor,
        AuditAction.UPDATE,
        object_type="referrals.zipcentroid",
        summary=f"Loaded ZIP centroids from {path.name}: {len(added)} added, "
        f"{len(changed)} updated",
    )
    return len(added), len(changed)


def zip_point(zip_code: str) -> tuple[float, float] | None:
    row = ZipCentroid.objects.filter(zip_code=zip_code).values_list("latitude", "longitude")
    return row.first()


def longitude_scale(latitude: float) -> float:
    """How much shorter a degree of longitude is than one of latitude, there."""
    return math.cos(math.radians(latitude))


def miles(squared_degrees: float | None) -> float | None:
    """Miles from a squared, longitude-scaled distance in degrees (as the search annotates)."""
    if squared_degrees is None:
        return None
    return round(math.sqrt(squared_degrees) * MILES_PER_DEGREE, 1)
