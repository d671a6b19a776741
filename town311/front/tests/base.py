"""Shared set-up for the public site's tests: a frozen clock, and requests
made through the lifecycle as residents and staff would make them."""

from datetime import UTC, datetime, timedelta

import time_machine

from town311.directory.models import Neighbourhood
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase, square

# A Monday, 04:00 in the town (Chicago).
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

# Distinctive private details, so a test can tell they never leak.
PRIVATE_NAME = "Zebediah Quillfeather"
PRIVATE_EMAIL = "zeb.quillfeather@example.org"
PRIVATE_PHONE = "555-0199-7788"
PRIVATE_NOTE = "Internal: the caller sounded upset, xyzzy-note"
PRIVATE_ANSWER = "My gate code is 4242-plugh"
FOLLOWER_EMAIL = "watcher.wigglesworth@example.org"
PRIVATE_STRINGS = (
    PRIVATE_NAME,
    PRIVATE_EMAIL,
    PRIVATE_PHONE,
    PRIVATE_NOTE,
    PRIVATE_ANSWER,
    FOLLOWER_EMAIL,
)


class FrontTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        travel = time_machine.travel(NOW, tick=False)
        self.clock = travel.start()
        self.addCleanup(travel.stop)

        # The west half of town.
        self.riverside = Neighbourhood.objects.create(
            name="Riverside",
            slug="riverside",
            area=square(CENTRE[0], CENTRE[1] - 0.005, 0.005),
        )

    def submit(self, service=None, **fields) -> ServiceRequest:
        values = {
            "service": service or self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1] + 0.005,
            "description": "Deep hole by the school crossing",
            "address": "12 Main Street",
            "reporter_email": RESIDENT_EMAIL,
        }
        values.update(fields)
        if not values["service"].is_public:
            values.setdefault("by", self.roads_clerk)
        return services.request_submit(**values)

    def submit_private_details(self) -> ServiceRequest:
        """A request whose reporter, follower, note and answer hold private
        details the public site must never show."""
        request = self.submit(
            reporter_name=PRIVATE_NAME,
            reporter_email=PRIVATE_EMAIL,
            reporter_phone=PRIVATE_PHONE,
        )
        request.followers.create(email=FOLLOWER_EMAIL)
        services.request_add_note(request, by=self.roads_clerk, text=PRIVATE_NOTE)
        services.request_ask_information(
            request, by=self.roads_clerk, question="Which side of the road?"
        )
        services.request_record_answer(request, text=PRIVATE_ANSWER)
        return request

    def assertNoPrivateDetails(self, response) -> None:
        content = response.content.decode()
        for private in PRIVATE_STRINGS:
            self.assertNotIn(private, content)

        # Staff names stay off the public site too.
        for staff in ("Rosa", "roads-clerk"):
            self.assertNotIn(staff, content)
