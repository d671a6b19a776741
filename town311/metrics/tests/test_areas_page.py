import csv
from datetime import UTC, datetime, timedelta
from io import StringIO

from town311.directory.models import Blocker, Neighbourhood
from town311.servicerequests import services
from town311.servicerequests.models import ServiceRequest
from town311.test import RESIDENT_EMAIL, BaseTestCase, square

DAY = timedelta(days=1)
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
WEST = (40.0, -90.005)
EAST = (40.0, -89.995)


class AreasPageTests(BaseTestCase):
    """In January, Roads acknowledged ten West potholes after a day each,
    ten East potholes after two days each and one Hill pothole after a day;
    Parks acknowledged one East request after half a day. Sorted, the
    town's 22 times are 0.5, eleven 1s and ten 2s: the median is 1.0, East's
    (0.5 and ten 2s) is 2.0 and West's 1.0."""

    def setUp(self) -> None:
        super().setUp()
        self.west = Neighbourhood.objects.create(
            name="West", slug="west", area=square(*WEST, 0.004)
        )
        self.east = Neighbourhood.objects.create(
            name="East", slug="east", area=square(*EAST, 0.004)
        )
        self.hill = Neighbourhood.objects.create(
            name="Hill", slug="hill", area=square(40.009, -90.0, 0.0009)
        )
        for _ in range(10):
            self.acknowledged(self.pothole, WEST, DAY, self.roads_clerk)
            self.acknowledged(self.pothole, EAST, 2 * DAY, self.roads_clerk)
        self.acknowledged(self.park_upkeep, EAST, 0.5 * DAY, self.parks_clerk)
        self.hill_request = self.acknowledged(
            self.pothole, (40.009, -90.0), DAY, self.roads_clerk
        )

    def acknowledged(self, service, place, after, clerk):
        with services.history_replay():
            service_request = services.request_submit(
                service=service,
                lat=place[0],
                long=place[1],
                reporter_email=RESIDENT_EMAIL,
                at=T0,
            )
        services.request_acknowledge(service_request, by=clerk, at=T0 + after)
        return service_request

    def get(self, user, path="/metrics/areas/", **query):
        self.client.force_login(user)
        return self.client.get(path, {"month": "2026-01", **query})

    def row(self, response, name: str) -> dict:
        (row,) = [r for r in response.context["rows"] if r["name"] == name]
        return row

    def test_it_shows_each_area_beside_the_town(self):
        r = self.get(self.coordinator)

        self.assertEqual(
            [row["name"] for row in r.context["rows"]],
            ["East", "Hill", "West", "Whole town"],
        )
        west = self.row(r, "West")
        self.assertEqual(west["cells"][0]["text"], "10")
        self.assertEqual(west["cells"][4]["text"], "1.0 days")
        self.assertContains(r, "These figures cover every department's requests.")

    def test_it_shows_the_gap_to_the_town_median(self):
        r = self.get(self.coordinator)

        self.assertEqual(self.row(r, "Whole town")["cells"][4]["text"], "1.0 days")
        self.assertEqual(self.row(r, "West")["gaps"][0]["text"], "same as the town")
        self.assertEqual(self.row(r, "East")["gaps"][0]["text"], "+1.0 days")

    def test_it_says_when_an_area_has_too_few_to_compare(self):
        r = self.get(self.coordinator)

        self.assertEqual(self.row(r, "Hill")["gaps"][0]["note"], "too few to compare")
        self.assertEqual(self.row(r, "West")["gaps"][1]["note"], "too few to compare")
        self.assertContains(r, "too few to compare")

    def test_it_shows_a_clerk_their_departments_requests(self):
        r = self.get(self.parks_clerk)

        self.assertContains(r, "These figures cover only the requests of Parks")
        self.assertEqual(self.row(r, "East")["cells"][0]["text"], "1")
        self.assertEqual(self.row(r, "West")["cells"][0]["text"], "0")
        self.assertEqual(self.row(r, "Whole town")["cells"][4]["text"], "0.5 days")
        self.assertNotContains(r, "Upload the town's areas")

    def test_it_filters_by_service(self):
        r = self.get(self.coordinator, service="park-upkeep")

        self.assertEqual(self.row(r, "Whole town")["cells"][0]["text"], "1")

    def test_it_explains_a_bad_month_and_still_shows_figures(self):
        r = self.get(self.coordinator, month="2026-13")

        self.assertContains(r, "is not a month")
        self.assertEqual(len(r.context["rows"]), 4)

    def test_it_counts_requests_waiting_on_blockers(self):
        scheduled = Blocker.objects.create(name="Scheduled", public_text="Soon.")
        Blocker.objects.create(name="Permit", public_text="A permit.", order=2)
        ServiceRequest.objects.filter(pk=self.hill_request.pk).update(
            blocker=scheduled, blocked_at=T0
        )

        r = self.get(self.coordinator)

        self.assertEqual(
            [(row["name"], row["waiting"]) for row in r.context["blockers"]],
            [("Scheduled", 1), ("Permit", 0), ("All blockers", 1)],
        )
        self.assertEqual(r.context["blockers"][1]["oldest"], "—")

    def test_it_sends_anonymous_visitors_to_sign_in(self):
        r = self.client.get("/metrics/areas/")

        self.assertRedirects(
            r, "/staff/login/?next=/metrics/areas/", fetch_redirect_response=False
        )

    def test_it_downloads_the_table_as_csv(self):
        r = self.get(self.coordinator, "/metrics/areas.csv")

        self.assertEqual(r["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn("areas-2026-01-01-to-2026-01-31.csv", r["Content-Disposition"])
        rows = list(csv.DictReader(StringIO(r.content.decode())))
        self.assertEqual(
            [row["area"] for row in rows], ["East", "Hill", "West", "Whole town"]
        )
        east = rows[0]
        self.assertEqual(east["received"], "11")
        self.assertEqual(float(east["ack_median_days"]), 2.0)
        self.assertEqual(float(east["ack_median_gap_days"]), 1.0)
        self.assertEqual(east["close_median_days"], "")

    def test_the_csv_keeps_a_clerks_department(self):
        r = self.get(self.parks_clerk, "/metrics/areas.csv")

        rows = list(csv.DictReader(StringIO(r.content.decode())))
        self.assertEqual(rows[-1]["received"], "1")
