import math
from datetime import timedelta

from django.utils import timezone

from town311.lib.geo import distance_m
from town311.report.tests.base import METRES_PER_DEGREE, ReportTestCase
from town311.servicerequests.models import MeToo, Resolution, Status
from town311.servicerequests.selectors import nearby_open_requests
from town311.test import CENTRE


class NearbyOpenRequestsTests(ReportTestCase):
    def nearby(self, **kwargs):
        kwargs.setdefault("service", self.pothole)
        kwargs.setdefault("lat", CENTRE[0])
        kwargs.setdefault("long", CENTRE[1])
        return nearby_open_requests(**kwargs)

    def test_it_finds_an_open_request_within_150_m_to_the_north(self):
        inside = self.make_request(lat=self.north_of_centre(145)[0])
        self.make_request(lat=self.north_of_centre(155)[0])

        found = self.nearby()

        self.assertEqual(found, [inside])
        self.assertAlmostEqual(found[0].distance_m, 145, delta=0.5)

    def test_it_measures_east_west_on_the_parallel(self):
        # A degree of longitude at 40° N is only about 85 km.
        per_degree = METRES_PER_DEGREE * math.cos(math.radians(CENTRE[0]))
        inside = self.make_request(long=CENTRE[1] + 145 / per_degree)
        self.make_request(long=CENTRE[1] - 155 / per_degree)

        self.assertEqual(self.nearby(), [inside])

    def test_it_lists_the_nearest_first_with_me_too_counts(self):
        far = self.make_request(lat=self.north_of_centre(120)[0])
        near = self.make_request(lat=self.north_of_centre(30)[0])
        MeToo.objects.create(request=far, visitor="a")
        MeToo.objects.create(request=far, visitor="b")

        found = self.nearby()

        self.assertEqual(found, [near, far])
        self.assertEqual([r.me_too_count for r in found], [0, 2])

    def test_it_takes_a_wider_radius(self):
        request = self.make_request(lat=self.north_of_centre(400)[0])

        self.assertEqual(self.nearby(), [])
        self.assertEqual(self.nearby(radius_m=500), [request])

    def test_it_leaves_out_other_services(self):
        self.make_request(service=self.park_upkeep, department=self.parks)

        self.assertEqual(self.nearby(), [])

    def test_it_leaves_out_closed_requests(self):
        self.make_request(
            status=Status.CLOSED,
            resolution=Resolution.FIXED,
            closed_at=timezone.now(),
        )

        self.assertEqual(self.nearby(), [])

    def test_it_counts_acknowledged_and_in_progress_requests_as_open(self):
        acknowledged = self.make_request(status=Status.ACKNOWLEDGED)
        working = self.make_request(status=Status.IN_PROGRESS)

        self.assertCountEqual(self.nearby(), [acknowledged, working])

    def test_it_leaves_out_requests_older_than_the_period(self):
        now = timezone.now()
        recent = self.make_request(submitted_at=now - timedelta(days=29))
        self.make_request(submitted_at=now - timedelta(days=31))

        self.assertEqual(self.nearby(), [recent])
        self.assertEqual(self.nearby(days=7), [])

    def test_it_leaves_out_private_requests(self):
        self.make_request(is_public=False)

        self.assertEqual(self.nearby(), [])

    def test_it_leaves_out_requests_of_staff_only_services(self):
        self.make_request(service=self.work_order)

        self.assertEqual(self.nearby(service=self.work_order), [])

    def test_it_works_across_the_antimeridian(self):
        east = self.make_request(lat=0, long=179.9995)
        west = self.make_request(lat=0, long=-179.9995)

        found = self.nearby(lat=0, long=180.0)

        self.assertCountEqual(found, [east, west])


class DistanceTests(ReportTestCase):
    def test_it_measures_a_degree_of_latitude(self):
        self.assertAlmostEqual(
            distance_m(40.0, -90.0, 41.0, -90.0), METRES_PER_DEGREE, delta=1
        )

    def test_it_is_zero_for_the_same_point(self):
        self.assertEqual(distance_m(40.0, -90.0, 40.0, -90.0), 0)
