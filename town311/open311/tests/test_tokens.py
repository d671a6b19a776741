from datetime import timedelta
from unittest import mock

import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from town311.notifications.models import Message
from town311.open311.models import RequestToken
from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import Channel, Event, ServiceRequest


@time_machine.travel(NOW, tick=False)
class TokensTestCase(Open311TestCase):
    def test_it_finds_the_request_posted_with_the_token(self) -> None:
        [answer] = self.post().json()
        token = answer["token"]

        data = self.get_json(f"/open311/v2/tokens/{token}.json")
        root = self.get_xml(f"/open311/v2/tokens/{token}.xml")

        number = str(ServiceRequest.objects.get().pk)
        self.assertEqual(data, [{"service_request_id": number, "token": token}])
        self.assertEqual(root.tag, "service_requests")
        [item] = root
        self.assertEqual(item.tag, "request")
        self.assertEqual(item.findtext("service_request_id"), number)
        self.assertEqual(item.findtext("token"), token)

    def test_an_unknown_token_is_404(self) -> None:
        errors = self.get_json("/open311/v2/tokens/nothing.json", status=404)
        root = self.get_xml("/open311/v2/tokens/nothing.xml", status=404)

        self.assertEqual(
            errors,
            [{"code": 404, "description": "There is no request with token “nothing”."}],
        )
        self.assertEqual(root.find("error").findtext("code"), "404")


@time_machine.travel(NOW, tick=False)
class RoundTripTestCase(Open311TestCase):
    def test_a_posted_request_reads_back_by_id_token_and_list(self) -> None:
        [answer] = self.post(
            email="ann@example.org",
            first_name="Ann",
            phone="555-0100",
            media_url="https://img.example.org/hole.jpg",
            **{"attribute[hazards][]": ["glass"]},
        ).json()
        number = answer["service_request_id"]

        [by_id] = self.get_json(
            f"/open311/v2/requests/{number}.json", {"extensions": "true"}
        )
        [by_token] = self.get_json(f"/open311/v2/tokens/{answer['token']}.json")
        listed = self.get_json(
            "/open311/v2/requests.json", {"service_code": "pothole", "status": "open"}
        )

        self.assertEqual(by_token["service_request_id"], number)
        self.assertEqual([r["service_request_id"] for r in listed], [number])
        self.assertEqual(by_id["description"], "Deep hole in the left lane")
        self.assertEqual(by_id["status"], "open")
        self.assertEqual(by_id["agency_responsible"], "Roads")
        self.assertEqual((by_id["lat"], by_id["long"]), (40.001, -90.002))
        self.assertEqual(by_id["media_url"], "https://img.example.org/hole.jpg")
        self.assertEqual(by_id["requested_datetime"], "2026-03-10T09:30:00-05:00")
        extended = by_id["extended_attributes"]
        self.assertEqual(extended["channel"], "api")
        self.assertEqual(
            extended["attributes"],
            [
                {"code": "lane", "value": "left"},
                {"code": "hazards", "value": ["glass"]},
            ],
        )
        body = str(by_id) + str(listed)
        for private in ("ann@example.org", "Ann", "555-0100"):
            self.assertNotIn(private, body)


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(TASKS=DATABASE_TASKS)
class QueuedPostTestCase(Open311TestCase):
    """With a real queue a post is answered with its token at once and
    filed by the worker a moment later."""

    def run_worker(self) -> None:
        # The worker closes connections it finds inside a transaction, as
        # a test's is; the test's own must stay open.
        keep_connection = mock.patch(
            "django_tasks_db.management.commands.db_worker.close_old_connections"
        )
        with keep_connection, self.captureOnCommitCallbacks(execute=True):
            call_command(
                "db_worker",
                "--batch",
                "--no-startup-delay",
                "--queue-name",
                "*",
                verbosity=0,
            )

    def test_the_token_gives_the_id_once_the_worker_filed_the_request(self):
        with time_machine.travel(NOW, tick=False):
            response = self.post(email="ann@example.org")
            [answer] = response.json()
            token = answer["token"]

            pending = self.get_json(f"/open311/v2/tokens/{token}.json")
            pending_xml = self.get_xml(f"/open311/v2/tokens/{token}.xml")

        self.assertEqual(response.status_code, 201)
        self.assertNotIn("service_request_id", answer)
        self.assertEqual(pending, [{"service_request_id": None, "token": token}])
        [item] = pending_xml
        self.assertEqual([e.tag for e in item], ["service_request_id", "token"])
        self.assertIsNone(item.findtext("service_request_id") or None)
        self.assertFalse(ServiceRequest.objects.exists())

        # The worker is five minutes behind; the request's clocks still
        # start when the client posted it.
        with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
            self.run_worker()
            [filed] = self.get_json(f"/open311/v2/tokens/{token}.json")

        service_request = ServiceRequest.objects.get()
        self.assertEqual(filed["service_request_id"], str(service_request.pk))
        self.assertEqual(service_request.submitted_at, NOW)
        self.assertEqual(service_request.channel, Channel.API)
        self.assertEqual(service_request.reporter_email, "ann@example.org")
        self.assertEqual(
            list(service_request.events.values_list("kind", flat=True)),
            [Event.Kind.SUBMITTED, Event.Kind.ROUTED],
        )
        self.assertEqual(RequestToken.objects.get().submission, {})
        # The confirmation waits in the outbox for its own delivery task.
        [message] = Message.objects.filter(request=service_request)
        self.assertEqual(message.to, "ann@example.org")

    def test_posting_again_while_waiting_gives_the_same_token(self) -> None:
        with time_machine.travel(NOW, tick=False):
            first = self.post().json()[0]["token"]
            second = self.post().json()[0]["token"]
        with time_machine.travel(NOW + timedelta(seconds=2), tick=False):
            self.run_worker()
            [third] = self.post().json()

        self.assertEqual(first, second)
        self.assertEqual(third["token"], first)
        self.assertEqual(
            third["service_request_id"], str(ServiceRequest.objects.get().pk)
        )
        self.assertEqual(RequestToken.objects.count(), 1)

    def test_a_service_withdrawn_before_filing_is_reported_on_the_token(self):
        with time_machine.travel(NOW, tick=False):
            token = self.post(email="ann@example.org").json()[0]["token"]
            self.pothole.is_active = False
            self.pothole.save()
        with time_machine.travel(NOW + timedelta(seconds=2), tick=False):
            with self.assertLogs("town311.open311.services", "WARNING"):
                self.run_worker()
            errors = self.get_json(f"/open311/v2/tokens/{token}.json", status=404)

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertEqual(len(errors), 1)
        self.assertIn("was not filed", errors[0]["description"])
        self.assertIn("no longer offered", errors[0]["description"])
        self.assertEqual(RequestToken.objects.get().submission, {})

    def test_posts_made_together_are_filed_by_one_task(self) -> None:
        with time_machine.travel(NOW, tick=False):
            tokens = [
                self.post(description=f"Hole number {n}").json()[0]["token"]
                for n in range(3)
            ]
            too_early = DBTaskResult.objects.count()
            self.run_worker()
            waiting = ServiceRequest.objects.count()
        with time_machine.travel(NOW + timedelta(seconds=2), tick=False):
            self.run_worker()
            [task] = DBTaskResult.objects.all()

        self.assertEqual(too_early, 1)
        self.assertEqual(waiting, 0)
        self.assertEqual(task.return_value, 3)
        self.assertEqual(ServiceRequest.objects.count(), 3)
        for token in tokens:
            self.assertIsNotNone(RequestToken.objects.get(token=token).request)

    def test_the_schedule_files_posts_whose_task_was_lost(self) -> None:
        with time_machine.travel(NOW, tick=False):
            late = self.post(description="Posted first").json()[0]["token"]
        with time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            recent = self.post(description="Posted later").json()[0]["token"]
        DBTaskResult.objects.all().delete()

        with (
            time_machine.travel(NOW + timedelta(minutes=3), tick=False),
            self.captureOnCommitCallbacks(execute=True),
        ):
            output = call_command("run_schedule")

        self.assertIn("API posts: 1 filed", output)
        self.assertIsNotNone(RequestToken.objects.get(token=late).request)
        self.assertIsNone(RequestToken.objects.get(token=recent).request)
        self.assertEqual(ServiceRequest.objects.get().submitted_at, NOW)
