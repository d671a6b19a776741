import io
import json
import os
from datetime import datetime, timedelta
from unittest import mock
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import resolve, reverse

from town311.bench import api, api_views
from town311.bench.management.commands.bench import _api_figures, _api_table
from town311.lib.geo import covers
from town311.metrics.leaderboard import Month
from town311.open311.models import ApiRateWindow
from town311.servicerequests.models import Channel, ServiceRequest
from town311.test import BaseTestCase

CHICAGO = ZoneInfo("America/Chicago")


def measured(latency_ms: float, per_second: float, failed: int = 0) -> api.Measured:
    return api.Measured(
        latency=api.Load(median_ms=latency_ms, per_second=0, answered=1, failed=0),
        throughput=api.Load(
            median_ms=0, per_second=per_second, answered=1, failed=failed
        ),
    )


def call(label: str, rows: int | None = None) -> api.Call:
    return api.Call(label, label, "/", rows=rows)


@override_settings(ROOT_URLCONF="town311.bench.api_urls")
class ApiHarnessTests(BaseTestCase):
    def make_request(self, service, submitted_at, **fields) -> ServiceRequest:
        return ServiceRequest.objects.create(
            service=service,
            department=self.roads,
            channel=Channel.WEB,
            lat=40.0,
            long=-90.0,
            submitted_at=submitted_at,
            **fields,
        )

    def test_the_bench_urls_add_the_minimal_views_to_the_site(self):
        self.assertEqual(resolve("/bench/minimal-read").func, api_views.minimal_read)
        self.assertEqual(resolve("/bench/minimal-list").func, api_views.minimal_list)
        self.assertEqual(resolve("/bench/minimal-write").func, api_views.minimal_write)
        self.assertEqual(
            reverse("open311:requests", args=["json"]), "/open311/v2/requests.json"
        )

    def test_the_minimal_read_answers_one_request(self):
        service_request = self.make_request(self.pothole, datetime.now(CHICAGO))

        response = self.client.get("/bench/minimal-read", {"id": service_request.pk})

        self.assertEqual(
            json.loads(response.content)["request"][:2],
            [service_request.pk, "submitted"],
        )

    def test_the_minimal_list_answers_the_same_rows_as_the_api(self):
        day = datetime(2026, 11, 24, tzinfo=CHICAGO)
        inside = [
            self.make_request(self.pothole, day + timedelta(hours=h))
            for h in (1, 30, 160)
        ]
        self.make_request(self.pothole, day - timedelta(minutes=1))
        self.make_request(self.pothole, day + timedelta(days=7, minutes=1))
        self.make_request(self.park_upkeep, day + timedelta(hours=2))
        self.make_request(self.pothole, day + timedelta(hours=3), is_public=False)
        start, end = api.last_days(datetime(2026, 11, 30).date(), CHICAGO)
        query = {"start_date": start, "end_date": end, "service_code": "pothole"}

        minimal = self.client.get("/bench/minimal-list", query).json()["requests"]
        ours = self.client.get("/open311/v2/requests.json", query).json()

        newest_first = [r.pk for r in reversed(inside)]
        self.assertEqual([r["pk"] for r in minimal], newest_first)
        self.assertEqual([int(r["service_request_id"]) for r in ours], newest_first)
        self.assertEqual(minimal[0]["status"], "submitted")
        self.assertEqual(minimal[0]["lat"], 40.0)

    def test_the_last_days_end_with_the_last_generated_day(self):
        start, end = api.last_days(datetime(2026, 11, 30).date(), CHICAGO)

        self.assertEqual(start, "2026-11-24T00:00:00-06:00")
        self.assertEqual(end, "2026-12-01T00:00:00-06:00")

    def test_the_busiest_service_counts_public_requests_in_the_range(self):
        day = datetime(2026, 11, 25, tzinfo=CHICAGO)
        for hours in (1, 2):
            self.make_request(self.park_upkeep, day + timedelta(hours=hours))
        self.make_request(self.pothole, day)
        for hours in (1, 2):
            self.make_request(self.pothole, day + timedelta(days=-9, hours=hours))
        start, end = api.last_days(datetime(2026, 11, 30).date(), CHICAGO)

        self.assertEqual(api.busiest_service(start, end), self.park_upkeep)

    def test_the_minimal_write_inserts_one_row(self):
        api_key, _ = api.bench_key()

        for n in (1, 2):
            response = self.client.post(
                "/bench/minimal-write", {"key": api_key.pk, "n": n}
            )
            self.assertEqual(response.status_code, 200)

        windows = ApiRateWindow.objects.filter(api_key=api_key)
        self.assertEqual(windows.count(), 2)
        self.assertEqual(sorted(w.window_start.microsecond for w in windows), [1, 2])

    def test_the_posts_differ_in_place_and_description(self):
        points = api.points_inside(self.town.boundary, 50)
        bodies = api.post_bodies("secret", "pothole", points)

        self.assertEqual(len(set(points)), 50)
        self.assertTrue(all(covers(self.town.boundary, *point) for point in points))
        forms = [parse_qs(b.replace("[n]", "7")) for b in bodies]
        self.assertEqual(
            {(f["lat"][0], f["long"][0]) for f in forms},
            {(f"{lat:.6f}", f"{long:.6f}") for lat, long in points},
        )
        self.assertEqual(len({f["description"][0] for f in forms}), 4)
        self.assertTrue(all(b.endswith("[n]") for b in bodies))
        self.assertEqual(forms[0]["service_code"], ["pothole"])

    def test_a_post_through_the_api_is_accepted(self):
        api_key, raw_key = api.bench_key()
        points = api.points_inside(self.town.boundary, 1)
        body = api.post_bodies(raw_key, "pothole", points)[0].replace("[n]", "1")

        response = self.client.post(
            "/open311/v2/requests.json",
            body,
            content_type="application/x-www-form-urlencoded",
        )

        self.assertEqual(response.status_code, 201)
        created = ServiceRequest.objects.get()
        self.assertEqual((created.lat, created.long), points[0])

    def test_the_server_uses_the_database_task_backend_unless_asked(self):
        with mock.patch.dict(os.environ, {"TASKS_BACKEND": "immediate"}):
            default = api.Server().environment()
            asked = api.Server(tasks_backend="immediate").environment()

        self.assertEqual(default["TASKS_BACKEND"], "database")
        self.assertEqual(asked["TASKS_BACKEND"], "immediate")
        self.assertEqual(default["DEBUG"], "false")
        self.assertEqual(default["DJANGO_SETTINGS_MODULE"], "town311.bench.settings")

    def test_the_calls_pair_each_endpoint_with_its_minimal_view(self):
        day = datetime(2026, 11, 28, tzinfo=CHICAGO)
        self.make_request(self.pothole, day)
        self.make_request(self.pothole, datetime(2026, 11, 30, 9, tzinfo=CHICAGO))
        api_key, raw_key = api.bench_key()

        calls = api.api_calls(Month(2026, 11), raw_key, api_key)

        self.assertEqual(
            [c.key for c in calls],
            [
                "read one minimal",
                "poll minimal",
                "poll",
                "list minimal",
                "list",
                "page minimal",
                "page",
                "post minimal",
                "post",
            ],
        )
        self.assertEqual(
            [[c.key for c in group] for group in api._groups(calls)],
            [
                ["read one minimal"],
                ["poll minimal", "poll"],
                ["list minimal", "list"],
                ["page minimal", "page"],
                ["post minimal", "post"],
            ],
        )
        by_key = {c.key: c for c in calls}
        self.assertEqual(
            by_key["list"].url.split("?")[1], by_key["list minimal"].url.split("?")[1]
        )
        self.assertIn("service_code=pothole", by_key["list"].url)
        # The week holds both requests, the last day only the later one.
        self.assertEqual(by_key["list"].rows, 2)
        self.assertEqual(by_key["poll"].rows, 1)
        self.assertIn("start_date=2026-11-30T00%3A00%3A00-06%3A00", by_key["poll"].url)
        self.assertIsNone(by_key["post"].rows)
        self.assertEqual(len(by_key["post"].bodies), api.POST_POINTS)
        self.assertIsNone(by_key["page"].bodies)

    def test_the_figures_compare_each_endpoint_with_its_minimal_view(self):
        loads = {
            "read one minimal": (call("one", rows=1), measured(3, 2000)),
            "poll minimal": (call("poll minimal", rows=20), measured(4, 1500)),
            "poll": (call("poll", rows=20), measured(12, 600)),
            "list minimal": (call("list minimal", rows=120), measured(8, 1000)),
            "list": (call("list", rows=120), measured(40, 450)),
            "page minimal": (call("page minimal", rows=1000), measured(30, 100)),
            "page": (call("page", rows=1000), measured(400, 10)),
            "post minimal": (call("post minimal"), measured(9, 900)),
            "post": (call("post"), measured(90, 300, failed=2)),
        }

        figures = {f.name: f for f in _api_figures(loads, "postgresql")}
        table = _api_table(loads)

        self.assertEqual(figures["GET poll (1 day) median @4"].value, 12)
        self.assertEqual(figures["GET poll (1 day) median @4"].verdict, "PASS")
        self.assertEqual(figures["GET poll, share of minimal"].value, 40.0)
        self.assertEqual(figures["GET poll, share of minimal"].verdict, "PASS")
        self.assertEqual(figures["GET list median @4"].value, 40)
        self.assertEqual(figures["GET list median @4"].verdict, "")
        self.assertEqual(figures["GET list, share of minimal"].value, 45.0)
        self.assertEqual(figures["GET list, share of minimal"].verdict, "PASS")
        self.assertEqual(figures["GET default page, share of minimal"].value, 10.0)
        self.assertEqual(figures["GET default page, share of minimal"].verdict, "")
        self.assertAlmostEqual(figures["POST, share of minimal"].value, 33.33, 2)
        self.assertEqual(figures["POST, share of minimal"].verdict, "MISS")
        self.assertIn("median @4", table[0])
        self.assertIn("req/s @10", table[0])
        self.assertRegex(table[5], r"^  list\s+120\s+40\.0 ms\s+450\.0\s+45\.0%\s+0$")
        self.assertRegex(table[9], r"^  post\s+90\.0 ms\s+300\.0\s+33\.3%\s+2$")

    def test_the_poll_median_has_no_goal_on_sqlite(self):
        loads = {
            key: (call(key), measured(100, 100))
            for key in ("poll minimal", "poll", "list minimal", "list")
            + ("page minimal", "page", "post minimal", "post")
        }

        figures = {f.name: f for f in _api_figures(loads, "sqlite")}

        self.assertEqual(figures["GET poll (1 day) median @4"].verdict, "")

    def test_the_rounds_of_a_url_add_up(self):
        runs = [
            api.Load(median_ms=10, per_second=0, answered=500, failed=1, seconds=5),
            api.Load(median_ms=14, per_second=0, answered=700, failed=0, seconds=5),
        ]

        combined = api._combined(runs)

        self.assertEqual(combined.median_ms, 12)
        self.assertEqual(combined.per_second, 120)
        self.assertEqual((combined.answered, combined.failed), (1200, 1))

    def test_api_only_needs_a_generated_town(self):
        with self.assertRaisesMessage(CommandError, "--api-only needs a generated"):
            call_command("bench", "--api-only", stdout=io.StringIO())

    def test_the_harness_finds_its_tools(self):
        self.assertTrue(api.AUTOCANNON.name == "autocannon")
        self.assertTrue(api.POST_LOAD.exists())
