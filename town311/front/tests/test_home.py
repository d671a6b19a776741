from django.test import TestCase

from town311.front.tests.base import DAY, HOUR, NOW, FrontTestCase
from town311.servicerequests.models import Resolution, ServiceRequest, Status
from town311.test import CENTRE


class HomeTests(FrontTestCase):
    def make_request(self, *, submitted_at, acknowledged_at=None, closed_at=None):
        return ServiceRequest.objects.create(
            service=self.pothole,
            lat=CENTRE[0],
            long=CENTRE[1],
            department=self.roads,
            department_entered_at=submitted_at,
            submitted_at=submitted_at,
            acknowledged_at=acknowledged_at,
            closed_at=closed_at,
            status=Status.CLOSED if closed_at else Status.ACKNOWLEDGED,
            resolution=Resolution.FIXED if closed_at else "",
        )

    def test_it_shows_the_town_name(self):
        self.town.colour = "#336699"
        self.town.save()

        response = self.client.get("/")

        self.assertContains(response, "<h1>Testville 311</h1>", html=True)
        self.assertContains(response, "<title>Testville 311</title>", html=True)
        self.assertContains(response, "--town-colour: #336699")

    def test_it_leads_to_reporting_a_problem(self):
        response = self.client.get("/")

        self.assertContains(
            response,
            '<a class="button report-button" href="/report/">Report a problem</a>',
            html=True,
        )

    def test_it_shows_the_median_times_in_days(self):
        # Acknowledged after 12, 14.4 and 48 hours: the median is 0.6 days.
        for hours in (12, 14.4, 48):
            self.make_request(
                submitted_at=NOW - 3 * DAY, acknowledged_at=NOW - 3 * DAY + hours * HOUR
            )
        # Acknowledged before the period, closed in it after 35 and 36 days:
        # the median of an even count is the mean of the middle two.
        for days in (35, 36):
            self.make_request(
                submitted_at=NOW - 40 * DAY,
                acknowledged_at=NOW - 39 * DAY,
                closed_at=NOW - 40 * DAY + days * DAY,
            )

        response = self.client.get("/")

        self.assertContains(response, "0.6 days")
        self.assertContains(response, "35.5 days")
        self.assertContains(response, "over the 3 requests acknowledged in this period")
        self.assertContains(response, "over the 2 requests closed in this period")
        self.assertContains(response, "Counted from when each request was reported")
        self.assertContains(response, "the last 30 days")

    def test_it_says_when_there_is_not_enough_data(self):
        response = self.client.get("/")

        self.assertContains(response, "Not enough data yet", 2)
        self.assertContains(response, "No request was acknowledged in this period.")
        self.assertContains(response, "No requests in the last 30 days.")

    def test_it_lists_the_latest_requests_of_the_last_30_days(self):
        self.clock.shift(-31 * DAY)
        old = self.submit(description="An old one")
        self.clock.shift(31 * DAY)
        recent = [self.submit(description=f"Recent {n}") for n in range(6)]

        response = self.client.get("/")

        listed = [r.pk for r in response.context["latest"]]
        self.assertEqual(listed, [r.pk for r in reversed(recent[1:])])
        self.assertNotContains(response, "An old one")
        self.assertContains(response, "See all 6 requests from the last 30 days")
        self.assertContains(response, "/requests/?since=2026-04-04")
        self.assertContains(
            response, 'data-requests-map="/requests.geojson?since=2026-04-04"'
        )
        self.assertNotIn(old.pk, listed)

    def test_it_keeps_private_details_out(self):
        self.submit_private_details()
        self.submit(service=self.work_order, description="Staff only job")

        response = self.client.get("/")

        self.assertContains(response, "Deep hole by the school crossing")
        self.assertNotContains(response, "Staff only job")
        self.assertNoPrivateDetails(response)


class HomeWithoutTownTests(TestCase):
    def test_it_explains_how_to_set_up(self):
        response = self.client.get("/")

        self.assertContains(response, "This installation has no town yet")
        self.assertContains(response, "load_demo_town")
