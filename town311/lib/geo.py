"""Geography without system GIS libraries: GeoJSON areas evaluated with
Shapely, and distances on latitude/longitude columns."""

import json
import math
from functools import lru_cache

import shapely
from django.core.exceptions import ValidationError
from django.db.models import Q
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def parse_area(text: str) -> BaseGeometry:
    """Turn GeoJSON text into a valid (multi)polygon, or raise ValidationError.

    Accepts a bare geometry, a Feature, or a FeatureCollection of polygons
    (their union), so an area drawn in any GeoJSON editor can be pasted in.
    """
    if isinstance(text, str) and not text.strip():
        raise ValidationError("The area is empty: paste a GeoJSON Polygon.")

    try:
        # NaN and Infinity are not JSON, but Python's parser lets them in.
        data = json.loads(text, parse_constant=_refuse_constant)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"This is not valid JSON: {_sentence(e)}") from e

    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError("Paste a GeoJSON object with a “type”.")

    geometries = _geometries(data)
    if not geometries:
        raise ValidationError("The FeatureCollection has no features.")

    if any(
        not isinstance(g, dict) or g.get("type") not in POLYGON_TYPES
        for g in geometries
    ):
        raise ValidationError(
            "The area must be a Polygon or MultiPolygon (or features of them)."
        )

    if any("coordinates" not in g for g in geometries):
        raise ValidationError("The polygon has no “coordinates”.")

    try:
        parts = [shape(g) for g in geometries]
    except (ShapelyError, TypeError, ValueError, KeyError, IndexError) as e:
        raise ValidationError(
            f"The coordinates are not a polygon: {_sentence(e)}"
        ) from e

    if all(p.is_empty for p in parts):
        raise ValidationError("The area is empty.")

    # Checked before validity: swapped coordinates make a polygon that may
    # well be valid, and this is the message that tells how to fix it.
    for part in parts:
        minx, miny, maxx, maxy = part.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise ValidationError(
                "Coordinates must be longitude, latitude in degrees "
                "(GeoJSON puts longitude first)."
            )

    # Each part is checked on its own: GEOS cannot union invalid polygons,
    # and a union could hide a bow-tie inside a larger shape.
    for part in parts:
        if not part.is_valid:
            reason = shapely.is_valid_reason(part)
            raise ValidationError(f"The polygon is not valid ({reason}).")

    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _geometries(data: dict) -> list:
    if data["type"] == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ValidationError("A FeatureCollection needs a list of “features”.")

        return [f.get("geometry") if isinstance(f, dict) else f for f in features]

    if data["type"] == "Feature":
        return [data.get("geometry")]

    return [data]


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _sentence(error: Exception) -> str:
    return str(error).rstrip(".") + "."


@lru_cache(maxsize=512)
def prepared_area(text: str) -> BaseGeometry:
    """The parsed area, prepared for fast point tests. Cached by its text."""
    geometry = parse_area(text)
    shapely.prepare(geometry)
    # GEOS builds a prepared geometry's point index lazily and not
    # thread-safely; one test here builds it before threads share it.
    minx, miny, _, _ = geometry.bounds
    shapely.intersects_xy(geometry, minx, miny)
    return geometry


def covers(area_text: str, lat: float, long: float) -> bool:
    """True when the point is inside the area or on its edge."""
    if not (math.isfinite(lat) and math.isfinite(long)):
        return False

    return holds(prepared_area(area_text), lat, long)


def holds(geometry: BaseGeometry, lat: float, long: float) -> bool:
    """True when the point is inside a parsed area or on its edge."""
    if not (math.isfinite(lat) and math.isfinite(long)):
        return False

    return bool(shapely.intersects_xy(geometry, long, lat))


def area_size(area_text: str) -> float:
    """Planar size in square degrees: only good for comparing nearby areas."""
    return prepared_area(area_text).area


EARTH_RADIUS_M = 6_371_008.8  # the mean radius
# Near the poles a degree of longitude shrinks to nothing; this floor keeps
# a bounding box finite there (it only widens it, never misses anything).
MIN_COS_LAT = 0.01


def distance_m(lat1: float, long1: float, lat2: float, long2: float) -> float:
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(long2 - long1)
    h = (
        math.sin(d_phi / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def near(lat: float, long: float, metres: float) -> Q:
    """A filter on `lat` and `long` columns for a box holding every point
    within `metres` of (lat, long); the box's corners hold farther points,
    so callers check `distance_m` on what it returns. It uses the
    composite (lat, long) index."""
    # A little wider than exact, so rounding never drops a point on the edge.
    lat_span = math.degrees(metres * 1.01 / EARTH_RADIUS_M)
    long_span = lat_span / max(math.cos(math.radians(lat)), MIN_COS_LAT)
    lats = Q(lat__range=(lat - lat_span, lat + lat_span))
    if long_span >= 180:
        return lats

    low, high = long - long_span, long + long_span
    # A box across the antimeridian is two boxes, one on each side.
    if low < -180:
        return lats & (Q(long__gte=low + 360) | Q(long__lte=high))
    if high > 180:
        return lats & (Q(long__gte=low) | Q(long__lte=high - 360))

    return lats & Q(long__range=(low, high))


def parse_point(lat, long) -> tuple[float, float] | None:
    """(lat, long) as floats when both are finite degrees in range, else None."""
    try:
        lat, long = float(lat), float(long)
    except (TypeError, ValueError):
        return None

    if not (math.isfinite(lat) and math.isfinite(long)):
        return None

    if not (-90 <= lat <= 90 and -180 <= long <= 180):
        return None

    return lat, long


def map_bounds(area_text: str) -> list[list[float]]:
    """The area's extent as Leaflet wants it: [[south, west], [north, east]]."""
    west, south, east, north = prepared_area(area_text).bounds
    return [[south, west], [north, east]]
