from django.urls import reverse

from town311.front.tests.base import DAY, HOUR, FrontTestCase
from town311.servicerequests import services
from town311.test import CENTRE


class BrowseTests(FrontTestCase):
    def browse(self, **params):
        return self.client.get(reverse("front:browse"), params)

    def listed(self, response) -> list[int]:
        return [r.pk for r in response.context["page"].object_list]

    def test_it_lists_public_requests_newest_first(self):
        older = self.submit()
        self.clock.shift(DAY)
        newer = self.submit(service=self.park_upkeep)
        self.submit(service=self.work_order)
        hidden = self.submit()
        hidden.is_public = False
        hidden.save()

        response = self.browse()

        self.assertEqual(self.listed(response), [newer.pk, older.pk])
        self.assertContains(response, "2 requests")
        self.assertContains(response, reverse("front:request", args=[newer.pk]))
        self.assertNotContains(response, "Internal work order")
        self.assertNotContains(response, reverse("front:request", args=[hidden.pk]))

    def test_it_filters_by_service(self):
        self.submit()
        park = self.submit(service=self.park_upkeep)

        response = self.browse(service="park-upkeep")

        self.assertEqual(self.listed(response), [park.pk])

    def test_it_filters_by_status(self):
        submitted = self.submit()
        acknowledged = self.submit()
        services.request_acknowledge(acknowledged, by=self.roads_clerk)
        closed = self.submit()
        services.request_close(closed, by=self.roads_clerk, resolution="fixed")

        cases = {
            "open": {submitted.pk, acknowledged.pk},
            "closed": {closed.pk},
            "submitted": {submitted.pk},
            "acknowledged": {acknowledged.pk},
            "in_progress": set(),
        }
        for status, expected in cases.items():
            with self.subTest(status=status):
                self.assertEqual(set(self.listed(self.browse(status=status))), expected)

    def test_it_filters_by_area(self):
        west = self.submit(long=CENTRE[1] - 0.005)
        self.submit(long=CENTRE[1] + 0.005)

        response = self.browse(area="riverside")

        self.assertEqual(self.listed(response), [west.pk])
        self.assertContains(response, "Riverside")

    def test_it_filters_by_date_in_the_town_time_zone(self):
        # 04:00 on 4 May in the town, then 23:30 on 5 May there (04:30 UTC
        # on the 6th), then 6 May.
        first = self.submit()
        self.clock.shift(DAY + 19.5 * HOUR)
        late_evening = self.submit()
        self.clock.shift(DAY)
        self.submit()

        response = self.browse(since="2026-05-05", until="2026-05-05")

        self.assertEqual(self.listed(response), [late_evening.pk])
        self.assertEqual(self.listed(self.browse(until="2026-05-04")), [first.pk])

    def test_it_searches_descriptions_addresses_and_numbers(self):
        hole = self.submit(description="Huge crater near the bakery")
        oak = self.submit(description="Broken bench", address="4 Oak Avenue")
        by_number = self.submit(description="Something else")

        cases = {
            "crater": [hole.pk],
            "OAK AVE": [oak.pk],
            str(by_number.pk): [by_number.pk],
            f"#{by_number.pk}": [by_number.pk],
            "9" * 30: [],
        }
        for q, expected in cases.items():
            with self.subTest(q=q):
                self.assertEqual(self.listed(self.browse(q=q)), expected)

    def test_bad_filters_are_explained_and_left_out(self):
        park = self.submit(service=self.park_upkeep)
        self.submit()

        response = self.browse(
            service="park-upkeep",
            status="lost",
            area="atlantis",
            since="yesterday",
            page="many",
        )

        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Some filters could not be used")
        self.assertContains(response, "There is no such status")
        self.assertContains(response, "There is no such area")
        self.assertContains(response, "Enter a date like 2026-05-31.")
        self.assertEqual(self.listed(response), [park.pk])
        self.assertEqual(response.context["query"], "service=park-upkeep")

    def test_it_refuses_dates_at_the_ends_of_the_calendar(self):
        for params in ({"until": "9999-12-31"}, {"since": "0001-01-01"}):
            with self.subTest(params=params):
                response = self.browse(**params)
                self.assertContains(
                    response, "Enter a date between 1900-01-01 and 2999-12-31."
                )

    def test_it_explains_dates_the_wrong_way_round(self):
        response = self.browse(since="2026-05-05", until="2026-05-01")

        self.assertContains(response, "This date is before the first one")

    def test_it_pages_by_25(self):
        for _ in range(26):
            self.submit()

        first = self.browse(service="pothole")
        second = self.browse(service="pothole", page=2)

        self.assertEqual(len(self.listed(first)), 25)
        self.assertContains(first, "Page 1 of 2")
        self.assertContains(first, 'href="?service=pothole&amp;page=2"')
        self.assertEqual(len(self.listed(second)), 1)

    def test_the_map_gets_the_same_filters(self):
        response = self.browse(service="pothole", status="lost")

        geojson = reverse("front:requests-geojson")
        self.assertContains(response, f'data-requests-map="{geojson}?service=pothole"')

    def test_it_keeps_private_details_out(self):
        self.submit_private_details()

        for params in ({}, {"q": "Zebediah"}):
            with self.subTest(params=params):
                response = self.browse(**params)
                self.assertNoPrivateDetails(response)

        self.assertEqual(self.listed(self.browse(q="Zebediah")), [])
        self.assertEqual(self.listed(self.browse(q="xyzzy")), [])
