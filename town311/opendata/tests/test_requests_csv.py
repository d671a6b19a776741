import csv
import io

from django.urls import reverse

from town311.front.tests.base import PRIVATE_STRINGS
from town311.opendata.tests.base import (
    PRIVATE_DESCRIPTION,
    SUBMITTED,
    OpenDataTestCase,
)
from town311.test import CENTRE

URL = reverse("opendata:requests-csv")

HEADER = [
    "number",
    "service_code",
    "service_name",
    "status",
    "resolution",
    "department",
    "requested_datetime",
    "updated_datetime",
    "acknowledged_datetime",
    "closed_datetime",
    "lat",
    "long",
    "address",
    "neighbourhood",
    "url",
]


def body(response) -> str:
    return b"".join(response.streaming_content).decode()


class RequestsCSVTests(OpenDataTestCase):
    def rows(self, query: str = "") -> list[list[str]]:
        response = self.client.get(URL + query)
        self.assertEqual(response.status_code, 200)
        return list(csv.reader(io.StringIO(body(response))))

    def test_it_has_a_header_and_a_row_per_public_request(self):
        header, *rows = self.rows()

        self.assertEqual(header, HEADER)
        self.assertEqual(
            rows,
            [
                [
                    str(self.open_request.pk),
                    "pothole",
                    "Pothole",
                    "open",
                    "",
                    "Roads",
                    SUBMITTED,
                    SUBMITTED,
                    SUBMITTED,
                    "",
                    str(CENTRE[0]),
                    str(CENTRE[1] + 0.005),
                    "12 Main Street",
                    "",
                    f"http://testserver/requests/{self.open_request.pk}/",
                ],
                [
                    str(self.closed_request.pk),
                    "park-upkeep",
                    "Park upkeep",
                    "closed",
                    "fixed",
                    "Parks",
                    SUBMITTED,
                    "2026-05-05T06:00:00-05:00",
                    "2026-05-04T06:00:00-05:00",
                    "2026-05-05T06:00:00-05:00",
                    str(CENTRE[0]),
                    str(CENTRE[1] - 0.005),
                    "Mill Park",
                    "Riverside",
                    f"http://testserver/requests/{self.closed_request.pk}/",
                ],
            ],
        )

    def test_it_is_streamed_as_a_csv_download(self):
        response = self.client.get(URL)

        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="testville-service-requests.csv"',
        )
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")

    def test_it_holds_no_personal_data(self):
        content = body(self.client.get(URL))

        for private in (*PRIVATE_STRINGS, PRIVATE_DESCRIPTION, "Which side"):
            self.assertNotIn(private, content)
        self.assertNotIn("Depot yard", content)
        self.assertNotIn("Hidden Lane", content)

    def test_it_quotes_commas_and_quotes_in_addresses(self):
        self.open_request.__class__.objects.filter(pk=self.open_request.pk).update(
            address='Corner of "Oak", Main'
        )

        header, first, _ = self.rows()

        self.assertEqual(first[header.index("address")], 'Corner of "Oak", Main')
        self.assertIn('"Corner of ""Oak"", Main"', body(self.client.get(URL)))

    def test_it_reads_the_requests_in_one_query_however_many(self):
        for n in range(5):
            self.submit(address=f"{n} Elm Street")

        with self.assertNumQueries(2):
            self.assertEqual(len(self.rows()), 1 + 7)
