import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from town311.directory.models import RoutingArea
from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, square

# What a POST with a reporter's e-mail reads and writes today: the key and
# its rate window, the service and its questions, the geography version,
# the working calendar, the request with its events, follower, token and
# confirmation e-mail, the delivery task, and (inside a test's transaction)
# two savepoints. A higher count is a regression to look at, not a limit
# to raise.
MOST_QUERIES = 28


@time_machine.travel(NOW, tick=False)
class RequestsPostQueriesTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        RoutingArea.objects.create(
            name="Downtown", area=square(*CENTRE, 0.005), department=self.parks
        )
        # The first post of a process loads the geography; later ones read
        # only its version.
        self.post(description="Warming up")

    def test_a_post_stays_within_its_queries(self) -> None:
        with (
            CaptureQueriesContext(connection) as queries,
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.post(email="ann@example.org")

        self.assertEqual(response.status_code, 201, response.content)
        self.assertLessEqual(len(queries), MOST_QUERIES)
        service_request = ServiceRequest.objects.latest("pk")
        self.assertEqual(service_request.department, self.parks)
        self.assertEqual(service_request.reporter_email, "ann@example.org")

        # Routing areas, neighbourhoods and agencies come from the cache,
        # and the service brings its department along.
        sql = " ".join(q["sql"] for q in queries)
        for table in ("routingarea", "neighbourhood", "agency", "department"):
            self.assertNotIn(f'FROM "directory_{table}"', sql)

    def test_an_edited_routing_area_routes_the_next_post(self) -> None:
        area = RoutingArea.objects.get()
        area.area = square(CENTRE[0] + 0.008, CENTRE[1] + 0.008, 0.001)
        area.save()

        response = self.post(description="After the edit")

        self.assertEqual(response.status_code, 201, response.content)
        service_request = ServiceRequest.objects.latest("pk")
        self.assertEqual(service_request.department, self.roads)
