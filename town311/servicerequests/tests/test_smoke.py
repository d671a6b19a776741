from town311.servicerequests import services
from town311.servicerequests.models import Event, Status
from town311.test import CENTRE, BaseTestCase


class SubmitAndAcknowledgeTests(BaseTestCase):
    def test_it_routes_and_acknowledges(self):
        request = services.request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1], description="Deep"
        )
        self.assertEqual(request.department, self.roads)

        services.request_acknowledge(request, by=self.roads_clerk)
        self.assertEqual(request.status, Status.ACKNOWLEDGED)
        self.assertEqual(
            list(request.events.values_list("kind", flat=True)),
            [Event.Kind.SUBMITTED, Event.Kind.ROUTED, Event.Kind.ACKNOWLEDGED],
        )
