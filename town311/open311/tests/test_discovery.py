from django.test import override_settings

from town311.open311.tests.base import Open311TestCase


@override_settings(SITE_URL="https://311.testville.example")
class DiscoveryTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.town.email = "help@testville.example"
        self.town.save()

    def test_it_lists_the_endpoint_in_json(self) -> None:
        data = self.get_json("/open311/v2/discovery.json")

        self.assertEqual(data["contact"], "Testville 311: help@testville.example")
        self.assertIn("help@testville.example", data["key_service"])
        [endpoint] = data["endpoints"]
        self.assertEqual(
            endpoint["specification"], "http://wiki.open311.org/GeoReport_v2"
        )
        self.assertEqual(endpoint["url"], "https://311.testville.example/open311/v2/")
        self.assertEqual(endpoint["type"], "production")
        self.assertEqual(endpoint["changeset"], data["changeset"])
        self.assertEqual(endpoint["formats"], ["text/xml", "application/json"])

    def test_it_nests_endpoints_and_formats_in_xml(self) -> None:
        root = self.get_xml("/open311/v2/discovery.xml")

        self.assertEqual(root.tag, "discovery")
        self.assertEqual(
            [child.tag for child in root],
            ["changeset", "contact", "key_service", "endpoints"],
        )
        [endpoint] = root.find("endpoints")
        self.assertEqual(endpoint.tag, "endpoint")
        self.assertEqual(
            endpoint.findtext("url"), "https://311.testville.example/open311/v2/"
        )
        formats = endpoint.find("formats")
        self.assertEqual(
            [(f.tag, f.text) for f in formats],
            [("format", "text/xml"), ("format", "application/json")],
        )
