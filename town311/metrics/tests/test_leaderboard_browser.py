from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.metrics.tests.test_leaderboard import LeaderboardTownMixin


class LeaderboardBrowserTests(LeaderboardTownMixin, BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_months()

    def test_a_staff_member_reads_the_leaderboard_of_a_month(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        self.staff_sign_in(page, self.parks_clerk, next="/metrics/leaderboard/")
        page.get_by_label("Month").fill("2026-02")
        page.get_by_role("button", name="Show").click()

        expect(page.locator("h1")).to_have_text("Leaderboard for February 2026")
        acknowledge = page.get_by_role("region", name="Time to acknowledge")
        roads = acknowledge.get_by_role("row").filter(has_text="Roads")
        expect(roads).to_contain_text("1")
        expect(roads).to_contain_text("up 2 places")
        expect(acknowledge).to_contain_text("Most improved: Roads")
        close = page.get_by_role("region", name="Time to close")
        expect(close.get_by_role("row").filter(has_text="Parks")).to_contain_text("new")
        expect(close).to_contain_text("Too few requests this month to rank fairly")
        expect(close).to_contain_text("Trees: 1 request closed")
        self.screenshot(page, "metrics-leaderboard")
        self.assertAccessible(page)

        page.get_by_role("link", name="← January 2026").click()

        expect(page.locator("h1")).to_have_text("Leaderboard for January 2026")
        self.assertAccessible(page)
