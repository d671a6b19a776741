from urllib.parse import parse_qs, urlparse

from django.urls import reverse
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest, Status
from town311.test import CENTRE, RESIDENT_EMAIL

PASSWORD = "a long staff passphrase"


class QueueBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roads_clerk.set_password(PASSWORD)
        self.roads_clerk.save()
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
        services.request_submit(
            service=self.park_upkeep,
            lat=CENTRE[0],
            long=CENTRE[1],
            description="Bench broken in the park",
        )

    def sign_in(self, page) -> None:
        page.goto(self.url(reverse("staff:queue")))
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="Roads queue")).to_be_visible()

    def test_a_clerk_filters_the_queue_and_acknowledges_two_requests(self):
        page = self.new_page(viewport=DESKTOP)
        self.sign_in(page)
        rows = page.locator(".queue-row")
        expect(rows).to_have_count(3)

        page.get_by_label("Search").fill("Oak Avenue")
        page.get_by_role("button", name="Show requests").click()
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text("40 Oak Avenue")
        # htmx keeps the filtered queue's address, as the plain form would.
        self.assertEqual(parse_qs(urlparse(page.url).query)["q"], ["Oak Avenue"])

        page.get_by_role("link", name="Clear the filters").click()
        expect(rows).to_have_count(3)
        first, second, third = self.requests
        page.get_by_label(f"Select request {first.number}").check()
        page.get_by_label(f"Select request {second.number}").check()
        page.get_by_label("With the ticked requests").select_option("acknowledge")
        page.get_by_label("Message to followers").fill("We have it on our list.")
        page.get_by_role("button", name="Apply to ticked requests").click()

        expect(page.locator(".messages")).to_contain_text("Acknowledged 2 requests.")
        statuses = dict(
            ServiceRequest.objects.filter(service=self.pothole).values_list(
                "pk", "status"
            )
        )
        self.assertEqual(
            statuses,
            {
                first.pk: Status.ACKNOWLEDGED,
                second.pk: Status.ACKNOWLEDGED,
                third.pk: Status.SUBMITTED,
            },
        )
        self.screenshot(page, "staff-queue")
        self.assertAccessible(page)

    def test_a_clerk_sees_the_queue_on_a_map(self):
        page = self.new_page(viewport=DESKTOP)
        self.sign_in(page)

        page.get_by_role("link", name="Map").click()

        page.locator(".queue-map[data-loaded='3']").wait_for()
        self.screenshot(page, "staff-queue-map")
        self.assertAccessible(page)

    def test_the_queue_filters_without_javascript(self):
        page = self.new_page(viewport=DESKTOP, javascript=False)
        self.sign_in(page)

        page.get_by_label("Search").fill("Mill Road")
        page.get_by_role("button", name="Show requests").click()

        expect(page.locator(".queue-row")).to_have_count(1)
        expect(page.locator(".queue-row")).to_contain_text("7 Mill Road")
