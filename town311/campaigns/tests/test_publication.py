"""The campaign's dataset: GeoJSON (RFC 7946) and CSV at stable addresses,
with published points only and nothing personal."""

import csv
import io
import json
from datetime import UTC, date, datetime

from django.urls import reverse
from shapely.geometry import Point, shape

from town311.campaigns import services
from town311.campaigns.models import CampaignQuestion, CampaignQuestionValue, Datatype
from town311.campaigns.tests.base import DAY, EAST, CampaignTestCase, moved
from town311.lib import geo

# Distinct e-mails for each kind of submission the files must leave out.
PUBLISHED_EMAIL = "published.pennyworth@example.org"
CONFIRMER_EMAIL = "confirmer.clatterbuck@example.org"
MERGED_EMAIL = "merged.mcgillicuddy@example.org"
PENDING_EMAIL = "pending.pettigrew@example.org"
REJECTED_EMAIL = "rejected.ravenscroft@example.org"
PRIVATE_EMAILS = (
    PUBLISHED_EMAIL,
    CONFIRMER_EMAIL,
    MERGED_EMAIL,
    PENDING_EMAIL,
    REJECTED_EMAIL,
)

# Latitude about 40 and longitude about -90: swapped, they are far apart.
RACK = (40.002, -89.993)
GEOJSON_URL = reverse("opendata:campaign-geojson", kwargs={"slug": "bike-racks"})
CSV_URL = reverse("opendata:campaign-csv", kwargs={"slug": "bike-racks"})


class PublicationTestCase(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        extras = CampaignQuestion.objects.create(
            campaign=self.campaign,
            code="extras",
            description="What else is there?",
            datatype=Datatype.MULTIVALUELIST,
            order=3,
        )
        CampaignQuestionValue.objects.bulk_create(
            [
                CampaignQuestionValue(question=extras, key="roof", name="A roof"),
                CampaignQuestionValue(question=extras, key="light", name="A light"),
            ]
        )

        self.rack = self.published(
            lat=RACK[0],
            long=RACK[1],
            answers={"bikes": "10", "type": "wave", "extras": ["roof", "light"]},
            contributor_email=PUBLISHED_EMAIL,
        )
        self.clock.shift(DAY)
        services.point_confirm(point=self.rack, contributor_email=CONFIRMER_EMAIL)
        merged = self.submit(
            lat=RACK[0],
            long=RACK[1],
            contributor_email=MERGED_EMAIL,
            different_point=True,
        )
        services.submission_merge(merged, into=self.rack, by=self.coordinator)
        self.rack.refresh_from_db()

        self.campaign.photo_required = False
        self.campaign.save()
        self.plain = self.published(
            answers={"bikes": 4}, contributor_email="", photo=None
        )
        lat, long = moved(*EAST, north_m=200)
        self.pending = self.submit(lat=lat, long=long, contributor_email=PENDING_EMAIL)
        lat, long = moved(*EAST, north_m=400)
        rejected = self.submit(lat=lat, long=long, contributor_email=REJECTED_EMAIL)
        services.submission_reject(rejected, by=self.coordinator, reason="Blurry")

    def assertNoPrivateDetails(self, content: bytes) -> None:
        for email in PRIVATE_EMAILS:
            self.assertNotIn(email.encode(), content)
        self.assertNotIn(b"@", content)
        self.assertNotIn(b"Blurry", content)
        for staff in (b"coordinator", b"Cora"):
            self.assertNotIn(staff, content)


class GeoJsonTests(PublicationTestCase):
    def get(self):
        response = self.client.get(GEOJSON_URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"], "application/geo+json; charset=utf-8"
        )
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="testville-campaign-bike-racks.geojson"',
        )
        content = b"".join(response.streaming_content)
        return content, json.loads(content)

    def test_it_is_an_rfc_7946_feature_collection_of_points(self):
        _, collection = self.get()

        self.assertEqual(collection["type"], "FeatureCollection")
        # RFC 7946 drops "crs": coordinates are always WGS 84.
        self.assertNotIn("crs", collection)
        area = self.campaign.area
        for feature in collection["features"]:
            self.assertEqual(feature["type"], "Feature")
            self.assertEqual(feature["geometry"]["type"], "Point")
            long, lat = feature["geometry"]["coordinates"]
            self.assertTrue(geo.covers(area, lat, long), (lat, long))
            point = shape(feature["geometry"])
            self.assertIsInstance(point, Point)
            self.assertTrue(point.is_valid)

    def test_longitude_comes_first(self):
        _, collection = self.get()

        rack = next(f for f in collection["features"] if f["id"] == self.rack.pk)
        self.assertEqual(rack["geometry"]["coordinates"], [RACK[1], RACK[0]])
        point = shape(rack["geometry"])
        self.assertEqual((point.x, point.y), (RACK[1], RACK[0]))

    def test_it_holds_only_published_points(self):
        _, collection = self.get()

        ids = [feature["id"] for feature in collection["features"]]
        self.assertEqual(ids, [self.rack.pk, self.plain.pk])

    def test_each_point_has_its_answers_photo_and_confirmations(self):
        _, collection = self.get()

        rack, plain = collection["features"]
        self.assertEqual(
            set(rack["properties"]),
            {
                "id",
                "campaign",
                "bikes",
                "type",
                "extras",
                "photo_url",
                "thumbnail_url",
                "published_at",
                "confirmations",
                "last_confirmed_at",
            },
        )
        properties = rack["properties"]
        self.assertEqual(properties["campaign"], "bike-racks")
        self.assertEqual(properties["bikes"], 10)
        self.assertEqual(properties["type"], "wave")
        self.assertEqual(properties["extras"], ["roof", "light"])
        self.assertEqual(properties["published_at"], "2026-05-04T04:00:00-05:00")
        # The confirmation a day later, and the merged submission.
        self.assertEqual(properties["confirmations"], 2)
        self.assertEqual(properties["last_confirmed_at"], "2026-05-05T04:00:00-05:00")
        self.assertEqual(
            properties["photo_url"], f"http://testserver{self.rack.photo.url}"
        )
        self.assertTrue(properties["thumbnail_url"].endswith("-thumb.jpg"))

        self.assertEqual(plain["properties"]["bikes"], 4)
        self.assertIsNone(plain["properties"]["type"])
        self.assertIsNone(plain["properties"]["extras"])
        self.assertIsNone(plain["properties"]["photo_url"])
        self.assertEqual(plain["properties"]["confirmations"], 0)
        self.assertIsNone(plain["properties"]["last_confirmed_at"])

    def test_it_has_no_personal_data(self):
        content, _ = self.get()
        self.assertNoPrivateDetails(content)

    def test_the_service_gives_the_same_collection(self):
        _, collection = self.get()

        built = services.campaign_geojson(self.campaign)
        self.assertEqual(len(built["features"]), 2)
        # Without a request, photo links start with SITE_URL.
        self.assertTrue(
            built["features"][0]["properties"]["photo_url"].startswith(
                "http://127.0.0.1:8000/media/"
            )
        )
        for feature in collection["features"]:
            feature["properties"].pop("photo_url")
            feature["properties"].pop("thumbnail_url")
        for feature in built["features"]:
            feature["properties"].pop("photo_url")
            feature["properties"].pop("thumbnail_url")
        self.assertEqual(built, collection)

    def test_an_upcoming_or_unknown_campaign_has_no_file(self):
        self.make_campaign(
            slug="later", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30)
        )

        for slug in ("later", "nowhere"):
            with self.subTest(slug=slug):
                url = reverse("opendata:campaign-geojson", kwargs={"slug": slug})
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertIn(slug, response.json()[0]["description"])

    def test_an_ended_campaign_keeps_its_file(self):
        self.clock.move_to(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))

        _, collection = self.get()
        self.assertEqual(len(collection["features"]), 2)


class CsvTests(PublicationTestCase):
    def get(self) -> tuple[bytes, list[list[str]]]:
        response = self.client.get(CSV_URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="testville-campaign-bike-racks.csv"',
        )
        content = b"".join(response.streaming_content)
        return content, list(csv.reader(io.StringIO(content.decode())))

    def test_it_has_the_columns_and_only_published_points(self):
        _, rows = self.get()

        header, rack, plain = rows
        self.assertEqual(
            header,
            [
                "id",
                "campaign",
                "bikes",
                "type",
                "extras",
                "lat",
                "long",
                "photo_url",
                "thumbnail_url",
                "published_at",
                "confirmations",
                "last_confirmed_at",
            ],
        )
        values = dict(zip(header, rack, strict=True))
        self.assertEqual(values["id"], str(self.rack.pk))
        self.assertEqual((values["lat"], values["long"]), ("40.002", "-89.993"))
        self.assertEqual(values["bikes"], "10")
        self.assertEqual(values["extras"], "roof;light")
        self.assertEqual(values["confirmations"], "2")
        self.assertEqual(values["last_confirmed_at"], "2026-05-05T04:00:00-05:00")
        self.assertTrue(values["photo_url"].startswith("http://testserver/media/"))

        values = dict(zip(header, plain, strict=True))
        self.assertEqual(values["id"], str(self.plain.pk))
        self.assertEqual(values["type"], "")
        self.assertEqual(values["photo_url"], "")
        self.assertEqual(values["last_confirmed_at"], "")

    def test_it_has_no_personal_data(self):
        content, _ = self.get()
        self.assertNoPrivateDetails(content)

    def test_a_campaign_without_points_has_a_header_only(self):
        self.make_campaign(slug="benches")

        response = self.client.get(
            reverse("opendata:campaign-csv", kwargs={"slug": "benches"})
        )
        content = b"".join(response.streaming_content).decode()
        self.assertEqual(
            content.splitlines()[0].split(",")[:3], ["id", "campaign", "bikes"]
        )
        self.assertEqual(len(content.splitlines()), 1)
