from town311.browser import PHONE, BrowserTestCase

# Elements wider than the screen, or whose text runs out of their box:
# longer Spanish words must wrap, not spill.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const spilled = [];
  for (const element of document.querySelectorAll("main *, header *, footer *")) {
    if (element.closest(".leaflet-container") || !element.getClientRects().length) {
      continue;
    }
    const box = element.getBoundingClientRect();
    const boxed = element.matches("button, .button, label, select, summary");
    const spills = boxed && element.scrollWidth > element.clientWidth + 1;
    if (box.right > width + 1 || spills) {
      const text = element.textContent.trim().slice(0, 40);
      spilled.push(element.tagName.toLowerCase() + ": " + text);
    }
  }
  return spilled;
}"""


class LanguageBrowserTests(BrowserTestCase):
    def test_it_switches_to_spanish_with_the_keyboard_on_a_phone(self):
        page = self.new_page(viewport=PHONE, locale="en-US")
        page.goto(self.url("/"))
        self.assertEqual(page.locator("html").get_attribute("lang"), "en")

        for _ in range(20):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.id") == "language-switch":
                break
        self.assertEqual(page.evaluate("document.activeElement.id"), "language-switch")
        page.keyboard.press("ArrowDown")
        self.assertEqual(page.locator("#language-switch").input_value(), "es")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")

        self.assertEqual(page.url, self.url("/"))
        self.assertEqual(page.locator("html").get_attribute("lang"), "es")
        self.assertEqual(
            page.get_by_role("link", name="Reportar un problema").first.is_visible(),
            True,
        )
        self.assertEqual(page.locator("#language-switch").input_value(), "es")
        self.assertEqual(page.evaluate(OVERFLOWING), [])
        self.assertAccessible(page)
        self.screenshot(page, "home-es")

    def test_it_shows_the_report_form_in_spanish_on_a_phone(self):
        page = self.new_page(viewport=PHONE, locale="es-MX")
        page.goto(self.url("/report/pothole/"))

        self.assertEqual(page.locator("html").get_attribute("lang"), "es")
        self.assertEqual(page.locator("h1").inner_text(), "Reportar: Pothole")
        page.get_by_role("button", name="Usar mi ubicación").wait_for()
        self.assertEqual(page.get_by_role("button", name="Acercar").count(), 1)
        self.assertEqual(page.evaluate(OVERFLOWING), [])
        self.assertAccessible(page)
        self.screenshot(page, "report-form-es")
