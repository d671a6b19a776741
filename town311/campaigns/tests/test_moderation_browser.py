"""A staff member works a campaign's moderation queue in the browser:
approves one submission, merges another into the published point it
duplicates, and rejects two at once with one reason."""

import mimetypes
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from town311.browser import DESKTOP, BrowserTestCase
from town311.campaigns import services
from town311.campaigns.models import Campaign, Datatype, Submission
from town311.campaigns.setup import campaign_save
from town311.campaigns.tests.base import CONTRIBUTOR_EMAIL, EAST, jpeg, moved, upload
from town311.notifications.models import Message
from town311.test import square

Status = Submission.Status


class ModerationBrowserTests(BrowserTestCase):
    def setUp(self) -> None:
        super().setUp()
        today = timezone.localdate(timezone=self.town.zone)
        self.campaign = campaign_save(
            campaign=None,
            data={
                "slug": "bike-racks",
                "title": "Every bike rack in Testville",
                "description": "Send a photo of each bike rack you pass.",
                "area_name": "East Testville",
                "area": square(*EAST, 0.005),
                "starts_on": today - timedelta(days=7),
                "ends_on": today + timedelta(days=21),
                "publication": Campaign.Publication.MODERATED,
            },
            questions=[
                {
                    "code": "bikes",
                    "description": "How many bikes fit?",
                    "datatype": Datatype.NUMBER,
                    "required": True,
                },
                {
                    "code": "type",
                    "description": "Type of rack",
                    "datatype": Datatype.SINGLEVALUELIST,
                    "values": [("inverted-u", "Inverted U"), ("wave", "Wave")],
                },
            ],
            by=self.coordinator,
        )

        now = timezone.now()
        self.point = services.submission_approve(
            self.send(EAST, "grey", now - timedelta(hours=5)), by=self.coordinator
        )
        self.clear = self.send(
            moved(*EAST, east_m=150), "green", now - timedelta(hours=4), bikes=8
        )
        self.duplicate = self.send(
            moved(*EAST, north_m=6), "olive", now - timedelta(hours=3)
        )
        self.blurry = self.send(
            moved(*EAST, north_m=-150), "black", now - timedelta(hours=2)
        )
        self.thumb = self.send(
            moved(*EAST, north_m=-300), "pink", now - timedelta(hours=1)
        )

    def send(self, place, colour: str, at, *, bikes: int = 4) -> Submission:
        return services.submission_submit(
            campaign=self.campaign,
            lat=place[0],
            long=place[1],
            answers={"bikes": str(bikes), "type": "wave"},
            photo=upload(jpeg(colour)),
            contributor_email=CONTRIBUTOR_EMAIL,
            different_point=True,
            at=at,
        )

    def serve_media(self, route) -> None:
        """Photos from the test's media folder: the live server, like
        production behind a web server, does not serve them itself."""
        name = urlparse(route.request.url).path.removeprefix("/" + settings.MEDIA_URL)
        path = Path(settings.MEDIA_ROOT) / name
        if not path.is_file():
            route.fulfill(status=404, body="")
            return

        content_type = mimetypes.guess_type(path.name)[0] or "image/jpeg"
        route.fulfill(status=200, body=path.read_bytes(), content_type=content_type)

    def card(self, page, submission: Submission):
        return page.locator(f"#submission-{submission.pk}")

    def status(self, submission: Submission) -> str:
        submission.refresh_from_db()
        return submission.status

    def test_a_moderator_approves_merges_and_rejects_in_bulk(self) -> None:
        page = self.new_page(viewport=DESKTOP)
        page.route(f"**/{settings.MEDIA_URL}**", self.serve_media)
        queue_url = reverse("staff-campaigns:moderation", args=["bike-racks"])
        self.staff_sign_in(page, self.roads_clerk, next=queue_url)

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Moderate “Every bike rack in Testville”"
        )
        cards = page.locator(".campaign-card")
        expect(cards).to_have_count(4)
        expect(cards.first).to_have_id(f"submission-{self.clear.pk}")
        duplicate = self.card(page, self.duplicate)
        expect(duplicate.locator(".campaign-nearby")).to_contain_text(
            f"Point {self.point.pk}, 6 m away"
        )
        for index in range(4):
            card = cards.nth(index)
            card.scroll_into_view_if_needed()
            expect(card.locator(".campaign-card-map.leaflet-container")).to_be_visible()
            image = card.locator(".campaign-card-photo img")
            page.wait_for_function(
                "image => image.complete && image.naturalWidth > 0",
                arg=image.element_handle(),
            )
        page.evaluate("window.scrollTo(0, 0)")
        self.screenshot(page, "campaign-moderation-queue")
        self.assertAccessible(page)

        # Approve the first: published, and the contributor thanked.
        clear = self.card(page, self.clear)
        clear.get_by_role("button", name=f"Approve submission {self.clear.pk}").click()
        expect(page.locator(".messages")).to_contain_text(
            f"Submission {self.clear.pk} is approved and published. The "
            "contributor is thanked by e-mail."
        )
        expect(cards).to_have_count(3)
        self.assertEqual(self.status(self.clear), Status.PUBLISHED)
        self.assertEqual(self.clear.moderated_by, self.roads_clerk)
        self.assertEqual(
            Message.objects.filter(
                to=CONTRIBUTOR_EMAIL, kind="campaign-thanks"
            ).count(),
            2,
        )

        # Merge the duplicate into the published point it sits next to.
        merge = duplicate.locator("details").filter(
            has_text="Merge into a nearby point"
        )
        expect(merge.get_by_label(f"Point {self.point.pk}, 6 m away")).to_be_checked()
        merge.get_by_role(
            "button", name=f"Merge submission {self.duplicate.pk}"
        ).click()
        expect(page.locator(".messages")).to_contain_text(
            f"Submission {self.duplicate.pk} is merged into point {self.point.pk}"
        )
        expect(cards).to_have_count(2)
        self.assertEqual(self.status(self.duplicate), Status.MERGED)
        self.assertEqual(self.duplicate.merged_into, self.point)
        self.point.refresh_from_db()
        self.assertEqual(self.point.confirmations, 1)
        self.assertEqual(self.point.status, Status.PUBLISHED)

        # Reject the last two at once; without a reason nothing happens.
        page.get_by_label(f"Select submission {self.blurry.pk}").check()
        page.get_by_label(f"Select submission {self.thumb.pk}").check()
        page.get_by_label("With the ticked submissions").select_option("reject")
        page.get_by_role("button", name="Apply to the ticked submissions").click()
        expect(page.locator(".messages")).to_contain_text(
            "Nothing was done: Give a reason for rejecting."
        )
        self.assertEqual(self.status(self.blurry), Status.PENDING)
        self.assertEqual(self.status(self.thumb), Status.PENDING)
        # The ticks and the action are kept, so only the reason is missing.
        expect(page.get_by_label(f"Select submission {self.blurry.pk}")).to_be_checked()
        expect(page.get_by_label("With the ticked submissions")).to_have_value("reject")
        self.assertAccessible(page)

        bulk = page.locator(".campaign-bulk-actions")
        bulk.get_by_label("Reason for rejecting").fill(
            "The photo does not show a bike rack"
        )
        page.get_by_role("button", name="Apply to the ticked submissions").click()
        expect(page.locator(".messages")).to_contain_text("2 submissions rejected.")
        expect(page.get_by_text("Nothing is waiting")).to_be_visible()
        for submission in (self.blurry, self.thumb):
            self.assertEqual(self.status(submission), Status.REJECTED)
            self.assertEqual(
                submission.reject_reason, "The photo does not show a bike rack"
            )
        self.assertEqual(
            Message.objects.filter(
                to=CONTRIBUTOR_EMAIL, kind="campaign-thanks"
            ).count(),
            3,
        )
