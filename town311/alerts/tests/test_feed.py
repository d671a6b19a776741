from xml.etree import ElementTree

from django.urls import reverse

from town311.alerts.tests.base import AlertsTestCase, north_of_centre
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import RESIDENT_EMAIL

ATOM = "{http://www.w3.org/2005/Atom}"
URL = reverse("alerts:feed")


class FeedTests(AlertsTestCase):
    def feed(self, **params):
        response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"], "application/atom+xml; charset=utf-8"
        )
        return response, ElementTree.fromstring(response.content)

    def links(self, root) -> list[str]:
        return [
            entry.find(f"{ATOM}link").get("href")
            for entry in root.findall(f"{ATOM}entry")
        ]

    def link(self, request: ServiceRequest) -> str:
        return f"http://testserver/requests/{request.pk}/"

    def test_it_is_valid_atom(self):
        request = self.submit()

        _, root = self.feed(lat="40.0", long="-90.0", radius="500")

        self.assertEqual(root.tag, f"{ATOM}feed")
        self.assertEqual(
            root.find(f"{ATOM}title").text,
            "Testville 311: new requests within 500 m of 40.00000, -90.00000",
        )
        for required in ("id", "title", "updated", "link"):
            self.assertIsNotNone(root.find(f"{ATOM}{required}"), required)
        (entry,) = root.findall(f"{ATOM}entry")
        self.assertEqual(entry.find(f"{ATOM}title").text, "Pothole: 12 Mill Road")
        self.assertEqual(entry.find(f"{ATOM}id").text, self.link(request))
        self.assertIsNotNone(entry.find(f"{ATOM}updated"))
        self.assertIsNotNone(entry.find(f"{ATOM}published"))
        self.assertIn("Sent to Roads", entry.find(f"{ATOM}summary").text)
        self.assertEqual(entry.find(f"{ATOM}category").get("term"), "Pothole")

    def test_it_holds_no_personal_data(self):
        request = self.submit()
        services.request_add_note(
            request, by=self.roads_clerk, text="Internal: caller was rude"
        )

        response, _ = self.feed()

        for private in (
            "Ann",
            "555-0199",
            RESIDENT_EMAIL,
            "caller was rude",
            "Rosa",
        ):
            self.assertNotContains(response, private)

    def test_private_requests_never_appear(self):
        public = self.submit()
        self.submit(service=self.work_order, by=self.roads_clerk)
        hidden = self.submit()
        ServiceRequest.objects.filter(pk=hidden.pk).update(is_public=False)

        _, root = self.feed()

        self.assertEqual(self.links(root), [self.link(public)])

    def test_it_keeps_to_the_circle(self):
        near = self.submit(*north_of_centre(900))
        self.submit(*north_of_centre(1100))

        _, root = self.feed(lat="40.0", long="-90.0", radius="1000")

        self.assertEqual(self.links(root), [self.link(near)])

    def test_it_keeps_to_the_neighbourhood(self):
        inside = self.submit(40.004, -89.996)
        self.submit(39.996, -90.004)

        _, root = self.feed(area="hilltop")

        self.assertEqual(self.links(root), [self.link(inside)])
        self.assertEqual(
            root.find(f"{ATOM}title").text, "Testville 311: new requests in Hilltop"
        )

    def test_it_keeps_to_the_services(self):
        pothole = self.submit()
        park = self.submit(service=self.park_upkeep)
        self.submit(service=self.park_upkeep, lat=40.009)

        _, root = self.feed(service=["pothole", "park-upkeep"])
        self.assertEqual(len(self.links(root)), 3)

        _, root = self.feed(service="park-upkeep", lat=40.0, long=-90.0, radius=200)
        self.assertEqual(self.links(root), [self.link(park)])

        _, root = self.feed(service="pothole")
        self.assertEqual(self.links(root), [self.link(pothole)])

    def test_it_lists_the_newest_first(self):
        first = self.submit()
        second = self.submit()

        _, root = self.feed()

        self.assertEqual(self.links(root), [self.link(second), self.link(first)])

    def test_bad_parameters_are_explained(self):
        for params in (
            {"lat": "north", "long": "-90"},
            {"lat": "40", "long": "-90", "radius": "99999"},
            {"lat": "40"},
            {"lat": "nan", "long": "-90"},
            {"area": "atlantis"},
            {"service": "no-such-service"},
            {"service": "work-order"},
            {"area": "hilltop", "lat": "40", "long": "-90"},
        ):
            with self.subTest(params=params):
                response = self.client.get(URL, params)

                self.assertEqual(response.status_code, 400)
                self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
