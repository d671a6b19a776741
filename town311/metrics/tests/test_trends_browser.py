import re

from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.metrics.tests.test_trends import SpringTownMixin, utc
from town311.servicerequests.models import Channel


class SerialWSGIServer(WSGIServer):
    """One request at a time, in the live server's own thread, which
    already holds the shared test database connection."""

    def __init__(self, *args, connections_override=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)


class SerialLiveServerThread(LiveServerThread):
    server_class = SerialWSGIServer


class TrendsBrowserTests(SpringTownMixin, BrowserTestCase):
    # The page loads its four charts and the map's cells at once. On SQLite
    # the test database lives in memory behind one connection that every
    # thread of a threaded server would share, and concurrent queries on it
    # hang; one request at a time is how production's separate connections
    # behave anyway.
    server_thread_class = SerialLiveServerThread

    def setUp(self) -> None:
        super().setUp()
        self.make_spring()
        # April: three phone calls north of the centre, an e-mail at it.
        for day in (1, 2, 3):
            at = utc(2026, 4, day, 12)
            self.submit(self.pothole, at, channel=Channel.PHONE, lat=40.004)
        self.submit(self.pothole, utc(2026, 4, 4, 12), channel=Channel.EMAIL)

    def test_a_coordinator_sees_the_charts_and_the_heat_map(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.coordinator, next="/metrics/trends/")
        page.get_by_label("Last month shown").fill("2026-04")
        page.get_by_role("button", name="Show trends").click()

        expect(page.locator("h1")).to_have_text("Trends: May 2025 to April 2026")
        images = page.locator("img.trends-image")
        expect(images).to_have_count(4)
        expect(images.first).to_have_attribute(
            "alt", re.compile(r"^Line chart of the median time to acknowledge")
        )
        for index in range(4):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            expect(image).to_have_attribute("alt", re.compile(r"\w+ chart of "))
            page.wait_for_function(
                "image => image.complete && image.naturalWidth > 0",
                arg=image.element_handle(),
            )

        heat = page.locator(".trends-heat")
        heat.scroll_into_view_if_needed()
        expect(heat).to_have_attribute("data-loaded", "2")
        expect(heat.locator("path.leaflet-interactive")).to_have_count(2)
        expect(heat.locator(".trends-heat-legend")).to_contain_text(
            "Requests per square"
        )

        numbers = page.locator("details").filter(has_text="Median days to acknowledge")
        numbers.locator("summary").click()
        march = numbers.get_by_role("row").filter(has_text="Mar 2026")
        expect(march).to_contain_text("1.0 days")
        expect(march).to_contain_text("0.6 days")
        self.screenshot(page, "metrics-trends")
        self.assertAccessible(page)

    def test_the_page_shows_the_charts_without_javascript(self) -> None:
        self.client.force_login(self.coordinator)
        cookie = self.client.cookies["sessionid"].value
        page = self.new_page(viewport=DESKTOP, javascript=False)
        page.context.add_cookies(
            [{"name": "sessionid", "value": cookie, "url": self.live_server_url}]
        )
        page.goto(self.url("/metrics/trends/?month=2026-04"))

        expect(page.locator("img.trends-image")).to_have_count(4)
        for index in range(4):
            page.wait_for_function(
                "image => image.complete && image.naturalWidth > 0",
                arg=page.locator("img.trends-image").nth(index).element_handle(),
            )
        expect(page.get_by_text("The map needs JavaScript")).to_be_visible()
