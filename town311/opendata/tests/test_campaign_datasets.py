"""Each campaign that has started is a dataset: in the DCAT-US catalogue at
/data.json and on the open-data page, with its own licence and columns."""

from datetime import date

from django.urls import reverse

from town311.campaigns import services
from town311.campaigns.tests.base import DAY, CampaignTestCase
from town311.opendata.datasets import dataset_get, dataset_list
from town311.opendata.tests.test_data_json import (
    DATASET_IF_APPLICABLE,
    DATASET_REQUIRED,
    DISTRIBUTION_REQUIRED,
    ISO_DATE_TIME,
)

CC_BY = "https://creativecommons.org/licenses/by/4.0/"
PDDL = "https://opendatacommons.org/licenses/pddl/1-0/"


class CampaignDatasetTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.point = self.published()
        self.clock.shift(DAY)
        services.point_confirm(point=self.point)
        self.later = self.make_campaign(
            slug="benches",
            title="Every bench in Testville",
            starts_on=date(2026, 6, 1),
            ends_on=date(2026, 6, 30),
        )


class CampaignCatalogueTests(CampaignDatasetTestCase):
    def catalogue_entry(self) -> dict:
        response = self.client.get(reverse("data-json"))
        self.assertEqual(response.status_code, 200)
        datasets = response.json()["dataset"]
        titles = [dataset["title"] for dataset in datasets]
        self.assertEqual(
            titles,
            ["Testville: Service requests", "Testville: Every bike rack in Testville"],
        )
        return datasets[1]

    def test_it_lists_a_started_campaign_with_the_required_fields(self):
        dataset = self.catalogue_entry()

        for name in (*DATASET_REQUIRED, *DATASET_IF_APPLICABLE):
            self.assertTrue(dataset[name], name)
        for distribution in dataset["distribution"]:
            for name in DISTRIBUTION_REQUIRED:
                self.assertTrue(distribution[name], name)

        self.assertEqual(dataset["description"], self.campaign.description)
        self.assertEqual(
            dataset["identifier"], "http://testserver/open-data/#campaign-bike-racks"
        )
        self.assertEqual(
            dataset["landingPage"], "http://testserver/campaigns/bike-racks/"
        )
        self.assertIn("bike-racks", dataset["keyword"])
        self.assertRegex(dataset["modified"], ISO_DATE_TIME)
        # Published on May 4, last confirmed on May 5.
        self.assertEqual(dataset["modified"], "2026-05-05T04:00:00-05:00")
        self.assertEqual(dataset["temporal"], "2026-05-04/2026-05-05")
        self.assertEqual(
            [
                (d["format"], d["mediaType"], d["downloadURL"])
                for d in dataset["distribution"]
            ],
            [
                (
                    "GeoJSON",
                    "application/geo+json",
                    "http://testserver/open-data/campaigns/bike-racks.geojson",
                ),
                (
                    "CSV",
                    "text/csv",
                    "http://testserver/open-data/campaigns/bike-racks.csv",
                ),
            ],
        )

    def test_it_gives_the_campaign_s_own_licence(self):
        self.assertEqual(self.catalogue_entry()["license"], PDDL)

        self.campaign.licence_name = "Creative Commons Attribution 4.0"
        self.campaign.licence_url = CC_BY
        self.campaign.save()

        self.assertEqual(self.catalogue_entry()["license"], CC_BY)

    def test_the_download_links_work(self):
        for distribution in self.catalogue_entry()["distribution"]:
            response = self.client.get(distribution["downloadURL"])
            self.assertEqual(response.status_code, 200)
            self.assertEqual(
                response["Content-Type"], f"{distribution['mediaType']}; charset=utf-8"
            )

    def test_a_campaign_joins_the_catalogue_on_its_first_day(self):
        self.clock.move_to("2026-06-01T06:00:00Z")

        response = self.client.get(reverse("data-json"))

        titles = [dataset["title"] for dataset in response.json()["dataset"]]
        self.assertIn("Testville: Every bench in Testville", titles)


class CampaignRegistryTests(CampaignDatasetTestCase):
    def test_the_registry_has_a_dataset_per_started_campaign(self):
        slugs = [dataset.slug for dataset in dataset_list()]
        self.assertEqual(slugs, ["service-requests", "campaign-bike-racks"])

        dataset = dataset_get("campaign-bike-racks")
        self.assertEqual(dataset.title, "Every bike rack in Testville")
        self.assertEqual(
            [column.name for column in dataset.columns][:4],
            ["id", "campaign", "bikes", "type"],
        )
        with self.assertRaises(KeyError):
            dataset_get("campaign-benches")

    def test_a_campaign_without_points_has_no_span(self):
        self.clock.move_to("2026-06-01T06:00:00Z")

        coverage = dataset_get("campaign-benches").coverage(self.town)

        self.assertIsNone(coverage.first_day)
        self.assertIsNone(coverage.modified)


class CampaignOpenDataPageTests(CampaignDatasetTestCase):
    def get(self):
        response = self.client.get(reverse("opendata:index"))
        self.assertEqual(response.status_code, 200)
        return response

    def test_it_lists_the_campaign_with_its_files_and_columns(self):
        response = self.get()

        self.assertContains(
            response,
            '<h2 id="campaign-bike-racks-title">Every bike rack in Testville</h2>',
            html=True,
        )
        self.assertContains(response, "Send a photo of each bike rack you pass.")
        self.assertContains(
            response,
            '<a href="/campaigns/bike-racks/">See the campaign and its map</a>',
            html=True,
        )
        self.assertContains(response, 'href="/open-data/campaigns/bike-racks.geojson"')
        self.assertContains(response, 'href="/open-data/campaigns/bike-racks.csv"')
        self.assertContains(
            response,
            "<tr><th scope=row><code>bikes</code></th>"
            "<td>How many bikes fit?</td></tr>",
            html=True,
        )
        self.assertContains(
            response,
            "Type. One of: inverted-u (Inverted U), wave (Wave), grid (Grid), "
            "wheel-bender (Wheel-bender), other (Other). Empty if not answered.",
        )
        self.assertContains(response, "<code>confirmations</code>", html=True)
        self.assertContains(
            response,
            "The e-mail addresses of the residents who sent or confirmed points.",
        )
        self.assertContains(response, "From May 4, 2026 to May 5, 2026.")
        self.assertNotContains(response, "Every bench in Testville")

    def test_only_the_requests_take_the_api_s_filters(self):
        response = self.get()

        self.assertContains(response, "take the same filters as the API", count=1)
        self.assertContains(response, "each request is a point", count=1)
        self.assertContains(response, "each point is a Feature", count=1)

    def test_it_names_a_licence_other_than_the_town_s(self):
        self.assertNotContains(self.get(), "Licence:")

        self.campaign.licence_name = "Creative Commons Attribution 4.0"
        self.campaign.licence_url = CC_BY
        self.campaign.save()

        self.assertContains(
            self.get(),
            f'<p>Licence: <a href="{CC_BY}" rel="license">'
            "Creative Commons Attribution 4.0</a></p>",
            html=True,
        )
