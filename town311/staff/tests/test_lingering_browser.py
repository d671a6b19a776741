import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.staff.models import Nudge
from town311.test import CENTRE

PASSWORD = "a long coordinator passphrase"


class LingeringBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.coordinator.set_password(PASSWORD)
        self.coordinator.save()
        long_ago = timezone.now() - timedelta(days=10)
        self.late = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            address="12 Elm Street",
            description="Deep hole by the school crossing",
            at=long_ago,
        )
        self.stale = services.request_submit(
            service=self.park_upkeep,
            lat=CENTRE[0],
            long=CENTRE[1],
            address="Riverside Park",
            at=long_ago - timedelta(days=10),
        )
        services.request_acknowledge(
            self.stale, by=self.parks_clerk, at=long_ago - timedelta(days=9)
        )

    def test_a_coordinator_finds_a_lingering_request_and_nudges_its_department(
        self,
    ) -> None:
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/staff/login/"))
        page.get_by_label("Username").fill("coordinator")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="Lingering").click()

        expect(page.locator("h1")).to_have_text("Lingering requests")
        roads = page.locator("#department-roads")
        expect(roads.get_by_role("heading", level=2)).to_contain_text("Roads")
        row = roads.get_by_role("row").filter(has_text="12 Elm Street")
        expect(row).to_contain_text("Not acknowledged within target")
        expect(row.get_by_role("link", name=self.late.number)).to_have_attribute(
            "href", f"/staff/requests/{self.late.pk}/"
        )
        parks = page.locator("#department-parks")
        expect(parks).to_contain_text("No update in 14 days")
        expect(roads).to_contain_text("Not nudged yet.")
        self.screenshot(page, "staff-lingering")
        self.assertAccessible(page)

        roads.get_by_role("button", name="Nudge Roads").click()

        expect(page).to_have_url(re.compile(r"/staff/lingering/#department-roads$"))
        expect(page.get_by_role("status")).to_contain_text(
            "Sent Roads a friendly reminder at roads@testville.example listing "
            "1 request."
        )
        expect(page.locator("#department-roads")).to_contain_text(
            re.compile(r"Nudged 0\sminutes ago by Cora\.")
        )
        self.assertAccessible(page)

        message = Message.objects.get(kind="nudge")
        self.assertEqual(message.to, "roads@testville.example")
        self.assertIn(
            f"Request {self.late.number}: Pothole, 12 Elm Street", message.body_text
        )
        self.assertNotIn("Riverside Park", message.body_text)
        self.assertEqual(Nudge.objects.get().sent_by, self.coordinator)
