from town311.browser import DESKTOP, BrowserTestCase


class HomeBrowserTests(BrowserTestCase):
    def test_it_shows_the_town_and_passes_axe(self):
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/"))

        self.assertEqual(page.title(), "Testville 311")
        self.assertEqual(page.locator("h1").inner_text(), "Testville 311")
        self.screenshot(page, "home")
        self.assertAccessible(page)
