from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from town311.directory.models import Department
from town311.metrics.figures import month_bounds, period_figures
from town311.metrics.leaderboard import Month
from town311.metrics.trends import (
    channel_volume,
    heat_cells,
    heat_grid,
    median_trend,
    service_volume,
    trend_months,
)
from town311.servicerequests import services
from town311.servicerequests.models import Channel, Resolution, ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
APRIL = Month(2026, 4)
MONTHS = [Month(2026, 1), Month(2026, 2), Month(2026, 3), APRIL]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


class SpringTownMixin:
    """January to April 2026 in Chicago, where summer time began on 8 March
    (months start at 06:00 UTC until then, at 05:00 UTC after). Clocks in
    days:

    - a: acknowledged after 2 at 05:30 UTC on 1 March, still 28 February in
      the town; closed after 5 in March.
    - b: acknowledged after 1 at 06:30 UTC on 1 March, just after March
      began; closed after 31 and 22 hours at 04:30 UTC on 1 April, still
      31 March in the town.
    - c: acknowledged after 2 at 05:30 UTC on 1 April, just after April
      began in summer time.
    - d: a park request Parks reassigned to Roads after 1; Roads
      acknowledged 0.25 later (1.25 for the town) and closed 6 after
      taking it (7 for the town), across the change to summer time.
    - e: Parks acknowledged after 0.25 in March.
    - f: withdrawn by the resident in March, so no close figure counts it.

    January has nothing; Lights never has anything.
    """

    def submit(self, service, at, *, channel=Channel.WEB, lat=None, long=None):
        staff = channel in services.STAFF_CHANNELS
        with services.history_replay():
            return services.request_submit(
                service=service,
                lat=CENTRE[0] if lat is None else lat,
                long=CENTRE[1] if long is None else long,
                reporter_email=RESIDENT_EMAIL,
                channel=channel,
                by=self.roads_clerk if staff else None,
                at=at,
            )

    def make_spring(self) -> None:
        self.lights = Department.objects.create(
            name="Lights", slug="lights", email="lights@testville.example"
        )
        clerk, fixed = self.roads_clerk, Resolution.FIXED

        a = self.submit(self.pothole, utc(2026, 2, 27, 5, 30))
        services.request_acknowledge(a, by=clerk, at=utc(2026, 3, 1, 5, 30))
        services.request_close(a, by=clerk, resolution=fixed, at=utc(2026, 3, 4, 5, 30))

        b = self.submit(self.pothole, utc(2026, 2, 28, 6, 30))
        services.request_acknowledge(b, by=clerk, at=utc(2026, 3, 1, 6, 30))
        services.request_close(b, by=clerk, resolution=fixed, at=utc(2026, 4, 1, 4, 30))

        c = self.submit(self.pothole, utc(2026, 3, 30, 5, 30))
        services.request_acknowledge(c, by=clerk, at=utc(2026, 4, 1, 5, 30))

        d = self.submit(self.park_upkeep, utc(2026, 3, 2, 12))
        services.request_reassign(
            d, by=self.coordinator, department=self.roads, at=utc(2026, 3, 3, 12)
        )
        services.request_acknowledge(d, by=clerk, at=utc(2026, 3, 3, 18))
        services.request_close(d, by=clerk, resolution=fixed, at=utc(2026, 3, 9, 12))

        e = self.submit(self.park_upkeep, utc(2026, 3, 10, 12))
        services.request_acknowledge(e, by=self.parks_clerk, at=utc(2026, 3, 10, 18))

        f = self.submit(self.park_upkeep, utc(2026, 3, 10, 12))
        services.request_withdraw(f, email=RESIDENT_EMAIL, at=utc(2026, 3, 11, 12))


class MedianTrendTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_spring()

    def series(self, trend) -> dict:
        return {each.name: series for each, series in trend.departments}

    def assertSeries(self, actual: list, expected: list) -> None:
        self.assertEqual(len(actual), len(expected))
        for month, (got, want) in enumerate(zip(actual, expected, strict=True)):
            if want is None:
                self.assertIsNone(got, f"month {month}")
            else:
                self.assertAlmostEqual(got, want, places=9, msg=f"month {month}")

    def test_it_gives_the_months_oldest_first(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO)

        self.assertEqual(trend.months, MONTHS)
        self.assertEqual(
            [str(m) for m in trend_months(last=Month(2026, 1), months=3)],
            ["2025-11", "2025-12", "2026-01"],
        )

    def test_it_counts_acknowledgments_in_the_towns_month(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO)

        # March: b 1 and d 1.25 and e 0.25 for the town.
        self.assertSeries(trend.town["ack"], [None, 2.0, 1.0, 2.0])
        # March: b 1 and d 0.25 on Roads' own clock.
        self.assertSeries(self.series(trend)["Roads"]["ack"], [None, 2.0, 0.625, 2.0])
        self.assertSeries(self.series(trend)["Parks"]["ack"], [None, None, 0.25, None])

    def test_it_counts_closes_in_the_towns_month_leaving_out_withdrawn(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO)

        # March: a 5, d 7 and b 31.9 for the town; d is 6 on Roads' clock.
        self.assertSeries(trend.town["close"], [None, None, 7.0, None])
        self.assertSeries(self.series(trend)["Roads"]["close"], [None, None, 6.0, None])
        self.assertSeries(self.series(trend)["Parks"]["close"], [None] * 4)

    def test_it_lists_the_departments_with_figures_by_name(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO)

        self.assertEqual(
            [each for each, _ in trend.departments], [self.parks, self.roads]
        )

    def test_it_gives_one_department_beside_the_whole_town(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO, department=self.parks)

        self.assertEqual([each for each, _ in trend.departments], [self.parks])
        self.assertSeries(trend.town["ack"], [None, 2.0, 1.0, 2.0])

    def test_it_gives_a_department_without_figures_no_series(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO, department=self.lights)

        self.assertEqual(trend.departments, [])
        self.assertSeries(trend.town["close"], [None, None, 7.0, None])

    def test_it_leaves_months_without_requests_empty(self) -> None:
        trend = median_trend(last=Month(2025, 12), months=12, zone=CHICAGO)

        self.assertEqual(trend.town, {"ack": [None] * 12, "close": [None] * 12})
        self.assertEqual(trend.departments, [])

    def test_each_month_equals_the_dashboards_figures(self) -> None:
        trend = median_trend(last=APRIL, months=4, zone=CHICAGO)
        departments = dict(trend.departments)

        for index, month in enumerate(trend.months):
            start, end = month_bounds(month.year, month.month, CHICAGO)
            for row in period_figures(start=start, end=end):
                if row["department"] is None:
                    series = trend.town
                else:
                    empty = {"ack": [None] * 4, "close": [None] * 4}
                    series = departments.get(row["department"], empty)
                for key in ("ack", "close"):
                    expected = row[f"{key}_median_days"]
                    with self.subTest(month=str(month), row=row["department"], key=key):
                        if expected is None:
                            self.assertIsNone(series[key][index])
                        else:
                            self.assertAlmostEqual(series[key][index], expected, 9)

    def test_its_queries_do_not_grow_with_requests_or_months(self) -> None:
        with CaptureQueriesContext(connection) as few:
            median_trend(last=APRIL, months=4, zone=CHICAGO)

        for day in range(20):
            r = self.submit(self.park_upkeep, utc(2025, 6, 1 + day, 12))
            services.request_acknowledge(
                r, by=self.parks_clerk, at=utc(2025, 6, 2 + day, 12)
            )
        with CaptureQueriesContext(connection) as many:
            median_trend(last=APRIL, months=24, zone=CHICAGO)

        self.assertEqual(len(many), len(few))
        self.assertLessEqual(len(many), 9)


class ChannelVolumeTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        # 1 March 05:30 UTC is still February in the town.
        self.submit(self.pothole, utc(2026, 3, 1, 5, 30))
        self.submit(self.pothole, utc(2026, 3, 1, 6, 30))
        self.submit(self.pothole, utc(2026, 3, 2, 12), channel=Channel.PHONE)
        self.submit(self.park_upkeep, utc(2026, 3, 3, 12), channel=Channel.PHONE)
        # 1 April 04:30 UTC is still March in summer time.
        self.submit(self.pothole, utc(2026, 4, 1, 4, 30), channel=Channel.EMAIL)
        self.submit(self.pothole, utc(2026, 4, 1, 5, 30), channel=Channel.API)

    def test_it_counts_each_channel_per_local_month_with_zeros(self) -> None:
        months, volume = channel_volume(last=APRIL, months=4, zone=CHICAGO)

        self.assertEqual(months, MONTHS)
        self.assertEqual(
            volume,
            {
                "web": [0, 1, 1, 0],
                "phone": [0, 0, 2, 0],
                "email": [0, 0, 1, 0],
                "walk_in": [0, 0, 0, 0],
                "api": [0, 0, 0, 1],
            },
        )

    def test_it_counts_only_the_departments_requests(self) -> None:
        _, volume = channel_volume(
            last=APRIL, months=4, zone=CHICAGO, department=self.parks
        )

        self.assertEqual(volume["phone"], [0, 0, 1, 0])
        self.assertEqual(sum(sum(series) for series in volume.values()), 1)

    def test_it_is_one_query(self) -> None:
        with self.assertNumQueries(1):
            channel_volume(last=APRIL, months=12, zone=CHICAGO)


class ServiceVolumeTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start, self.end = month_bounds(2026, 3, CHICAGO)
        for day in (2, 3, 4):
            self.submit(self.park_upkeep, utc(2026, 3, day, 12))
        self.submit(self.pothole, utc(2026, 3, 5, 12))
        self.submit(self.work_order, utc(2026, 3, 6, 12), channel=Channel.PHONE)
        # Outside March in the town: before and after.
        self.submit(self.pothole, utc(2026, 3, 1, 5, 30))
        self.submit(self.pothole, utc(2026, 4, 1, 5, 30))

    def test_it_puts_the_largest_first_then_by_name(self) -> None:
        rows = service_volume(start=self.start, end=self.end)

        self.assertEqual(
            rows, [("Park upkeep", 3), ("Internal work order", 1), ("Pothole", 1)]
        )

    def test_it_counts_only_the_departments_requests(self) -> None:
        rows = service_volume(start=self.start, end=self.end, department=self.roads)

        self.assertEqual(rows, [("Internal work order", 1), ("Pothole", 1)])

    def test_it_gives_nothing_for_an_empty_period(self) -> None:
        start, end = month_bounds(2026, 1, CHICAGO)

        self.assertEqual(service_volume(start=start, end=end), [])


class HeatCellsTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.start, self.end = month_bounds(2026, 3, CHICAGO)
        at = utc(2026, 3, 10, 12)
        self.submit(self.pothole, at)
        self.submit(self.pothole, at, channel=Channel.PHONE)
        self.submit(self.park_upkeep, at, lat=40.001, long=-89.999)
        self.submit(self.pothole, at, lat=39.999, long=-90.001)
        # April in the town: not counted.
        self.submit(self.pothole, utc(2026, 4, 1, 5, 30))

    def test_the_grid_is_about_250_metres_at_the_towns_latitude(self) -> None:
        # cos 40° × 444 = 340.1 cells to a degree of longitude.
        self.assertEqual(heat_grid(), (444, 340))

    def test_it_counts_requests_per_cell_with_its_edges(self) -> None:
        cells = heat_cells(start=self.start, end=self.end)

        self.assertEqual([cell["count"] for cell in cells], [1, 3])
        south_west, centre = cells
        self.assertEqual(
            centre,
            {
                "south": 17760 / 444,
                "west": -30600 / 340,
                "north": 17761 / 444,
                "east": -30599 / 340,
                "count": 3,
            },
        )
        self.assertEqual(
            (south_west["south"], south_west["west"]), (17759 / 444, -30601 / 340)
        )
        # Each edge is a cell's width away from the other, about 250 m.
        height_m = (centre["north"] - centre["south"]) * 111_195
        self.assertAlmostEqual(height_m, 250, delta=1)

    def test_it_narrows_to_a_department_service_and_channel(self) -> None:
        def counts(**narrowing):
            cells = heat_cells(start=self.start, end=self.end, **narrowing)
            return [cell["count"] for cell in cells]

        self.assertEqual(counts(department=self.parks), [1])
        self.assertEqual(counts(service=self.pothole), [1, 2])
        self.assertEqual(counts(channel=Channel.PHONE), [1])

    def test_its_queries_do_not_grow_with_requests(self) -> None:
        ServiceRequest.objects.bulk_create(
            ServiceRequest(
                service=self.pothole,
                lat=40.0 + index / 1000,
                long=-90.0,
                department=self.roads,
                submitted_at=utc(2026, 3, 12, 12),
            )
            for index in range(30)
        )

        with self.assertNumQueries(2):
            cells = heat_cells(start=self.start, end=self.end)

        self.assertEqual(sum(cell["count"] for cell in cells), 34)
