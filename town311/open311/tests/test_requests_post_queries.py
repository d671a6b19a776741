import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from town311.directory.models import RoutingArea, ServiceAttribute
from town311.open311.models import RequestToken
from town311.open311.services import posted_request_file
from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import ServiceRequest
from town311.test import CENTRE, square

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# What answering a post reads and writes today: the directory's version
# (the town, the service and its questions come from this process's copy),
# the key and its rate window, and the token; at most once a second the
# filing task too. A higher count is a regression to look at, not a limit
# to raise.
MOST_QUERIES_TO_ANSWER = 4

# What filing it reads and writes in the task: the token and the service,
# the checks again with the working calendar, then the request with its
# events, follower, confirmation e-mail and alerts, the token again, and the
# e-mail's delivery task.
MOST_QUERIES_TO_FILE = 22


@time_machine.travel(NOW, tick=False)
@override_settings(TASKS=DATABASE_TASKS)
class RequestsPostQueriesTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        RoutingArea.objects.create(
            name="Downtown", area=square(*CENTRE, 0.005), department=self.parks
        )
        # The first post of a process loads the geography; later ones read
        # only its version.
        self.post(description="Warming up")

    def test_a_post_is_answered_within_its_queries_and_filed_by_a_task(self):
        with CaptureQueriesContext(connection) as queries:
            response = self.post(email="ann@example.org")

        self.assertEqual(response.status_code, 201, response.content)
        answer = response.json()[0]
        self.assertNotIn("service_request_id", answer)
        self.assertLessEqual(len(queries), MOST_QUERIES_TO_ANSWER)
        # Routing areas, neighbourhoods and agencies come from the cache,
        # and the service brings its department along.
        sql = " ".join(q["sql"] for q in queries)
        for table in (
            "routingarea",
            "neighbourhood",
            "agency",
            "department",
            "town",
            "service",
            "serviceattribute",
        ):
            self.assertNotIn(f'FROM "directory_{table}"', sql)

        token = RequestToken.objects.get(token=answer["token"])
        self.assertIsNone(token.request)
        self.assertEqual(token.submission["reporter_email"], "ann@example.org")
        # One filing task, queued by the first post, files both: it is due
        # after this token was stored.
        [task] = DBTaskResult.objects.filter(status="READY")
        self.assertTrue(task.task_path.endswith("file_posted_requests"))
        self.assertGreater(task.run_after, token.created_at)
        self.assertFalse(
            ServiceRequest.objects.filter(reporter_email="ann@example.org").exists()
        )

        with (
            CaptureQueriesContext(connection) as queries,
            self.captureOnCommitCallbacks(execute=True),
        ):
            request_id = posted_request_file(token.pk)

        self.assertLessEqual(len(queries), MOST_QUERIES_TO_FILE)
        service_request = ServiceRequest.objects.get(pk=request_id)
        self.assertEqual(service_request.department, self.parks)
        self.assertEqual(service_request.reporter_email, "ann@example.org")
        token.refresh_from_db()
        self.assertEqual(token.request, service_request)
        self.assertEqual(token.submission, {})

    def test_an_edited_routing_area_routes_the_next_post(self) -> None:
        area = RoutingArea.objects.get()
        area.area = square(CENTRE[0] + 0.008, CENTRE[1] + 0.008, 0.001)
        area.save()

        response = self.post(description="After the edit")

        self.assertEqual(response.status_code, 201, response.content)
        token = RequestToken.objects.get(token=response.json()[0]["token"])
        service_request = ServiceRequest.objects.get(pk=posted_request_file(token.pk))
        self.assertEqual(service_request.department, self.roads)

    def test_a_question_added_to_the_service_is_asked_on_the_next_post(self):
        ServiceAttribute.objects.create(
            service=self.pothole,
            code="size",
            description="How wide is it?",
            datatype=ServiceAttribute.Datatype.STRING,
            required=True,
            order=4,
        )

        response = self.post(description="After the new question")

        self.assertErrors(response, 400, "attribute[size]", "How wide is it?")

    def test_a_service_made_staff_only_is_refused_on_the_next_post(self):
        self.pothole.is_public = False
        self.pothole.save()

        response = self.post(description="After the change")

        self.assertErrors(response, 400, "service_code “pothole” is not a service")
