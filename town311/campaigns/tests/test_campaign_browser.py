from playwright.sync_api import expect

from town311.browser import PHONE, BrowserTestCase
from town311.campaigns.models import Confirmation, Submission
from town311.campaigns.tests.test_pages import CampaignMixin
from town311.report.tests.base import PHOTO_GPS, jpeg_bytes, photo_upload
from town311.test import RESIDENT_EMAIL


class CampaignBrowserTests(CampaignMixin, BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.campaign = self.make_campaign()
        self.rack = self.make_point(self.campaign, confirmations=1)
        self.rack.thumbnail.save("rack-thumb.jpg", photo_upload())

    def phone(self, **options):
        return self.new_page(viewport=PHONE, is_mobile=True, has_touch=True, **options)

    def test_a_resident_maps_a_bike_rack_from_the_photo_on_a_phone(self):
        page = self.phone()
        page.goto(self.url("/campaigns/"))
        self.assertAccessible(page)
        page.get_by_role("link", name="Bike racks").click()

        expect(page.locator("h1")).to_have_text("Bike racks")
        points_map = page.locator("#campaign-map.leaflet-container")
        expect(points_map).to_be_visible()
        expect(points_map).to_have_attribute("data-loaded", "1")
        self.assertAccessible(page)

        page.get_by_label("Take or pick a photo").set_input_files(
            files=[_photo("rack.jpg")]
        )
        expect(page.locator("[data-photo-status]")).to_have_text("Added rack.jpg.")
        expect(page.get_by_alt_text("Your photo")).to_have_count(1)
        page.get_by_role("button", name="Use where the photo was taken").click()
        expect(page.locator("[data-location-status]")).to_have_text(
            "Point placed where the photo was taken."
        )
        self.assertEqual(page.get_by_label("Latitude").input_value(), "40.003000")
        expect(page.locator("#nearby")).to_be_hidden()

        page.get_by_label("How many bikes fit?").fill("8")
        page.get_by_label("Wave").check()
        page.get_by_label("E-mail").fill(RESIDENT_EMAIL)
        self.screenshot(page, "campaign-page")
        page.get_by_role("button", name="Send my point").click()

        expect(page.locator("h1")).to_have_text("Thank you, your point is in")
        expect(page.get_by_text("It is waiting for moderation")).to_be_visible()
        self.assertAccessible(page)
        submission = Submission.objects.exclude(pk=self.rack.pk).get()
        self.assertEqual(submission.status, Submission.Status.PENDING)
        self.assertEqual((submission.lat, submission.long), PHOTO_GPS)
        self.assertEqual(submission.answers, {"capacity": 8, "kind": "wave"})
        self.assertEqual(submission.contributor_email, RESIDENT_EMAIL)
        self.assertTrue(submission.photo)

    def test_a_resident_is_told_of_a_rack_already_mapped_and_confirms_it(self):
        near = self.north_of_centre(10)
        page = self.phone(
            geolocation={"latitude": near[0], "longitude": near[1]},
            permissions=["geolocation"],
        )
        page.goto(self.url(f"/campaigns/{self.campaign.slug}/"))
        page.get_by_role("button", name="Use my location").click()

        nearby = page.locator("#nearby")
        expect(nearby).to_be_visible()
        expect(nearby).to_contain_text(
            "A point is already mapped 10 m from here — is it the same one?"
        )
        expect(
            nearby.get_by_alt_text("Photo of the point already mapped")
        ).to_be_visible()
        expect(nearby).to_contain_text("Wave")
        expect(page.locator("[data-location-status]")).to_contain_text(
            "Point placed where you are."
        )
        nearby.scroll_into_view_if_needed()
        self.screenshot(page, "campaign-nearby")
        self.assertAccessible(page)

        nearby.get_by_role("button", name="Yes, it is still there").click()

        expect(page.locator("h1")).to_have_text("Thank you for checking")
        expect(page.get_by_text("It has been confirmed 2 times.")).to_be_visible()
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 2)
        self.assertEqual(Confirmation.objects.get().submission, self.rack)
        self.assertEqual(Submission.objects.count(), 1)

    def test_a_resident_says_theirs_is_a_different_rack(self):
        near = self.north_of_centre(10)
        page = self.phone(
            geolocation={"latitude": near[0], "longitude": near[1]},
            permissions=["geolocation"],
        )
        page.goto(self.url(f"/campaigns/{self.campaign.slug}/"))
        page.get_by_label("Take or pick a photo").set_input_files(
            files=[_photo("other.jpg", gps=False)]
        )
        expect(page.locator("[data-photo-status]")).to_have_text("Added other.jpg.")
        expect(page.locator("[data-photo-location]")).to_be_hidden()
        page.get_by_role("button", name="Use my location").click()

        nearby = page.locator("#nearby")
        nearby.get_by_role("button", name="No, this is a different one").click()

        expect(nearby).to_be_hidden()
        expect(page.locator("[data-location-status]")).to_have_text(
            "Thanks: yours will be sent as a new point."
        )
        page.get_by_label("How many bikes fit?").fill("2")
        page.get_by_role("button", name="Send my point").click()

        expect(page.locator("h1")).to_have_text("Thank you, your point is in")
        submission = Submission.objects.exclude(pk=self.rack.pk).get()
        self.assertAlmostEqual(submission.lat, near[0], places=5)
        self.assertTrue(submission.photo)
        self.rack.refresh_from_db()
        self.assertEqual(self.rack.confirmations, 1)

    def test_the_form_works_without_javascript(self):
        page = self.phone(javascript=False)
        page.goto(self.url(f"/campaigns/{self.campaign.slug}/"))
        expect(page.locator("#campaign-map")).to_be_hidden()

        near = self.north_of_centre(10)
        page.get_by_label("Take or pick a photo").set_input_files(
            files=[_photo("rack.jpg", gps=False)]
        )
        page.get_by_label("Latitude").fill(f"{near[0]:.6f}")
        page.get_by_label("Longitude").fill(f"{near[1]:.6f}")
        page.get_by_label("How many bikes fit?").fill("3")
        page.get_by_role("button", name="Send my point").click()

        nearby = page.locator("#nearby")
        expect(nearby).to_contain_text("A point is already mapped 10 m from here")
        nearby.get_by_role("button", name="No, this is a different one").click()

        expect(page.locator("h1")).to_have_text("Thank you, your point is in")
        submission = Submission.objects.exclude(pk=self.rack.pk).get()
        self.assertEqual(submission.answers, {"capacity": 3})
        self.assertTrue(submission.photo)


def _photo(name: str, *, gps: bool = True) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": jpeg_bytes(gps=gps)}
