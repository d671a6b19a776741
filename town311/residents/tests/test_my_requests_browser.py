from urllib.parse import urlparse

from playwright.sync_api import expect

from town311.browser import BrowserTestCase
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, Status
from town311.test import CENTRE, RESIDENT_EMAIL


class MyRequestsBrowserTests(BrowserTestCase):
    def test_it_signs_in_by_link_and_withdraws_a_report(self):
        request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            address="12 Mill Road",
            reporter_email=RESIDENT_EMAIL,
        )
        page = self.new_page()

        page.goto(self.url("/my/"))
        expect(page.locator("h1")).to_have_text("Sign in to see your requests")
        self.assertAccessible(page)
        page.get_by_label("Your e-mail address").fill(RESIDENT_EMAIL)
        page.get_by_role("button", name="E-mail me a link").click()
        expect(page.locator("h1")).to_have_text("Check your e-mail")

        # The link as the resident's mail program would show it.
        body = Message.objects.get(kind="sign-in").body_text
        link = next(word for word in body.split() if "/my/sign-in/" in word)
        page.goto(self.url(urlparse(link).path))

        expect(page.locator("h1")).to_have_text("My requests")
        expect(page.get_by_text(f"Request {request.pk}: Pothole")).to_be_visible()
        page.get_by_text("Withdraw this request").click()
        self.screenshot(page, "my-requests-phone")
        self.assertAccessible(page)
        page.get_by_role("button", name=f"Withdraw request {request.pk}").click()

        expect(page.get_by_role("status")).to_contain_text(
            f"Request {request.pk} is withdrawn."
        )
        expect(
            page.get_by_text("The resident who reported it withdrew it.")
        ).to_be_visible()
        expect(page.get_by_text("Withdraw this request")).to_have_count(0)
        request.refresh_from_db()
        self.assertEqual(request.status, Status.CLOSED)
        self.assertEqual(request.resolution, Resolution.WITHDRAWN)
        self.assertIsNone(request.acknowledged_at)
