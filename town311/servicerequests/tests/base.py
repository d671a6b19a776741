"""Shared set-up for the lifecycle tests: a frozen clock and requests in
any status, written straight to the database as the lifecycle leaves them.
"""

from datetime import UTC, datetime, timedelta

import time_machine

from town311.lib.errors import ActionError
from town311.servicerequests.models import (
    Resolution,
    ServiceRequest,
    Status,
)
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

# Where every test's clock starts: a Monday, 04:00 in the town (Chicago).
SUBMITTED_AT = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


class LifecycleTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Every test starts at SUBMITTED_AT with the clock stopped, so stored
        # times can be compared exactly; tests move it with self.clock.shift.
        travel = time_machine.travel(SUBMITTED_AT, tick=False)
        self.clock = travel.start()
        self.addCleanup(travel.stop)

    def make_request(self, status: str = Status.SUBMITTED, **fields) -> ServiceRequest:
        """A Roads pothole request submitted now by the resident, already in
        `status` with the timestamps the lifecycle would have written."""
        now = datetime.now(UTC)
        values = {
            "service": self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "description": "Deep hole by the school crossing",
            "reporter_email": RESIDENT_EMAIL,
            "status": status,
            "department": self.roads,
            "department_entered_at": now,
            "submitted_at": now,
            "updated_at": now,
        }
        if status != Status.SUBMITTED:
            values["acknowledged_at"] = now
            values["acknowledged_department"] = self.roads
            values["acknowledged_department_entered_at"] = now
        if status == Status.CLOSED:
            values["resolution"] = Resolution.FIXED
            values["closed_at"] = now

        values.update(fields)
        return ServiceRequest.objects.create(**values)

    def stored(self, request: ServiceRequest) -> dict:
        """Everything the database holds about the request and its timeline."""
        return {
            "request": ServiceRequest.objects.filter(pk=request.pk).values().get(),
            "events": list(request.events.values()),
            "followers": list(request.followers.order_by("pk").values()),
        }

    def assertRefused(
        self, error: type[ActionError], action, request: ServiceRequest, **kwargs
    ) -> ActionError:
        """Run the action, expect `error`, and check that nothing changed."""
        before = self.stored(request)
        with self.assertRaises(error) as refused:
            action(request, **kwargs)

        self.assertEqual(self.stored(request), before)
        self.assertSentence(refused.exception.message)
        return refused.exception

    def assertSentence(self, message: str) -> None:
        # What views show and the API returns as it is: a sentence that
        # starts with a capital (or a quoted name) and ends with a full stop.
        self.assertRegex(message, r"^[A-Z“].{10,}\.$")
