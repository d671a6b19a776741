"""Shared set-up for the open data tests: requests at known moments, one of
each kind the files must leave out."""

from town311.front.tests.base import DAY, HOUR, FrontTestCase
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, ServiceRequest
from town311.test import CENTRE

# Submitted at NOW, 2026-05-04 09:00 UTC: 04:00 in Chicago, on summer time.
SUBMITTED = "2026-05-04T04:00:00-05:00"
PRIVATE_DESCRIPTION = "Behind the house of Mrs Gwendolyn Featherstonehaugh"


class OpenDataTestCase(FrontTestCase):
    def setUp(self) -> None:
        super().setUp()

        # Open, in Riverside (the west half of town), with private details.
        self.open_request = self.submit_private_details()
        ServiceRequest.objects.filter(pk=self.open_request.pk).update(
            description=PRIVATE_DESCRIPTION
        )
        self.open_request.refresh_from_db()

        # Acknowledged after two hours, closed a day later, in Parks.
        self.closed_request = self.submit(
            self.park_upkeep,
            lat=CENTRE[0],
            long=CENTRE[1] - 0.005,
            address="Mill Park",
        )
        self.clock.shift(2 * HOUR)
        services.request_acknowledge(self.closed_request, by=self.parks_clerk)
        self.clock.shift(DAY)
        services.request_close(
            self.closed_request, by=self.parks_clerk, resolution=Resolution.FIXED
        )
        self.closed_request.refresh_from_db()

        # What open data must never show.
        self.staff_only = self.submit(self.work_order, address="Depot yard")
        self.hidden = self.submit(address="7 Hidden Lane")
        ServiceRequest.objects.filter(pk=self.hidden.pk).update(is_public=False)
