from PIL import Image
from playwright.sync_api import expect

from town311.browser import BrowserTestCase
from town311.directory.models import Place
from town311.report.tests.base import ReportMixin, jpeg_bytes
from town311.servicerequests.models import Follower, ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL


class ReportBrowserTests(ReportMixin, BrowserTestCase):
    def test_it_reports_a_pothole_with_a_photo_on_a_phone(self):
        page = self.new_page()
        page.goto(self.url("/report/"))
        self.assertAccessible(page)
        page.get_by_label("Search for a problem").fill("hole")
        expect(page.get_by_role("link", name="Park upkeep")).to_be_hidden()
        self.screenshot(page, "report-service-list-phone")
        page.get_by_role("link", name="Pothole").click()

        # The map fits the town, so its middle is the middle of town.
        map_element = page.locator("#report-map.leaflet-container")
        expect(map_element).to_be_visible()
        self.assertAccessible(page)
        map_element.click()
        expect(page.locator("[data-location-status]")).to_contain_text("Pin placed")
        page.get_by_label("Describe the problem").fill("Deep hole by the school")
        page.get_by_label("Add photos").set_input_files(
            files=[
                {
                    "name": "pothole.jpg",
                    "mimeType": "image/jpeg",
                    "buffer": jpeg_bytes(),
                }
            ]
        )
        expect(page.locator("[data-photo-status]")).to_have_text("Added pothole.jpg.")
        expect(page.get_by_alt_text("Photo 1 of your report")).to_have_count(1)
        page.get_by_label("E-mail", exact=True).fill(RESIDENT_EMAIL)
        self.screenshot(page, "report-form-phone")
        page.get_by_role("button", name="Send report").click()

        expect(page.locator("h1")).to_have_text("Thank you, your report is in")
        request = ServiceRequest.objects.get()
        expect(page.locator(".request-number")).to_have_text(
            f"Your request number is {request.pk}."
        )
        expect(page.get_by_text("Sent to Roads.")).to_be_visible()
        expect(
            page.get_by_text("We sent a confirmation to your e-mail")
        ).to_be_visible()
        self.screenshot(page, "report-done-phone")
        self.assertAccessible(page)

        self.assertEqual(request.department, self.roads)
        self.assertEqual(request.description, "Deep hole by the school")
        self.assertAlmostEqual(request.lat, CENTRE[0], delta=0.002)
        self.assertAlmostEqual(request.long, CENTRE[1], delta=0.002)
        photo = request.photos.get()
        with photo.image.open() as stored, Image.open(stored) as image:
            self.assertEqual(dict(image.getexif()), {})

    def test_it_offers_a_nearby_request_to_follow_instead(self):
        original = self.make_request(lat=CENTRE[0] + 0.0004, address="Town Hall")
        self.make_place("Town Hall", lat=CENTRE[0], long=CENTRE[1])

        page = self.new_page()
        page.goto(self.url("/report/pothole/"))
        page.get_by_label("Address or landmark").fill("town h")
        page.get_by_role("button", name="Town Hall (Landmark)").click()

        nearby = page.locator("#nearby")
        expect(
            nearby.get_by_role("heading", name="Is it one of these?")
        ).to_be_visible()
        expect(nearby).to_contain_text(f"Request {original.pk}: Pothole")
        expect(nearby).to_contain_text("About 44 m away")
        self.screenshot(page, "report-nearby-phone")
        self.assertAccessible(page)
        nearby.get_by_label("Your e-mail, to hear about it").fill(RESIDENT_EMAIL)
        nearby.get_by_role("button", name="Follow it instead").click()

        page.wait_for_url(self.url(f"/requests/{original.pk}/"))
        expect(
            page.get_by_text(f"You are following request {original.pk}.")
        ).to_be_visible()
        self.screenshot(page, "report-followed-instead")
        self.assertTrue(
            Follower.objects.filter(request=original, email=RESIDENT_EMAIL).exists()
        )
        self.assertEqual(ServiceRequest.objects.count(), 1)

    def test_it_reports_without_javascript_from_an_address(self):
        elm = self.make_place("Elm Street", kind=Place.Kind.STREET)
        self.make_place("Elm Avenue", kind=Place.Kind.STREET, lat=CENTRE[0] - 0.004)

        page = self.new_page(javascript=False)
        page.goto(self.url("/report/pothole/"))
        expect(page.locator("#report-map")).to_be_hidden()
        page.get_by_label("Address or landmark").fill("12 Elm")
        page.get_by_label("Describe the problem").fill("Hole by number 12")
        page.get_by_label("E-mail", exact=True).fill("ann@example")
        page.get_by_role("button", name="Send report").click()

        # Both streets match, and the e-mail is wrong: the form comes back
        # with both problems, and what was typed.
        expect(
            page.get_by_text("Several places match “12 Elm”: pick one.")
        ).to_have_count(2)
        expect(page.get_by_label("Describe the problem")).to_have_value(
            "Hole by number 12"
        )
        self.screenshot(page, "report-form-no-javascript-problems")
        page.get_by_label("12 Elm Street (Street)").check()
        page.get_by_label("E-mail", exact=True).fill(RESIDENT_EMAIL)
        page.get_by_role("button", name="Send report").click()

        expect(page.locator("h1")).to_have_text("Thank you, your report is in")
        self.screenshot(page, "report-done-no-javascript")
        request = ServiceRequest.objects.get()
        self.assertEqual(request.address, "12 Elm Street")
        self.assertEqual((request.lat, request.long), (elm.lat, elm.long))
        self.assertEqual(request.department, self.roads)
        self.assertEqual(request.reporter_email, RESIDENT_EMAIL)

    def test_it_places_the_pin_where_the_phone_is_and_counts_me_too(self):
        original = self.make_request(lat=CENTRE[0] + 0.0005)

        page = self.new_page(
            geolocation={"latitude": CENTRE[0], "longitude": CENTRE[1]},
            permissions=["geolocation"],
        )
        page.goto(self.url("/report/pothole/"))
        page.get_by_role("button", name="Use my location").click()

        expect(page.locator("[data-location-status]")).to_contain_text(
            "Pin placed where you are."
        )
        self.assertEqual(page.get_by_label("Latitude").input_value(), "40.000000")
        nearby = page.locator("#nearby")
        nearby.get_by_role("button", name="Me too").click()

        expect(nearby.locator("[data-me-too-status]")).to_have_text(
            f"Thank you: request {original.pk} now counts you as affected too."
        )
        self.assertEqual(original.me_toos.count(), 1)
        expect(page).to_have_url(self.url("/report/pothole/"))

    def test_it_offers_where_the_photo_was_taken(self):
        page = self.new_page()
        page.goto(self.url("/report/pothole/"))
        page.get_by_label("Add photos").set_input_files(
            files=[{"name": "a.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}]
        )

        page.get_by_role("button", name="Use where the photo was taken?").click()

        expect(page.locator("[data-location-status]")).to_have_text(
            "Pin placed where the photo was taken."
        )
        self.assertEqual(page.get_by_label("Latitude").input_value(), "40.003000")
        self.assertEqual(page.get_by_label("Longitude").input_value(), "-89.998000")
        expect(
            page.get_by_role("button", name="Use where the photo was taken?")
        ).to_be_hidden()

    def test_it_lists_the_problems_first_and_next_to_their_fields(self):
        page = self.new_page()
        page.goto(self.url("/report/pothole/"))
        page.get_by_label("E-mail", exact=True).fill("ann@example")
        page.get_by_role("button", name="Send report").click()

        summary = page.locator("#error-summary")
        expect(summary).to_be_focused()
        expect(summary.get_by_role("heading")).to_have_text("Please check 2 things")
        expect(page.locator("#id_reporter_email_error")).to_have_text(
            "Enter an e-mail address like name@example.org."
        )
        expect(page.get_by_label("E-mail", exact=True)).to_have_value("ann@example")
        self.screenshot(page, "report-form-problems")
        self.assertAccessible(page)
