"""The catalogue against DCAT-US 1.1 (the Project Open Data metadata
schema): its required fields, and the "required if applicable" ones that
apply to a town's public dataset. bureauCode and programCode are only for
US federal agencies."""

import re

from django.urls import reverse

from town311.opendata.tests.base import OpenDataTestCase
from town311.servicerequests.models import ServiceRequest

URL = reverse("data-json")
SCHEMA = "https://project-open-data.cio.gov/v1.1/schema"

CATALOGUE_REQUIRED = ("conformsTo", "dataset")
DATASET_REQUIRED = (
    "title",
    "description",
    "keyword",
    "modified",
    "publisher",
    "contactPoint",
    "identifier",
    "accessLevel",
)
DATASET_IF_APPLICABLE = ("license", "spatial", "temporal", "distribution")
DISTRIBUTION_REQUIRED = ("downloadURL", "mediaType")
ISO_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d(T\d\d:\d\d:\d\d[+-]\d\d:\d\d)?$")
ISO_INTERVAL = re.compile(r"^\d{4}-\d\d-\d\d/\d{4}-\d\d-\d\d$")
MEDIA_TYPE = re.compile(r"^[-\w.+]+/[-\w.+]+$")


class DataJsonTests(OpenDataTestCase):
    def catalogue(self) -> dict:
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        return response.json()

    def test_it_is_a_dcat_us_catalogue(self):
        catalogue = self.catalogue()

        for name in CATALOGUE_REQUIRED:
            self.assertIn(name, catalogue)
        self.assertEqual(catalogue["conformsTo"], SCHEMA)
        self.assertEqual(catalogue["@type"], "dcat:Catalog")
        self.assertEqual(catalogue["@context"], f"{SCHEMA}/catalog.jsonld")
        self.assertEqual(catalogue["describedBy"], f"{SCHEMA}/catalog.json")
        self.assertEqual(catalogue["@id"], "http://testserver/data.json")
        self.assertEqual(len(catalogue["dataset"]), 1)

    def test_each_dataset_has_the_required_fields_in_their_forms(self):
        for dataset in self.catalogue()["dataset"]:
            for name in (*DATASET_REQUIRED, *DATASET_IF_APPLICABLE):
                self.assertIn(name, dataset)
                self.assertTrue(dataset[name], name)

            self.assertEqual(dataset["@type"], "dcat:Dataset")
            for name in ("title", "description", "identifier"):
                self.assertIsInstance(dataset[name], str)
            self.assertIsInstance(dataset["keyword"], list)
            self.assertTrue(all(isinstance(k, str) and k for k in dataset["keyword"]))
            self.assertRegex(dataset["modified"], ISO_DATE_TIME)
            self.assertIn(dataset["accessLevel"], ("public", "restricted public"))
            self.assertTrue(dataset["publisher"]["name"])
            self.assertTrue(dataset["contactPoint"]["fn"])
            self.assertRegex(dataset["contactPoint"]["hasEmail"], r"^mailto:\S+@\S+$")
            self.assertRegex(dataset["license"], r"^https?://")
            self.assertRegex(dataset["temporal"], ISO_INTERVAL)
            self.assertRegex(dataset["landingPage"], r"^https?://")

            for distribution in dataset["distribution"]:
                for name in DISTRIBUTION_REQUIRED:
                    self.assertIn(name, distribution)
                self.assertEqual(distribution["@type"], "dcat:Distribution")
                self.assertRegex(distribution["downloadURL"], r"^https?://")
                self.assertRegex(distribution["mediaType"], MEDIA_TYPE)

    def test_it_describes_the_service_requests(self):
        self.town.email = "hello@testville.example"
        self.town.save()

        dataset = self.catalogue()["dataset"][0]

        self.assertEqual(dataset["title"], "Testville: Service requests")
        self.assertEqual(
            dataset["identifier"], "http://testserver/open-data/#service-requests"
        )
        self.assertEqual(dataset["landingPage"], "http://testserver/open-data/")
        self.assertEqual(dataset["accessLevel"], "public")
        self.assertEqual(
            dataset["license"], "https://opendatacommons.org/licenses/pddl/1-0/"
        )
        self.assertEqual(
            dataset["publisher"], {"@type": "org:Organization", "name": "Testville"}
        )
        self.assertEqual(
            dataset["contactPoint"],
            {
                "@type": "vcard:Contact",
                "fn": "Testville",
                "hasEmail": "mailto:hello@testville.example",
            },
        )
        # The town is a square 0.02 degrees wide around (40.0, -90.0).
        self.assertEqual(
            dataset["spatial"], "-90.010000,39.990000,-89.990000,40.010000"
        )
        # Public requests only: the latest change is the close on May 5.
        self.assertEqual(dataset["modified"], "2026-05-05T06:00:00-05:00")
        self.assertEqual(dataset["temporal"], "2026-05-04/2026-05-05")
        self.assertEqual(
            dataset["distribution"],
            [
                {
                    "@type": "dcat:Distribution",
                    "title": "Service requests (GeoJSON)",
                    "downloadURL": "http://testserver/open-data/requests.geojson",
                    "mediaType": "application/geo+json",
                    "format": "GeoJSON",
                },
                {
                    "@type": "dcat:Distribution",
                    "title": "Service requests (CSV)",
                    "downloadURL": "http://testserver/open-data/requests.csv",
                    "mediaType": "text/csv",
                    "format": "CSV",
                },
            ],
        )

    def test_it_uses_the_towns_open_data_settings(self):
        self.town.open_data_publisher = "City of Testville"
        self.town.open_data_contact_email = "data@testville.example"
        self.town.open_data_licence_url = "https://creativecommons.org/licenses/by/4.0/"
        self.town.save()

        dataset = self.catalogue()["dataset"][0]

        self.assertEqual(dataset["publisher"]["name"], "City of Testville")
        self.assertEqual(dataset["contactPoint"]["fn"], "City of Testville")
        self.assertEqual(
            dataset["contactPoint"]["hasEmail"], "mailto:data@testville.example"
        )
        self.assertEqual(
            dataset["license"], "https://creativecommons.org/licenses/by/4.0/"
        )

    def test_it_is_in_the_site_language_whatever_the_reader_asks(self):
        response = self.client.get(URL, headers={"accept-language": "es"})

        self.assertEqual(
            response.json()["dataset"][0]["title"], "Testville: Service requests"
        )

    def test_it_leaves_out_the_coverage_of_an_empty_dataset(self):
        ServiceRequest.objects.update(is_public=False)

        dataset = self.catalogue()["dataset"][0]

        self.assertNotIn("temporal", dataset)
        self.assertRegex(dataset["modified"], ISO_DATE_TIME)
