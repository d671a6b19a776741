from django.urls import reverse
from playwright.sync_api import expect

from town311.browser import PHONE, BrowserTestCase
from town311.servicerequests import services, tokens
from town311.servicerequests.models import Event, Status
from town311.test import CENTRE, RESIDENT_EMAIL


class EmailLinksBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = services.request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            description="Deep hole by the school crossing",
            address="12 Main Street",
            reporter_email=RESIDENT_EMAIL,
        )

    def link(self, kind: str, name: str) -> str:
        token = tokens.token_make(
            kind, request_id=self.request.pk, email=RESIDENT_EMAIL
        )
        return self.url(reverse(name, args=[self.request.pk, token]))

    def test_it_answers_a_staff_question_from_the_email_link(self):
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Is the hole in the bike lane?"
        )
        page = self.new_page(viewport=PHONE)

        page.goto(self.link("answer", "front:answer"))
        expect(page.get_by_text("Is the hole in the bike lane?")).to_be_visible()
        self.assertAccessible(page)
        page.get_by_label("Your answer").fill("Yes, right where bikes go.")
        page.get_by_role("button", name="Send the answer").click()

        expect(page.locator("h1")).to_have_text("Thank you for your answer")
        self.screenshot(page, "answer-done-phone")
        answer = self.request.events.get(kind=Event.Kind.INFORMATION_PROVIDED)
        self.assertEqual(answer.text, "Yes, right where bikes go.")
        self.assertFalse(answer.is_public)

    def test_a_not_fixed_rating_reopens_the_request(self):
        services.request_close(
            self.request, by=self.roads_clerk, resolution="fixed", message="Filled."
        )
        page = self.new_page(viewport=PHONE)

        page.goto(self.link("rating", "front:rate"))
        page.get_by_label("No, it is not fixed").check()
        page.get_by_label("2: poor").check()
        page.get_by_label("Anything else to tell us? (optional)").fill(
            "The patch washed out in the rain."
        )
        self.assertAccessible(page)
        page.get_by_role("button", name="Send the rating").click()

        expect(page.locator("h1")).to_have_text(
            f"We reopened request {self.request.pk}"
        )
        expect(page.get_by_text("back in Roads's queue")).to_be_visible()
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        self.assertTrue(self.request.events.filter(kind=Event.Kind.REOPENED).exists())

        page.get_by_role("link", name=f"See request {self.request.pk}").click()
        expect(page.locator(".status")).to_have_text("Status: Acknowledged")
        expect(
            page.get_by_text("Reopened: the resident who reported it says it is")
        ).to_be_visible()
