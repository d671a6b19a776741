from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.test import CENTRE, RESIDENT_EMAIL

JANUARY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class DashboardBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        for after in (0.25, 1.0):
            with services.history_replay():
                service_request = services.request_submit(
                    service=self.pothole,
                    lat=CENTRE[0],
                    long=CENTRE[1],
                    reporter_email=RESIDENT_EMAIL,
                    at=JANUARY,
                )
            services.request_acknowledge(
                service_request,
                by=self.roads_clerk,
                at=JANUARY + timedelta(days=after),
            )

    def test_a_coordinator_reads_a_months_figures(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.coordinator, next="/metrics/")

        page.get_by_label("Month").fill("2026-01")
        page.get_by_role("button", name="Show figures").click()

        expect(page.locator("h1")).to_have_text("Dashboard: January 2026")
        roads = page.get_by_role("row").filter(has_text="Roads")
        expect(roads).to_contain_text("0.6 days")
        expect(page.get_by_role("row").filter(has_text="Whole town")).to_be_visible()
        expect(page.locator("details.dashboard-definitions")).to_have_attribute(
            "open", ""
        )
        received = page.get_by_role(
            "link", name="Requests received in the period as CSV"
        )
        expect(received).to_have_attribute(
            "href", "/metrics/export/requests.csv?start=2026-01-01&end=2026-02-01"
        )
        self.screenshot(page, "metrics-dashboard")
        self.assertAccessible(page)

    def test_a_bad_filter_is_explained_next_to_its_field(self) -> None:
        page = self.new_page()
        self.staff_sign_in(page, self.coordinator, next="/metrics/%3Fmonth%3D2026-13")

        expect(page.locator("#id_month_error")).to_contain_text("is not a month")
        self.assertAccessible(page)
