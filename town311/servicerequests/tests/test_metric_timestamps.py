from datetime import timedelta

from town311.directory.models import Agency
from town311.lib.errors import ActionError, InvalidTransition
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, Status
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase


class AcknowledgedAtTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.make_request()
        self.clock.shift(3 * HOUR)

    def assertAcknowledged(self, at, department=None) -> None:
        self.request.refresh_from_db()
        self.assertEqual(self.request.acknowledged_at, at)
        self.assertEqual(self.request.acknowledged_department, department or self.roads)
        self.assertEqual(self.request.acknowledged_department_entered_at, SUBMITTED_AT)

    def test_it_is_empty_while_submitted(self):
        self.request.refresh_from_db()
        self.assertIsNone(self.request.acknowledged_at)
        self.assertIsNone(self.request.acknowledged_department)
        self.assertIsNone(self.request.acknowledged_department_entered_at)

    def test_it_is_set_by_an_explicit_acknowledgment(self):
        services.request_acknowledge(self.request, by=self.roads_clerk)

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)
        # Time to acknowledge, as the dashboard will compute it.
        self.assertEqual(
            self.request.acknowledged_at - self.request.submitted_at, 3 * HOUR
        )

    def test_it_is_set_by_the_first_public_reply(self):
        services.request_reply(self.request, by=self.roads_clerk, text="Thanks")

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)

    def test_it_is_set_by_starting_work(self):
        services.request_start_work(self.request, by=self.roads_clerk)

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)

    def test_it_is_set_by_closing(self):
        services.request_close(
            self.request, by=self.roads_clerk, resolution=Resolution.NO_ACTION
        )

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)
        self.assertEqual(self.request.closed_at, self.request.acknowledged_at)

    def test_it_is_set_by_referring(self):
        county = Agency.objects.create(name="County Highways")

        services.request_refer(self.request, by=self.roads_clerk, agency=county)

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)
        self.assertEqual(self.request.closed_at, self.request.acknowledged_at)

    def test_it_is_set_by_merging(self):
        original = self.make_request()

        services.request_merge(self.request, by=self.roads_clerk, original=original)

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)
        self.assertEqual(self.request.closed_at, self.request.acknowledged_at)

    def test_it_is_set_by_asking_for_information(self):
        # A question is a public message from staff, so it counts as a reply.
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which lane?"
        )

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)

    def test_it_is_not_set_by_an_internal_note(self):
        services.request_add_note(self.request, by=self.roads_clerk, text="Big one")

        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)
        self.assertIsNone(self.request.acknowledged_at)
        self.assertIsNone(self.request.acknowledged_department)

    def test_it_is_not_set_by_assigning(self):
        services.request_assign(
            self.request, by=self.roads_lead, assignee=self.roads_clerk
        )

        self.request.refresh_from_db()
        self.assertIsNone(self.request.acknowledged_at)

    def test_it_is_not_moved_by_later_triggers(self):
        services.request_reply(self.request, by=self.roads_clerk, text="Thanks")
        self.clock.shift(HOUR)
        services.request_ask_information(
            self.request, by=self.roads_clerk, question="Which lane?"
        )
        self.clock.shift(HOUR)
        services.request_start_work(self.request, by=self.roads_clerk)
        self.clock.shift(HOUR)
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(HOUR)
        services.request_reopen(self.request, by=None)
        self.clock.shift(HOUR)
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")

        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)

    def test_it_is_not_moved_by_a_late_explicit_acknowledgment(self):
        services.request_reply(self.request, by=self.roads_clerk, text="Thanks")
        self.clock.shift(HOUR)

        self.assertRefused(
            InvalidTransition,
            services.request_acknowledge,
            self.request,
            by=self.roads_clerk,
        )
        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR)

    def test_it_takes_the_moment_given(self):
        # The demo town and the importer replay actions at past moments.
        services.request_acknowledge(
            self.request, by=self.roads_clerk, at=SUBMITTED_AT + HOUR
        )

        self.assertAcknowledged(SUBMITTED_AT + HOUR)
        self.assertEqual(self.request.events.get().created_at, SUBMITTED_AT + HOUR)

    def test_it_refuses_a_moment_before_the_latest_event(self):
        services.request_add_note(
            self.request,
            by=self.roads_clerk,
            text="Crew booked",
            at=SUBMITTED_AT + 2 * HOUR,
        )

        refused = self.assertRefused(
            ActionError,
            services.request_acknowledge,
            self.request,
            by=self.roads_clerk,
            at=SUBMITTED_AT + HOUR,
        )
        self.assertIn("before its latest timeline event", refused.message)

    def test_it_credits_the_queue_when_a_coordinator_acknowledges(self):
        services.request_acknowledge(self.request, by=self.coordinator)

        # The department is the queue the request was in, not the actor's.
        self.assertAcknowledged(SUBMITTED_AT + 3 * HOUR, department=self.roads)


class ClosedAtTests(LifecycleTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.request = self.make_request()

    def test_it_is_the_close_time(self):
        self.clock.shift(2 * HOUR)
        services.request_acknowledge(self.request, by=self.roads_clerk)
        self.clock.shift(timedelta(days=2))

        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")

        self.request.refresh_from_db()
        self.assertEqual(self.request.acknowledged_at, SUBMITTED_AT + 2 * HOUR)
        self.assertEqual(
            self.request.closed_at, SUBMITTED_AT + 2 * HOUR + timedelta(days=2)
        )

    def test_it_is_empty_while_reopened(self):
        self.clock.shift(HOUR)
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(HOUR)

        services.request_reopen(self.request, by=None, reason="Still there")

        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.ACKNOWLEDGED)
        self.assertIsNone(self.request.closed_at)
        self.assertEqual(self.request.acknowledged_at, SUBMITTED_AT + HOUR)

    def test_it_is_the_latest_close_after_reopening(self):
        self.clock.shift(HOUR)
        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")
        self.clock.shift(timedelta(days=1))
        services.request_reopen(self.request, by=None, reason="Still there")
        self.clock.shift(timedelta(days=3))

        services.request_close(self.request, by=self.roads_clerk, resolution="fixed")

        self.request.refresh_from_db()
        latest = SUBMITTED_AT + HOUR + timedelta(days=4)
        self.assertEqual(self.request.closed_at, latest)
        self.assertEqual(self.request.updated_at, latest)
        # The first close acknowledged it; the second does not move that.
        self.assertEqual(self.request.acknowledged_at, SUBMITTED_AT + HOUR)
        closes = self.request.events.filter(kind="closed")
        self.assertEqual(
            list(closes.values_list("created_at", flat=True)),
            [SUBMITTED_AT + HOUR, latest],
        )
