import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from town311.accounts.models import User
from town311.directory.models import Neighbourhood
from town311.metrics.exports import (
    HEADER,
    TABLE_COLUMNS,
    csv_stream,
    export_rows,
    xlsx_write,
)
from town311.metrics.figures import period_figures
from town311.metrics.views import XLSX_CONTENT_TYPE
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
    request_withdraw,
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


class ExportBasisTests(ExportTestCase):
    """The moved request: acknowledged by Roads on 1 June, closed by Parks
    on 4 June, reopened, and closed again on 6 June at 21:00 local time,
    which is 7 June in UTC."""

    def numbers(self, user: User | None = None, **filters) -> list[str]:
        return [row["number"] for row in self.download_csv(user, **filters)]

    def test_acknowledged_gives_the_requests_acknowledged_in_the_period(self):
        self.assertEqual(
            self.numbers(basis="acknowledged", start="2026-06-01", end="2026-06-02"),
            [self.moved.number],
        )
        # Submitted before the period, acknowledged in it, still counts.
        request_acknowledge(self.january, by=self.roads_clerk, at=NOW - DAY)
        self.assertEqual(
            self.numbers(basis="acknowledged", start="2026-06-19", end="2026-06-20"),
            [self.january.number],
        )

    def test_closed_gives_the_latest_close_on_the_towns_day(self):
        self.assertEqual(
            self.numbers(basis="closed", start="2026-06-06", end="2026-06-07"),
            [self.moved.number],
        )
        # The first close, on 4 June, was undone by the reopen.
        self.assertEqual(
            self.numbers(basis="closed", start="2026-06-04", end="2026-06-05"), []
        )
        self.assertEqual(
            self.numbers(basis="closed", start="2026-06-07", end="2026-06-08"), []
        )

    def test_open_requests_are_in_no_close_export(self):
        numbers = self.numbers(basis="closed")

        self.assertEqual(numbers, [self.moved.number])

    def test_withdrawn_requests_are_in_the_close_export_with_their_resolution(self):
        withdrawn = request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=JUNE_SUBMITTED_AT,
            reporter_email="withdrawer@example.org",
        )
        request_withdraw(
            withdrawn, email="withdrawer@example.org", at=JUNE_SUBMITTED_AT + HOUR
        )

        rows = self.download_csv(basis="closed", start="2026-06-01", end="2026-06-02")

        self.assertEqual(
            [(row["number"], row["resolution"]) for row in rows],
            [(withdrawn.number, "withdrawn")],
        )
        self.assertEqual(rows[0]["close_days"], repr(1 / 24))

    def test_rows_come_oldest_first_by_the_basis(self):
        later = request_submit(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            at=JUNE_SUBMITTED_AT - DAY,
        )
        request_acknowledge(later, by=self.roads_clerk, at=NOW - HOUR)
        request_acknowledge(self.park, by=self.parks_clerk, at=NOW - 2 * HOUR)

        self.assertEqual(
            self.numbers(basis="acknowledged"),
            [self.moved.number, self.park.number, later.number],
        )
        self.assertEqual(
            self.numbers(),
            [self.january.number, later.number, self.moved.number] + [self.park.number],
        )

    def test_the_department_is_the_one_the_figures_count_it_for(self):
        self.assertEqual(
            self.numbers(department="roads", basis="acknowledged"),
            [self.moved.number],
        )
        self.assertEqual(
            self.numbers(department="roads", basis="submitted"),
            [self.january.number],
        )
        self.assertEqual(
            self.numbers(department="parks", basis="closed"), [self.moved.number]
        )

    def test_a_clerk_exports_what_their_department_acknowledged_and_handed_on(self):
        self.assertEqual(
            self.numbers(self.roads_clerk, basis="acknowledged"), [self.moved.number]
        )
        self.assertEqual(self.numbers(self.roads_clerk), [self.january.number])
        self.assertEqual(self.numbers(self.roads_clerk, basis="closed"), [])

    def test_it_filters_by_area(self):
        self.assertEqual(
            self.numbers(area="old-town"), [self.january.number, self.moved.number]
        )
        self.assertEqual(
            self.numbers(area="old-town", basis="closed"), [self.moved.number]
        )

    def test_bad_values_are_refused_with_a_plain_reason(self):
        self.client.force_login(self.coordinator)
        cases = {
            "basis=opened": "“opened” is not a basis; use submitted, acknowledged",
            "area=atlantis": "No neighbourhood has the slug “atlantis”.",
            "basis=closed&start=2026-02-01&end=2026-02-01": (
                "covers requests closed from start"
            ),
        }

        for query, reason in cases.items():
            with self.subTest(query):
                response = self.client.get(f"{self.export_url()}?{query}")

                self.assertEqual(response.status_code, 400)
                self.assertIn(reason, response.content.decode())

    def test_the_export_recomputes_the_towns_close_median(self):
        rows = self.download_csv(basis="closed", start="2026-06-01", end="2026-07-01")
        days = sorted(
            float(row["close_days"]) for row in rows if row["resolution"] != "withdrawn"
        )

        figures = period_figures(
            start=datetime(2026, 6, 1, 5, 0, tzinfo=UTC),
            end=datetime(2026, 7, 1, 5, 0, tzinfo=UTC),
        )

        self.assertEqual(days, [5.5])
        self.assertEqual(figures[-1]["close_median_days"], days[0])


class ExportTimestampTests(ExportTestCase):
    def test_fractions_of_a_second_are_kept(self):
        ServiceRequest.objects.filter(pk=self.january.pk).update(
            submitted_at=datetime(2026, 1, 15, 15, 0, 0, 250000, tzinfo=UTC)
        )

        rows = {row["number"]: row for row in self.download_csv()}

        self.assertEqual(
            rows[self.january.number]["submitted_at"],
            "2026-01-15T09:00:00.250000-06:00",
        )

    def test_the_hour_summer_time_starts_is_exact(self):
        # Chicago springs forward at 08:00 UTC on 8 March 2026.
        moments = [
            datetime(2026, 3, 8, 7, 59, 59, tzinfo=UTC),
            datetime(2026, 3, 8, 8, 0, 0, tzinfo=UTC),
        ]
        for moment in moments:
            request_submit(
                service=self.pothole, lat=CENTRE[0], long=CENTRE[1], at=moment
            )

        rows = self.download_csv(start="2026-03-08", end="2026-03-09")

        self.assertEqual(
            [row["submitted_at"] for row in rows],
            ["2026-03-08T01:59:59-06:00", "2026-03-08T03:00:00-05:00"],
        )

    def test_a_zone_with_half_hour_offsets_is_exact(self):
        zone = ZoneInfo("Asia/Kolkata")

        rows = list(export_rows(ServiceRequest.objects.order_by("pk"), zone=zone))

        moved = dict(zip(HEADER, rows[1], strict=True))
        self.assertEqual(moved["submitted_at"], "2026-06-01T19:30:00+05:30")
        self.assertEqual(moved["closed_at"], "2026-06-07T07:30:00+05:30")


@time_machine.travel(NOW, tick=False)
@override_settings(ROOT_URLCONF="town311.metrics.tests.urls")
class ExportTableTests(ExportTestCase):
    """June: Parks received the moved request and the park one; Roads
    acknowledged the moved one after 2 hours; Parks closed it 4.5 days
    after it entered its queue, 5.5 days after submission."""

    def table_url(self, extension: str = "csv") -> str:
        return reverse("metrics:export-table", kwargs={"extension": extension})

    def download(self, user: User | None = None, **query) -> list[dict]:
        self.client.force_login(user or self.coordinator)
        response = self.client.get(self.table_url(), query)
        self.assertEqual(response.status_code, 200)
        return parse_csv(response.content.decode())

    def test_it_gives_the_dashboard_table_unrounded(self):
        self.client.force_login(self.coordinator)

        response = self.client.get(self.table_url(), {"month": "2026-06"})

        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="figures-2026-06-01-2026-06-30.csv"',
        )
        rows = parse_csv(response.content.decode())
        self.assertEqual(tuple(rows[0]), TABLE_COLUMNS)
        self.assertEqual(
            [(row["department"], row["department_name"]) for row in rows],
            [("parks", "Parks"), ("roads", "Roads"), ("", "")],
        )
        parks, roads, town = rows
        self.assertEqual(
            {k: parks[k] for k in ("period_start", "period_end", "received")},
            {"period_start": "2026-06-01", "period_end": "2026-06-30", "received": "2"},
        )
        self.assertEqual(roads["acknowledged"], "1")
        self.assertEqual(float(roads["ack_median_days"]), 2 / 24)
        self.assertEqual(float(parks["close_median_days"]), 4.5)
        self.assertEqual(float(town["close_median_days"]), 5.5)
        self.assertEqual(town["open_at_end"], "2")
        # 4.5 days is within Parks' 14-day target.
        self.assertEqual(town["close_within_target_share"], "1.0")
        self.assertEqual(parks["ack_median_days"], "")

    def test_a_range_counts_both_days_in_as_the_dashboard_does(self):
        rows = self.download(start="2026-06-01", end="2026-06-01")

        self.assertEqual(rows[-1]["received"], "2")
        self.assertEqual(rows[-1]["period_end"], "2026-06-01")
        self.assertEqual(rows[-1]["acknowledged"], "1")

    def test_filters_narrow_every_row(self):
        rows = self.download(month="2026-06", service="park-upkeep")

        self.assertEqual([row["received"] for row in rows], ["1", "0", "1"])
        rows = self.download(month="2026-06", area="old-town")
        self.assertEqual(rows[-1]["received"], "1")

    def test_a_clerk_gets_their_department_and_the_town(self):
        rows = self.download(self.roads_clerk, month="2026-06")

        self.assertEqual([row["department"] for row in rows], ["roads", ""])
        self.assertEqual(rows[-1]["received"], "2")

    def test_the_xlsx_table_holds_the_same_figures(self):
        self.client.force_login(self.coordinator)

        response = self.client.get(self.table_url("xlsx"), {"month": "2026-06"})

        self.assertEqual(response["Content-Type"], XLSX_CONTENT_TYPE)
        sheet = load_workbook(io.BytesIO(response.content))["Figures"]
        rows = list(sheet.values)
        self.assertEqual(rows[0], TABLE_COLUMNS)
        town = dict(zip(TABLE_COLUMNS, rows[-1], strict=True))
        self.assertEqual(town["department"], None)
        self.assertEqual(town["close_median_days"], 5.5)
        self.assertEqual(town["period_start"], "2026-06-01")

    def test_without_a_period_it_gives_the_last_complete_month(self):
        rows = self.download()

        self.assertEqual(rows[0]["period_start"], "2026-05-01")
        self.assertEqual(rows[0]["period_end"], "2026-05-31")

    def test_bad_queries_are_refused_with_what_to_fix(self):
        self.client.force_login(self.coordinator)
        cases = {
            "month=2026-13": "“2026-13” is not a month",
            "start=2026-06-01": "Give the last day too",
            "start=2026-06-05&end=2026-06-01": "cannot come before the first day",
            "channel=pigeon": "There is no such channel",
        }

        for query, reason in cases.items():
            with self.subTest(query):
                response = self.client.get(f"{self.table_url()}?{query}")

                self.assertEqual(response.status_code, 400)
                self.assertIn(reason, response.content.decode())

    def test_anonymous_visitors_are_sent_to_sign_in(self):
        response = self.client.get(self.table_url())

        self.assertEqual(response.status_code, 302)


@time_machine.travel(NOW, tick=False)
class DashboardExportLinksTests(ExportTestCase):
    def links(self, user: User, **query) -> dict:
        self.client.force_login(user)
        response = self.client.get("/metrics/", query)
        self.assertEqual(response.status_code, 200)
        return response.context["exports"]

    def follow(self, url: str) -> list[str]:
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        content = b"".join(response.streaming_content).decode()
        return [row["number"] for row in parse_csv(content)]

    def test_each_basis_gets_a_link_with_the_dashboards_filters(self):
        exports = self.links(
            self.coordinator, month="2026-06", area="old-town", channel="web"
        )

        self.assertEqual(
            [basis["label"] for basis in exports["bases"]],
            ["received", "acknowledged", "closed"],
        )
        query = "start=2026-06-01&end=2026-07-01&channel=web&area=old-town"
        self.assertEqual(
            [basis["csv"] for basis in exports["bases"]],
            [
                f"/metrics/export/requests.csv?{query}",
                f"/metrics/export/requests.csv?{query}&basis=acknowledged",
                f"/metrics/export/requests.csv?{query}&basis=closed",
            ],
        )
        self.assertEqual(
            exports["table"]["xlsx"],
            "/metrics/export/table.xlsx?month=2026-06&channel=web&area=old-town",
        )

    def test_the_links_give_what_the_figures_count(self):
        exports = self.links(self.roads_clerk, month="2026-06")
        received, acknowledged, closed = exports["bases"]

        self.assertIn("department=roads", received["csv"])
        self.assertEqual(self.follow(received["csv"]), [])
        self.assertEqual(self.follow(acknowledged["csv"]), [self.moved.number])
        self.assertEqual(self.follow(closed["csv"]), [])

    def test_a_range_links_its_table_with_the_last_day_included(self):
        exports = self.links(self.coordinator, start="2026-06-01", end="2026-06-10")

        self.assertEqual(
            exports["table"]["csv"],
            "/metrics/export/table.csv?start=2026-06-01&end=2026-06-10",
        )
        self.assertIn("start=2026-06-01&end=2026-06-11", exports["bases"][0]["csv"])

    def test_the_page_shows_every_download(self):
        self.client.force_login(self.coordinator)

        response = self.client.get("/metrics/", {"month": "2026-06"})

        self.assertContains(response, "Download this table")
        for label in ("received", "acknowledged", "closed"):
            self.assertContains(
                response, f'aria-label="Requests {label} in the period as CSV"'
            )
        self.assertContains(response, "/metrics/export/table.csv?month=2026-06")


class ExportCsvTextTests(ExportTestCase):
    def test_names_with_commas_and_quotes_are_quoted_as_the_csv_module_does(self):
        self.pothole.name = 'Pothole, "deep"'
        self.pothole.save()
        requests = ServiceRequest.objects.order_by("pk")

        text = "".join(csv_stream(requests))

        expected = io.StringIO()
        csv.writer(expected, lineterminator="\r\n").writerows(export_rows(requests))
        self.assertEqual(text, expected.getvalue())
        self.assertIn('"Pothole, ""deep"""', text)

    def test_the_text_comes_in_chunks_of_whole_lines(self):
        pieces = list(csv_stream(ServiceRequest.objects.all(), rows_per_chunk=2))

        self.assertEqual([piece.count("\r\n") for piece in pieces], [2, 2])
        self.assertTrue(all(piece.endswith("\r\n") for piece in pieces))
