import json
from unittest import mock

from django.urls import reverse

from town311.front.tests.base import PRIVATE_STRINGS
from town311.opendata.tests.base import (
    PRIVATE_DESCRIPTION,
    SUBMITTED,
    OpenDataTestCase,
)
from town311.test import CENTRE

URL = reverse("opendata:requests-geojson")


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


class RequestsGeoJSONTests(OpenDataTestCase):
    def features(self, query: str = "") -> list[dict]:
        response = self.client.get(URL + query)
        self.assertEqual(response.status_code, 200)
        return json.loads(body(response))["features"]

    def test_it_is_a_feature_collection_of_points_longitude_first(self):
        response = self.client.get(URL)

        self.assertTrue(response.streaming)
        self.assertEqual(
            response["Content-Type"], "application/geo+json; charset=utf-8"
        )
        collection = json.loads(body(response))
        self.assertEqual(set(collection), {"type", "features"})
        self.assertEqual(collection["type"], "FeatureCollection")

        feature = collection["features"][0]
        self.assertEqual(set(feature), {"type", "id", "geometry", "properties"})
        self.assertEqual(feature["type"], "Feature")
        self.assertEqual(feature["id"], str(self.open_request.pk))
        self.assertEqual(
            feature["geometry"],
            {"type": "Point", "coordinates": [CENTRE[1] + 0.005, CENTRE[0]]},
        )

    def test_it_describes_each_request(self):
        features = {f["id"]: f["properties"] for f in self.features()}

        self.assertEqual(
            features[str(self.open_request.pk)],
            {
                "number": str(self.open_request.pk),
                "service_code": "pothole",
                "service_name": "Pothole",
                "status": "open",
                "resolution": None,
                "department": "Roads",
                "requested_datetime": SUBMITTED,
                "updated_datetime": SUBMITTED,
                # Asking a question acknowledged it.
                "acknowledged_datetime": SUBMITTED,
                "closed_datetime": None,
                "address": "12 Main Street",
                "neighbourhood": None,
                "url": f"http://testserver/requests/{self.open_request.pk}/",
            },
        )
        closed = features[str(self.closed_request.pk)]
        self.assertEqual(closed["status"], "closed")
        self.assertEqual(closed["resolution"], "fixed")
        self.assertEqual(closed["department"], "Parks")
        self.assertEqual(closed["neighbourhood"], "Riverside")
        self.assertEqual(closed["requested_datetime"], SUBMITTED)
        self.assertEqual(closed["acknowledged_datetime"], "2026-05-04T06:00:00-05:00")
        self.assertEqual(closed["closed_datetime"], "2026-05-05T06:00:00-05:00")
        self.assertEqual(closed["updated_datetime"], "2026-05-05T06:00:00-05:00")

    def test_it_holds_only_public_requests_of_public_services(self):
        ids = [f["id"] for f in self.features()]

        self.assertEqual(ids, [str(self.open_request.pk), str(self.closed_request.pk)])

    def test_it_holds_no_personal_data(self):
        content = body(self.client.get(URL))

        for private in (*PRIVATE_STRINGS, PRIVATE_DESCRIPTION, "Which side"):
            self.assertNotIn(private, content)
        self.assertNotIn("Depot yard", content)
        self.assertNotIn("Hidden Lane", content)
        self.assertNotIn("Rosa", content)

    def test_it_is_a_download_anyone_can_fetch(self):
        response = self.client.get(URL)

        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="testville-service-requests.geojson"',
        )
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")

    def test_it_is_an_empty_collection_without_requests(self):
        response = self.client.get(URL + "?service_code=pothole&status=closed")

        self.assertEqual(
            json.loads(body(response)), {"type": "FeatureCollection", "features": []}
        )

    def test_it_reads_the_requests_in_one_query_however_many(self):
        # Two queries whatever the count: the town, then the rows.
        with self.assertNumQueries(2):
            body(self.client.get(URL))

        for n in range(5):
            self.submit(address=f"{n} Elm Street")

        with self.assertNumQueries(2):
            self.assertEqual(len(json.loads(body(self.client.get(URL)))["features"]), 7)

    def test_it_answers_a_missing_town_with_404(self):
        self.town.delete()

        response = self.client.get(URL)

        self.assertEqual(response.status_code, 404)
        self.assertIn("no town", response.json()[0]["description"])

    def test_it_joins_the_pieces_into_one_valid_document(self):
        for n in range(3):
            self.submit(address=f"{n} Elm Street")

        with mock.patch("town311.opendata.formats.CHUNK_SIZE", 2):
            pieces = list(self.client.get(URL).streaming_content)

        # The opening, three pieces of two, two and one features, the end.
        self.assertEqual(len(pieces), 5)
        features = json.loads(b"".join(pieces))["features"]
        self.assertEqual(len(features), 5)
