import re

import time_machine
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.metrics.tests.test_monthly import NOW, MonthlyTownMixin
from town311.notifications.models import Message


class MonthlyPreviewBrowserTests(MonthlyTownMixin, BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_months()
        # Ticking, so the browser and the live server keep their timeouts.
        traveller = time_machine.travel(NOW, tick=True)
        traveller.start()
        self.addCleanup(traveller.stop)

    def test_a_coordinator_previews_a_report_and_sends_it_again(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.coordinator, next="/metrics/monthly/")

        expect(page.locator("h1")).to_have_text("Monthly report for May 2026")
        email = page.frame_locator("iframe.monthly-html")
        expect(email.locator("body")).to_contain_text("Hello Parks team,")

        page.get_by_label("Recipient", exact=True).select_option(
            label="Luis, Roads lead (luis@testville.example)"
        )
        page.get_by_role("button", name="Show").click()

        expect(page.get_by_role("heading", name="What Luis gets")).to_be_visible()
        expect(email.locator("body")).to_contain_text("Hello Luis,")
        expect(email.locator("caption")).to_have_text("Roads in May 2026")
        expect(email.locator("img").first).to_have_attribute(
            "src", re.compile(r"^data:image/png;base64,")
        )
        expect(page.locator("pre.monthly-text")).to_contain_text(
            "- Requests received: 5 (+2 since April 2026); town 7"
        )
        expect(page.locator(".monthly-sends")).to_contain_text("has not been sent yet")

        # Scrolled to first, as a person would: headless Chromium can drop a
        # click that scrolls the page past the tall preview on its way.
        send_again = page.get_by_role("button", name="Send again")
        send_again.scroll_into_view_if_needed()
        send_again.click()

        expect(page.get_by_role("status")).to_contain_text(
            "The May 2026 report is on its way again to luis@testville.example."
        )
        sent = page.locator(".monthly-sends tbody tr")
        expect(sent).to_have_count(1)
        expect(sent).to_contain_text("luis@testville.example")
        expect(sent).to_contain_text("Cora, by hand")
        self.assertEqual(
            list(Message.objects.values_list("to", flat=True)),
            ["luis@testville.example"],
        )
        self.screenshot(page, "metrics-monthly-preview")
        self.assertAccessible(page)
