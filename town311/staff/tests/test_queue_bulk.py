from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from town311.servicerequests import services
from town311.servicerequests.models import Event, Resolution, ServiceRequest, Status
from town311.staff.tests.test_queue import QueueTestCase


class BulkActionTests(QueueTestCase):
    def post(self, requests, action, *, user=None, follow=False, **fields):
        self.client.force_login(user or self.roads_clerk)
        data = {"requests": [r.pk for r in requests], "action": action, **fields}
        return self.client.post(reverse("staff:bulk"), data, follow=follow)

    def messages(self, response) -> list[str]:
        return [str(message) for message in get_messages(response.wsgi_request)]

    def test_it_acknowledges_every_ticked_request(self):
        first, second = self.submit(), self.submit()
        mail.outbox.clear()

        with self.captureOnCommitCallbacks(execute=True):
            response = self.post(
                [first, second], "acknowledge", message="We have it on our list."
            )

        self.assertRedirects(
            response, reverse("staff:queue"), fetch_redirect_response=False
        )
        self.assertEqual(self.messages(response), ["Acknowledged 2 requests."])
        for request in (first, second):
            request.refresh_from_db()
            self.assertEqual(request.status, Status.ACKNOWLEDGED)
            event = request.events.get(kind=Event.Kind.ACKNOWLEDGED)
            self.assertEqual(event.text, "We have it on our list.")
            self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(len(mail.outbox), 2)
        self.assertIn("We have it on our list.", mail.outbox[0].body)

    def test_it_does_the_rest_when_some_are_refused(self):
        fresh = self.submit()
        already = self.submit()
        services.request_acknowledge(already, by=self.roads_lead)

        response = self.post([fresh, already], "acknowledge")

        fresh.refresh_from_db()
        self.assertEqual(fresh.status, Status.ACKNOWLEDGED)
        self.assertEqual(
            self.messages(response),
            [
                f"Acknowledged 1 request; 1 was skipped: Request {already.number} "
                "is already acknowledged; there is nothing to acknowledge."
            ],
        )

    def test_it_says_so_when_nothing_could_be_done(self):
        already = self.submit()
        services.request_acknowledge(already, by=self.roads_lead)

        response = self.post([already], "acknowledge")

        self.assertEqual(
            self.messages(response),
            [
                f"Nothing was done: Request {already.number} is already "
                "acknowledged; there is nothing to acknowledge."
            ],
        )

    def test_it_assigns_and_unassigns(self):
        first, second = self.submit(), self.submit()

        response = self.post(
            [first, second], f"assign:{self.roads_lead.pk}", message="ignored"
        )

        self.assertEqual(self.messages(response), ["Assigned 2 requests to Luis."])
        self.assertEqual(
            set(ServiceRequest.objects.values_list("assignee", flat=True)),
            {self.roads_lead.pk},
        )

        response = self.post([first], "assign:nobody")

        first.refresh_from_db()
        self.assertIsNone(first.assignee)
        self.assertEqual(self.messages(response)[-1], "Unassigned 1 request.")

    def test_it_refuses_an_assignee_from_outside_the_queues(self):
        request = self.submit()

        response = self.post([request], f"assign:{self.parks_clerk.pk}")

        request.refresh_from_db()
        self.assertIsNone(request.assignee)
        self.assertIn("Choose an action from the list", self.messages(response)[0])

    def test_it_reports_a_coordinators_assignment_to_the_wrong_department(self):
        pothole = self.submit()
        park = self.submit(self.park_upkeep)

        response = self.post(
            [pothole, park], f"assign:{self.roads_clerk.pk}", user=self.coordinator
        )

        park.refresh_from_db()
        self.assertIsNone(park.assignee)
        self.assertEqual(
            self.messages(response),
            [
                "Assigned 1 request to Rosa; 1 was skipped: Rosa does not work "
                "for Parks; assign someone from that department."
            ],
        )

    def test_it_closes_with_a_resolution(self):
        first, second = self.submit(), self.submit()

        response = self.post(
            [first, second], "close:fixed", message="Filled this morning."
        )

        self.assertEqual(self.messages(response), ["Closed 2 requests as “fixed”."])
        for request in (first, second):
            request.refresh_from_db()
            self.assertEqual(request.status, Status.CLOSED)
            self.assertEqual(request.resolution, Resolution.FIXED)
            event = request.events.get(kind=Event.Kind.CLOSED)
            self.assertEqual(event.text, "Filled this morning.")

    def test_it_offers_no_close_that_needs_its_own_action(self):
        request = self.submit()

        response = self.post([request], "close:duplicate")

        request.refresh_from_db()
        self.assertEqual(request.status, Status.SUBMITTED)
        self.assertIn("Choose an action from the list", self.messages(response)[0])

    def test_a_parks_clerk_cannot_touch_a_roads_request(self):
        park = self.submit(self.park_upkeep)
        pothole = self.submit()
        events = pothole.events.count()

        response = self.post([park, pothole], "close:fixed", user=self.parks_clerk)

        pothole.refresh_from_db()
        self.assertEqual(pothole.status, Status.SUBMITTED)
        self.assertEqual(pothole.version, 0)
        self.assertEqual(pothole.events.count(), events)
        park.refresh_from_db()
        self.assertEqual(park.status, Status.CLOSED)
        self.assertEqual(
            self.messages(response),
            [
                f"Closed 1 request as “fixed”; 1 was skipped: Request "
                f"{pothole.number} is in the Roads queue, which you do not work. "
                "Ask a coordinator to reassign it or to grant you access."
            ],
        )

    def test_it_reports_a_request_changed_since_the_queue_showed_it(self):
        request = self.submit()
        shown = request.version
        services.request_assign(request, by=self.roads_lead, assignee=self.roads_lead)

        response = self.post(
            [request], "acknowledge", **{f"version-{request.pk}": str(shown)}
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.SUBMITTED)
        self.assertEqual(
            self.messages(response),
            [
                f"Nothing was done: Someone else changed request {request.number} "
                "while you were looking at it. Check what they did before you act."
            ],
        )

    def test_it_acts_when_the_version_is_current(self):
        request = self.submit()

        self.post(
            [request], "acknowledge", **{f"version-{request.pk}": str(request.version)}
        )

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)

    def test_it_reports_a_request_that_does_not_exist(self):
        request = self.submit()
        self.client.force_login(self.roads_clerk)

        response = self.client.post(
            reverse("staff:bulk"),
            {"requests": [request.pk, 999999], "action": "acknowledge"},
        )

        self.assertEqual(
            self.messages(response),
            ["Acknowledged 1 request; 1 was skipped: Request 999999 does not exist."],
        )

    def test_it_asks_for_ticked_requests_and_an_action(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.post(reverse("staff:bulk"), {"action": ""})

        self.assertEqual(
            self.messages(response),
            [
                "Tick the requests to act on first. Choose what to do with the "
                "ticked requests."
            ],
        )

    def test_it_returns_to_the_filtered_queue(self):
        request = self.submit()
        back = f"{reverse('staff:queue')}?sort=newest&page=1"

        response = self.post([request], "acknowledge", next=back)

        self.assertRedirects(response, back, fetch_redirect_response=False)

    def test_it_never_returns_to_another_site(self):
        request = self.submit()

        response = self.post([request], "acknowledge", next="https://example.com/")

        self.assertRedirects(
            response, reverse("staff:queue"), fetch_redirect_response=False
        )

    def test_it_shows_the_outcome_on_the_queue(self):
        request = self.submit()

        response = self.post([request], "acknowledge", follow=True)

        self.assertContains(response, "Acknowledged 1 request.")
        self.assertContains(response, "<td>Acknowledged", html=False)

    def test_it_takes_posts_only_from_staff(self):
        request = self.submit()

        response = self.client.post(
            reverse("staff:bulk"), {"requests": [request.pk], "action": "acknowledge"}
        )

        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("staff:login")))
        request.refresh_from_db()
        self.assertEqual(request.status, Status.SUBMITTED)

    def test_it_refuses_a_get(self):
        self.client.force_login(self.roads_clerk)

        response = self.client.get(reverse("staff:bulk"))

        self.assertEqual(response.status_code, 405)
