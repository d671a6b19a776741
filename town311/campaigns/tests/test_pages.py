"""The public campaign pages: the list, a campaign's page and its form,
the "Is it the same one?" prompt and the thank-you pages."""

from datetime import timedelta

from django.utils import timezone
from PIL import Image

from town311.campaigns.models import (
    Campaign,
    Confirmation,
    Datatype,
    Submission,
)
from town311.report.tests.base import PHOTO_GPS, jpeg_bytes, photo_upload
from town311.servicerequests.models import Photo
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase, square

DRAFT_KEY = "draft-key-for-the-campaign-tests"
# Metres per degree of latitude on the sphere the distances use.
METRES_PER_DEGREE = 111_194.93
# A place in the campaign's area, away from the points the tests make.
SPOT = (40.002, -89.997)


class CampaignMixin:
    """A bike-rack campaign over the middle of the test town, with two
    questions; mix into a test case that has the test town."""

    def make_campaign(self, **fields) -> Campaign:
        today = timezone.localdate(timezone=self.town.zone)
        values = {
            "slug": "bike-racks",
            "title": "Bike racks",
            "description": "Send us a photo of every bike rack you pass.",
            "why": "We are planning where to add racks.",
            "area_name": "Downtown",
            "area": square(*CENTRE, 0.005),
            "starts_on": today - timedelta(days=7),
            "ends_on": today + timedelta(days=30),
        }
        values.update(fields)
        campaign = Campaign.objects.create(**values)
        campaign.questions.create(
            code="capacity",
            description="How many bikes fit?",
            datatype=Datatype.NUMBER,
            required=True,
            order=1,
        )
        kind = campaign.questions.create(
            code="kind",
            description="What kind of rack is it?",
            datatype=Datatype.SINGLEVALUELIST,
            order=2,
        )
        for order, (key, name) in enumerate(
            [("inverted-u", "Inverted U"), ("wave", "Wave"), ("grid", "Grid")]
        ):
            kind.values.create(key=key, name=name, order=order)

        return campaign

    def make_point(self, campaign: Campaign, *, lat=CENTRE[0], long=CENTRE[1], **f):
        """A published point, as a moderator left it."""
        now = timezone.now()
        values = {
            "campaign": campaign,
            "status": Submission.Status.PUBLISHED,
            "lat": lat,
            "long": long,
            "answers": {"capacity": 6, "kind": "wave"},
            "submitted_at": now - timedelta(days=2),
            "published_at": now - timedelta(days=1),
        }
        values.update(f)
        return Submission.objects.create(**values)

    def north_of_centre(self, metres: float) -> tuple[float, float]:
        return CENTRE[0] + metres / METRES_PER_DEGREE, CENTRE[1]


class CampaignPageTestCase(CampaignMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.campaign = self.make_campaign()
        self.url = f"/campaigns/{self.campaign.slug}/"

    def post_point(self, **data):
        """Post the form as a browser without JavaScript would."""
        values = {
            "draft_key": DRAFT_KEY,
            "lat": str(SPOT[0]),
            "long": str(SPOT[1]),
            "answer_capacity": "4",
            "answer_kind": "inverted-u",
        }
        values.update(data)
        values = {k: v for k, v in values.items() if v is not None}
        return self.client.post(self.url, values)


class CampaignListTests(CampaignPageTestCase):
    def test_it_lists_open_upcoming_and_recently_ended_campaigns(self):
        today = timezone.localdate(timezone=self.town.zone)
        self.make_point(self.campaign)
        self.make_point(self.campaign, status=Submission.Status.PENDING)
        self.make_campaign(
            slug="bus-stops",
            title="Bus stops without shade",
            starts_on=today + timedelta(days=3),
            ends_on=today + timedelta(days=20),
        )
        self.make_campaign(
            slug="sidewalks",
            title="Broken sidewalks",
            starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=10),
        )
        self.make_campaign(
            slug="benches",
            title="Park benches",
            starts_on=today - timedelta(days=400),
            ends_on=today - timedelta(days=300),
        )

        response = self.client.get("/campaigns/")

        self.assertContains(response, "<h1>Campaigns</h1>", html=True)
        groups = response.context["groups"]
        self.assertEqual([c.slug for c in groups["open"]], ["bike-racks"])
        self.assertEqual([c.slug for c in groups["upcoming"]], ["bus-stops"])
        self.assertEqual([c.slug for c in groups["ended"]], ["sidewalks"])
        self.assertContains(response, 'href="/campaigns/bike-racks/"')
        self.assertContains(response, "1 point published")
        self.assertContains(response, "Starting soon")
        self.assertContains(response, "Recently ended")
        self.assertNotContains(response, "Park benches")
        self.assertContains(
            response,
            '<a href="/campaigns/" aria-current="page">Campaigns</a>',
            html=True,
        )

    def test_it_says_when_no_campaign_is_open(self):
        self.campaign.delete()

        response = self.client.get("/campaigns/")

        self.assertContains(response, "No campaign is taking points just now.")


class CampaignDetailTests(CampaignPageTestCase):
    def test_it_shows_what_why_where_when_and_progress(self):
        self.make_point(self.campaign)
        self.make_point(self.campaign, status=Submission.Status.PENDING)
        self.make_point(self.campaign, status=Submission.Status.REJECTED)

        response = self.client.get(self.url)

        self.assertContains(response, "<h1>Bike racks</h1>", html=True)
        self.assertContains(response, "Send us a photo of every bike rack you pass.")
        self.assertContains(response, "Why it matters")
        self.assertContains(response, "We are planning where to add racks.")
        self.assertContains(response, "Downtown")
        self.assertContains(response, "From ")
        self.assertEqual(response.context["published_count"], 1)
        self.assertEqual(response.context["submission_count"], 3)
        self.assertContains(response, "point published")
        self.assertContains(response, "submissions so far")
        self.assertContains(response, "data-campaign-map data-placeable")
        self.assertContains(
            response, 'data-points-url="/open-data/campaigns/bike-racks.geojson"'
        )
        self.assertContains(response, 'href="/open-data/campaigns/bike-racks.csv"')
        self.assertContains(response, "Open Data Commons Public Domain Dedication")

    def test_it_shows_the_form_with_the_questions(self):
        response = self.client.get(self.url)

        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'name="photo"')
        self.assertContains(response, "Use where the photo was taken")
        self.assertContains(response, "Use my location")
        self.assertContains(response, '<label for="id_answer_capacity">')
        self.assertContains(response, "How many bikes fit?")
        self.assertContains(response, 'type="radio" name="answer_kind"')
        self.assertContains(response, "Optional: to be thanked when your point")
        self.assertRegex(response.context["draft_key"], r"^[\w-]{32}$")
        self.assertContains(response, "Send my point")

    def test_it_gives_each_form_its_own_key(self):
        first = self.client.get(self.url).context["draft_key"]
        second = self.client.get(self.url).context["draft_key"]

        self.assertNotEqual(first, second)

    def test_an_unknown_campaign_is_not_found(self):
        for path in [
            "/campaigns/no-such-campaign/",
            "/campaigns/no-such-campaign/nearby.json?lat=40&long=-90",
            "/campaigns/no-such-campaign/thanks/1/",
            "/campaigns/no-such-campaign/confirmed/1/",
        ]:
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)

        response = self.client.post("/campaigns/no-such-campaign/", {"lat": "40"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Submission.objects.exists())

    def test_an_ended_campaign_shows_its_dates_and_no_form(self):
        today = timezone.localdate(timezone=self.town.zone)
        self.campaign.starts_on = today - timedelta(days=30)
        self.campaign.ends_on = today - timedelta(days=1)
        self.campaign.save()
        self.make_point(self.campaign)

        response = self.client.get(self.url)

        self.assertContains(response, "This campaign ended on")
        self.assertContains(response, "takes no more points")
        self.assertNotContains(response, '<form id="submission-form"')
        self.assertNotContains(response, 'name="photo"')
        self.assertContains(response, "point published")
        self.assertContains(response, "data-campaign-map")

        # A form sent after the end files nothing.
        response = self.post_point(photo=photo_upload())
        self.assertContains(response, "This campaign ended on")
        self.assertEqual(Submission.objects.count(), 1)

    def test_an_upcoming_campaign_says_when_it_starts_and_has_no_form(self):
        today = timezone.localdate(timezone=self.town.zone)
        self.campaign.starts_on = today + timedelta(days=2)
        self.campaign.save()

        response = self.client.get(self.url)

        self.assertContains(response, "This campaign starts on")
        self.assertNotContains(response, 'name="photo"')


class SubmissionTests(CampaignPageTestCase):
    def test_it_takes_a_point_with_a_photo_and_answers(self):
        response = self.post_point(
            photo=photo_upload("rack.jpg"), contributor_email=RESIDENT_EMAIL
        )

        submission = Submission.objects.get()
        self.assertRedirects(
            response,
            f"{self.url}thanks/{submission.pk}/",
            fetch_redirect_response=False,
        )
        self.assertEqual(submission.status, Submission.Status.PENDING)
        self.assertEqual((submission.lat, submission.long), SPOT)
        self.assertEqual(submission.answers, {"capacity": 4, "kind": "inverted-u"})
        self.assertEqual(submission.contributor_email, RESIDENT_EMAIL)
        self.assertEqual(submission.idempotency_key, DRAFT_KEY)
        with submission.photo.open() as stored, Image.open(stored) as image:
            self.assertEqual(dict(image.getexif()), {})
        # The draft copy of the photo went with the submission.
        self.assertFalse(Photo.objects.exists())

        thanks = self.client.get(response["Location"])
        self.assertContains(thanks, "Thank you, your point is in")
        self.assertContains(thanks, "It is waiting for moderation")
        self.assertContains(thanks, "We will e-mail you when it is published.")

    def test_a_campaign_that_publishes_at_once_says_so(self):
        self.campaign.publication = Campaign.Publication.IMMEDIATE
        self.campaign.save()

        response = self.post_point(photo=photo_upload())

        submission = Submission.objects.get()
        self.assertEqual(submission.status, Submission.Status.PUBLISHED)
        thanks = self.client.get(response["Location"])
        self.assertContains(thanks, "It is published")

    def test_a_double_tap_files_one_point(self):
        first = self.post_point(photo=photo_upload())
        second = self.post_point(photo=photo_upload())

        submission = Submission.objects.get()
        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(first["Location"], f"{self.url}thanks/{submission.pk}/")
        self.assertFalse(Photo.objects.exists())

    def test_only_the_browser_that_sent_it_sees_the_thank_you_page(self):
        response = self.post_point(photo=photo_upload())
        self.client.logout()
        self.client.cookies.clear()

        response = self.client.get(response["Location"])

        self.assertRedirects(response, self.url, fetch_redirect_response=False)

    def test_it_refuses_a_point_outside_the_area_with_the_reason(self):
        response = self.post_point(lat="40.008", long="-90.0", photo=photo_upload())

        self.assertContains(response, "This place is outside Downtown")
        self.assertContains(response, 'id="location-problem"')
        self.assertContains(response, 'href="#where"')
        self.assertFalse(Submission.objects.exists())

    def test_it_asks_for_the_photo_the_campaign_needs(self):
        response = self.post_point()

        self.assertContains(response, "This campaign needs a photo of each point")
        self.assertContains(response, 'id="id_photo_error"')
        self.assertContains(response, 'aria-describedby="photo-help id_photo_error"')
        self.assertFalse(Submission.objects.exists())

    def test_it_says_what_is_wrong_with_a_file(self):
        response = self.post_point(
            photo=photo_upload("notes.jpg", b"these are not pixels")
        )

        self.assertContains(response, "“notes.jpg”: This file is not a photo")
        self.assertFalse(Submission.objects.exists())
        self.assertFalse(Photo.objects.exists())

    def test_it_puts_each_problem_next_to_its_field(self):
        response = self.post_point(
            lat="",
            long="",
            answer_capacity="lots",
            answer_kind="square",
            contributor_email="ann@example",
            photo=photo_upload("rack.jpg", jpeg_bytes(gps=False)),
        )

        form = response.context["form"]
        self.assertIn("Tell us where it is", form.errors["lat"][0])
        self.assertEqual(
            form.errors["answer_capacity"],
            ["“How many bikes fit?”: enter a number, such as 3 or 2.5."],
        )
        self.assertIn("is not one of the choices", form.errors["answer_kind"][0])
        self.assertEqual(
            form.errors["contributor_email"],
            ["Enter an e-mail address like name@example.org."],
        )
        self.assertContains(response, "Please check 4 things")
        self.assertContains(response, 'id="id_answer_capacity_error"')
        self.assertContains(response, 'href="#id_contributor_email"')
        # The photo is kept for the form's next try.
        draft = Photo.objects.get()
        self.assertEqual(draft.draft_key, DRAFT_KEY)
        self.assertContains(response, draft.thumbnail.url)
        self.assertFalse(Submission.objects.exists())

    def test_it_fills_in_where_the_photo_was_taken_for_checking(self):
        response = self.post_point(lat="", long="", photo=photo_upload())

        self.assertContains(response, "We filled in the coordinates of where")
        form = response.context["form"]
        self.assertEqual(form["lat"].value(), f"{PHOTO_GPS[0]:.6f}")
        self.assertEqual(form["long"].value(), f"{PHOTO_GPS[1]:.6f}")
        self.assertFalse(Submission.objects.exists())

        # Sent as filled in, with the photo kept from the first try.
        self.post_point(lat=form["lat"].value(), long=form["long"].value())
        submission = Submission.objects.get()
        self.assertEqual((submission.lat, submission.long), PHOTO_GPS)
        self.assertTrue(submission.photo)

    def test_it_removes_the_photo_when_asked(self):
        self.campaign.photo_required = False
        self.campaign.save()
        self.post_point(photo=photo_upload(), contributor_email="nope")

        self.post_point(remove_photo="on")

        submission = Submission.objects.get()
        self.assertFalse(submission.photo)
        self.assertFalse(Photo.objects.exists())


class NearbyPointTests(CampaignPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rack = self.make_point(
            self.campaign, confirmations=2, last_confirmed_at=timezone.now()
        )
        self.rack.thumbnail.save("rack-thumb.jpg", photo_upload(), save=True)
        self.near = self.north_of_centre(8)

    def post_near(self, **data):
        return self.post_point(lat=str(self.near[0]), long=str(self.near[1]), **data)

    def test_it_asks_whether_it_is_the_same_one(self):
        response = self.post_near(photo=photo_upload())

        self.assertContains(
            response,
            "A point is already mapped 8 m from here — is it the same one?",
        )
        self.assertContains(response, self.rack.thumbnail.url)
        self.assertContains(response, "<dt>What kind of rack is it?</dt><dd>Wave</dd>")
        self.assertContains(response, "<dd>6</dd>")
        self.assertContains(response, "confirmed 2 times")
        self.assertContains(
            response,
            f'<button type="submit" name="confirm" value="{self.rack.pk}" '
            f'formnovalidate aria-describedby="nearby-point-{self.rack.pk}">'
            "Yes, it is still there</button>",
            html=True,
        )
        self.assertContains(
            response,
            '<button type="submit" name="different_point" value="on" '
            'class="button-secondary">No, this is a different one</button>',
            html=True,
        )
        self.assertFalse(Submission.objects.exclude(pk=self.rack.pk).exists())
        # The photo waits, so a different point needs no second pick.
        self.assertTrue(Photo.objects.filter(draft_key=DRAFT_KEY).exists())

    def test_yes_counts_a_confirmation(self):
        self.post_near(photo=photo_upload())

        response = self.post_near(
            confirm=str(self.rack.pk), contributor_email=RESIDENT_EMAIL
        )

        confirmation = Confirmation.objects.get()
        self.assertRedirects(
            response,
            f"{self.url}confirmed/{confirmation.pk}/",
            fetch_redirect_response=False,
        )
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 3)
        self.assertEqual(confirmation.submission, self.rack)
        self.assertEqual(confirmation.contributor_email, RESIDENT_EMAIL)
        self.assertEqual(Submission.objects.count(), 1)
        self.assertFalse(Photo.objects.exists())

        thanks = self.client.get(response["Location"])
        self.assertContains(thanks, "Thank you for checking")
        self.assertContains(thanks, "It has been confirmed 3 times.")

    def test_yes_twice_counts_once(self):
        first = self.post_near(confirm=str(self.rack.pk))
        second = self.post_near(confirm=str(self.rack.pk))

        self.assertEqual(first["Location"], second["Location"])
        self.assertEqual(Confirmation.objects.count(), 1)
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 3)

    def test_yes_for_a_point_no_longer_published_says_why(self):
        self.rack.status = Submission.Status.REJECTED
        self.rack.save()

        response = self.post_near(confirm=str(self.rack.pk))

        self.assertContains(response, "This point is not on the map any more")
        self.assertFalse(Confirmation.objects.exists())

    def test_yes_for_a_point_of_another_campaign_is_not_found(self):
        other = self.make_campaign(slug="benches", title="Benches")
        bench = self.make_point(other)

        response = self.post_near(confirm=str(bench.pk))

        self.assertEqual(response.status_code, 404)
        self.assertFalse(Confirmation.objects.exists())

    def test_no_sends_it_as_a_different_point_with_the_photo_kept(self):
        self.post_near(photo=photo_upload("second-rack.jpg"))

        # The resident does not pick the photo again.
        response = self.post_near(different_point="on")

        submission = Submission.objects.exclude(pk=self.rack.pk).get()
        self.assertRedirects(
            response,
            f"{self.url}thanks/{submission.pk}/",
            fetch_redirect_response=False,
        )
        self.assertAlmostEqual(submission.lat, self.near[0])
        self.assertTrue(submission.photo)
        self.assertTrue(submission.thumbnail)
        self.assertFalse(Photo.objects.exists())
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 2)

    def test_no_is_remembered_when_the_form_comes_back(self):
        self.post_near(photo=photo_upload())

        response = self.post_near(different_point="on", answer_capacity="")

        self.assertContains(response, "Please answer “How many bikes fit?”.")
        self.assertContains(
            response,
            '<input type="hidden" name="different_point" value="on" '
            "data-different-point-input>",
            html=True,
        )

    def test_a_point_farther_than_15_m_is_not_asked_about(self):
        far = self.north_of_centre(20)

        self.post_point(lat=str(far[0]), long=str(far[1]), photo=photo_upload())

        self.assertEqual(Submission.objects.count(), 2)


class NearbyJsonTests(CampaignPageTestCase):
    def test_it_gives_the_prompt_for_a_place(self):
        rack = self.make_point(self.campaign)
        lat, long = self.north_of_centre(5)

        response = self.client.get(f"{self.url}nearby.json?lat={lat}&long={long}")

        body = response.json()
        self.assertEqual(body["points"], [{"id": rack.pk, "distance_m": 5.0}])
        self.assertIn("A point is already mapped 5 m from here", body["html"])
        self.assertIn("Yes, it is still there", body["html"])
        self.assertIn(
            'type="button" class="button-secondary" data-different-point', body["html"]
        )

    def test_it_gives_nothing_away_from_published_points(self):
        self.make_point(self.campaign, status=Submission.Status.PENDING)

        response = self.client.get(f"{self.url}nearby.json?lat=40.0&long=-90.0")

        self.assertEqual(response.json(), {"points": [], "html": ""})

    def test_it_gives_nothing_for_an_ended_campaign(self):
        self.make_point(self.campaign)
        today = timezone.localdate(timezone=self.town.zone)
        self.campaign.starts_on = today - timedelta(days=30)
        self.campaign.ends_on = today - timedelta(days=1)
        self.campaign.save()

        response = self.client.get(f"{self.url}nearby.json?lat=40.0&long=-90.0")

        self.assertEqual(response.json()["points"], [])

    def test_it_refuses_a_place_that_is_not_one(self):
        for query in ["", "?lat=north&long=-90", "?lat=95&long=-90"]:
            with self.subTest(query=query):
                response = self.client.get(f"{self.url}nearby.json{query}")

                self.assertEqual(response.status_code, 400)
                self.assertIn("Give a latitude", response.json()["error"])


class PhotoUploadTests(CampaignPageTestCase):
    def upload(self, upload=None, *, draft_key=DRAFT_KEY):
        data = {"draft_key": draft_key}
        if upload is not None:
            data["photo"] = upload
        return self.client.post(f"{self.url}photo/", data)

    def test_it_keeps_the_photo_and_says_where_it_was_taken(self):
        response = self.upload(photo_upload())

        self.assertEqual(response.status_code, 201)
        draft = Photo.objects.get()
        body = response.json()
        self.assertEqual(body["gps"], {"lat": PHOTO_GPS[0], "long": PHOTO_GPS[1]})
        self.assertEqual(body["thumbnail"], draft.thumbnail.url)
        self.assertEqual(draft.draft_key, DRAFT_KEY)

    def test_a_new_photo_replaces_the_last(self):
        self.upload(photo_upload("first.jpg"))
        self.upload(photo_upload("second.jpg", jpeg_bytes(gps=False)))

        self.assertEqual(Photo.objects.count(), 1)

        self.post_point()
        submission = Submission.objects.get()
        self.assertTrue(submission.photo)

    def test_it_says_what_is_wrong(self):
        cases = [
            (photo_upload("a.jpg", b"nope"), DRAFT_KEY, "This file is not a photo"),
            (None, DRAFT_KEY, "Choose a photo to upload."),
            (photo_upload(), "short", "This form has expired."),
        ]
        for upload, key, message in cases:
            with self.subTest(message=message):
                response = self.upload(upload, draft_key=key)

                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.json()["error"])

        self.assertFalse(Photo.objects.exists())

    def test_it_takes_only_posts(self):
        self.assertEqual(self.client.get(f"{self.url}photo/").status_code, 405)


class CampaignQuestionsTests(CampaignPageTestCase):
    def test_a_long_list_is_a_list_box_and_a_multiple_choice_is_checkboxes(self):
        colours = self.campaign.questions.create(
            code="colour", description="Colour", datatype=Datatype.SINGLEVALUELIST
        )
        for key in ["black", "green", "grey", "red", "silver", "blue"]:
            colours.values.create(key=key, name=key.title())
        extras = self.campaign.questions.create(
            code="extras", description="What else?", datatype=Datatype.MULTIVALUELIST
        )
        extras.values.create(key="roof", name="A roof")
        extras.values.create(key="lights", name="Lights")

        response = self.client.get(self.url)

        self.assertContains(response, '<select name="answer_colour"')
        self.assertContains(response, 'type="checkbox" name="answer_extras"')

        self.post_point(
            photo=photo_upload(),
            answer_colour="green",
            answer_extras=["roof", "lights"],
        )
        submission = Submission.objects.get()
        self.assertEqual(submission.answers["colour"], "green")
        self.assertEqual(submission.answers["extras"], ["roof", "lights"])


class SpanishTests(CampaignPageTestCase):
    def test_the_page_and_its_refusals_are_in_spanish(self):
        es = {"headers": {"accept-language": "es"}}

        response = self.client.get(self.url, **es)

        self.assertContains(response, '<html lang="es">')
        for text in ["Hasta ahora", "¿Dónde está?", "Tome o elija una foto"]:
            self.assertContains(response, text)
        self.assertContains(response, "Enviar mi punto")

        outside = {"draft_key": DRAFT_KEY, "lat": "40.008", "long": "-90.0"}
        outside.update(answer_capacity="2", photo=photo_upload())
        response = self.client.post(self.url, outside, **es)
        self.assertContains(response, "Este lugar queda fuera de Downtown")
