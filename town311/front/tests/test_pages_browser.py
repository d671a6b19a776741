from django.urls import reverse
from playwright.sync_api import expect

from town311.browser import DESKTOP, PHONE, BrowserTestCase
from town311.servicerequests import services
from town311.servicerequests.models import MeToo
from town311.test import CENTRE, RESIDENT_EMAIL

VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


class PublicPagesBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        places = [
            ("Deep hole by the school crossing", "12 Main Street", 0.002),
            ("Two holes in a row, cars swerve", "40 Oak Avenue", -0.004),
            ("Crack turning into a hole", "7 Mill Road", 0.006),
        ]
        self.requests = [
            services.request_submit(
                service=self.pothole,
                lat=CENTRE[0] + offset,
                long=CENTRE[1] - offset,
                description=description,
                address=address,
                reporter_email=RESIDENT_EMAIL,
            )
            for description, address, offset in places
        ]
        self.request = self.requests[0]
        services.request_reply(
            self.request,
            by=self.roads_clerk,
            text="Thanks. A crew will fill it by Thursday.",
        )

    def visit(self, path: str, name: str, ready: str) -> None:
        """Look at the page on a phone and a desktop, and check it with axe."""
        for size, viewport in VIEWPORTS.items():
            page = self.new_page(viewport=viewport)
            page.goto(self.url(path))
            page.locator(ready).first.wait_for()
            self.screenshot(page, f"{name}-{size}")
            self.assertAccessible(page)

    def test_home(self):
        self.visit("/", "home", ".requests-map[data-loaded='3']")

    def test_browse(self):
        self.visit(reverse("front:browse"), "browse", ".requests-map[data-loaded='3']")

    def test_request_page(self):
        self.visit(
            reverse("front:request", args=[self.request.pk]),
            "request",
            ".request-map .leaflet-interactive",
        )

    def test_browse_works_without_javascript(self):
        page = self.new_page(javascript=False)

        page.goto(self.url(reverse("front:browse")))
        page.get_by_label("Search").fill("Oak Avenue")
        page.get_by_role("button", name="Show requests").click()

        expect(page.locator(".request-item")).to_have_count(1)
        expect(page.locator(".request-item")).to_contain_text("40 Oak Avenue")
        expect(page.locator(".requests-map")).to_be_hidden()

    def test_me_too_and_follow_without_leaving_the_page(self):
        page = self.new_page()
        page.goto(self.url(reverse("front:request", args=[self.request.pk])))

        page.get_by_role("button", name="Me too: this affects me").click()
        expect(page.locator(".me-too-count")).to_have_text(
            "1 person says this affects them too."
        )
        page.get_by_label("Your e-mail address").fill("neighbour@example.org")
        page.get_by_role("button", name="Follow").click()
        expect(page.get_by_text("You are following request")).to_be_visible()

        self.assertEqual(MeToo.objects.filter(request=self.request).count(), 1)
        self.assertTrue(
            self.request.followers.filter(email="neighbour@example.org").exists()
        )
