import csv
import io
from datetime import UTC, datetime

from django.urls import reverse

from town311.opendata.tests.base import OpenDataTestCase
from town311.servicerequests.models import ServiceRequest

CSV_URL = reverse("opendata:requests-csv")
GEOJSON_URL = reverse("opendata:requests-geojson")


class FilterTests(OpenDataTestCase):
    def setUp(self) -> None:
        super().setUp()

        # Submitted at 23:30 on May 1 in Chicago: 04:30 on May 2 in UTC.
        self.late = self.submit(address="3 Late Road")
        late_evening = datetime(2026, 5, 2, 4, 30, tzinfo=UTC)
        ServiceRequest.objects.filter(pk=self.late.pk).update(
            submitted_at=late_evening, updated_at=late_evening
        )

    def numbers(self, query: str) -> list[str]:
        response = self.client.get(f"{CSV_URL}?{query}")
        self.assertEqual(response.status_code, 200, response)
        rows = list(csv.DictReader(io.StringIO(b"".join(response).decode())))
        return [row["number"] for row in rows]

    def assertRefused(self, query: str, message: str) -> None:
        for url in (CSV_URL, GEOJSON_URL):
            response = self.client.get(f"{url}?{query}")

            self.assertEqual(response.status_code, 400)
            self.assertEqual(response["Access-Control-Allow-Origin"], "*")
            self.assertEqual(response.json(), [{"code": 400, "description": message}])

    def test_it_filters_by_service_code(self):
        self.assertEqual(
            self.numbers("service_code=park-upkeep"), [str(self.closed_request.pk)]
        )
        self.assertEqual(
            self.numbers("service_code=pothole, park-upkeep"),
            [str(self.open_request.pk), str(self.closed_request.pk), str(self.late.pk)],
        )

    def test_it_filters_by_status(self):
        self.assertEqual(
            self.numbers("status=open"), [str(self.open_request.pk), str(self.late.pk)]
        )
        self.assertEqual(self.numbers("status=closed"), [str(self.closed_request.pk)])
        self.assertEqual(len(self.numbers("status=open,closed")), 3)

    def test_it_filters_by_local_dates_both_included(self):
        # May 1 local holds the late request, though it is May 2 in UTC.
        self.assertEqual(
            self.numbers("start_date=2026-05-01&end_date=2026-05-01"),
            [str(self.late.pk)],
        )
        self.assertEqual(
            self.numbers("start_date=2026-05-02"),
            [str(self.open_request.pk), str(self.closed_request.pk)],
        )
        self.assertEqual(self.numbers("end_date=2026-05-03"), [str(self.late.pk)])

    def test_it_filters_by_update_time(self):
        # The closed request changed last, on May 5 at 06:00 in Chicago.
        self.assertEqual(
            self.numbers("updated_after=2026-05-05T05:59:59-05:00"),
            [str(self.closed_request.pk)],
        )
        self.assertEqual(self.numbers("updated_after=2026-05-05T06:00:00-05:00"), [])
        # A "+" left unescaped in the address arrives as a space.
        self.assertEqual(
            self.numbers("updated_after=2026-05-05T10:59:59+00:00"),
            [str(self.closed_request.pk)],
        )
        # Without an offset it is the town's time; a bare date is midnight.
        self.assertEqual(
            self.numbers("updated_after=2026-05-05T05:59:59"),
            [str(self.closed_request.pk)],
        )
        self.assertEqual(len(self.numbers("updated_after=2026-05-02")), 2)

    def test_it_refuses_an_unknown_or_staff_only_service(self):
        self.assertRefused(
            "service_code=pothole,sinkhole",
            "service_code: No public service has the code “sinkhole”. Use the "
            "codes in the service_code column, separated by commas.",
        )
        self.assertRefused(
            "service_code=work-order",
            "service_code: No public service has the code “work-order”. Use the "
            "codes in the service_code column, separated by commas.",
        )

    def test_it_refuses_an_unknown_status(self):
        self.assertRefused(
            "status=acknowledged",
            "status: “acknowledged” is not a status: use open or closed.",
        )

    def test_it_refuses_bad_dates(self):
        self.assertRefused(
            "start_date=05/01/2026",
            "start_date: Use a date written YYYY-MM-DD, such as 2026-01-31.",
        )
        self.assertRefused(
            "end_date=2026-02-30",
            "end_date: Use a date written YYYY-MM-DD, such as 2026-01-31.",
        )
        self.assertRefused(
            "start_date=2026-05-03&end_date=2026-05-01",
            "The end_date is before the start_date; swap them.",
        )
        self.assertRefused(
            "updated_after=yesterday",
            "updated_after: Use a date and time in ISO 8601, such as "
            "2026-01-31T09:30:00-06:00, or a date such as 2026-01-31.",
        )

    def test_it_names_every_problem_at_once(self):
        response = self.client.get(f"{CSV_URL}?status=new&start_date=may")

        self.assertEqual(
            response.json()[0]["description"],
            "status: “new” is not a status: use open or closed. start_date: Use a "
            "date written YYYY-MM-DD, such as 2026-01-31.",
        )
