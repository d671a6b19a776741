import json

from django.core.exceptions import ValidationError
from django.test import SimpleTestCase

from town311.lib import geo
from town311.test import CENTRE, square

LAT, LONG = CENTRE


def polygon(*ring: tuple[float, float]) -> dict:
    """A GeoJSON Polygon of (long, lat) points, closed as GeoJSON wants."""
    return {"type": "Polygon", "coordinates": [[list(p) for p in (*ring, ring[0])]]}


# Two squares that share an edge, and a ring that crosses itself.
WEST = polygon((-90.02, 39.99), (-90.0, 39.99), (-90.0, 40.01), (-90.02, 40.01))
EAST = polygon((-90.0, 39.99), (-89.98, 39.99), (-89.98, 40.01), (-90.0, 40.01))
BOW_TIE = polygon((-90.01, 39.99), (-89.99, 40.01), (-89.99, 39.99), (-90.01, 40.01))


def feature(geometry: dict | None) -> dict:
    return {"type": "Feature", "properties": {}, "geometry": geometry}


class ParseAreaTestCase(SimpleTestCase):
    def assert_refused(self, text: str, message: str) -> None:
        with self.assertRaises(ValidationError) as cm:
            geo.parse_area(text)
        self.assertIn(message, cm.exception.messages[0])

    def test_it_accepts_a_polygon(self):
        area = geo.parse_area(square(LAT, LONG, 0.01))
        self.assertEqual(area.geom_type, "Polygon")
        self.assertAlmostEqual(area.area, 0.0004)

    def test_it_accepts_a_multipolygon(self):
        text = json.dumps(
            {
                "type": "MultiPolygon",
                "coordinates": [
                    json.loads(square(LAT, LONG - 0.05, 0.01))["coordinates"],
                    json.loads(square(LAT, LONG + 0.05, 0.01))["coordinates"],
                ],
            }
        )
        area = geo.parse_area(text)
        self.assertEqual(area.geom_type, "MultiPolygon")
        self.assertEqual(len(area.geoms), 2)

    def test_it_accepts_a_feature(self):
        area = geo.parse_area(json.dumps(feature(WEST)))
        self.assertEqual(area.geom_type, "Polygon")

    def test_it_unites_a_feature_collection(self):
        text = json.dumps(
            {"type": "FeatureCollection", "features": [feature(WEST), feature(EAST)]}
        )
        area = geo.parse_area(text)
        # The two squares share an edge, so their union is one rectangle.
        self.assertEqual(area.geom_type, "Polygon")
        self.assertEqual(area.bounds, (-90.02, 39.99, -89.98, 40.01))

    def test_it_refuses_invalid_json(self):
        self.assert_refused('{"type": "Polygon",', "This is not valid JSON")

    def test_it_refuses_nan_coordinates(self):
        text = '{"type": "Polygon", "coordinates": [[[NaN, 0], [1, 0], [1, 1]]]}'
        self.assert_refused(text, "NaN is not a number JSON allows")

    def test_it_refuses_json_without_a_type(self):
        self.assert_refused("[[1, 2]]", "Paste a GeoJSON object with a “type”.")

    def test_it_refuses_a_point(self):
        text = json.dumps({"type": "Point", "coordinates": [LONG, LAT]})
        self.assert_refused(text, "The area must be a Polygon or MultiPolygon")

    def test_it_refuses_a_line(self):
        text = json.dumps(
            {"type": "LineString", "coordinates": [[LONG, LAT], [LONG + 1, LAT]]}
        )
        self.assert_refused(text, "The area must be a Polygon or MultiPolygon")

    def test_it_refuses_a_collection_with_a_point(self):
        point = {"type": "Point", "coordinates": [LONG, LAT]}
        text = json.dumps(
            {"type": "FeatureCollection", "features": [feature(WEST), feature(point)]}
        )
        self.assert_refused(text, "The area must be a Polygon or MultiPolygon")

    def test_it_refuses_a_bow_tie_with_the_reason(self):
        self.assert_refused(
            json.dumps(BOW_TIE), "The polygon is not valid (Self-intersection"
        )

    def test_it_refuses_a_bow_tie_inside_a_feature_collection(self):
        # GEOS cannot unite an invalid polygon; this used to crash.
        text = json.dumps(
            {"type": "FeatureCollection", "features": [feature(EAST), feature(BOW_TIE)]}
        )
        self.assert_refused(text, "The polygon is not valid (Self-intersection")

    def test_it_refuses_overlapping_multipolygon_parts(self):
        inner = json.loads(square(LAT, LONG, 0.005))["coordinates"]
        outer = json.loads(square(LAT, LONG, 0.01))["coordinates"]
        text = json.dumps({"type": "MultiPolygon", "coordinates": [outer, inner]})
        self.assert_refused(text, "The polygon is not valid")

    def test_it_refuses_swapped_latitude_and_longitude(self):
        ring = json.loads(square(LAT, LONG, 0.01))["coordinates"][0]
        swapped = {"type": "Polygon", "coordinates": [[[y, x] for x, y in ring]]}
        self.assert_refused(json.dumps(swapped), "GeoJSON puts longitude first")

    def test_it_refuses_empty_text(self):
        self.assert_refused("  ", "The area is empty")

    def test_it_refuses_a_polygon_without_coordinates(self):
        self.assert_refused(json.dumps({"type": "Polygon", "coordinates": []}), "empty")
        self.assert_refused(json.dumps({"type": "Polygon"}), "has no “coordinates”")

    def test_it_refuses_an_empty_feature_collection(self):
        text = json.dumps({"type": "FeatureCollection", "features": []})
        self.assert_refused(text, "The FeatureCollection has no features.")

    def test_it_refuses_a_feature_collection_without_a_list(self):
        text = json.dumps({"type": "FeatureCollection", "features": {"a": 1}})
        self.assert_refused(text, "needs a list of “features”")

    def test_it_refuses_a_feature_without_geometry(self):
        text = json.dumps(feature(None))
        self.assert_refused(text, "The area must be a Polygon or MultiPolygon")

    def test_it_refuses_a_ring_of_two_points(self):
        ring = [[LONG, LAT], [LONG + 0.01, LAT]]
        text = json.dumps({"type": "Polygon", "coordinates": [ring]})
        self.assert_refused(text, "The coordinates are not a polygon")


class CoversTestCase(SimpleTestCase):
    def test_it_counts_the_edge_and_vertices_as_inside(self):
        text = square(LAT, LONG, 0.01)
        self.assertTrue(geo.covers(text, LAT, LONG))
        self.assertTrue(geo.covers(text, LAT, LONG - 0.01))
        self.assertTrue(geo.covers(text, LAT + 0.01, LONG + 0.01))
        self.assertFalse(geo.covers(text, LAT, LONG + 0.011))

    def test_it_does_not_cover_a_point_that_is_not_a_number(self):
        self.assertFalse(geo.covers(square(LAT, LONG, 0.01), float("nan"), LONG))

    def test_it_prepares_each_text_once(self):
        text = square(LAT, LONG, 0.02)
        self.assertIs(geo.prepared_area(text), geo.prepared_area(text))
        self.assertIsNot(geo.prepared_area(text), geo.prepared_area(text + " "))
