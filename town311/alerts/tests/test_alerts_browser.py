from playwright.sync_api import expect

from town311.alerts.models import Subscription
from town311.browser import DESKTOP, BrowserTestCase
from town311.directory.models import Neighbourhood
from town311.test import square


class AlertsBrowserTests(BrowserTestCase):
    def test_it_subscribes_to_a_neighbourhood(self):
        Neighbourhood.objects.create(
            name="Hilltop", slug="hilltop", area=square(40.005, -89.995, 0.005)
        )
        page = self.new_page(viewport=DESKTOP)

        page.goto(self.url("/alerts/"))
        expect(page.locator("#alerts-map.leaflet-container")).to_be_visible()
        self.assertAccessible(page)
        page.get_by_label("In a neighbourhood").check()
        # With JavaScript, only the chosen kind of area is shown.
        expect(page.get_by_label("Street or landmark")).to_be_hidden()
        page.get_by_label("Neighbourhood", exact=True).select_option("hilltop")
        page.get_by_label("Pothole").check()
        self.screenshot(page, "alerts-area-desktop")
        page.get_by_role("button", name="Continue").click()

        expect(page.locator(".lead")).to_contain_text(
            "New requests in Hilltop: Pothole."
        )
        expect(page.locator(".feed-url")).to_contain_text(
            "/alerts/feed/?area=hilltop&service=pothole"
        )
        page.get_by_label("Your e-mail address").fill("subscriber@example.org")
        self.screenshot(page, "alerts-e-mail-desktop")
        self.assertAccessible(page)
        page.get_by_role("button", name="E-mail me about new requests").click()

        expect(page.locator("h1")).to_have_text("Check your e-mail")
        subscription = Subscription.objects.get()
        self.assertEqual(subscription.neighbourhood.slug, "hilltop")
        self.assertEqual(list(subscription.services.all()), [self.pothole])
        self.assertIsNone(subscription.confirmed_at)

    def test_it_works_without_javascript(self):
        page = self.new_page(javascript=False)

        page.goto(self.url("/alerts/"))
        page.get_by_text("Or give latitude and longitude").click()
        page.get_by_label("Latitude").fill("40.001")
        page.get_by_label("Longitude").fill("-90.001")
        self.screenshot(page, "alerts-area-no-javascript-phone")
        page.get_by_role("button", name="Continue").click()

        expect(page.locator(".lead")).to_contain_text(
            "New requests within 500 m of 40.00100, -90.00100"
        )
