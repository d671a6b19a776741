from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from town311.directory.models import Department
from town311.metrics.figures import (
    FIGURE_KEYS,
    local_midnight,
    month_bounds,
    period_figures,
)
from town311.servicerequests import services
from town311.servicerequests.models import Resolution
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")
DAY = timedelta(days=1)
# A Monday in January, 06:00 in the town.
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
JANUARY = month_bounds(2026, 1, CHICAGO)


class JanuaryTownMixin:
    """A small January worked out by hand (clocks in days):

    Roads acknowledged r1 1, r2 3 (by a public reply), r3 0.5 (its own clock
    after a reassignment from Parks; 2.5 for the town), r4 1 and r5 6
    (submitted in December). Roads closed r1 4, r2 12, r3 3 (5 for the
    town) and r4 8 (reopened, latest close). Parks acknowledged p1 0.5 and
    p2 was withdrawn. Lights had nothing.
    """

    def submit(self, service, at):
        with services.history_replay():
            return services.request_submit(
                service=service,
                lat=CENTRE[0],
                long=CENTRE[1],
                reporter_email=RESIDENT_EMAIL,
                at=at,
            )

    def make_january(self) -> None:
        self.lights = Department.objects.create(
            name="Lights", slug="lights", email="lights@testville.example"
        )
        clerk = self.roads_clerk
        fixed = Resolution.FIXED

        r1 = self.submit(self.pothole, T0)
        services.request_acknowledge(r1, by=clerk, at=T0 + DAY)
        services.request_close(r1, by=clerk, resolution=fixed, at=T0 + 4 * DAY)

        r2 = self.submit(self.pothole, T0)
        services.request_reply(r2, by=clerk, text="On our list.", at=T0 + 3 * DAY)
        services.request_close(r2, by=clerk, resolution=fixed, at=T0 + 12 * DAY)

        r3 = self.submit(self.park_upkeep, T0)
        services.request_reassign(
            r3, by=self.coordinator, department=self.roads, at=T0 + 2 * DAY
        )
        services.request_acknowledge(r3, by=clerk, at=T0 + 2.5 * DAY)
        services.request_close(r3, by=clerk, resolution=fixed, at=T0 + 5 * DAY)

        r4 = self.submit(self.pothole, T0)
        services.request_start_work(r4, by=clerk, at=T0 + DAY)
        services.request_close(r4, by=clerk, resolution=fixed, at=T0 + 2 * DAY)
        services.request_reopen(r4, by=clerk, at=T0 + 3 * DAY)
        services.request_close(r4, by=clerk, resolution=fixed, at=T0 + 8 * DAY)

        r5 = self.submit(self.pothole, T0 - 6 * DAY)
        services.request_acknowledge(r5, by=clerk, at=T0)

        p1 = self.submit(self.park_upkeep, T0)
        services.request_acknowledge(p1, by=self.parks_clerk, at=T0 + 0.5 * DAY)

        p2 = self.submit(self.park_upkeep, T0)
        services.request_withdraw(p2, email=RESIDENT_EMAIL, at=T0 + 0.1 * DAY)

    def assertRow(self, row: dict, expected: dict) -> None:
        self.assertEqual(tuple(row), FIGURE_KEYS)
        for key, value in expected.items():
            if isinstance(value, float):
                self.assertAlmostEqual(row[key], value, places=9, msg=key)
            else:
                self.assertEqual(row[key], value, msg=key)


ROADS = {
    "received": 4,
    "acknowledged": 5,
    "closed": 4,
    "open_at_end": 1,
    # Sorted: 0.5, 1, 1, 3, 6.
    "ack_median_days": 1.0,
    "ack_mean_days": 2.3,
    "ack_p90_days": 3 + 0.6 * (6 - 3),
    "ack_within_target_share": 0.6,
    # Sorted: 3, 4, 8, 12; an even count's median is the middle two's mean.
    "close_median_days": 6.0,
    "close_mean_days": 6.75,
    "close_p90_days": 8 + 0.7 * (12 - 8),
    "close_within_target_share": 0.75,
}
PARKS = {
    "received": 2,
    "acknowledged": 1,
    "closed": 0,
    "open_at_end": 1,
    "ack_median_days": 0.5,
    "ack_mean_days": 0.5,
    "ack_p90_days": 0.5,
    "ack_within_target_share": 1.0,
    "close_median_days": None,
    "close_mean_days": None,
    "close_p90_days": None,
    "close_within_target_share": None,
}
NOTHING = {
    "received": 0,
    "acknowledged": 0,
    "closed": 0,
    "open_at_end": 0,
    "ack_median_days": None,
    "ack_mean_days": None,
    "ack_p90_days": None,
    "ack_within_target_share": None,
    "close_median_days": None,
    "close_mean_days": None,
    "close_p90_days": None,
    "close_within_target_share": None,
}
TOWN = {
    "department": None,
    "received": 6,
    "acknowledged": 6,
    "closed": 4,
    "open_at_end": 2,
    # From submission, sorted: 0.5, 1, 1, 2.5, 3, 6.
    "ack_median_days": 1.75,
    "ack_mean_days": 14 / 6,
    "ack_p90_days": 3 + 0.5 * (6 - 3),
    # Each judged by its own department's clock and target.
    "ack_within_target_share": 4 / 6,
    # From submission, sorted: 4, 5, 8, 12.
    "close_median_days": 6.5,
    "close_mean_days": 7.25,
    "close_p90_days": 8 + 0.7 * (12 - 8),
    "close_within_target_share": 0.75,
}


class PeriodFiguresTests(JanuaryTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_january()

    def january(self, **filters) -> dict:
        rows = period_figures(start=JANUARY[0], end=JANUARY[1], **filters)
        return {row["department"]: row for row in rows}

    def test_it_has_a_row_per_department_then_the_town(self):
        rows = period_figures(start=JANUARY[0], end=JANUARY[1])

        names = [row["department"] and row["department"].slug for row in rows]
        self.assertEqual(names, ["lights", "parks", "roads", None])

    def test_it_charges_departments_from_queue_entry(self):
        self.assertRow(self.january()[self.roads], ROADS)

    def test_it_leaves_withdrawn_requests_out_of_close_figures(self):
        self.assertRow(self.january()[self.parks], PARKS)

    def test_it_gives_a_department_without_requests_empty_figures(self):
        self.assertRow(self.january()[self.lights], NOTHING)

    def test_it_times_the_town_from_submission(self):
        self.assertRow(self.january()[None], TOWN)

    def test_it_limits_the_rows_to_one_department(self):
        rows = period_figures(start=JANUARY[0], end=JANUARY[1], department=self.parks)

        self.assertEqual([row["department"] for row in rows], [self.parks, None])
        self.assertRow(rows[0], PARKS)
        self.assertRow(rows[1], TOWN)

    def test_it_filters_by_service(self):
        figures = self.january(service=self.park_upkeep)

        # r3, p1 and p2 are park upkeep requests.
        self.assertRow(
            figures[None],
            {"received": 3, "acknowledged": 2, "closed": 1, "open_at_end": 1},
        )

    def test_it_has_nothing_for_an_empty_period(self):
        start, end = month_bounds(2025, 6, CHICAGO)

        for row in period_figures(start=start, end=end):
            self.assertRow(row, NOTHING)

    def test_it_counts_a_reopened_request_at_its_latest_close(self):
        r6 = self.submit(self.pothole, T0)
        clerk = self.roads_clerk
        services.request_close(
            r6, by=clerk, resolution=Resolution.FIXED, at=T0 + 20 * DAY
        )
        services.request_reopen(r6, by=clerk, at=T0 + 25 * DAY)
        services.request_close(
            r6, by=clerk, resolution=Resolution.FIXED, at=T0 + 30 * DAY
        )

        january = self.january()[self.roads]
        start, end = month_bounds(2026, 2, CHICAGO)
        february = {
            row["department"]: row for row in period_figures(start=start, end=end)
        }[self.roads]

        self.assertEqual(january["closed"], ROADS["closed"])
        self.assertRow(
            february,
            {
                "closed": 1,
                "close_median_days": 30.0,
                "close_within_target_share": 0.0,
            },
        )

    def test_its_queries_do_not_grow_with_the_requests(self):
        with CaptureQueriesContext(connection) as few:
            self.january()
        for _ in range(5):
            r = self.submit(self.pothole, T0)
            services.request_close(
                r, by=self.roads_clerk, resolution=Resolution.FIXED, at=T0 + DAY
            )

        with CaptureQueriesContext(connection) as more:
            self.january()

        self.assertEqual(len(more), len(few))


class MonthBoundsTests(JanuaryTownMixin, BaseTestCase):
    def test_it_starts_at_local_midnight(self):
        start, end = month_bounds(2026, 1, CHICAGO)

        self.assertEqual(start, datetime(2026, 1, 1, 6, 0, tzinfo=UTC))
        self.assertEqual(end, datetime(2026, 2, 1, 6, 0, tzinfo=UTC))

    def test_it_rolls_december_into_january(self):
        start, end = month_bounds(2025, 12, CHICAGO)

        self.assertEqual(end, local_midnight(date(2026, 1, 1), CHICAGO))

    def test_it_follows_the_daylight_saving_change(self):
        start, end = month_bounds(2026, 3, CHICAGO)

        # Central Standard Time (−6) until 8 March, then Daylight Time (−5).
        self.assertEqual(start, datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
        self.assertEqual(end, datetime(2026, 4, 1, 5, 0, tzinfo=UTC))
        # Python subtracts same-zone datetimes on the wall clock; the
        # elapsed time is an hour short of 31 days.
        elapsed = end.astimezone(UTC) - start.astimezone(UTC)
        self.assertEqual(elapsed, 31 * DAY - timedelta(hours=1))

    def test_it_counts_requests_in_the_local_month(self):
        # 23:30 on the last evening of February, March and 00:30 on 1 April.
        self.submit(self.pothole, datetime(2026, 3, 1, 5, 30, tzinfo=UTC))
        self.submit(self.pothole, datetime(2026, 4, 1, 4, 30, tzinfo=UTC))
        self.submit(self.pothole, datetime(2026, 4, 1, 5, 30, tzinfo=UTC))

        received = {}
        for month in (2, 3, 4):
            start, end = month_bounds(2026, month, CHICAGO)
            received[month] = period_figures(start=start, end=end)[-1]["received"]

        self.assertEqual(received, {2: 1, 3: 1, 4: 1})
