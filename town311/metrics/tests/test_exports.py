import csv
import io
from datetime import UTC, datetime, timedelta

import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from town311.accounts.models import User
from town311.directory.models import Neighbourhood
from town311.metrics.exports import HEADER, csv_stream, export_rows, xlsx_write
from town311.servicerequests.models import (
    Channel,
    Resolution,
    ServiceRequest,
    Status,
)
from town311.servicerequests.services import (
    request_acknowledge,
    request_close,
    request_reassign,
    request_reopen,
    request_submit,
)
from town311.test import CENTRE, BaseTestCase, square

NOW = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

# Summer time in Chicago (-05:00): 09:00 local.
JUNE_SUBMITTED_AT = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)
# Standard time in Chicago (-06:00): 09:00 local.
JANUARY_SUBMITTED_AT = datetime(2026, 1, 15, 15, 0, tzinfo=UTC)

# Strings that must never leave the database through an export.
REPORTER = {
    "reporter_name": "Zebulon Quixotic",
    "reporter_email": "zebulon.quixotic@example.org",
    "reporter_phone": "+1 555 0199 4321",
    "description": "Marker-of-a-private-description",
}


def parse_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


@time_machine.travel(NOW, tick=False)
@override_settings(ROOT_URLCONF="town311.metrics.tests.urls")
class ExportTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        Neighbourhood.objects.create(
            name="Old Town", slug="old-town", area=square(*CENTRE, 0.005)
        )
        self.moved = self.reassigned_and_reopened()
        self.january = request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            channel=Channel.PHONE,
            by=self.roads_clerk,
            at=JANUARY_SUBMITTED_AT,
            **REPORTER,
        )
        self.park = request_submit(
            service=self.park_upkeep,
            lat=CENTRE[0] + 0.008,
            long=CENTRE[1],
            at=JUNE_SUBMITTED_AT + 3 * HOUR,
            **REPORTER,
        )

    def reassigned_and_reopened(self) -> ServiceRequest:
        """A pothole Roads acknowledges after 2 hours and hands to Parks
        after a day; Parks closes it, reopens it and closes it again."""
        at = JUNE_SUBMITTED_AT
        service_request = request_submit(
            service=self.pothole, lat=CENTRE[0], long=CENTRE[1], at=at, **REPORTER
        )
        request_acknowledge(service_request, by=self.roads_clerk, at=at + 2 * HOUR)
        request_reassign(
            service_request,
            by=self.roads_clerk,
            department=self.parks,
            reason="It is on the park path.",
            at=at + DAY,
        )
        request_close(
            service_request,
            by=self.parks_clerk,
            resolution=Resolution.FIXED,
            at=at + 3 * DAY,
        )
        request_reopen(
            service_request,
            by=self.parks_clerk,
            reason="The patch washed out.",
            at=at + 4 * DAY,
        )
        request_close(
            service_request,
            by=self.parks_clerk,
            resolution=Resolution.FIXED,
            at=at + 5 * DAY + 12 * HOUR,
        )
        service_request.refresh_from_db()
        return service_request

    def export_url(self, extension: str = "csv", **filters) -> str:
        url = reverse("metrics:export-requests", kwargs={"extension": extension})
        if filters:
            url += "?" + "&".join(f"{key}={value}" for key, value in filters.items())
        return url

    def download_csv(self, user: User | None = None, **filters) -> list[dict]:
        self.client.force_login(user or self.coordinator)
        response = self.client.get(self.export_url(**filters))
        self.assertEqual(response.status_code, 200)
        return parse_csv(b"".join(response.streaming_content).decode())


class ExportRowsTests(ExportTestCase):
    def rows_by_number(self) -> dict[str, dict]:
        text = "".join(csv_stream(ServiceRequest.objects.order_by("pk")))
        return {row["number"]: row for row in parse_csv(text)}

    def test_the_header_comes_first(self):
        rows = export_rows(ServiceRequest.objects.all())

        self.assertEqual(next(rows), HEADER)

    def test_a_reassigned_reopened_request_has_both_clocks(self):
        row = self.rows_by_number()[self.moved.number]

        self.assertEqual(
            row,
            {
                "number": self.moved.number,
                "service_code": "pothole",
                "service_name": "Pothole",
                "department": "parks",
                "channel": "web",
                "status": "closed",
                "resolution": "fixed",
                "neighbourhood": "old-town",
                "submitted_at": "2026-06-01T09:00:00-05:00",
                "acknowledged_at": "2026-06-01T11:00:00-05:00",
                "acknowledged_department": "roads",
                "acknowledged_department_entered_at": "2026-06-01T09:00:00-05:00",
                "department_entered_at": "2026-06-02T09:00:00-05:00",
                "closed_at": "2026-06-06T21:00:00-05:00",
                # The town's clocks start at submission, the latest close
                # counts; Parks is charged only from the reassignment.
                "acknowledge_days": repr(2 / 24),
                "close_days": "5.5",
                "department_acknowledge_days": repr(2 / 24),
                "department_close_days": "4.5",
            },
        )

    def test_an_open_request_has_no_close_figures(self):
        row = self.rows_by_number()[self.january.number]

        self.assertEqual(row["status"], Status.SUBMITTED)
        self.assertEqual(row["channel"], "phone")
        self.assertEqual(row["acknowledged_at"], "")
        self.assertEqual(row["closed_at"], "")
        self.assertEqual(row["acknowledge_days"], "")
        self.assertEqual(row["close_days"], "")
        self.assertEqual(row["department_acknowledge_days"], "")
        self.assertEqual(row["department_close_days"], "")

    def test_timestamps_carry_the_towns_offset_on_either_side_of_summer_time(self):
        rows = self.rows_by_number()

        self.assertEqual(
            rows[self.january.number]["submitted_at"], "2026-01-15T09:00:00-06:00"
        )
        self.assertEqual(
            rows[self.moved.number]["submitted_at"], "2026-06-01T09:00:00-05:00"
        )

    def test_imported_requests_start_the_department_clock_at_submission(self):
        ServiceRequest.objects.filter(pk=self.moved.pk).update(
            department_entered_at=None, acknowledged_department_entered_at=None
        )

        row = self.rows_by_number()[self.moved.number]

        self.assertEqual(row["department_acknowledge_days"], repr(2 / 24))
        self.assertEqual(row["department_close_days"], "5.5")

    def test_no_personal_data_leaves_in_csv_or_xlsx(self):
        requests = ServiceRequest.objects.all()
        text = "".join(csv_stream(requests))
        workbook = io.BytesIO()
        xlsx_write(requests, workbook)
        cells = " ".join(
            str(value)
            for row in load_workbook(workbook, read_only=True).active.values
            for value in row
        )

        for output in (text, cells):
            for value in REPORTER.values():
                self.assertNotIn(value, output)
            self.assertNotIn("Zebulon", output)
            self.assertNotIn("4321", output)

    def test_the_xlsx_workbook_holds_the_same_rows(self):
        requests = ServiceRequest.objects.order_by("pk")
        workbook = io.BytesIO()

        written = xlsx_write(requests, workbook)

        sheet = load_workbook(workbook, read_only=True)["Requests"]
        rows = list(sheet.values)
        self.assertEqual(written, 3)
        self.assertEqual(rows[0], HEADER)
        moved = next(row for row in rows[1:] if row[0] == self.moved.pk)
        values = dict(zip(HEADER, moved, strict=True))
        self.assertEqual(values["closed_at"], "2026-06-06T21:00:00-05:00")
        self.assertEqual(values["close_days"], 5.5)
        self.assertEqual(values["department_close_days"], 4.5)
        self.assertAlmostEqual(values["acknowledge_days"], 2 / 24)

    def test_rows_come_from_one_query_whatever_their_number(self):
        def queries_for_export() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as queries:
                rows = sum(1 for _ in export_rows(ServiceRequest.objects.all()))
            return rows, len(queries)

        self.make_copies(2)
        few = queries_for_export()
        self.make_copies(45)
        many = queries_for_export()

        # The town's time zone, then the rows themselves.
        self.assertEqual(few, (6, 2))
        self.assertEqual(many, (51, 2))

    def test_rows_are_read_through_a_cursor_in_chunks(self):
        self.make_copies(4)
        rows = export_rows(ServiceRequest.objects.all())

        with self.assertNumQueries(2):
            next(rows)
            next(rows)

    def make_copies(self, count: int) -> None:
        template = ServiceRequest.objects.values().get(pk=self.january.pk)
        del template["id"]
        template["idempotency_key"] = None
        ServiceRequest.objects.bulk_create(
            [ServiceRequest(**template) for _ in range(count)]
        )


class ExportViewTests(ExportTestCase):
    def test_the_csv_streams_as_an_attachment(self):
        self.client.force_login(self.coordinator)

        response = self.client.get(self.export_url())

        self.assertIsInstance(response, StreamingHttpResponse)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="requests.csv"'
        )
        rows = parse_csv(b"".join(response.streaming_content).decode())
        self.assertEqual(len(rows), 3)

    def test_the_csv_response_costs_the_same_queries_for_more_rows(self):
        self.client.force_login(self.coordinator)

        def queries_for_download() -> tuple[int, int]:
            with CaptureQueriesContext(connection) as queries:
                response = self.client.get(self.export_url())
                rows = parse_csv(b"".join(response.streaming_content).decode())
            return len(rows), len(queries)

        rows, few = queries_for_download()
        self.assertEqual(rows, 3)
        ServiceRequest.objects.bulk_create(
            [
                ServiceRequest(
                    service=self.pothole,
                    lat=CENTRE[0],
                    long=CENTRE[1],
                    department=self.roads,
                    submitted_at=JANUARY_SUBMITTED_AT,
                )
                for _ in range(50)
            ]
        )

        self.assertEqual(queries_for_download(), (53, few))

    def test_the_xlsx_download_opens_in_openpyxl(self):
        self.client.force_login(self.coordinator)

        response = self.client.get(self.export_url("xlsx"))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Disposition"], 'attachment; filename="requests.xlsx"'
        )
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        rows = list(workbook["Requests"].values)
        self.assertEqual(rows[0], HEADER)
        self.assertEqual(len(rows), 4)

    def test_dates_are_local_days_with_the_end_left_out(self):
        # 2026-06-01 starts at 05:00 UTC in Chicago; the June requests are
        # on that day, the January one long before.
        rows = self.download_csv(start="2026-06-01", end="2026-06-02")

        self.assertEqual(
            {row["number"] for row in rows}, {self.moved.number, self.park.number}
        )
        self.assertEqual(self.download_csv(start="2026-01-16", end="2026-06-01"), [])
        rows = self.download_csv(end="2026-01-16")
        self.assertEqual([row["number"] for row in rows], [self.january.number])

    def test_a_local_day_is_not_a_utc_day(self):
        # 23:30 on 31 May in Chicago is already 1 June in UTC.
        late = request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=datetime(2026, 6, 1, 4, 30, tzinfo=UTC),
        )

        rows = self.download_csv(start="2026-05-31", end="2026-06-01")

        self.assertEqual([row["number"] for row in rows], [late.number])

    def test_it_filters_by_department_service_and_channel(self):
        numbers = {
            "department": {
                row["number"] for row in self.download_csv(department="roads")
            },
            "service": {
                row["number"] for row in self.download_csv(service="park-upkeep")
            },
            "channel": {row["number"] for row in self.download_csv(channel="phone")},
        }

        self.assertEqual(
            numbers,
            {
                "department": {self.january.number},
                "service": {self.park.number},
                "channel": {self.january.number},
            },
        )

    def test_bad_filters_are_refused_with_a_plain_reason(self):
        self.client.force_login(self.coordinator)
        cases = {
            "start=yesterday": "Give start as a date like 2026-01-31.",
            "end=2026-13-01": "Give end as a date like 2026-02-01.",
            "department=zoo": "No department has the slug “zoo”.",
            "service=unicorn": "No service has the code “unicorn”.",
            "channel=pigeon": "“pigeon” is not a channel",
            "start=2026-02-01&end=2026-01-01": "The end date must come after",
        }

        for query, reason in cases.items():
            with self.subTest(query):
                response = self.client.get(f"{self.export_url()}?{query}")

                self.assertEqual(response.status_code, 400)
                self.assertTrue(response["Content-Type"].startswith("text/plain"))
                self.assertIn(reason, response.content.decode())

    def test_a_clerk_gets_only_their_departments_rows(self):
        rows = self.download_csv(self.parks_clerk)

        self.assertEqual(
            {row["number"] for row in rows}, {self.moved.number, self.park.number}
        )
        self.assertEqual({row["department"] for row in rows}, {"parks"})

    def test_a_clerk_cannot_ask_for_another_department(self):
        self.client.force_login(self.parks_clerk)

        response = self.client.get(self.export_url(department="roads"))

        self.assertEqual(response.status_code, 403)
        self.assertContains(
            response, "You cannot export the requests of Roads", status_code=403
        )

    def test_a_granted_department_is_exported_too(self):
        self.parks_clerk.granted_departments.add(self.roads)

        rows = self.download_csv(self.parks_clerk, department="roads")

        self.assertEqual([row["number"] for row in rows], [self.january.number])

    def test_coordinators_and_administrators_get_every_department(self):
        for user in (self.coordinator, self.admin):
            with self.subTest(user.username):
                self.assertEqual(len(self.download_csv(user)), 3)

    def test_anonymous_visitors_are_sent_to_the_staff_sign_in(self):
        for extension in ("csv", "xlsx"):
            response = self.client.get(self.export_url(extension))

            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith("/staff/login/"))

    def test_an_account_outside_any_department_is_refused(self):
        resident = User.objects.create_user("resident", email="r@example.org")
        self.client.force_login(resident)

        response = self.client.get(self.export_url())

        self.assertContains(response, "not part of a department", status_code=403)

    def test_only_get_is_allowed(self):
        self.client.force_login(self.coordinator)

        response = self.client.post(self.export_url())

        self.assertEqual(response.status_code, 405)
