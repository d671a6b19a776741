from unittest import mock

from django.urls import reverse

from town311.front import views
from town311.front.tests.base import DAY, FrontTestCase
from town311.servicerequests import services
from town311.test import CENTRE


class RequestsGeoJSONTests(FrontTestCase):
    def get(self, **params):
        return self.client.get(reverse("front:requests-geojson"), params)

    def test_it_gives_public_fields_longitude_first(self):
        request = self.submit(long=CENTRE[1] - 0.002)
        services.request_acknowledge(request, by=self.roads_clerk)

        response = self.get()

        self.assertEqual(response["Content-Type"], "application/geo+json")
        self.assertEqual(
            response.json(),
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "Point",
                            "coordinates": [CENTRE[1] - 0.002, CENTRE[0]],
                        },
                        "properties": {
                            "id": request.pk,
                            "service": "Pothole",
                            "status": "acknowledged",
                            "status_label": "Acknowledged",
                            "submitted": "2026-05-04",
                            "url": f"/requests/{request.pk}/",
                        },
                    }
                ],
            },
        )

    def test_it_leaves_out_requests_that_are_not_public(self):
        shown = self.submit()
        self.submit(service=self.work_order)
        hidden = self.submit()
        hidden.is_public = False
        hidden.save()

        features = self.get().json()["features"]

        self.assertEqual([f["properties"]["id"] for f in features], [shown.pk])

    def test_it_filters_as_browse_does(self):
        self.submit()
        self.clock.shift(2 * DAY)
        park = self.submit(service=self.park_upkeep)

        features = self.get(service="park-upkeep", since="2026-05-05").json()[
            "features"
        ]

        self.assertEqual([f["properties"]["id"] for f in features], [park.pk])

    def test_it_caps_the_features_at_the_newest(self):
        for _ in range(3):
            self.submit()
            self.clock.shift(DAY)

        with mock.patch.object(views, "MAP_MAX_FEATURES", 2):
            features = self.get().json()["features"]

        dates = [f["properties"]["submitted"] for f in features]
        self.assertEqual(dates, ["2026-05-06", "2026-05-05"])

    def test_bad_filters_are_refused_with_reasons(self):
        response = self.get(status="lost", since="soon")

        self.assertEqual(response.status_code, 400)
        errors = response.json()["errors"]
        self.assertEqual(set(errors), {"status", "since"})
        self.assertIn("no such status", errors["status"])

    def test_it_keeps_private_details_out(self):
        self.submit_private_details()

        response = self.get(q="Which side")

        self.assertNoPrivateDetails(response)
