import json
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.test import RESIDENT_EMAIL

JANUARY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WEST = (40.0, -90.005)
EAST = (40.0, -89.995)


def area(name: str, lat: float, long: float) -> dict:
    half = 0.004
    ring = [
        [long - half, lat - half],
        [long + half, lat - half],
        [long + half, lat + half],
        [long - half, lat + half],
        [long - half, lat - half],
    ]
    return {
        "type": "Feature",
        "properties": {"name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


class AreasBrowserTests(BrowserTestCase):
    """Requests submitted before the town had areas; the upload places them."""

    def setUp(self) -> None:
        super().setUp()
        for place, after in ((WEST, 0.5), (WEST, 1.5), (EAST, 3.0)):
            with services.history_replay():
                service_request = services.request_submit(
                    service=self.pothole,
                    lat=place[0],
                    long=place[1],
                    reporter_email=RESIDENT_EMAIL,
                    at=JANUARY,
                )
            services.request_acknowledge(
                service_request,
                by=self.roads_clerk,
                at=JANUARY + timedelta(days=after),
            )

    def test_a_coordinator_uploads_areas_and_reads_their_figures(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.coordinator, next="/metrics/areas/upload/")

        geojson = {
            "type": "FeatureCollection",
            "features": [area("Westside", *WEST), area("Eastside", *EAST)],
        }
        page.get_by_label("GeoJSON file").set_input_files(
            files=[
                {
                    "name": "areas.geojson",
                    "mimeType": "application/geo+json",
                    "buffer": json.dumps(geojson).encode(),
                }
            ]
        )
        page.get_by_role("button", name="Check the file").click()
        expect(page.get_by_text("2 areas to add: Westside, Eastside")).to_be_visible()
        self.assertAccessible(page)
        page.get_by_role("button", name="Confirm and apply").click()

        expect(page.locator(".message")).to_contain_text("2 added, 0 updated")
        page.get_by_label("Month").fill("2026-01")
        page.get_by_role("button", name="Show figures").click()

        expect(page.locator("h1")).to_have_text("Figures by area: January 2026")
        westside = page.get_by_role("row").filter(has_text="Westside")
        # 0.5 and 1.5 days: the median is 1.0; the town's (0.5, 1.5, 3) 1.5.
        expect(westside).to_contain_text("1.0 days")
        expect(westside).to_contain_text("too few to compare")
        expect(page.get_by_role("row").filter(has_text="Eastside")).to_contain_text(
            "3.0 days"
        )
        expect(page.get_by_role("row").filter(has_text="Whole town")).to_contain_text(
            "1.5 days"
        )
        # Every request was placed in an area again.
        expect(
            page.get_by_role("row").filter(has_text="Not in any area")
        ).to_have_count(0)
        self.screenshot(page, "metrics-areas")
        self.assertAccessible(page)
