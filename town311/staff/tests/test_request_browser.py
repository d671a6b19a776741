"""A Roads clerk works requests from the queue in a real browser: signs in,
acknowledges the oldest request with a template reply, reassigns one to
Parks, merges a duplicate and closes one with a resolution."""

import re
from datetime import timedelta

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.servicerequests import services
from town311.servicerequests.models import Event, Resolution, Status
from town311.staff.models import ResponseTemplate
from town311.test import CENTRE, RESIDENT_EMAIL

PASSWORD = "a long staff password"
FOLLOWER = "neighbour@example.org"
NOTE = "Internal: the caller is the mayor's cousin, xyzzy-note"


class RequestBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.roads_clerk.set_password(PASSWORD)
        self.roads_clerk.save()
        ResponseTemplate.objects.create(
            department=self.roads,
            title="On the schedule",
            body="Hi {first_name}, request {number} is on the {department} "
            "schedule. We will be there by 5:00 PM.",
        )
        now = timezone.now()
        self.oldest = self.submit("Deep hole by the school", now - timedelta(days=3))
        self.oldest.followers.create(email=FOLLOWER)
        self.duplicate = self.submit(
            "Same hole, by the school", now - timedelta(days=1), lat_offset=0.0003
        )
        self.in_park = self.submit(
            "Hole on the park path", now - timedelta(days=2), lat_offset=0.004
        )
        mail.outbox.clear()

    def submit(self, description, at, *, lat_offset=0.0):
        return services.request_submit(
            service=self.pothole,
            lat=CENTRE[0] + lat_offset,
            long=CENTRE[1],
            description=description,
            reporter_name="Maria Lopez",
            reporter_email=RESIDENT_EMAIL,
            at=at,
        )

    def sign_in(self, page) -> None:
        page.goto(self.url("/staff/login/"))
        page.get_by_label("Username").fill("roads-clerk")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/staff/queue/"))

    def open_request(self, page, request) -> None:
        page.goto(self.url(f"/staff/requests/{request.pk}/"))
        expect(page.locator("h1")).to_have_text("Pothole")

    def open_action(self, page, name: str) -> None:
        page.locator("summary").get_by_text(name, exact=True).click()

    def test_a_clerk_works_the_queue(self):
        page = self.new_page(viewport=DESKTOP)
        self.sign_in(page)

        # The oldest request is first in the queue.
        page.locator(".queue-row a").first.click()
        expect(page.locator(".staff-request-number")).to_have_text(
            f"Request {self.oldest.number}"
        )
        self.assertAccessible(page)

        # An internal note first, which followers must never read.
        self.open_action(page, "Internal note")
        page.get_by_label("Internal note").fill(NOTE)
        page.get_by_role("button", name="Save the note").click()
        expect(page.get_by_role("status")).to_contain_text("Internal note saved")
        expect(page.locator(".staff-event-internal").last).to_contain_text(
            "Internal — residents never see this"
        )

        # Acknowledge with the template, edited before sending.
        acknowledge = page.locator("form[action$='/acknowledge/']")
        expect(acknowledge.get_by_role("button", name="Use template")).to_be_hidden()
        acknowledge.get_by_label("Start from a template").select_option(
            label="On the schedule"
        )
        message = acknowledge.get_by_label("Message to the resident (optional)")
        filled = (
            f"Hi Maria, request {self.oldest.number} is on the Roads schedule. "
            "We will be there by 5:00 PM."
        )
        expect(message).to_have_value(filled)
        message.fill(filled + " Thanks for telling us.")
        self.screenshot(page, "staff-request")
        acknowledge.get_by_role("button", name="Acknowledge").click()

        expect(page.get_by_role("status")).to_contain_text(
            f"Acknowledged request {self.oldest.number} and sent your message."
        )
        expect(page.locator(".staff-request-status .status")).to_have_text(
            "Acknowledged"
        )
        self.oldest.refresh_from_db()
        self.assertEqual(self.oldest.status, Status.ACKNOWLEDGED)
        acknowledged = self.oldest.events.get(kind=Event.Kind.ACKNOWLEDGED)
        self.assertEqual(acknowledged.text, filled + " Thanks for telling us.")
        self.assertEqual(acknowledged.actor, self.roads_clerk)

        # Reassign the one in the park to Parks.
        self.open_request(page, self.in_park)
        self.open_action(page, "Reassign to another department")
        page.get_by_label("Move to department").select_option(label="Parks")
        page.get_by_label("Reason").fill(
            "The hole is on a park path, which Parks keeps."
        )
        page.get_by_role("button", name="Reassign").click()
        expect(page.get_by_role("status")).to_contain_text("moved to Parks")
        self.in_park.refresh_from_db()
        self.assertEqual(self.in_park.department, self.parks)

        # Merge the duplicate into the oldest through the nearby shortcut.
        self.open_request(page, self.duplicate)
        nearby = page.locator(
            ".staff-nearby li", has_text=f"Request {self.oldest.number}"
        )
        nearby.get_by_role("button", name=re.compile("Merge this one into it")).click()
        expect(page.get_by_role("status")).to_contain_text(
            f"duplicate of request {self.oldest.number}"
        )
        self.duplicate.refresh_from_db()
        self.assertEqual(self.duplicate.duplicate_of, self.oldest)
        self.assertEqual(self.duplicate.resolution, Resolution.DUPLICATE)

        # Close the oldest with a resolution.
        self.open_request(page, self.oldest)
        self.open_action(page, "Close")
        page.get_by_label("Resolution").select_option(label="Fixed")
        page.locator("#close-message").fill("We filled the hole this morning.")
        page.get_by_role("button", name="Close the request").click()
        expect(page.get_by_role("status")).to_contain_text("is closed: fixed")
        expect(page.locator(".staff-request-status .status")).to_have_text(
            "Closed: fixed"
        )
        self.oldest.refresh_from_db()
        self.assertEqual(self.oldest.status, Status.CLOSED)
        self.assertEqual(self.oldest.resolution, Resolution.FIXED)

        # The follower heard every public word and none of the internal ones.
        to_follower = [m for m in mail.outbox if FOLLOWER in m.to]
        bodies = "\n".join(m.body for m in to_follower)
        self.assertIn("Thanks for telling us.", bodies)
        self.assertIn("We filled the hole this morning.", bodies)
        self.assertNotIn("xyzzy-note", bodies)
        self.assertNotIn("xyzzy-note", "\n".join(m.body for m in mail.outbox))

    def test_without_javascript_use_template_fills_the_box(self):
        page = self.new_page(viewport=DESKTOP, javascript=False)
        self.sign_in(page)
        self.open_request(page, self.oldest)

        acknowledge = page.locator("form[action$='/acknowledge/']")
        acknowledge.get_by_label("Start from a template").select_option(
            label="On the schedule"
        )
        acknowledge.get_by_role("button", name="Use template").click()

        message = page.locator("#acknowledge-message")
        expect(message).to_have_value(re.compile("^Hi Maria, request"))
        message.fill("We have you on our schedule today.")
        page.locator("form[action$='/acknowledge/']").get_by_role(
            "button", name="Acknowledge"
        ).click()
        expect(page.get_by_role("status")).to_contain_text("Acknowledged request")
        self.oldest.refresh_from_db()
        self.assertEqual(self.oldest.status, Status.ACKNOWLEDGED)
