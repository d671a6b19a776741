import io

import shapely
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import TestCase

from town311.bench.generate import MONTHS, marker_read
from town311.directory.models import Town
from town311.lib.geo import parse_area
from town311.servicerequests.models import Channel, ServiceRequest
from town311.test import BaseTestCase

COUNT = 2000


class BenchCommandTests(TestCase):
    def bench(self, *args) -> str:
        out = io.StringIO()
        call_command(
            "bench", "--requests", str(COUNT), "--export-here", *args, stdout=out
        )
        return out.getvalue()

    def test_it_generates_a_town_and_prints_every_measure(self):
        output = self.bench()

        self.assertIn(f"{COUNT:,} requests over {MONTHS} months", output)
        self.assertIn("generated in", output)
        for measure in (
            "dashboard",
            "median_trend, 12 months",
            "channel_volume, 12 months",
            "report",
            f"CSV export, {COUNT:,} rows",
            "CSV export time",
            "CSV export peak memory (RSS)",
        ):
            self.assertIn(measure, output)
        self.assertIn("goal < ", output)
        self.assertIn("goal >= 50,000 rows/s", output)
        self.assertRegex(output, r"(PASS|MISS)")
        self.assertRegex(output, r"\d+ goals? missed")

        self.assert_plausible_requests()

    def assert_plausible_requests(self) -> None:
        requests = ServiceRequest.objects.all()
        self.assertEqual(requests.count(), COUNT)

        boundary = parse_area(Town.objects.current().boundary)
        points = list(requests.values_list("long", "lat"))
        inside = shapely.contains_xy(boundary, *zip(*points, strict=True))
        self.assertTrue(inside.all())

        acknowledged = requests.exclude(acknowledged_at=None).count() / COUNT
        closed = requests.exclude(closed_at=None).count() / COUNT
        self.assertGreater(acknowledged, 0.88)
        self.assertLess(acknowledged, 0.97)
        self.assertGreater(closed, 0.7)
        self.assertLess(closed, acknowledged)
        self.assertGreater(requests.exclude(neighbourhood=None).count(), COUNT * 0.5)

        # Clocks run forward, and some requests changed queue on the way.
        for row in requests.exclude(closed_at=None).values(
            "submitted_at", "acknowledged_at", "closed_at", "department_entered_at"
        ):
            self.assertLessEqual(row["submitted_at"], row["acknowledged_at"])
            self.assertLessEqual(row["acknowledged_at"], row["closed_at"])
            self.assertLessEqual(row["department_entered_at"], row["closed_at"])
        moved = requests.filter(department_entered_at__gt=F("submitted_at")).count()
        self.assertGreater(moved, COUNT * 0.02)

        # Residents move from the phone to the web over the two years.
        by_age = list(requests.order_by("submitted_at").values_list("channel"))
        first, last = by_age[: COUNT // 4], by_age[-COUNT // 4 :]
        self.assertGreater(first.count((Channel.PHONE,)), last.count((Channel.PHONE,)))
        self.assertLess(first.count((Channel.WEB,)), last.count((Channel.WEB,)))

    def test_a_second_run_keeps_the_generated_town(self):
        self.bench()
        first = list(ServiceRequest.objects.order_by("pk").values_list("pk", flat=True))

        output = self.bench()

        self.assertIn("kept from an earlier run", output)
        self.assertEqual(
            list(ServiceRequest.objects.order_by("pk").values_list("pk", flat=True)),
            first,
        )
        self.assertEqual(marker_read().requests, COUNT)

    def test_the_same_seed_gives_the_same_rows(self):
        columns = ("submitted_at", "closed_at", "channel", "lat", "department__slug")
        self.bench("--seed", "7")
        first = list(ServiceRequest.objects.order_by("pk").values_list(*columns))

        self.bench("--seed", "8")
        self.bench("--seed", "7")

        again = list(ServiceRequest.objects.order_by("pk").values_list(*columns))
        self.assertEqual(again, first)


class BenchRefusalTests(BaseTestCase):
    def test_it_leaves_a_database_it_did_not_generate_alone(self):
        with self.assertRaisesMessage(CommandError, "did not generate"):
            call_command("bench", "--requests", "10", stdout=io.StringIO())

        self.assertTrue(Town.objects.filter(name="Testville").exists())

    def test_it_needs_at_least_one_request(self):
        with self.assertRaisesMessage(CommandError, "--requests must be 1 or more"):
            call_command("bench", "--requests", "0", stdout=io.StringIO())
