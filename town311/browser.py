"""Browser tests: Playwright driving the system's Chromium, headless.

Browser tests derive from BrowserTestCase. On a machine without Chromium
they are skipped with a message saying what to install; CI installs it.
Screenshots go to test-artifacts/screenshots/, which git ignores, so a
person can look at the pages the tests saw.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

from town311.test import TownTestMixin

# Playwright's synchronous API runs an event loop in the test's thread;
# Django would otherwise refuse database access from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM_PATH") or shutil.which("chromium") or ""
if not os.path.isfile(CHROMIUM):
    CHROMIUM = ""
SCREENSHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
AXE_SCRIPT = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# Chromium as root in a container, and without its background calls home,
# which this machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

STAFF_PASSWORD = "a long staff passphrase for browser tests"


@pytest.mark.browser
@pytest.mark.skipif(
    not CHROMIUM,
    reason="browser tests skipped: Chromium not found (install the Debian "
    "packages chromium and chromium-driver, or set CHROMIUM_PATH)",
)
class BrowserTestCase(TownTestMixin, StaticLiveServerTestCase):
    """A live server with the test town, and a headless browser."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.make_town()

    def new_page(self, *, viewport=PHONE, javascript: bool = True, **options):
        """A fresh browser context and page; map tiles and any other outside
        address get an empty answer, so tests never reach the internet."""
        context = self.browser.new_context(
            viewport=viewport, java_script_enabled=javascript, **options
        )
        self.addCleanup(context.close)
        context.route("**/*", self._local_only)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    def _local_only(self, route) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("localhost", "127.0.0.1"):
            route.continue_()
        else:
            route.fulfill(status=204, body="")

    def staff_sign_in(self, page, user, *, next: str) -> None:
        """Sign `user` in through the staff sign-in form, landing on `next`
        (a path, already URL-encoded where it carries a query)."""
        user.set_password(STAFF_PASSWORD)
        user.save()
        page.goto(self.url(f"/staff/login/?next={next}"))
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(STAFF_PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    def url(self, path: str) -> str:
        return self.live_server_url + path

    def screenshot(self, page, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    def assertAccessible(self, page, *, impacts=("serious", "critical")) -> None:
        """Run axe-core on the page; fail on any violation of these impacts."""
        page.add_script_tag(path=str(AXE_SCRIPT))
        results = page.evaluate("async () => await axe.run(document)")
        problems = [
            f"{v['id']} ({v['impact']}): {v['help']} at "
            + ", ".join(n["target"][0] for n in v["nodes"][:3])
            for v in results["violations"]
            if v["impact"] in impacts
        ]
        self.assertEqual(problems, [], "axe-core found accessibility problems")
