"""GeoJSON areas evaluated with Shapely, without system GIS libraries."""

import json
from functools import lru_cache

import shapely
from django.core.exceptions import ValidationError
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def parse_area(text: str) -> BaseGeometry:
    """Turn GeoJSON text into a valid (multi)polygon, or raise ValidationError.

    Accepts a bare geometry, a Feature, or a FeatureCollection of polygons
    (their union), so an area drawn in any GeoJSON editor can be pasted in.
    """
    try:
        data = json.loads(text)
    except (TypeError, ValueError) as e:
        raise ValidationError(f"This is not valid JSON: {e}.") from e

    if not isinstance(data, dict) or "type" not in data:
        raise ValidationError("Paste a GeoJSON object with a “type”.")

    if data["type"] == "FeatureCollection":
        geometries = [f.get("geometry") for f in data.get("features") or []]
    elif data["type"] == "Feature":
        geometries = [data.get("geometry")]
    else:
        geometries = [data]

    if not geometries or any(
        not isinstance(g, dict) or g.get("type") not in POLYGON_TYPES
        for g in geometries
    ):
        raise ValidationError(
            "The area must be a Polygon or MultiPolygon (or features of them)."
        )

    try:
        parts = [shape(g) for g in geometries]
    except (TypeError, ValueError, KeyError, IndexError) as e:
        raise ValidationError(f"The coordinates are not a polygon: {e}.") from e

    geometry = shapely.union_all(parts) if len(parts) > 1 else parts[0]
    if geometry.is_empty:
        raise ValidationError("The area is empty.")

    if not geometry.is_valid:
        reason = shapely.is_valid_reason(geometry)
        raise ValidationError(f"The polygon is not valid ({reason}).")

    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ValidationError(
            "Coordinates must be longitude, latitude in degrees "
            "(GeoJSON puts longitude first)."
        )

    return geometry


@lru_cache(maxsize=512)
def prepared_area(text: str) -> BaseGeometry:
    """The parsed area, prepared for fast point tests. Cached by its text."""
    geometry = parse_area(text)
    shapely.prepare(geometry)
    return geometry


def covers(area_text: str, lat: float, long: float) -> bool:
    """True when the point is inside the area or on its edge."""
    return prepared_area(area_text).intersects(Point(long, lat))


def area_size(area_text: str) -> float:
    """Planar size in square degrees: only good for comparing nearby areas."""
    return prepared_area(area_text).area
