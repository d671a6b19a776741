from datetime import timedelta

from town311.lib.errors import NotAllowed
from town311.servicerequests import services
from town311.servicerequests.models import Event, Status
from town311.servicerequests.tests.base import HOUR, SUBMITTED_AT, LifecycleTestCase
from town311.test import CENTRE


class QueueEntryTests(LifecycleTestCase):
    def test_it_starts_the_clock_at_submission(self):
        request = services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1]
        )

        request.refresh_from_db()
        self.assertEqual(request.department, self.roads)
        self.assertEqual(request.department_entered_at, SUBMITTED_AT)
        self.assertEqual(request.department_entered_at, request.submitted_at)
        routed = request.events.get(kind=Event.Kind.ROUTED)
        self.assertEqual(routed.to_department, self.roads)
        self.assertIsNone(routed.from_department)

    def test_it_restarts_the_clock_on_reassignment(self):
        request = self.make_request()
        self.clock.shift(2 * HOUR)

        services.request_reassign(
            request,
            by=self.roads_clerk,
            department=self.parks,
            reason=" It is inside the park. ",
        )

        request.refresh_from_db()
        self.assertEqual(request.department, self.parks)
        self.assertEqual(request.department_entered_at, SUBMITTED_AT + 2 * HOUR)
        self.assertEqual(request.submitted_at, SUBMITTED_AT)
        self.assertEqual(request.updated_at, SUBMITTED_AT + 2 * HOUR)
        self.assertEqual(request.status, Status.SUBMITTED)

        event = request.events.get()
        self.assertEqual(event.kind, Event.Kind.REASSIGNED)
        self.assertEqual(event.actor, self.roads_clerk)
        self.assertEqual(event.from_department, self.roads)
        self.assertEqual(event.to_department, self.parks)
        self.assertEqual(event.text, "It is inside the park.")
        self.assertEqual(event.from_status, "")
        self.assertEqual(event.to_status, "")
        self.assertTrue(event.is_public)

    def test_it_restarts_the_clock_on_each_reassignment(self):
        request = self.make_request()
        self.clock.shift(2 * HOUR)
        services.request_reassign(request, by=self.roads_clerk, department=self.parks)
        self.clock.shift(timedelta(days=1))

        services.request_reassign(request, by=self.parks_clerk, department=self.roads)

        request.refresh_from_db()
        self.assertEqual(request.department, self.roads)
        self.assertEqual(
            request.department_entered_at, SUBMITTED_AT + 2 * HOUR + timedelta(days=1)
        )
        moves = request.events.filter(kind=Event.Kind.REASSIGNED)
        self.assertEqual(
            list(moves.values_list("from_department", "to_department", "actor")),
            [
                (self.roads.pk, self.parks.pk, self.roads_clerk.pk),
                (self.parks.pk, self.roads.pk, self.parks_clerk.pk),
            ],
        )

    def test_it_keeps_crediting_the_first_department_for_its_acknowledgment(self):
        request = self.make_request()
        self.clock.shift(HOUR)
        services.request_acknowledge(request, by=self.roads_clerk)
        self.clock.shift(HOUR)

        services.request_reassign(request, by=self.roads_clerk, department=self.parks)
        self.clock.shift(HOUR)
        services.request_reply(request, by=self.parks_clerk, text="Ours now")

        request.refresh_from_db()
        self.assertEqual(request.department, self.parks)
        self.assertEqual(request.acknowledged_at, SUBMITTED_AT + HOUR)
        self.assertEqual(request.acknowledged_department, self.roads)
        self.assertEqual(request.acknowledged_department_entered_at, SUBMITTED_AT)

    def test_it_credits_the_second_department_from_the_reassignment(self):
        request = self.make_request()
        self.clock.shift(timedelta(days=1))
        services.request_reassign(request, by=self.roads_clerk, department=self.parks)
        self.clock.shift(2 * HOUR)

        services.request_acknowledge(request, by=self.parks_clerk)

        request.refresh_from_db()
        self.assertEqual(request.acknowledged_department, self.parks)
        entered = SUBMITTED_AT + timedelta(days=1)
        self.assertEqual(request.acknowledged_department_entered_at, entered)
        self.assertEqual(request.acknowledged_at, entered + 2 * HOUR)
        # Parks is charged two hours; the town as a whole a day more.
        self.assertEqual(
            request.acknowledged_at - request.acknowledged_department_entered_at,
            2 * HOUR,
        )
        self.assertEqual(
            request.acknowledged_at - request.submitted_at,
            timedelta(days=1, hours=2),
        )

    def test_it_returns_a_request_in_progress_to_acknowledged(self):
        request = self.make_request(Status.IN_PROGRESS)
        self.clock.shift(HOUR)

        services.request_reassign(request, by=self.roads_clerk, department=self.parks)

        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertEqual(request.acknowledged_at, SUBMITTED_AT)
        event = request.events.get()
        self.assertEqual(event.from_status, Status.IN_PROGRESS)
        self.assertEqual(event.to_status, Status.ACKNOWLEDGED)

    def test_it_clears_the_assignee(self):
        request = self.make_request(Status.ACKNOWLEDGED, assignee=self.roads_clerk)

        services.request_reassign(request, by=self.roads_lead, department=self.parks)

        request.refresh_from_db()
        self.assertIsNone(request.assignee)

    def test_it_hands_the_request_to_the_new_department(self):
        request = self.make_request()
        services.request_reassign(request, by=self.coordinator, department=self.parks)

        self.assertRefused(
            NotAllowed, services.request_acknowledge, request, by=self.roads_clerk
        )

        services.request_acknowledge(request, by=self.parks_clerk)
        request.refresh_from_db()
        self.assertEqual(request.status, Status.ACKNOWLEDGED)

    def test_it_keeps_the_clock_through_a_reopen(self):
        request = self.make_request()
        self.clock.shift(HOUR)
        services.request_reassign(request, by=self.roads_clerk, department=self.parks)
        self.clock.shift(HOUR)
        services.request_close(request, by=self.parks_clerk, resolution="fixed")
        self.clock.shift(timedelta(days=3))

        services.request_reopen(request, by=None)

        request.refresh_from_db()
        self.assertEqual(request.department, self.parks)
        self.assertEqual(request.department_entered_at, SUBMITTED_AT + HOUR)
