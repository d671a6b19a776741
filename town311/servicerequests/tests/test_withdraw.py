from town311.lib.errors import InvalidTransition, NotAllowed
from town311.notifications.models import Message
from town311.servicerequests import services
from town311.servicerequests.models import (
    Event,
    Follower,
    Resolution,
    Status,
)
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase
from town311.test import RESIDENT_EMAIL


class WithdrawTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.make_request()
        Follower.objects.create(
            request=self.request, email=RESIDENT_EMAIL, is_reporter=True
        )
        Follower.objects.create(request=self.request, email="neighbour@example.org")

    def test_it_closes_without_acknowledging(self):
        self.clock.shift(HOUR)

        services.request_withdraw(self.request, email="Resident@Example.org ")

        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)
        self.assertEqual(self.request.resolution, Resolution.WITHDRAWN)
        self.assertEqual(self.request.closed_at, SUBMITTED_AT + HOUR)
        self.assertEqual(self.request.updated_at, SUBMITTED_AT + HOUR)
        # Nobody from the town responded, so no department is credited
        # with an acknowledgment.
        self.assertIsNone(self.request.acknowledged_at)
        self.assertIsNone(self.request.acknowledged_department)

    def test_staff_reopening_it_is_its_acknowledgment(self):
        services.request_withdraw(self.request, email=RESIDENT_EMAIL)
        self.clock.shift(HOUR)

        services.request_reopen(self.request, by=self.roads_clerk, reason="Still there")

        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        self.assertEqual(self.request.acknowledged_at, SUBMITTED_AT + HOUR)
        self.assertEqual(self.request.acknowledged_department, self.roads)

    def test_it_writes_a_public_event(self):
        services.request_withdraw(self.request, email=RESIDENT_EMAIL)

        event = self.request.events.get()
        self.assertEqual(event.kind, Event.Kind.CLOSED)
        self.assertTrue(event.is_public)
        self.assertIsNone(event.actor)
        self.assertEqual(event.text, "Withdrawn by the resident.")
        self.assertEqual(event.resolution, Resolution.WITHDRAWN)
        self.assertEqual(
            (event.from_status, event.to_status), (Status.SUBMITTED, Status.CLOSED)
        )

    def test_it_tells_the_followers(self):
        services.request_withdraw(self.request, email=RESIDENT_EMAIL)

        messages = {m.to: m for m in Message.objects.filter(kind="withdrawn")}
        self.assertEqual(set(messages), {RESIDENT_EMAIL, "neighbour@example.org"})
        self.assertIn("You withdrew request", messages[RESIDENT_EMAIL].body_text)
        self.assertIn(
            "The resident who reported request",
            messages["neighbour@example.org"].body_text,
        )
        for message in messages.values():
            self.assertIn("http://127.0.0.1:8000/report/", message.body_text)
            self.assertNotIn("/rate/", message.body_text)

    def test_only_the_reporter_can_withdraw(self):
        error = self.assertRefused(
            NotAllowed,
            services.request_withdraw,
            self.request,
            email="neighbour@example.org",
        )
        self.assertIn("Only the person who reported", error.message)

    def test_a_request_without_a_reporter_address_cannot_be_withdrawn(self):
        request = self.make_request(reporter_email="")

        self.assertRefused(NotAllowed, services.request_withdraw, request, email="")

    def test_an_acknowledged_request_cannot_be_withdrawn(self):
        services.request_acknowledge(self.request, by=self.roads_clerk)
        Message.objects.all().delete()

        error = self.assertRefused(
            InvalidTransition,
            services.request_withdraw,
            self.request,
            email=RESIDENT_EMAIL,
        )
        self.assertIn("already acknowledged", error.message)
        self.assertFalse(Message.objects.exists())

    def test_a_closed_request_cannot_be_withdrawn_again(self):
        services.request_withdraw(self.request, email=RESIDENT_EMAIL)

        error = self.assertRefused(
            InvalidTransition,
            services.request_withdraw,
            self.request,
            email=RESIDENT_EMAIL,
        )
        self.assertIn("already closed", error.message)
