import json

from django.test import override_settings
from django.urls import resolve, reverse

from town311.bench import api, api_views
from town311.bench.management.commands.bench import _api_figures
from town311.open311.models import ApiRateWindow
from town311.servicerequests.models import Channel, ServiceRequest
from town311.test import BaseTestCase


@override_settings(ROOT_URLCONF="town311.bench.api_urls")
class ApiHarnessTests(BaseTestCase):
    def test_the_bench_urls_add_the_minimal_views_to_the_site(self):
        self.assertEqual(resolve("/bench/minimal-read").func, api_views.minimal_read)
        self.assertEqual(resolve("/bench/minimal-write").func, api_views.minimal_write)
        self.assertEqual(
            reverse("open311:requests", args=["json"]), "/open311/v2/requests.json"
        )

    def test_the_minimal_read_answers_one_request(self):
        service_request = ServiceRequest.objects.create(
            service=self.pothole,
            department=self.roads,
            channel=Channel.WEB,
            lat=40.0,
            long=-90.0,
        )

        response = self.client.get("/bench/minimal-read", {"id": service_request.pk})

        self.assertEqual(
            json.loads(response.content)["request"][:2],
            [service_request.pk, "submitted"],
        )

    def test_the_minimal_write_inserts_one_row(self):
        api_key, _ = api.bench_key()

        response = self.client.post("/bench/minimal-write", {"key": api_key.pk})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(ApiRateWindow.objects.filter(api_key=api_key).count(), 1)

    def test_the_figures_compare_each_endpoint_with_its_minimal_view(self):
        loads = {
            "read minimal": api.Load(
                median_ms=8, per_second=1000, answered=1, failed=0
            ),
            "read list": api.Load(median_ms=40, per_second=450, answered=1, failed=0),
            "write minimal": api.Load(
                median_ms=9, per_second=900, answered=1, failed=0
            ),
            "write post": api.Load(median_ms=90, per_second=300, answered=1, failed=0),
        }

        figures = {f.name: f for f in _api_figures(loads, "postgresql")}

        self.assertEqual(figures["GET requests.json median"].verdict, "PASS")
        self.assertEqual(figures["GET requests.json share of minimal"].value, 45.0)
        self.assertEqual(figures["GET requests.json share of minimal"].verdict, "PASS")
        self.assertAlmostEqual(
            figures["POST requests.json share of minimal"].value, 33.33, 2
        )
        self.assertEqual(figures["POST requests.json share of minimal"].verdict, "MISS")

    def test_the_harness_finds_its_tools(self):
        self.assertTrue(api.AUTOCANNON.name == "autocannon")
        self.assertTrue(api.POST_LOAD.exists())
