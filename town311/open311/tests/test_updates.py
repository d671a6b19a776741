from datetime import timedelta

import time_machine
from django.urls import reverse

from town311.open311.models import ApiUpdate
from town311.open311.tests.base import NOW, Open311TestCase
from town311.open311.updates import EXTENDED_STATUS, extended_status
from town311.servicerequests.models import Channel, Event, Resolution, Status
from town311.servicerequests.services import (
    request_acknowledge,
    request_add_note,
    request_close,
    request_reply,
)
from town311.test import RESIDENT_EMAIL

URL = "/open311/v2/servicerequestupdates"
RANGE = {"start_date": "2026-03-10T00:00:00-05:00", "end_date": "2026-03-12"}


class StatusTableTestCase(Open311TestCase):
    def test_it_maps_every_status_and_resolution(self) -> None:
        expected = {
            (Status.SUBMITTED, ""): "OPEN",
            (Status.ACKNOWLEDGED, ""): "INVESTIGATING",
            (Status.IN_PROGRESS, ""): "IN_PROGRESS",
            (Status.CLOSED, Resolution.FIXED): "FIXED",
            (Status.CLOSED, Resolution.DUPLICATE): "DUPLICATE",
            (Status.CLOSED, Resolution.REFERRED): "NOT_COUNCILS_RESPONSIBILITY",
            (Status.CLOSED, Resolution.NO_ACTION): "NO_FURTHER_ACTION",
            (Status.CLOSED, Resolution.NOT_LOCATED): "CLOSED",
            (Status.CLOSED, Resolution.NO_RESPONSE): "CLOSED",
            (Status.CLOSED, Resolution.WITHDRAWN): "CLOSED",
        }

        self.assertEqual(EXTENDED_STATUS, expected)
        for (status, resolution), word in expected.items():
            self.assertEqual(extended_status(status, resolution), word)
        # A reopened request keeps its old resolution until closed again.
        self.assertEqual(
            extended_status(Status.ACKNOWLEDGED, Resolution.FIXED), "INVESTIGATING"
        )


class UpdatesListTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(NOW, tick=False):
            self.request = self.submit()
        with time_machine.travel(NOW + timedelta(hours=1), tick=False):
            request_acknowledge(
                self.request, by=self.parks_clerk, message="We will look at it."
            )
        with time_machine.travel(NOW + timedelta(hours=2), tick=False):
            request_add_note(
                self.request, by=self.parks_clerk, text="Call Rita at 555-0142"
            )
        with time_machine.travel(NOW + timedelta(hours=3), tick=False):
            request_reply(self.request, by=self.parks_clerk, text="Bench ordered.")
        with time_machine.travel(NOW + timedelta(hours=4), tick=False):
            request_close(
                self.request,
                by=self.parks_clerk,
                resolution=Resolution.FIXED,
                message="New bench in place.",
            )
        self.events = {e.kind: e for e in self.request.events.all()}

    def test_it_lists_public_updates_in_json(self) -> None:
        updates = self.get_json(f"{URL}.json", RANGE)

        pk = str(self.request.pk)
        self.assertEqual(
            updates,
            [
                {
                    "update_id": str(self.events[Event.Kind.ACKNOWLEDGED].pk),
                    "service_request_id": pk,
                    "status": "INVESTIGATING",
                    "updated_datetime": "2026-03-10T10:30:00-05:00",
                    "description": "We will look at it.",
                    "media_url": "",
                },
                {
                    "update_id": str(self.events[Event.Kind.REPLY].pk),
                    "service_request_id": pk,
                    "status": "INVESTIGATING",
                    "updated_datetime": "2026-03-10T12:30:00-05:00",
                    "description": "Bench ordered.",
                    "media_url": "",
                },
                {
                    "update_id": str(self.events[Event.Kind.CLOSED].pk),
                    "service_request_id": pk,
                    "status": "FIXED",
                    "updated_datetime": "2026-03-10T13:30:00-05:00",
                    "description": "New bench in place.",
                    "media_url": "",
                },
            ],
        )

    def test_it_lists_the_same_updates_in_xml(self) -> None:
        root = self.get_xml(f"{URL}.xml", RANGE)

        self.assertEqual(root.tag, "service_request_updates")
        updates = root.findall("request_update")
        self.assertEqual(
            [u.findtext("status") for u in updates],
            ["INVESTIGATING", "INVESTIGATING", "FIXED"],
        )
        closed = updates[2]
        self.assertEqual(
            closed.findtext("update_id"), str(self.events[Event.Kind.CLOSED].pk)
        )
        self.assertEqual(closed.findtext("service_request_id"), str(self.request.pk))
        self.assertEqual(
            closed.findtext("updated_datetime"), "2026-03-10T13:30:00-05:00"
        )
        self.assertEqual(closed.findtext("description"), "New bench in place.")

    def test_it_keeps_notes_and_personal_data_out(self) -> None:
        response = self.client.get(f"{URL}.json", RANGE)

        content = response.content.decode()
        for private in ("555-0142", "Rita", RESIDENT_EMAIL, "Call Rita", "Pat"):
            self.assertNotIn(private, content)
        ids = [u["update_id"] for u in response.json()]
        self.assertNotIn(str(self.events[Event.Kind.NOTE].pk), ids)

    def test_it_leaves_out_staff_only_requests(self) -> None:
        with time_machine.travel(NOW, tick=False):
            hidden = self.submit(
                service=self.work_order, by=self.roads_clerk, channel=Channel.PHONE
            )
            request_acknowledge(hidden, by=self.roads_clerk, message="On it.")

        updates = self.get_json(f"{URL}.json", RANGE)

        self.assertNotIn(str(hidden.pk), {u["service_request_id"] for u in updates})

    def test_it_filters_by_date_and_defaults_to_the_last_day(self) -> None:
        late = {"start_date": "2026-03-10T12:00:00-05:00", "end_date": "2026-03-12"}
        self.assertEqual(len(self.get_json(f"{URL}.json", late)), 2)

        with time_machine.travel(NOW + timedelta(hours=26), tick=False):
            recent = self.get_json(f"{URL}.json")
        # Only the reply (hour 3) and the close (hour 4) are within 24 hours.
        self.assertEqual([u["status"] for u in recent], ["INVESTIGATING", "FIXED"])

    def test_it_pages(self) -> None:
        page = self.get_json(f"{URL}.json", {**RANGE, "page": "2", "page_size": "2"})

        self.assertEqual([u["status"] for u in page], ["FIXED"])

    def test_it_refuses_reversed_dates_and_bad_pages(self) -> None:
        reversed_range = {"start_date": "2026-03-12", "end_date": "2026-03-10"}
        self.assertErrors(
            self.client.get(f"{URL}.json", reversed_range),
            400,
            "start_date must come before end_date",
        )
        self.assertXmlErrors(
            self.client.get(f"{URL}.xml", {"start_date": "yesterday"}),
            400,
            "start_date must be a W3C date and time",
        )
        self.assertErrors(
            self.client.get(f"{URL}.json", {"page_size": "5000"}), 400, "page_size"
        )
        self.assertErrors(self.client.get(f"{URL}.html"), 404, "Unknown format")


class UpdatePostTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        with time_machine.travel(NOW, tick=False):
            self.request = self.submit()

    def post_update(self, fmt: str = "json", **fields):
        data = {
            "api_key": self.raw_key,
            "service_request_id": str(self.request.pk),
            "update_id": "fms-7781",
            "updated_datetime": "2026-03-10T10:00:00-05:00",
            "status": "OPEN",
            "description": "The bench is now also missing a leg.",
            "email": "someone@example.net",
            "first_name": "Sam",
            "last_name": "Sender",
            "media_url": "https://fms.example/photo/7781.jpeg",
        }
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return self.client.post(f"{URL}.{fmt}", data)

    def test_it_records_the_update_and_lists_it(self) -> None:
        with time_machine.travel(NOW + timedelta(hours=1), tick=False):
            response = self.post_update()

        self.assertEqual(response.status_code, 200, response.content)
        event = self.request.events.get(kind=Event.Kind.INFORMATION_PROVIDED)
        self.assertEqual(response.json(), [{"update_id": str(event.pk)}])
        self.assertTrue(event.is_public)
        self.assertIsNone(event.actor)
        self.assertEqual(event.text, "The bench is now also missing a leg.")
        posted = ApiUpdate.objects.get()
        self.assertEqual(posted.api_key, self.api_key)
        self.assertEqual(posted.update_id, "fms-7781")
        self.assertEqual(posted.event, event)
        self.assertEqual(posted.client_updated_at, NOW + timedelta(minutes=30))
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.SUBMITTED)

        updates = self.get_json(f"{URL}.json", RANGE)
        self.assertEqual(
            updates,
            [
                {
                    "update_id": str(event.pk),
                    "service_request_id": str(self.request.pk),
                    "status": "OPEN",
                    "updated_datetime": "2026-03-10T10:30:00-05:00",
                    "description": "The bench is now also missing a leg.",
                    "media_url": "https://fms.example/photo/7781.jpeg",
                }
            ],
        )
        listing = self.client.get(f"{URL}.xml", RANGE).content.decode()
        for private in ("someone@example.net", "Sam", "Sender"):
            self.assertNotIn(private, listing)

        # Staff see it on the timeline, as they see a resident's answer.
        self.client.force_login(self.parks_clerk)
        page = self.client.get(reverse("staff:request", args=[self.request.pk]))
        self.assertContains(page, "The resident answered")
        self.assertContains(page, "The bench is now also missing a leg.")

    def test_it_records_the_same_update_id_once(self) -> None:
        first = self.post_update()
        second = self.post_update(description="A retry with other words")

        self.assertEqual(second.status_code, 200)
        self.assertEqual(first.json(), second.json())
        self.assertEqual(
            self.request.events.filter(kind=Event.Kind.INFORMATION_PROVIDED).count(), 1
        )
        self.assertEqual(ApiUpdate.objects.count(), 1)

    def test_it_refuses_an_update_id_used_on_another_request(self) -> None:
        other = self.submit(description="Another broken bench")
        self.post_update()

        response = self.post_update(service_request_id=str(other.pk))

        self.assertErrors(response, 400, "update_id fms-7781 was already used")
        self.assertFalse(other.events.filter(kind=Event.Kind.INFORMATION_PROVIDED))

    def test_it_keeps_a_comment_on_a_closed_request_without_reopening(self) -> None:
        request_close(self.request, by=self.parks_clerk, resolution=Resolution.FIXED)

        response = self.post_update(status="OPEN")

        self.assertEqual(response.status_code, 200, response.content)
        self.request.refresh_from_db()
        self.assertEqual(self.request.status, Status.CLOSED)
        self.assertTrue(
            self.request.events.filter(kind=Event.Kind.INFORMATION_PROVIDED)
        )

    def test_it_answers_in_xml(self) -> None:
        response = self.post_update(fmt="xml")

        self.assertEqual(response.status_code, 200, response.content)
        event = self.request.events.get(kind=Event.Kind.INFORMATION_PROVIDED)
        self.assertIn(
            f"<service_request_updates><request_update><update_id>{event.pk}"
            "</update_id></request_update></service_request_updates>",
            response.content.decode(),
        )

    def test_it_needs_a_valid_key(self) -> None:
        self.assertErrors(self.post_update(api_key=None), 403, "api_key is missing")
        self.assertErrors(
            self.post_update(api_key="t311_wrong"), 403, "not valid or was revoked"
        )
        self.assertXmlErrors(
            self.post_update(fmt="xml", api_key=None), 403, "api_key is missing"
        )
        self.assertFalse(ApiUpdate.objects.exists())

    def test_it_answers_429_with_retry_after_over_the_limit(self) -> None:
        self.api_key.rate_limit = 1
        self.api_key.save()

        with time_machine.travel(NOW + timedelta(seconds=10), tick=False):
            self.post_update()
            response = self.post_update(update_id="fms-7782")

        self.assertErrors(response, 429, "Rate limit of 1 requests per minute")
        self.assertEqual(response["Retry-After"], "50")
        self.assertEqual(ApiUpdate.objects.count(), 1)

    def test_it_refuses_unknown_and_staff_only_requests(self) -> None:
        hidden = self.submit(
            service=self.work_order, by=self.roads_clerk, channel=Channel.PHONE
        )

        for value in ("999999", "abc", str(hidden.pk)):
            self.assertErrors(
                self.post_update(service_request_id=value),
                404,
                f"There is no public request “{value}”",
            )
        self.assertErrors(
            self.post_update(service_request_id=""), 400, "service_request_id"
        )

    def test_it_explains_what_to_fix(self) -> None:
        cases = [
            ({"description": "  "}, "description is missing"),
            ({"description": "x" * 4001}, "keep it to 4000 characters"),
            ({"update_id": ""}, "update_id is missing"),
            ({"update_id": "u" * 101}, "update_id must be 100 characters"),
            ({"status": "FIXED"}, "status must be OPEN or CLOSED"),
            ({"updated_datetime": "soon"}, "updated_datetime must be a W3C date"),
            ({"media_url": "javascript:alert(1)"}, "media_url must be an http"),
        ]
        for fields, fragment in cases:
            with self.subTest(fields=fields):
                self.assertErrors(self.post_update(**fields), 400, fragment)
        self.assertFalse(ApiUpdate.objects.exists())
        self.assertEqual(len(self.post_update(description="x" * 4000).json()), 1)
