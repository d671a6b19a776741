from unittest import mock

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from town311.directory.models import (
    Agency,
    GeographyVersion,
    Neighbourhood,
    RoutingArea,
    Town,
)
from town311.lib.errors import OutsideServiceArea
from town311.servicerequests import routing
from town311.servicerequests.routing import geography, neighbourhood_at, route
from town311.test import CENTRE, BaseTestCase, square

LAT, LONG = CENTRE
EAST = (LAT, LONG + 0.008)


class GeographyCacheTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.downtown = RoutingArea.objects.create(
            name="Downtown", area=square(LAT, LONG, 0.002), department=self.parks
        )

    def test_it_reads_only_the_version_while_nothing_changes(self):
        first = geography()

        with CaptureQueriesContext(connection) as queries:
            again = geography()
            decision = route(service=self.pothole, lat=LAT, long=LONG)

        self.assertIs(again, first)
        self.assertEqual(decision.department, self.parks)
        # One look at the version each; no area is read or parsed again.
        self.assertEqual(len(queries), 2)
        self.assertTrue(all("directory_geographyversion" in q["sql"] for q in queries))

    def test_an_edited_area_routes_the_next_request_by_its_new_shape(self):
        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.parks
        )

        self.downtown.area = square(*EAST, 0.002)
        self.downtown.save()

        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.roads
        )
        self.assertEqual(
            route(service=self.pothole, lat=EAST[0], long=EAST[1]).department,
            self.parks,
        )

    def test_a_change_made_by_another_process_is_seen(self):
        route(service=self.pothole, lat=LAT, long=LONG)

        # Another process saves the area: this one's signals never fire,
        # only the stored version changes.
        RoutingArea.objects.filter(pk=self.downtown.pk).update(
            area=square(*EAST, 0.002)
        )
        GeographyVersion.renew()

        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.roads
        )

    def test_a_deleted_area_and_a_deactivated_department_stop_routing(self):
        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.parks
        )

        self.parks.is_active = False
        self.parks.save()
        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.roads
        )

        self.parks.is_active = True
        self.parks.save()
        self.downtown.delete()
        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.roads
        )

    def test_new_neighbourhoods_agencies_and_boundary_are_seen(self):
        self.assertIsNone(neighbourhood_at(LAT, LONG))

        centre = Neighbourhood.objects.create(
            name="Centre", slug="centre", area=square(LAT, LONG, 0.003)
        )
        self.assertEqual(neighbourhood_at(LAT, LONG), centre)

        outside = (LAT + 0.05, LONG)
        county = Agency.objects.create(name="County", area=square(*outside, 0.01))
        with self.assertRaises(OutsideServiceArea) as cm:
            route(service=self.pothole, lat=outside[0], long=outside[1])
        self.assertEqual(cm.exception.agency, county)

        # The town grows to take the place in.
        town = Town.objects.get()
        town.boundary = square(LAT + 0.02, LONG, 0.04)
        town.save()
        decision = route(service=self.pothole, lat=outside[0], long=outside[1])
        self.assertEqual(decision.department, self.roads)

    def test_without_a_version_row_nothing_is_cached(self):
        GeographyVersion.objects.all().delete()
        routing._cached = None

        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.parks
        )
        RoutingArea.objects.filter(pk=self.downtown.pk).update(is_active=False)

        self.assertIsNone(routing._cached)
        self.assertEqual(
            route(service=self.pothole, lat=LAT, long=LONG).department, self.roads
        )

    def test_a_change_rolled_back_leaves_no_trace_in_the_cache(self):
        class Undo(Exception):
            pass

        with self.assertRaises(Undo), transaction.atomic():
            self.downtown.area = square(*EAST, 0.002)
            self.downtown.save()
            decision = route(service=self.pothole, lat=LAT, long=LONG)
            self.assertEqual(decision.department, self.roads)
            raise Undo

        decision = route(service=self.pothole, lat=LAT, long=LONG)
        self.assertEqual(decision.department, self.parks)


class GeographyTrustTestCase(BaseTestCase):
    """Outside a transaction, as a web process serves calls, the copy is
    trusted for a second without reading the version."""

    def setUp(self) -> None:
        super().setUp()
        self.downtown = RoutingArea.objects.create(
            name="Downtown", area=square(LAT, LONG, 0.002), department=self.parks
        )
        # Tests run inside a transaction; a web process does not.
        outside = mock.patch.object(connection, "in_atomic_block", False)
        self.clock = mock.patch("town311.servicerequests.routing.time.monotonic")
        outside.start()
        self.addCleanup(outside.stop)
        self.now = self.clock.start()
        self.addCleanup(self.clock.stop)
        self.now.return_value = 1000.0

    def version_reads(self) -> int:
        with CaptureQueriesContext(connection) as queries:
            geography()
        return len(queries)

    def test_it_reads_the_version_again_only_after_a_second(self):
        first = geography()

        self.now.return_value = 1000.5
        self.assertEqual(self.version_reads(), 0)
        self.now.return_value = 1001.1
        self.assertEqual(self.version_reads(), 1)
        self.assertIs(geography(), first)

    def test_a_change_saved_in_this_process_is_seen_at_once(self):
        geography()
        self.downtown.area = square(*EAST, 0.002)
        self.downtown.save()

        self.now.return_value = 1000.1
        decision = route(service=self.pothole, lat=LAT, long=LONG)

        self.assertEqual(decision.department, self.roads)

    def test_a_change_from_another_process_is_seen_within_a_second(self):
        geography()
        # Another process: the rows and the stored version change, but
        # this process counted no renewal of its own.
        RoutingArea.objects.filter(pk=self.downtown.pk).update(
            area=square(*EAST, 0.002)
        )
        GeographyVersion.objects.update(value=12345)

        self.now.return_value = 1000.5
        stale = route(service=self.pothole, lat=LAT, long=LONG)
        self.now.return_value = 1001.5
        fresh = route(service=self.pothole, lat=LAT, long=LONG)

        self.assertEqual(stale.department, self.parks)
        self.assertEqual(fresh.department, self.roads)
