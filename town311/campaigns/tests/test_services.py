import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from PIL import Image

from town311.campaigns import services
from town311.campaigns.models import Campaign, Confirmation, Submission
from town311.campaigns.tests.base import (
    CONTRIBUTOR_EMAIL,
    DAY,
    EAST,
    OTHER_EMAIL,
    PHOTO_GPS,
    CampaignTestCase,
    jpeg,
    moved,
    upload,
)
from town311.lib.errors import ActionError, InvalidInput, InvalidTransition
from town311.notifications.models import Message
from town311.test import CENTRE

CHICAGO = ZoneInfo("America/Chicago")


class CampaignStateTests(CampaignTestCase):
    def test_it_is_open_from_its_first_day_to_its_last(self):
        for today, state in [
            (date(2026, 4, 30), "upcoming"),
            (date(2026, 5, 1), "open"),
            (date(2026, 5, 31), "open"),
            (date(2026, 6, 1), "ended"),
        ]:
            with self.subTest(today=today):
                self.assertEqual(services.campaign_state(self.campaign, today), state)
                self.assertEqual(
                    services.campaign_is_open(self.campaign, today), state == "open"
                )

    def test_today_is_the_town_s_today(self):
        # 03:00 UTC on 1 May is still 30 April in Chicago.
        self.clock.move_to(datetime(2026, 5, 1, 3, 0, tzinfo=ZoneInfo("UTC")))
        self.assertEqual(services.campaign_state(self.campaign), "upcoming")

        self.clock.move_to(datetime(2026, 5, 1, 6, 0, tzinfo=ZoneInfo("UTC")))
        self.assertEqual(services.campaign_state(self.campaign), "open")

    def test_an_empty_area_is_the_town_boundary(self):
        self.assertEqual(services.campaign_area_text(self.campaign), self.campaign.area)

        self.campaign.area = ""
        self.assertEqual(services.campaign_area_text(self.campaign), self.town.boundary)

    def test_questions_come_in_order_with_their_values(self):
        questions = services.campaign_questions(self.campaign)
        self.assertEqual([q.code for q in questions], ["bikes", "type"])
        with self.assertNumQueries(0):
            keys = [v.key for v in questions[1].values.all()]
        self.assertEqual(keys, ["inverted-u", "wave", "grid", "wheel-bender", "other"])

    def test_started_campaigns_include_ended_ones_but_not_upcoming_ones(self):
        ended = self.make_campaign(
            slug="old", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 31)
        )
        self.make_campaign(
            slug="later", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 30)
        )

        started = list(services.campaigns_started())
        self.assertEqual(started, [self.campaign, ended])


class SubmitTests(CampaignTestCase):
    def test_it_takes_a_point_for_moderation(self):
        submission = self.submit(
            contributor_email="  Cyclist.Quibblesworth@Example.org "
        )

        submission.refresh_from_db()
        self.assertEqual(submission.status, Submission.Status.PENDING)
        self.assertEqual((submission.lat, submission.long), EAST)
        self.assertEqual(submission.answers, {"bikes": 6, "type": "inverted-u"})
        self.assertEqual(submission.contributor_email, CONTRIBUTOR_EMAIL)
        self.assertEqual(submission.submitted_at, services.timezone.now())
        self.assertIsNone(submission.published_at)
        self.assertEqual(services.published_points(self.campaign).count(), 0)
        # Nothing to thank anyone for until it is published.
        self.assertFalse(Message.objects.exists())

    def test_it_stores_a_clean_photo_and_a_thumbnail(self):
        submission = self.submit(photo=upload(jpeg(gps=True)))

        self.assertTrue(submission.photo.name.endswith(".jpg"))
        self.assertTrue(submission.thumbnail.name.endswith("-thumb.jpg"))
        self.assertNotIn("rack", submission.photo.name)
        self.assertEqual((submission.photo_width, submission.photo_height), (64, 48))
        with submission.photo.open("rb") as f:
            stored = Image.open(io.BytesIO(f.read()))
        self.assertEqual(stored.format, "JPEG")
        self.assertEqual(dict(stored.getexif()), {})
        self.assertNotIn("exif", stored.info)

    def test_it_offers_the_photo_s_position(self):
        photo = upload(jpeg(gps=True))
        self.assertEqual(services.photo_position(photo), PHOTO_GPS)
        # Rewound, so it can be sent next.
        self.assertEqual(photo.tell(), 0)
        self.assertIsNone(services.photo_position(upload(jpeg())))
        self.assertIsNone(services.photo_position(upload(b"not a photo")))

    def test_it_publishes_at_once_when_the_campaign_says_so(self):
        self.campaign.publication = Campaign.Publication.IMMEDIATE
        self.campaign.save()

        submission = self.submit()

        self.assertEqual(submission.status, Submission.Status.PUBLISHED)
        self.assertEqual(submission.published_at, services.timezone.now())
        self.assertIsNone(submission.moderated_by)
        self.assertEqual(list(services.published_points(self.campaign)), [submission])
        self.assertEqual(Message.objects.get().to, CONTRIBUTOR_EMAIL)

    def test_it_takes_a_point_without_a_photo_when_none_is_required(self):
        self.campaign.photo_required = False
        self.campaign.save()

        submission = self.submit(photo=None)

        self.assertFalse(submission.photo)
        self.assertFalse(submission.thumbnail)

    def test_it_takes_a_point_without_an_e_mail_or_an_optional_answer(self):
        submission = self.submit(contributor_email="", answers={"bikes": 2})
        self.assertEqual(submission.answers, {"bikes": 2})
        self.assertEqual(submission.contributor_email, "")

    def test_it_takes_points_on_the_last_day_in_the_town_s_time_zone(self):
        # 23:30 on 31 May in Chicago is already 1 June in UTC.
        last_evening = datetime(2026, 5, 31, 23, 30, tzinfo=CHICAGO)
        self.clock.move_to(last_evening)

        submission = self.submit()
        self.assertEqual(submission.submitted_at, last_evening)

    def test_the_same_idempotency_key_gives_the_first_submission(self):
        first = self.submit(idempotency_key="form-1234")
        again = self.submit(
            idempotency_key="form-1234", answers={"bikes": 99}, lat=EAST[0] + 0.001
        )

        self.assertEqual(again.pk, first.pk)
        self.assertEqual(Submission.objects.count(), 1)
        self.assertEqual(again.answers, {"bikes": 6, "type": "inverted-u"})

    def test_an_idempotency_key_holds_even_once_the_campaign_has_ended(self):
        first = self.submit(idempotency_key="form-1234")
        self.clock.move_to(datetime(2026, 6, 2, 12, 0, tzinfo=CHICAGO))

        self.assertEqual(self.submit(idempotency_key="form-1234").pk, first.pk)


class SubmitRefusalTests(CampaignTestCase):
    def assertRefused(self, expected: str, **fields) -> ActionError:
        with self.assertRaises(ActionError) as refused:
            self.submit(**fields)

        self.assertIn(expected, refused.exception.message)
        self.assertFalse(Submission.objects.exists())
        return refused.exception

    def assertInvalid(self, field: str, expected: str, **fields) -> dict:
        with self.assertRaises(InvalidInput) as refused:
            self.submit(**fields)

        errors = refused.exception.errors
        self.assertIn(expected, errors[field])
        self.assertFalse(Submission.objects.exists())
        return errors

    def test_it_refuses_points_before_the_campaign_opens(self):
        self.clock.move_to(datetime(2026, 4, 30, 23, 0, tzinfo=CHICAGO))

        error = self.assertRefused("opens on May 1, 2026")
        self.assertIn("until May 31, 2026", error.message)

    def test_it_refuses_points_after_the_campaign_ends(self):
        self.clock.move_to(datetime(2026, 6, 1, 0, 30, tzinfo=CHICAGO))

        error = self.assertRefused("ran from May 1, 2026 to May 31, 2026")
        self.assertIn("takes no more points", error.message)

    def test_it_refuses_a_point_outside_the_area_and_names_it(self):
        # The west half of town is outside the campaign's area.
        error = self.assertRefused(
            "outside East Testville", lat=CENTRE[0], long=CENTRE[1] - 0.004
        )
        self.assertEqual(error.field, "location")

    def test_it_refuses_a_point_outside_the_town_when_the_area_is_the_town(self):
        self.campaign.area = ""
        self.campaign.area_name = ""
        self.campaign.save()
        self.assertRefused("outside Testville", lat=CENTRE[0] + 0.02, long=CENTRE[1])

        # The west half of town is inside the town, so inside the campaign.
        self.submit(lat=CENTRE[0], long=CENTRE[1] - 0.004)

    def test_it_refuses_a_point_that_is_not_a_place(self):
        errors = self.assertInvalid("lat", "between -90 and 90", lat="north")
        self.assertNotIn("long", errors)
        self.assertInvalid("long", "between -180 and 180", long=float("nan"))

    def test_it_refuses_a_missing_photo_when_one_is_required(self):
        self.assertInvalid("photo", "needs a photo", photo=None)

    def test_it_refuses_a_file_that_is_not_a_photo(self):
        self.assertInvalid(
            "photo", "not a photo we can read", photo=upload(b"GIF89a, or so I say")
        )

    def test_it_refuses_a_truncated_photo(self):
        noisy = Image.effect_noise((300, 300), 80).convert("RGB")
        buffer = io.BytesIO()
        noisy.save(buffer, "JPEG", quality=95)
        data = buffer.getvalue()

        self.assertInvalid(
            "photo", "did not arrive whole", photo=upload(data[: len(data) // 2])
        )

    def test_it_refuses_a_missing_required_answer(self):
        self.assertInvalid(
            "bikes", "Please answer “How many bikes fit?”", answers={"type": "wave"}
        )

    def test_it_refuses_an_answer_that_is_not_a_number(self):
        self.assertInvalid("bikes", "enter a number", answers={"bikes": "lots"})

    def test_it_refuses_a_value_not_in_the_list(self):
        self.assertInvalid(
            "type",
            "“spiral” is not one of the choices",
            answers={"bikes": 4, "type": "spiral"},
        )

    def test_it_refuses_a_bad_e_mail_address(self):
        self.assertInvalid(
            "contributor_email", "like name@example.org", contributor_email="me@"
        )

    def test_it_names_every_field_to_fix_at_once(self):
        errors = self.assertInvalid(
            "photo",
            "needs a photo",
            photo=None,
            answers={"type": "spiral"},
            contributor_email="nobody",
        )
        self.assertEqual(set(errors), {"photo", "bikes", "type", "contributor_email"})


class NearbyTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rack = self.published(contributor_email="")

    def test_it_refuses_a_point_14_m_from_a_published_one(self):
        lat, long = moved(*EAST, north_m=14)

        with self.assertRaises(services.PointNearby) as nearby:
            self.submit(lat=lat, long=long)

        [(point, metres)] = nearby.exception.points
        self.assertEqual(point, self.rack)
        self.assertAlmostEqual(metres, 14, delta=0.05)
        self.assertIn("14 m from here", nearby.exception.message)
        self.assertIn("confirm it is still there", nearby.exception.message)
        self.assertEqual(Submission.objects.count(), 1)

    def test_it_takes_a_point_16_m_away(self):
        lat, long = moved(*EAST, east_m=16)

        submission = self.submit(lat=lat, long=long)
        self.assertEqual(submission.status, Submission.Status.PENDING)

    def test_it_takes_a_close_point_the_resident_says_is_different(self):
        lat, long = moved(*EAST, north_m=14)

        submission = self.submit(lat=lat, long=long, different_point=True)
        self.assertEqual(Submission.objects.count(), 2)
        self.assertEqual(submission.lat, lat)

    def test_only_published_points_count(self):
        lat, long = moved(*EAST, north_m=30)
        pending = self.submit(lat=lat, long=long)
        rejected = self.submit(lat=lat, long=long, different_point=True)
        services.submission_reject(rejected, by=self.coordinator, reason="Blurry")

        near_them = moved(lat, long, north_m=5)
        self.submit(lat=near_them[0], long=near_them[1])
        self.assertEqual(Submission.objects.count(), 4)
        self.assertEqual(services.nearby_points(self.campaign, lat, long), [])
        self.assertEqual(pending.status, Submission.Status.PENDING)

    def test_it_lists_nearby_points_nearest_first(self):
        lat, long = moved(*EAST, north_m=10)
        second = self.published(lat=lat, long=long, different_point=True)
        here = moved(*EAST, north_m=7)
        elsewhere = self.make_campaign(slug="elsewhere")
        self.published(campaign=elsewhere, lat=here[0], long=here[1])

        found = services.nearby_points(self.campaign, *here)

        self.assertEqual([point for point, _ in found], [second, self.rack])
        self.assertAlmostEqual(found[0][1], 3, delta=0.05)
        self.assertAlmostEqual(found[1][1], 7, delta=0.05)
        self.assertEqual(services.nearby_points(self.campaign, *here, metres=2), [])


class ConfirmTests(CampaignTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rack = self.published()

    def test_it_counts_a_confirmation_and_its_date(self):
        self.clock.shift(DAY)

        confirmation = services.point_confirm(
            point=self.rack, contributor_email=" Another.Rider@example.org"
        )

        self.assertEqual(self.rack.confirmations, 1)
        self.assertEqual(self.rack.last_confirmed_at, services.timezone.now())
        self.assertEqual(confirmation.submission, self.rack)
        self.assertEqual(confirmation.contributor_email, OTHER_EMAIL)

        self.clock.shift(DAY)
        services.point_confirm(point=self.rack)
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 2)
        self.assertEqual(self.rack.last_confirmed_at, services.timezone.now())
        self.assertEqual(self.rack.confirmation_records.count(), 2)

    def test_the_same_idempotency_key_counts_once(self):
        first = services.point_confirm(point=self.rack, idempotency_key="tap-1")
        again = services.point_confirm(point=self.rack, idempotency_key="tap-1")

        self.assertEqual(again.pk, first.pk)
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 1)
        self.assertEqual(Confirmation.objects.count(), 1)

    def test_it_refuses_a_point_that_is_not_published(self):
        pending = self.submit(lat=EAST[0] + 0.002, long=EAST[1])

        with self.assertRaisesMessage(InvalidTransition, "not on the map"):
            services.point_confirm(point=pending)

        services.submission_reject(self.rack, by=self.coordinator, reason="Gone")
        with self.assertRaisesMessage(InvalidTransition, "not on the map"):
            services.point_confirm(point=self.rack)
        self.assertFalse(Confirmation.objects.exists())
        self.assertEqual(self.rack.confirmations, 0)

    def test_it_refuses_a_point_of_an_ended_campaign(self):
        self.clock.move_to(datetime(2026, 6, 1, 8, 0, tzinfo=CHICAGO))

        with self.assertRaisesMessage(ActionError, "ran from May 1, 2026"):
            services.point_confirm(point=self.rack)
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 0)
        self.assertIsNone(self.rack.last_confirmed_at)

    def test_it_refuses_a_bad_e_mail_address(self):
        with self.assertRaises(InvalidInput) as refused:
            services.point_confirm(point=self.rack, contributor_email="rider@")

        self.assertIn("contributor_email", refused.exception.errors)
        self.assertFalse(Confirmation.objects.exists())
