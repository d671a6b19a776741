import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.test import CENTRE, RESIDENT_EMAIL

JANUARY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


class DashboardDownloadsBrowserTests(BrowserTestCase):
    """Roads acknowledged two January potholes after 0.25 and 1 day."""

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

    def download(self, page, name: str) -> list[dict]:
        with page.expect_download() as started:
            page.get_by_role("link", name=name, exact=True).click()
        text = Path(started.value.path()).read_text(encoding="utf-8")
        return list(csv.DictReader(io.StringIO(text)))

    def test_a_coordinator_downloads_the_table_and_the_requests(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.coordinator, next="/metrics/%3Fmonth%3D2026-01")
        expect(page.locator("h1")).to_have_text("Dashboard: January 2026")

        downloads = page.locator("section.dashboard-downloads")
        expect(downloads).to_contain_text("Download this table")
        expect(downloads).to_contain_text("Requests acknowledged in the period")

        table = self.download(page, "This table as CSV")
        roads = next(row for row in table if row["department"] == "roads")
        self.assertEqual(roads["period_start"], "2026-01-01")
        self.assertEqual(roads["acknowledged"], "2")
        self.assertEqual(float(roads["ack_median_days"]), 0.625)

        acknowledged = self.download(page, "Requests acknowledged in the period as CSV")
        self.assertEqual(
            sorted(float(row["acknowledge_days"]) for row in acknowledged),
            [0.25, 1.0],
        )
        self.assertEqual(
            self.download(page, "Requests closed in the period as CSV"), []
        )

        downloads.scroll_into_view_if_needed()
        self.screenshot(page, "metrics-dashboard-downloads")
        self.assertAccessible(page)
