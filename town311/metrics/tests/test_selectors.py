from datetime import UTC, datetime, timedelta

import time_machine

from town311.metrics.selectors import town_headline_figures
from town311.servicerequests.models import Resolution, ServiceRequest, Status
from town311.test import CENTRE, BaseTestCase

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@time_machine.travel(NOW, tick=False)
class TownHeadlineFiguresTests(BaseTestCase):
    def make_request(self, *, submitted_at, acknowledged_at=None, closed_at=None, **f):
        values = {
            "service": self.pothole,
            "lat": CENTRE[0],
            "long": CENTRE[1],
            "department": self.roads,
            "department_entered_at": submitted_at,
            "submitted_at": submitted_at,
            "acknowledged_at": acknowledged_at,
            "closed_at": closed_at,
            "status": Status.CLOSED if closed_at else Status.ACKNOWLEDGED,
            "resolution": Resolution.FIXED if closed_at else "",
        }
        values.update(f)
        return ServiceRequest.objects.create(**values)

    def acknowledged_after(self, duration, *, days_ago=1, **fields):
        acknowledged_at = NOW - days_ago * DAY
        return self.make_request(
            submitted_at=acknowledged_at - duration,
            acknowledged_at=acknowledged_at,
            **fields,
        )

    def test_it_takes_the_middle_value_of_an_odd_count(self):
        for hours in (30, 2, 10):
            self.acknowledged_after(hours * HOUR)

        figures = town_headline_figures()

        self.assertEqual(figures.acknowledge.count, 3)
        self.assertEqual(figures.acknowledge.median, 10 * HOUR)
        self.assertAlmostEqual(figures.acknowledge.median_days, 10 / 24)

    def test_it_interpolates_between_the_middle_values_of_an_even_count(self):
        for hours in (1, 40, 3, 5):
            self.acknowledged_after(hours * HOUR)

        figures = town_headline_figures()

        # Sorted 1, 3, 5, 40: the median is the mean of 3 and 5.
        self.assertEqual(figures.acknowledge.count, 4)
        self.assertEqual(figures.acknowledge.median, 4 * HOUR)

    def test_it_has_no_median_without_requests(self):
        figures = town_headline_figures()

        self.assertEqual(figures.acknowledge.count, 0)
        self.assertIsNone(figures.acknowledge.median)
        self.assertIsNone(figures.acknowledge.median_days)
        self.assertIsNone(figures.close.median)

    def test_it_counts_acknowledgments_in_the_period_only(self):
        self.acknowledged_after(2 * HOUR, days_ago=29)
        # Submitted before the period but acknowledged in it: counted.
        self.acknowledged_after(40 * DAY, days_ago=5)
        self.acknowledged_after(3 * HOUR, days_ago=31)

        figures = town_headline_figures()

        self.assertEqual(figures.acknowledge.count, 2)
        self.assertEqual(figures.acknowledge.median, (2 * HOUR + 40 * DAY) / 2)

    def test_it_measures_closes_from_submission(self):
        submitted_at = NOW - 10 * DAY
        for closed_days in (1, 2, 6):
            self.make_request(
                submitted_at=submitted_at,
                acknowledged_at=submitted_at + HOUR,
                closed_at=submitted_at + closed_days * DAY,
                department_entered_at=submitted_at + 12 * HOUR,
            )
        self.make_request(submitted_at=submitted_at, acknowledged_at=NOW - DAY)
        self.make_request(
            submitted_at=NOW - 50 * DAY,
            acknowledged_at=NOW - 49 * DAY,
            closed_at=NOW - 31 * DAY,
        )

        figures = town_headline_figures()

        self.assertEqual(figures.close.count, 3)
        self.assertEqual(figures.close.median, 2 * DAY)
        self.assertEqual(figures.acknowledge.count, 4)

    def test_it_leaves_out_staff_only_private_and_withdrawn_requests(self):
        self.acknowledged_after(HOUR)
        self.acknowledged_after(50 * HOUR, service=self.work_order)
        self.acknowledged_after(60 * HOUR, is_public=False)
        self.make_request(
            submitted_at=NOW - 2 * DAY,
            acknowledged_at=NOW - DAY,
            closed_at=NOW - DAY,
            resolution=Resolution.WITHDRAWN,
        )

        figures = town_headline_figures()

        self.assertEqual(figures.acknowledge.count, 1)
        self.assertEqual(figures.acknowledge.median, HOUR)
        self.assertEqual(figures.close.count, 0)

    def test_it_takes_another_period(self):
        self.acknowledged_after(HOUR, days_ago=6)
        self.acknowledged_after(3 * HOUR, days_ago=8)

        figures = town_headline_figures(days=7)

        self.assertEqual(figures.days, 7)
        self.assertEqual(figures.acknowledge.count, 1)
        self.assertEqual(figures.acknowledge.median, HOUR)
