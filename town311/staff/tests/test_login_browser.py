import re

from django.test import override_settings
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.staff.models import LoginAttempt

PASSWORD = "a long staff password"


class LoginBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roads_clerk.set_password(PASSWORD)
        self.roads_clerk.save()

    def sign_in(self, page, password: str) -> None:
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

    def test_it_signs_a_clerk_in_to_the_queue_and_out_again(self):
        page = self.new_page(viewport=DESKTOP)

        page.goto(self.url("/staff/"))
        expect(page.locator("h1")).to_have_text("Staff sign-in")
        self.screenshot(page, "staff-login")
        self.assertAccessible(page)
        self.sign_in(page, PASSWORD)

        expect(page).to_have_url(re.compile(r"/staff/queue/$"))
        self.assertTrue(LoginAttempt.objects.get().succeeded)
        page.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/staff/login/$"))
        expect(page.get_by_role("status")).to_contain_text("You have signed out.")

    @override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_FAILURE_WINDOW=15 * 60)
    def test_it_locks_the_form_after_repeated_failures(self):
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/staff/login/"))

        for _ in range(3):
            self.sign_in(page, "a guess")
            expect(page.get_by_role("alert")).to_contain_text(
                "That username and password do not match."
            )
        self.sign_in(page, PASSWORD)

        expect(page.get_by_role("alert")).to_have_text(
            "Too many failed sign-ins. Try again in 15 minutes."
        )
        self.assertAccessible(page)
        self.assertEqual(LoginAttempt.objects.filter(succeeded=False).count(), 4)
        self.assertFalse(LoginAttempt.objects.filter(succeeded=True).exists())
