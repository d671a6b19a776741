from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from town311.directory.models import Blocker, Neighbourhood
from town311.metrics.fairness import (
    AREA_FIGURE_KEYS,
    NOT_IN_ANY_AREA,
    WHOLE_TOWN,
    area_figures,
    blocker_counts,
)
from town311.metrics.figures import month_bounds
from town311.servicerequests import services
from town311.servicerequests.models import Resolution, ServiceRequest
from town311.test import CENTRE, RESIDENT_EMAIL, BaseTestCase, square

CHICAGO = ZoneInfo("America/Chicago")
DAY = timedelta(days=1)
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
JANUARY = month_bounds(2026, 1, CHICAGO)
WEST = (40.0, -90.005)
EAST = (40.0, -89.995)


class AreaTownMixin:
    """Two neighbourhoods with a strip of town between them, worked out by
    hand (town clock, in days from submission):

    West (Roads potholes): w1 acknowledged 1, closed 4; w2 acknowledged 3,
    closed 6; w3 acknowledged 2, open. East (park upkeep): e1 reassigned to
    Roads at 2 and acknowledged by Roads at 2.5 (0.5 on Roads' clock),
    open; e2 acknowledged by Parks at 0.5 and closed at 10. In no area: o1,
    a pothole acknowledged at 5, open. Hill has no requests.
    """

    def submit(self, service, place, at=T0):
        with services.history_replay():
            return services.request_submit(
                service=service,
                lat=place[0],
                long=place[1],
                reporter_email=RESIDENT_EMAIL,
                at=at,
            )

    def make_areas(self) -> None:
        self.west = Neighbourhood.objects.create(
            name="West", slug="west", area=square(*WEST, 0.004)
        )
        self.east = Neighbourhood.objects.create(
            name="East", slug="east", area=square(*EAST, 0.004)
        )
        self.hill = Neighbourhood.objects.create(
            name="Hill", slug="hill", area=square(40.5, -90.5, 0.001)
        )
        roads, parks = self.roads_clerk, self.parks_clerk
        fixed = Resolution.FIXED

        w1 = self.submit(self.pothole, WEST)
        services.request_acknowledge(w1, by=roads, at=T0 + DAY)
        services.request_close(w1, by=roads, resolution=fixed, at=T0 + 4 * DAY)
        w2 = self.submit(self.pothole, WEST)
        services.request_acknowledge(w2, by=roads, at=T0 + 3 * DAY)
        services.request_close(w2, by=roads, resolution=fixed, at=T0 + 6 * DAY)
        self.w3 = self.submit(self.pothole, WEST)
        services.request_acknowledge(self.w3, by=roads, at=T0 + 2 * DAY)

        self.e1 = self.submit(self.park_upkeep, EAST)
        services.request_reassign(
            self.e1, by=self.coordinator, department=self.roads, at=T0 + 2 * DAY
        )
        services.request_acknowledge(self.e1, by=roads, at=T0 + 2.5 * DAY)
        e2 = self.submit(self.park_upkeep, EAST)
        services.request_acknowledge(e2, by=parks, at=T0 + 0.5 * DAY)
        services.request_close(e2, by=parks, resolution=fixed, at=T0 + 10 * DAY)

        self.o1 = self.submit(self.pothole, CENTRE)
        services.request_acknowledge(self.o1, by=roads, at=T0 + 5 * DAY)


class AreaFiguresTests(AreaTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_areas()

    def january(self, **filters) -> dict:
        rows = area_figures(start=JANUARY[0], end=JANUARY[1], **filters)
        return {row["name"]: row for row in rows}

    def assertRow(self, row: dict, expected: dict) -> None:
        self.assertEqual(tuple(row), AREA_FIGURE_KEYS)
        for key, value in expected.items():
            if isinstance(value, float):
                self.assertAlmostEqual(row[key], value, places=9, msg=key)
            else:
                self.assertEqual(row[key], value, msg=key)

    def test_it_places_requests_at_submission(self):
        self.assertEqual(self.w3.neighbourhood, self.west)
        self.assertEqual(self.e1.neighbourhood, self.east)
        self.assertIsNone(self.o1.neighbourhood)

    def test_it_has_a_row_per_area_then_no_area_then_the_town(self):
        rows = area_figures(start=JANUARY[0], end=JANUARY[1])

        self.assertEqual(
            [row["name"] for row in rows],
            ["East", "Hill", "West", NOT_IN_ANY_AREA, WHOLE_TOWN],
        )
        self.assertEqual(rows[0]["area"], self.east)
        self.assertIsNone(rows[3]["area"])
        self.assertEqual([row["is_town"] for row in rows], [False] * 4 + [True])

    def test_it_times_an_area_from_submission(self):
        self.assertRow(
            self.january()["West"],
            {
                "received": 3,
                "acknowledged": 3,
                "closed": 2,
                "open_at_end": 1,
                # Sorted: 1, 2, 3.
                "ack_median_days": 2.0,
                "ack_mean_days": 2.0,
                "ack_p90_days": 2 + 0.8 * (3 - 2),
                # w2 took 3 days against Roads' 2; w3 took exactly 2.
                "ack_within_target_share": 2 / 3,
                "close_median_days": 5.0,
                "close_mean_days": 5.0,
                "close_p90_days": 4 + 0.9 * (6 - 4),
                "close_within_target_share": 1.0,
                "ack_median_gap_days": 2.0 - 2.25,
                "close_median_gap_days": 5.0 - 6.0,
            },
        )

    def test_it_judges_targets_on_each_departments_own_clock(self):
        # e1 took 2.5 days from submission, but 0.5 in Roads' queue.
        self.assertRow(
            self.january()["East"],
            {
                "received": 2,
                "acknowledged": 2,
                "closed": 1,
                "open_at_end": 1,
                "ack_median_days": 1.5,
                "ack_p90_days": 0.5 + 0.9 * (2.5 - 0.5),
                "ack_within_target_share": 1.0,
                "close_median_days": 10.0,
                "close_within_target_share": 1.0,
                "ack_median_gap_days": 1.5 - 2.25,
                "close_median_gap_days": 10.0 - 6.0,
            },
        )

    def test_it_counts_requests_in_no_area(self):
        self.assertRow(
            self.january()[NOT_IN_ANY_AREA],
            {
                "received": 1,
                "acknowledged": 1,
                "closed": 0,
                "open_at_end": 1,
                "ack_median_days": 5.0,
                "ack_within_target_share": 0.0,
                "close_median_days": None,
                "ack_median_gap_days": 5.0 - 2.25,
                "close_median_gap_days": None,
            },
        )

    def test_it_leaves_out_the_no_area_row_when_it_is_empty(self):
        ServiceRequest.objects.filter(pk=self.o1.pk).delete()

        self.assertNotIn(NOT_IN_ANY_AREA, self.january())

    def test_it_gives_an_area_without_requests_empty_figures(self):
        self.assertRow(
            self.january()["Hill"],
            {
                "received": 0,
                "acknowledged": 0,
                "open_at_end": 0,
                "ack_median_days": None,
                "ack_within_target_share": None,
                "ack_median_gap_days": None,
            },
        )

    def test_it_ends_with_the_town(self):
        self.assertRow(
            self.january()[WHOLE_TOWN],
            {
                "area": None,
                "is_town": True,
                "received": 6,
                "acknowledged": 6,
                "closed": 3,
                "open_at_end": 3,
                # Sorted: 0.5, 1, 2, 2.5, 3, 5.
                "ack_median_days": 2.25,
                "ack_mean_days": 14 / 6,
                "ack_p90_days": 3 + 0.5 * (5 - 3),
                "ack_within_target_share": 4 / 6,
                # Sorted: 4, 6, 10.
                "close_median_days": 6.0,
                "close_mean_days": 20 / 3,
                "close_p90_days": 6 + 0.8 * (10 - 6),
                "close_within_target_share": 1.0,
                "ack_median_gap_days": None,
            },
        )

    def test_it_keeps_one_departments_requests(self):
        figures = self.january(department=self.roads)

        # e2 is Parks' and leaves East; e1 is Roads' since its reassignment.
        self.assertRow(
            figures["East"],
            {
                "received": 1,
                "acknowledged": 1,
                "closed": 0,
                "ack_median_days": 2.5,
            },
        )
        # Roads across the town, sorted: 1, 2, 2.5, 3, 5.
        self.assertRow(
            figures[WHOLE_TOWN],
            {"received": 5, "acknowledged": 5, "closed": 2, "ack_median_days": 2.5},
        )
        self.assertAlmostEqual(figures["West"]["ack_median_gap_days"], 2.0 - 2.5)

    def test_it_filters_by_service_and_channel(self):
        figures = self.january(service=self.park_upkeep)

        self.assertEqual(figures["East"]["received"], 2)
        self.assertEqual(figures["West"]["received"], 0)
        self.assertNotIn(NOT_IN_ANY_AREA, figures)
        self.assertEqual(self.january(channel="phone")[WHOLE_TOWN]["received"], 0)

    def test_its_queries_do_not_grow_with_the_requests(self):
        with CaptureQueriesContext(connection) as few:
            self.january()
        for place in (WEST, EAST, CENTRE, WEST):
            r = self.submit(self.pothole, place)
            services.request_close(
                r, by=self.roads_clerk, resolution=Resolution.FIXED, at=T0 + DAY
            )

        with CaptureQueriesContext(connection) as more:
            self.january()

        self.assertEqual(len(more), len(few))


class BlockerCountsTests(AreaTownMixin, BaseTestCase):
    """Twenty days after T0: Scheduled holds w3 (set at 5) and o1 (marked
    before the moment was recorded, so from submission); Waiting for parts
    holds e1 (set at 10); the retired Old stock still holds o2 (set at
    18); w1 is closed and no longer counts."""

    def setUp(self) -> None:
        super().setUp()
        self.make_areas()
        self.scheduled = Blocker.objects.create(
            name="Scheduled", public_text="On our schedule.", order=1
        )
        self.parts = Blocker.objects.create(
            name="Waiting for parts", public_text="Waiting for parts.", order=2
        )
        self.old_stock = Blocker.objects.create(
            name="Old stock", public_text="-", order=3, is_active=False
        )
        Blocker.objects.create(name="Permit", public_text="A permit.", order=4)
        Blocker.objects.create(
            name="Retired", public_text="-", order=5, is_active=False
        )
        o2 = self.submit(self.pothole, CENTRE)
        self.block(self.w3, self.scheduled, T0 + 5 * DAY)
        self.block(self.o1, self.scheduled, None)
        self.block(self.e1, self.parts, T0 + 10 * DAY)
        self.block(o2, self.old_stock, T0 + 18 * DAY)
        closed = ServiceRequest.objects.filter(closed_at__isnull=False).first()
        self.block(closed, self.scheduled, T0)

    def block(self, service_request, blocker, at):
        ServiceRequest.objects.filter(pk=service_request.pk).update(
            blocker=blocker, blocked_at=at
        )

    def table(self, **options) -> list[tuple]:
        rows = blocker_counts(now=T0 + 20 * DAY, **options)
        return [(row["name"], row["waiting"], row["oldest_days"]) for row in rows]

    def test_it_counts_open_requests_per_blocker(self):
        self.assertEqual(
            self.table(),
            [
                ("Scheduled", 2, 20.0),
                ("Waiting for parts", 1, 10.0),
                ("Old stock", 1, 2.0),
                ("Permit", 0, None),
                ("All blockers", 4, 20.0),
            ],
        )

    def test_it_keeps_one_departments_queue(self):
        self.assertEqual(
            self.table(department=self.parks),
            [
                ("Scheduled", 0, None),
                ("Waiting for parts", 0, None),
                ("Permit", 0, None),
                ("All blockers", 0, None),
            ],
        )
