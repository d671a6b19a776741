"""The demo town's bike-rack campaign: a few dozen submissions in every
state, inside Downtown, with photos the pages can show."""

import io
from io import StringIO

from django.core.management import call_command
from django.test import TestCase
from PIL import Image

from town311.campaigns import services
from town311.campaigns.models import Campaign, Submission
from town311.demo.tests.test_load_demo_town import END, END_DATE, SEED, load
from town311.directory.models import Town
from town311.lib import geo

Status = Submission.Status


def campaign_digest() -> list[tuple]:
    return list(
        Submission.objects.order_by("submitted_at", "lat").values_list(
            "status",
            "lat",
            "long",
            "answers",
            "contributor_email",
            "submitted_at",
            "published_at",
            "confirmations",
            "last_confirmed_at",
            "reject_reason",
            "merged_into__submitted_at",
        )
    )


class DemoCampaignTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        load(requests=20)
        cls.campaign = Campaign.objects.get()

    def test_it_asks_about_bike_racks_downtown(self):
        campaign = self.campaign
        self.assertEqual(campaign.title, "Every bike rack in Riverton")
        self.assertEqual(campaign.area_name, "Downtown")
        self.assertTrue(campaign.photo_required)
        self.assertEqual(campaign.publication, Campaign.Publication.MODERATED)
        self.assertEqual(campaign.created_by.username, "coordinator")
        campaign.full_clean()

        bikes, rack_type = services.campaign_questions(campaign)
        self.assertEqual(
            (bikes.code, bikes.description, bikes.datatype, bikes.required),
            ("bikes", "How many bikes fit?", "number", True),
        )
        self.assertEqual(
            (rack_type.description, rack_type.datatype), ("Type", "singlevaluelist")
        )
        self.assertEqual(
            [value.name for value in rack_type.values.all()],
            ["Inverted U", "Wave", "Grid", "Wheel-bender", "Other"],
        )

    def test_it_is_open_around_the_end_of_the_history(self):
        self.assertLess(self.campaign.starts_on, END_DATE)
        self.assertGreater(self.campaign.ends_on, END_DATE)
        self.assertEqual(services.campaign_state(self.campaign, END_DATE), "open")

    def test_it_has_submissions_in_every_state(self):
        submissions = Submission.objects.filter(campaign=self.campaign)
        self.assertGreaterEqual(submissions.count(), 24)
        counts = {
            status: submissions.filter(status=status).count() for status in Status
        }
        self.assertEqual(
            counts,
            {
                Status.PUBLISHED: 16,
                Status.MERGED: 4,
                Status.PENDING: 5,
                Status.REJECTED: 3,
            },
        )

        for rejected in submissions.filter(status=Status.REJECTED):
            self.assertTrue(rejected.reject_reason)
            self.assertIsNotNone(rejected.moderated_by)
        for merged in submissions.filter(status=Status.MERGED):
            self.assertEqual(merged.merged_into.status, Status.PUBLISHED)

        confirmed = submissions.filter(status=Status.PUBLISHED, confirmations__gt=0)
        self.assertGreaterEqual(confirmed.count(), 7)
        for point in confirmed:
            self.assertEqual(
                point.confirmations,
                point.confirmation_records.count() + point.merged_submissions.count(),
            )
            self.assertIsNotNone(point.last_confirmed_at)

    def test_its_dates_follow_each_other_before_the_end(self):
        start = self.campaign.starts_on
        for submission in Submission.objects.all():
            self.assertGreaterEqual(
                submission.submitted_at.astimezone(END.tzinfo).date(), start
            )
            for moment in (
                submission.published_at,
                submission.moderated_at,
                submission.last_confirmed_at,
            ):
                if moment is not None:
                    self.assertGreaterEqual(moment, submission.submitted_at)
                    self.assertLessEqual(moment, END)
            if submission.published_at and submission.last_confirmed_at:
                self.assertGreater(
                    submission.last_confirmed_at, submission.published_at
                )

    def test_its_points_are_downtown_inside_the_town(self):
        town = Town.objects.get()
        for lat, long in Submission.objects.values_list("lat", "long"):
            self.assertTrue(geo.covers(self.campaign.area, lat, long), (lat, long))
            self.assertTrue(town.covers(lat, long), (lat, long))

        # Published racks are never within 15 m of each other.
        for point in services.published_points(self.campaign):
            nearby = services.nearby_points(self.campaign, point.lat, point.long)
            self.assertEqual([p for p, _ in nearby], [point])

    def test_a_pending_one_is_a_copy_of_a_published_rack_to_merge(self):
        pending = Submission.objects.filter(status=Status.PENDING)
        copies = [
            submission
            for submission in pending
            if services.nearby_points(self.campaign, submission.lat, submission.long)
        ]
        self.assertEqual(len(copies), 1)

    def test_every_submission_has_a_photo_without_metadata(self):
        for submission in Submission.objects.all():
            for field, width in ((submission.photo, 480), (submission.thumbnail, 400)):
                with field.open("rb") as f:
                    image = Image.open(io.BytesIO(f.read()))
                self.assertEqual(image.format, "JPEG")
                self.assertEqual(image.width, width)
                self.assertEqual(dict(image.getexif()), {})

    def test_some_contributors_left_an_address_and_none_was_mailed(self):
        emails = Submission.objects.exclude(contributor_email="")
        self.assertGreater(emails.count(), 0)
        self.assertTrue(
            all(
                e.endswith("@example.net")
                for e in emails.values_list("contributor_email", flat=True)
            )
        )


class DemoCampaignReloadTests(TestCase):
    def test_it_repeats_itself_and_replaces_the_campaign_with_force(self):
        load(requests=0)
        first = campaign_digest()

        load(requests=0, force=True)

        self.assertEqual(Campaign.objects.count(), 1)
        self.assertEqual(campaign_digest(), first)

    def test_a_demo_loaded_now_has_the_campaign_open(self):
        call_command("load_demo_town", seed=SEED, requests=0, stdout=StringIO())

        campaign = Campaign.objects.get()
        self.assertTrue(services.campaign_is_open(campaign))
        self.assertEqual(services.published_points(campaign).count(), 16)
