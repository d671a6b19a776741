from datetime import timedelta

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from town311.open311.tests.base import NOW, Open311TestCase
from town311.servicerequests.models import Photo, Resolution
from town311.servicerequests.services import (
    request_add_note,
    request_close,
    request_merge,
    request_reply,
)
from town311.test import RESIDENT_EMAIL

PRIVATE = (RESIDENT_EMAIL, "Rita Resident", "555-0142", "Secret note")


@override_settings(SITE_URL="https://311.testville.example")
@time_machine.travel(NOW, tick=False)
class RequestsListTestCase(Open311TestCase):
    def setUp(self) -> None:
        super().setUp()
        self.bench = self.submit(at=NOW - timedelta(days=3))
        self.hole = self.submit(
            self.pothole,
            description="Hole",
            address="Main Street",
            attributes={"lane": "right", "hazards": ["water"]},
            at=NOW - timedelta(days=2),
        )
        request_add_note(self.hole, by=self.roads_clerk, text="Secret note")
        request_reply(self.hole, by=self.roads_clerk, text="Crew comes Friday.")
        self.hole.refresh_from_db()
        self.order = self.submit(self.work_order, by=self.roads_clerk)

    def test_it_lists_public_requests_newest_first_in_json(self) -> None:
        data = self.get_json("/open311/v2/requests.json")

        self.assertEqual(
            [r["service_request_id"] for r in data],
            [str(self.hole.pk), str(self.bench.pk)],
        )
        hole = data[0]
        self.assertEqual(
            hole,
            {
                "service_request_id": str(self.hole.pk),
                "status": "open",
                "status_notes": "Crew comes Friday.",
                "service_name": "Pothole",
                "service_code": "pothole",
                "description": "Hole",
                "agency_responsible": "Roads",
                "service_notice": "",
                "requested_datetime": "2026-03-08T09:30:00-05:00",
                "updated_datetime": "2026-03-10T09:30:00-05:00",
                "expected_datetime": hole["expected_datetime"],
                "address": "Main Street",
                "address_id": None,
                "zipcode": None,
                "lat": 40.0,
                "long": -90.0,
                "media_url": "",
            },
        )
        self.assertTrue(hole["expected_datetime"].endswith("-05:00"))
        self.assertNotIn("extended_attributes", hole)

    def test_it_never_shows_private_fields_or_staff_only_requests(self) -> None:
        for fmt in ("json", "xml"):
            response = self.client.get(
                f"/open311/v2/requests.{fmt}", {"extensions": "true"}
            )
            body = response.content.decode()
            for private in PRIVATE:
                self.assertNotIn(private, body)
            self.assertNotIn("work-order", body)
            self.assertNotIn(f">{self.order.pk}<", body)

    def test_it_nests_requests_in_xml(self) -> None:
        root = self.get_xml("/open311/v2/requests.xml", {"extensions": "true"})

        self.assertEqual(root.tag, "service_requests")
        self.assertEqual([r.tag for r in root], ["request", "request"])
        hole = root[0]
        self.assertEqual(hole.findtext("service_request_id"), str(self.hole.pk))
        self.assertEqual(hole.findtext("status"), "open")
        self.assertEqual(hole.findtext("lat"), "40.0")
        self.assertEqual(
            hole.findtext("requested_datetime"), "2026-03-08T09:30:00-05:00"
        )
        self.assertIsNone(hole.find("zipcode").text)
        extended = hole.find("extended_attributes")
        self.assertEqual(extended.findtext("channel"), "web")
        attributes = extended.find("attributes")
        self.assertEqual([a.tag for a in attributes], ["attribute", "attribute"])
        self.assertEqual(
            [
                (a.findtext("code"), [v.text for v in a.findall("value")])
                for a in attributes
            ],
            [("lane", ["right"]), ("hazards", ["water"])],
        )
        [note] = extended.find("notes")
        self.assertEqual(note.tag, "note")
        self.assertEqual(note.findtext("description"), "Crew comes Friday.")

    def test_it_adds_extensions_on_request(self) -> None:
        photo = Photo.objects.create(
            request=self.bench,
            image=SimpleUploadedFile("bench.png", b"not read here"),
        )
        Photo.objects.create(
            request=self.bench,
            image=SimpleUploadedFile("hidden.png", b"not read here"),
            is_hidden=True,
        )
        request_merge(self.hole, by=self.roads_clerk, original=self.bench)

        data = self.get_json("/open311/v2/requests.json", {"extensions": "true"})

        hole, bench = data
        self.assertEqual(hole["status"], "closed")
        self.assertEqual(hole["extended_attributes"]["duplicate"], str(self.bench.pk))
        self.assertEqual(
            hole["extended_attributes"]["parent_request_id"], str(self.bench.pk)
        )
        self.assertEqual(
            hole["extended_attributes"]["attributes"],
            [
                {"code": "lane", "value": "right"},
                {"code": "hazards", "value": ["water"]},
            ],
        )
        url = f"https://311.testville.example{photo.image.url}"
        self.assertEqual(bench["media_url"], url)
        self.assertEqual(bench["extended_attributes"]["photos"], [url])
        self.assertIsNone(bench["extended_attributes"]["duplicate"])
        self.assertEqual(bench["extended_attributes"]["notes"], [])

    def test_it_says_how_a_request_was_closed(self) -> None:
        request_close(self.bench, by=self.parks_clerk, resolution=Resolution.FIXED)

        data = self.get_json("/open311/v2/requests.json", {"status": "closed"})

        [bench] = data
        self.assertEqual(bench["status"], "closed")
        self.assertEqual(bench["status_notes"], "Closed: fixed.")

    def test_it_filters_by_service_code_and_status(self) -> None:
        by_code = self.get_json(
            "/open311/v2/requests.json", {"service_code": "park-upkeep,other"}
        )
        open_ones = self.get_json("/open311/v2/requests.json", {"status": "open"})
        closed = self.get_json("/open311/v2/requests.json", {"status": "closed"})
        both = self.get_json("/open311/v2/requests.json", {"status": "open,closed"})

        self.assertEqual(
            [r["service_request_id"] for r in by_code], [str(self.bench.pk)]
        )
        self.assertEqual(len(open_ones), 2)
        self.assertEqual(closed, [])
        self.assertEqual(len(both), 2)

    def test_it_filters_by_dates_with_offsets(self) -> None:
        # The hole came in at 09:30 local time on 8 March.
        data = self.get_json(
            "/open311/v2/requests.json",
            {
                "start_date": "2026-03-08T09:00:00-05:00",
                "end_date": "2026-03-08T10:00:00-05:00",
            },
        )
        naive = self.get_json(
            "/open311/v2/requests.json", {"start_date": "2026-03-08T09:31:00"}
        )
        day = self.get_json("/open311/v2/requests.json", {"end_date": "2026-03-08"})

        self.assertEqual([r["service_request_id"] for r in data], [str(self.hole.pk)])
        self.assertEqual(naive, [])
        self.assertEqual([r["service_request_id"] for r in day], [str(self.bench.pk)])

    def test_it_filters_by_update_time(self) -> None:
        data = self.get_json(
            "/open311/v2/requests.json", {"updated_after": "2026-03-09T00:00:00-05:00"}
        )

        self.assertEqual([r["service_request_id"] for r in data], [str(self.hole.pk)])

    def test_it_defaults_to_the_last_90_days(self) -> None:
        self.submit(description="Old", at=NOW - timedelta(days=91))

        data = self.get_json("/open311/v2/requests.json")
        older = self.get_json(
            "/open311/v2/requests.json", {"start_date": "2025-01-01T00:00:00Z"}
        )

        self.assertEqual(len(data), 2)
        self.assertEqual(len(older), 3)

    def test_ids_override_every_other_filter(self) -> None:
        data = self.get_json(
            "/open311/v2/requests.json",
            {
                "service_request_id": f"{self.bench.pk},{self.order.pk},abc",
                "service_code": "pothole",
                "status": "closed",
            },
        )

        self.assertEqual([r["service_request_id"] for r in data], [str(self.bench.pk)])

    def test_it_pages(self) -> None:
        first = self.get_json("/open311/v2/requests.json", {"page_size": "1"})
        second = self.get_json(
            "/open311/v2/requests.json", {"page_size": "1", "page": "2"}
        )
        third = self.get_json(
            "/open311/v2/requests.json", {"page_size": "1", "page": "3"}
        )

        self.assertEqual([r["service_request_id"] for r in first], [str(self.hole.pk)])
        self.assertEqual(
            [r["service_request_id"] for r in second], [str(self.bench.pk)]
        )
        self.assertEqual(third, [])

    def test_it_refuses_bad_arguments(self) -> None:
        cases = [
            ({"start_date": "yesterday"}, "start_date must be a W3C date"),
            ({"end_date": "2026-13-01"}, "end_date must be a W3C date"),
            (
                {"start_date": "2026-03-09", "end_date": "2026-03-01"},
                "start_date must come before end_date",
            ),
            (
                {"updated_after": "2026-03-09", "updated_before": "2026-03-01"},
                "updated_after must come before updated_before",
            ),
            ({"status": "pending"}, "status “pending” is not one of open, closed"),
            ({"page_size": "1001"}, "page_size must be a whole number"),
            ({"page": "0"}, "page must be a whole number of at least 1"),
            ({"extensions": "maybe"}, "extensions must be true or false"),
        ]
        for query, message in cases:
            with self.subTest(query=query):
                response = self.client.get("/open311/v2/requests.json", query)
                self.assertErrors(response, 400, message)

    def test_it_makes_the_same_few_queries_however_many_requests(self) -> None:
        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                self.get_json("/open311/v2/requests.json", {"extensions": "true"})
            return len(queries)

        few = count()
        for n in range(5):
            self.submit(self.pothole, attributes={"lane": "left"}, description=f"{n}")

        self.assertEqual(count(), few)


@time_machine.travel(NOW, tick=False)
class RequestDetailTestCase(Open311TestCase):
    def test_it_answers_one_request_in_a_list(self) -> None:
        bench = self.submit()

        data = self.get_json(f"/open311/v2/requests/{bench.pk}.json")
        root = self.get_xml(f"/open311/v2/requests/{bench.pk}.xml")

        [item] = data
        self.assertEqual(item["service_request_id"], str(bench.pk))
        self.assertEqual(item["agency_responsible"], "Parks")
        self.assertEqual(item["requested_datetime"], "2026-03-10T09:30:00-05:00")
        self.assertEqual(root.tag, "service_requests")
        [request] = root
        self.assertEqual(request.tag, "request")
        self.assertEqual(request.findtext("service_code"), "park-upkeep")
        self.assertEqual(request.findtext("description"), "Broken bench by the pond")

    def test_it_is_404_for_unknown_and_staff_only_requests(self) -> None:
        order = self.submit(self.work_order, by=self.roads_clerk)
        hidden = self.submit()
        hidden.is_public = False
        hidden.save()

        for number in (str(order.pk), str(hidden.pk), "99999", "abc"):
            with self.subTest(number=number):
                errors = self.get_json(
                    f"/open311/v2/requests/{number}.json", status=404
                )
                self.assertEqual(
                    errors,
                    [{"code": 404, "description": f"There is no request “{number}”."}],
                )

    def test_it_strips_characters_xml_forbids(self) -> None:
        bench = self.submit(description="Bench\x0b broken\x1f")

        root = self.get_xml(f"/open311/v2/requests/{bench.pk}.xml")

        self.assertEqual(root[0].findtext("description"), "Bench broken")
