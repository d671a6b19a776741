"""The staff request page and every action on it, as plain form posts and
through htmx."""

from datetime import UTC, datetime

import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from town311.directory.models import Agency, Blocker
from town311.servicerequests import services
from town311.servicerequests.models import (
    Event,
    Follower,
    MeToo,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.staff.models import ResponseTemplate
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

# A Monday, 04:00 in the town (Chicago).
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
NOTE = "Internal: the caller was rude, xyzzy-note"
HTMX = {"HTTP_HX_REQUEST": "true"}


class RequestPageTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        travel = time_machine.travel(NOW, tick=False)
        self.clock = travel.start()
        self.addCleanup(travel.stop)
        self.request = self.submit()
        self.client.force_login(self.roads_clerk)

    def submit(self, **fields) -> ServiceRequest:
        values = {
            "service": self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "description": "Deep hole by the school crossing",
            "address": "12 Main Street",
            "reporter_name": "Maria Lopez",
            "reporter_email": RESIDENT_EMAIL,
            "reporter_phone": "555-0100",
        }
        values.update(fields)
        return services.request_submit(**values)

    def page_url(self, request=None) -> str:
        return reverse("staff:request", args=[(request or self.request).pk])

    def act(self, action: str, data: dict | None = None, *, request=None, **extra):
        request = request or self.request
        request.refresh_from_db()
        data = {"version": request.version, **(data or {})}
        url = reverse(f"staff:{action}", args=[request.pk])
        return self.client.post(url, data, **extra)

    def messages_of(self, response) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]

    def assertDone(self, response, message: str) -> None:
        self.assertRedirects(response, self.page_url(), fetch_redirect_response=False)
        self.assertIn(message, " ".join(self.messages_of(response)))


class RequestPageTests(RequestPageTestCase):
    def test_it_shows_the_whole_timeline_and_the_reporter(self):
        services.request_add_note(self.request, by=self.roads_lead, text=NOTE)
        services.request_reply(self.request, by=self.roads_clerk, text="On our list.")
        Follower.objects.create(request=self.request, email="other@example.org")
        MeToo.objects.create(request=self.request, visitor="abc")

        response = self.client.get(self.page_url())

        self.assertContains(response, f"Request {self.request.number}")
        self.assertContains(response, NOTE)
        self.assertContains(response, "Internal — residents never see this")
        self.assertContains(response, "On our list.")
        self.assertContains(response, "Luis")
        self.assertContains(response, "Maria Lopez")
        self.assertContains(response, f"mailto:{RESIDENT_EMAIL}")
        self.assertContains(response, "555-0100")
        self.assertContains(response, "2 followers")
        self.assertContains(response, "1 “me too”")
        self.assertContains(response, f'name="version" value="{self.request.version}"')

    def test_every_form_carries_the_current_version(self):
        self.request.refresh_from_db()

        response = self.client.get(self.page_url())

        content = response.content.decode()
        forms = content.count('<form method="post" action="/staff/requests/')
        versions = content.count(f'name="version" value="{self.request.version}"')
        self.assertGreater(forms, 10)
        self.assertEqual(forms, versions)

    def test_it_lists_nearby_open_requests_of_the_same_service(self):
        nearby = self.submit(description="Another hole", lat=CENTRE[0] + 0.0005)
        far = self.submit(description="Far hole", lat=CENTRE[0] + 0.005)

        response = self.client.get(self.page_url())

        nearby_section = response.content.decode().split('id="nearby-heading"')[1]
        self.assertIn(f"Request {nearby.number}", nearby_section)
        self.assertNotIn(f"Request {far.number}", nearby_section)
        self.assertNotIn(f"Request {self.request.number}<", nearby_section)
        self.assertIn("Merge this one into it", nearby_section)

    def test_another_departments_clerk_is_refused_with_the_reason(self):
        self.client.force_login(self.parks_clerk)

        response = self.client.get(self.page_url())

        self.assertContains(response, "in the Roads queue", status_code=403)

    def test_a_coordinator_sees_any_request(self):
        self.client.force_login(self.coordinator)

        response = self.client.get(self.page_url())

        self.assertContains(response, "Maria Lopez")


class ActionTests(RequestPageTestCase):
    def test_acknowledge_with_a_message(self):
        response = self.act("acknowledge", {"message": "We have you on our list."})

        self.assertDone(response, "Acknowledged request")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        event = self.request.events.get(kind=Event.Kind.ACKNOWLEDGED)
        self.assertEqual(event.text, "We have you on our list.")
        self.assertEqual(event.actor, self.roads_clerk)

    def test_start_work(self):
        response = self.act("start", {"message": "Crew on the way."})

        self.assertDone(response, "is in progress")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.IN_PROGRESS)

    def test_public_reply(self):
        response = self.act("reply", {"text": "We will fill it on Friday."})

        self.assertDone(response, "Your reply was sent")
        event = self.request.events.get(kind=Event.Kind.REPLY)
        self.assertEqual(event.text, "We will fill it on Friday.")
        self.assertTrue(event.is_public)

    def test_an_empty_reply_is_refused_inline(self):
        response = self.act("reply", {"text": "  "})

        self.assertContains(
            response, "Write the reply before sending it.", status_code=400
        )
        self.assertFalse(self.request.events.filter(kind=Event.Kind.REPLY).exists())

    def test_internal_note(self):
        response = self.act("note", {"text": NOTE})

        self.assertDone(response, "Internal note saved")
        event = self.request.events.get(kind=Event.Kind.NOTE)
        self.assertFalse(event.is_public)

    def test_ask_for_information(self):
        response = self.act("ask", {"question": "Which side of the road?"})

        self.assertDone(response, "e-mailed to the reporter")
        self.assertTrue(
            self.request.events.filter(kind=Event.Kind.INFORMATION_REQUESTED).exists()
        )

    def test_assign_to_a_colleague_and_to_me(self):
        response = self.act("assign", {"assignee": self.roads_lead.pk})

        self.assertDone(response, "assigned to Luis")
        self.request.refresh_from_db()
        self.assertEqual(self.request.assignee, self.roads_lead)

        response = self.act("assign", {"assignee": self.roads_clerk.pk})

        self.assertDone(response, "assigned to you")
        self.request.refresh_from_db()
        self.assertEqual(self.request.assignee, self.roads_clerk)

    def test_assign_offers_only_the_departments_people(self):
        response = self.act("assign", {"assignee": self.parks_clerk.pk})

        self.assertContains(response, "Select a valid choice", status_code=400)
        self.request.refresh_from_db()
        self.assertIsNone(self.request.assignee)

    def test_reassign_with_a_reason(self):
        response = self.act(
            "reassign", {"department": self.parks.pk, "reason": "It is in the park."}
        )

        self.assertDone(response, "moved to Parks")
        self.request.refresh_from_db()
        self.assertEqual(self.request.department, self.parks)
        event = self.request.events.get(kind=Event.Kind.REASSIGNED)
        self.assertEqual(event.text, "It is in the park.")

    def test_reassign_needs_a_reason(self):
        response = self.act("reassign", {"department": self.parks.pk})

        self.assertContains(response, "Say why, for the resident.", status_code=400)
        self.request.refresh_from_db()
        self.assertEqual(self.request.department, self.roads)

    def test_refer_to_an_agency(self):
        county = Agency.objects.create(name="County Roads", phone="555-0111")

        response = self.act("refer", {"agency": county.pk, "message": "Their road."})

        self.assertDone(response, "referred to County Roads")
        self.request.refresh_from_db()
        self.assertEqual(self.request.resolution, Resolution.REFERRED)
        self.assertEqual(self.request.agency, county)

    def test_merge_into_the_original(self):
        original = self.submit(description="The first report")
        Follower.objects.create(request=self.request, email="other@example.org")

        response = self.act("merge", {"original": original.pk})

        self.assertDone(response, f"duplicate of request {original.number}")
        self.request.refresh_from_db()
        self.assertEqual(self.request.duplicate_of, original)
        self.assertEqual(self.request.resolution, Resolution.DUPLICATE)
        self.assertTrue(original.followers.filter(email="other@example.org").exists())

    def test_merge_into_an_unknown_number_is_refused(self):
        response = self.act("merge", {"original": 9999})

        self.assertContains(response, "There is no request 9999.", status_code=400)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

    def test_close_with_a_resolution(self):
        response = self.act("close", {"resolution": "fixed", "message": "Filled."})

        self.assertDone(response, "is closed: fixed")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)
        self.assertEqual(self.request.resolution, Resolution.FIXED)

    def test_close_offers_only_plain_resolutions(self):
        response = self.act("close", {"resolution": "duplicate"})

        self.assertContains(response, "Select a valid choice", status_code=400)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

    def test_reopen(self):
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")

        response = self.act("reopen", {"reason": "The patch washed out."})

        self.assertDone(response, "is open again")
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)

    def test_block_and_clear(self):
        scheduled = Blocker.objects.create(
            name="Scheduled", public_text="The work is on our schedule."
        )

        response = self.act("block", {"blocker": scheduled.pk})

        self.assertDone(response, "The work is on our schedule.")
        self.request.refresh_from_db()
        self.assertEqual(self.request.blocker, scheduled)
        self.assertEqual(self.request.blocked_at, NOW)
        note = self.request.events.get(kind=Event.Kind.NOTE)
        self.assertEqual(note.text, "Waiting: Scheduled")
        self.assertFalse(note.is_public)
        self.assertContains(
            self.client.get(self.page_url()), "The work is on our schedule."
        )

        response = self.act("block", {"blocker": ""})

        self.assertDone(response, "is no longer waiting")
        self.request.refresh_from_db()
        self.assertIsNone(self.request.blocker)
        self.assertIsNone(self.request.blocked_at)

    def test_actions_accept_only_posts(self):
        url = reverse("staff:acknowledge", args=[self.request.pk])

        self.assertEqual(self.client.get(url).status_code, 405)


class RefusalTests(RequestPageTestCase):
    def test_acting_on_a_closed_request_says_why_and_shows_it(self):
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")

        response = self.act("ask", {"question": "Still there?"})

        self.assertContains(response, "is closed; reopen it", status_code=409)
        # The page shows the request as it is now: closed, ready to reopen.
        self.assertContains(response, "Closed: fixed", status_code=409)
        self.assertContains(response, "<summary>Reopen</summary>", status_code=409)
        self.assertFalse(
            self.request.events.filter(kind=Event.Kind.INFORMATION_REQUESTED).exists()
        )

    def test_acting_on_an_old_version_changes_nothing(self):
        self.request.refresh_from_db()
        seen = self.request.version
        services.request_acknowledge(
            self.request, by=self.roads_lead, message="Lead got it."
        )
        before = list(self.request.events.values_list("pk", flat=True))

        response = self.client.post(
            reverse("staff:close", args=[self.request.pk]),
            {"version": seen, "resolution": "fixed", "message": "Done."},
        )

        self.assertContains(response, "Someone else changed request", status_code=409)
        # The page shows the new state: the lead's acknowledgment.
        self.assertContains(response, "Lead got it.", status_code=409)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        self.assertEqual(list(self.request.events.values_list("pk", flat=True)), before)

    def test_a_stale_block_changes_nothing(self):
        scheduled = Blocker.objects.create(name="Scheduled", public_text="Soon.")
        self.request.refresh_from_db()
        seen = self.request.version
        services.request_add_note(self.request, by=self.roads_lead, text="x")
        services.request_acknowledge(self.request, by=self.roads_lead)

        response = self.client.post(
            reverse("staff:block", args=[self.request.pk]),
            {"version": seen, "blocker": scheduled.pk},
        )

        self.assertEqual(response.status_code, 409)
        self.request.refresh_from_db()
        self.assertIsNone(self.request.blocker)

    def test_acknowledging_twice_says_it_is_already_done(self):
        services.request_acknowledge(self.request, by=self.roads_lead)

        response = self.act("acknowledge", {"message": ""})

        self.assertContains(response, "is already acknowledged", status_code=409)

    def test_another_departments_clerk_cannot_post(self):
        self.client.force_login(self.parks_clerk)

        response = self.act("close", {"resolution": "fixed"})

        self.assertEqual(response.status_code, 403)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)


class HtmxTests(RequestPageTestCase):
    def test_an_action_returns_the_updated_workspace(self):
        response = self.act("acknowledge", {"message": "Thanks!"}, **HTMX)

        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "staff/request_workspace.html")
        self.assertTemplateNotUsed(response, "staff/request.html")
        content = response.content.decode()
        self.assertTrue(content.lstrip().startswith('<div id="request-workspace"'))
        self.assertIn("Acknowledged request", content)
        self.assertIn("Thanks!", content)
        self.request.refresh_from_db()
        self.assertIn(f'name="version" value="{self.request.version}"', content)

    def test_a_refusal_returns_the_message_and_the_current_state(self):
        self.request.refresh_from_db()
        seen = self.request.version
        services.request_acknowledge(self.request, by=self.roads_lead)

        response = self.client.post(
            reverse("staff:reply", args=[self.request.pk]),
            {"version": seen, "text": "My draft reply"},
            **HTMX,
        )

        # htmx swaps only successful answers, so a refusal is a 200 too.
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Someone else changed request")
        self.assertContains(response, "My draft reply")
        self.request.refresh_from_db()
        self.assertContains(response, f'name="version" value="{self.request.version}"')
        self.assertFalse(self.request.events.filter(kind=Event.Kind.REPLY).exists())


class TemplateQuickPickTests(RequestPageTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.template = ResponseTemplate.objects.create(
            department=self.roads,
            title="On the schedule",
            body="Hi {first_name}, request {number} is with {department}; "
            "we start on {date}.",
        )
        ResponseTemplate.objects.create(
            department=self.roads, title="Old one", body="Gone", is_active=False
        )
        ResponseTemplate.objects.create(
            department=self.parks, title="Parks one", body="Trees"
        )

    def filled(self) -> str:
        return (
            f"Hi Maria, request {self.request.number} is with Roads; "
            "we start on Monday, May 4."
        )

    def test_the_page_offers_the_departments_active_templates_filled_in(self):
        response = self.client.get(self.page_url())

        self.assertContains(response, "On the schedule")
        self.assertNotContains(response, "Old one")
        self.assertNotContains(response, "Parks one")
        self.assertContains(response, f'data-body="{self.filled()}"')

    def test_use_template_without_javascript_fills_the_box(self):
        response = self.act(
            "reply", {"template": self.template.pk, "use_template": "1", "text": ""}
        )

        self.assertEqual(response.status_code, 200)
        form = response.context["forms"]["reply"]
        self.assertEqual(form["text"].value(), self.filled())
        self.assertFalse(self.request.events.filter(kind=Event.Kind.REPLY).exists())

    def test_the_filled_template_can_be_edited_and_sent(self):
        self.act("acknowledge", {"message": self.filled() + " Thank you!"})

        event = self.request.events.get(kind=Event.Kind.ACKNOWLEDGED)
        self.assertEqual(event.text, self.filled() + " Thank you!")


class FollowerEmailTests(RequestPageTestCase):
    def test_followers_read_the_public_replies_and_never_the_notes(self):
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            self.act("note", {"text": NOTE})
            self.act("reply", {"text": "Crew comes on Friday."})

        bodies = " ".join(m.body for m in mail.outbox)
        self.assertIn("Crew comes on Friday.", bodies)
        self.assertNotIn("xyzzy-note", bodies)
