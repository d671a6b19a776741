from datetime import UTC, date, datetime, timedelta

import time_machine

from town311.servicerequests import services
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

DAY = timedelta(days=1)
# A Monday in January and one in December, 06:00 in the town.
JANUARY = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
DECEMBER = datetime(2025, 12, 8, 12, 0, tzinfo=UTC)


class DashboardTests(BaseTestCase):
    """Roads acknowledged two January requests after 0.25 and 1 day (median
    0.625, 90th percentile 0.925) and one December request after 0.9 day."""

    def setUp(self) -> None:
        super().setUp()
        self.acknowledged(JANUARY, after=0.25 * DAY)
        self.acknowledged(JANUARY, after=DAY)
        self.acknowledged(DECEMBER, after=0.9 * DAY)

    def acknowledged(self, at: datetime, *, after: timedelta):
        with services.history_replay():
            service_request = services.request_submit(
                service=self.pothole,
                lat=CENTRE[0],
                long=CENTRE[1],
                reporter_email=RESIDENT_EMAIL,
                at=at,
            )
        services.request_acknowledge(
            service_request, by=self.roads_clerk, at=at + after
        )
        return service_request

    def get(self, user, **query):
        self.client.force_login(user)
        return self.client.get("/metrics/", query)

    def departments(self, response) -> list:
        return [row["department"] for row in response.context["rows"]]

    def roads_cells(self, response) -> list[dict]:
        (row,) = [r for r in response.context["rows"] if r["department"] == self.roads]
        return row["cells"]

    def test_it_shows_a_coordinator_every_department(self) -> None:
        r = self.get(self.coordinator, month="2026-01")

        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.departments(r), [self.parks, self.roads, None])
        self.assertContains(r, "Whole town")

    def test_it_shows_an_administrator_every_department(self) -> None:
        r = self.get(self.admin, month="2026-01")

        self.assertEqual(self.departments(r), [self.parks, self.roads, None])

    def test_it_shows_a_clerk_their_department_beside_the_town(self) -> None:
        r = self.get(self.roads_clerk, month="2026-01")

        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.departments(r), [self.roads, None])
        self.assertNotContains(r, "Parks")

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        r = self.client.get("/metrics/")

        self.assertRedirects(
            r, "/staff/login/?next=/metrics/", fetch_redirect_response=False
        )

    @time_machine.travel(datetime(2026, 2, 1, 3, 0, tzinfo=UTC), tick=False)
    def test_it_defaults_to_the_last_complete_month_in_the_towns_zone(self) -> None:
        # It is still 31 January in Chicago, so January is not complete yet.
        r = self.get(self.coordinator)

        self.assertContains(r, "<h1>Dashboard: December 2025</h1>", html=True)
        self.assertEqual(r.context["period"].first, date(2025, 12, 1))
        self.assertContains(r, 'value="2025-12"')

    def test_it_rounds_times_to_one_decimal(self) -> None:
        r = self.get(self.coordinator, month="2026-01")

        cells = self.roads_cells(r)
        self.assertEqual(cells[1]["text"], "2")
        self.assertEqual(cells[4]["text"], "0.6 days")
        self.assertEqual(cells[5]["text"], "0.6 days")
        self.assertEqual(cells[6]["text"], "0.9 days")
        self.assertEqual(cells[7]["text"], "100%")
        self.assertEqual(cells[8]["text"], "—")
        self.assertContains(r, "0.6 days")

    def test_it_shows_the_change_from_the_previous_month(self) -> None:
        r = self.get(self.coordinator, month="2026-01")

        cells = self.roads_cells(r)
        self.assertEqual(cells[4]["change"], "\u22120.3 days")
        self.assertEqual(cells[4]["tone"], "improved")
        self.assertEqual(cells[1]["change"], "+1")
        self.assertEqual(cells[7]["change"], "no change")
        self.assertContains(r, "dashboard-change-improved")

    def test_a_slower_month_is_not_shown_as_improved(self) -> None:
        r = self.get(self.coordinator, month="2025-12")

        cells = self.roads_cells(r)
        self.assertEqual(cells[4]["text"], "0.9 days")
        self.assertEqual(cells[4]["change"], None)
        self.assertEqual(cells[4]["tone"], "neutral")

    def test_it_takes_a_date_range_with_the_last_day_included(self) -> None:
        r = self.get(self.coordinator, start="2026-01-01", end="2026-01-05")

        self.assertEqual(self.roads_cells(r)[1]["text"], "1")
        previous = r.context["previous"]
        self.assertEqual(previous.first, date(2025, 12, 27))
        self.assertEqual(previous.last, date(2025, 12, 31))
        self.assertContains(r, "both days included")

    def test_it_links_the_export_for_the_same_period(self) -> None:
        r = self.get(self.roads_clerk, month="2026-01", service="pothole")

        csv = r.context["exports"]["csv"]
        self.assertTrue(csv.startswith("/metrics/export/requests.csv?"))
        self.assertIn("start=2026-01-01&end=2026-02-01", csv)
        self.assertIn("service=pothole", csv)
        self.assertIn("department=roads", csv)
        self.assertContains(r, "/metrics/export/requests.xlsx?")

    def test_it_explains_a_bad_month_and_still_renders(self) -> None:
        r = self.get(self.coordinator, month="2026-13")

        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "“2026-13” is not a month")
        self.assertContains(r, 'id="id_month_error"')
        self.assertEqual(self.departments(r), [self.parks, self.roads, None])

    def test_it_explains_bad_filters_and_still_renders(self) -> None:
        r = self.get(
            self.coordinator, start="2026-01-31", end="2026-01-01", channel="fax"
        )

        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "The last day cannot come before the first day.")
        self.assertContains(r, "There is no such channel")
