from django.urls import reverse
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.test import CENTRE


class OpenDataPageBrowserTests(BrowserTestCase):
    def test_the_open_data_page(self):
        services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1], address="12 Main St"
        )
        page = self.new_page(viewport=DESKTOP)

        page.goto(self.url("/"))
        page.get_by_role("link", name="Open data").click()

        expect(page).to_have_url(self.url(reverse("opendata:index")))
        expect(page.get_by_role("heading", name="Service requests")).to_be_visible()
        expect(page.get_by_role("link", name="CSV file")).to_be_visible()
        self.screenshot(page, "open-data")
        self.assertAccessible(page)
