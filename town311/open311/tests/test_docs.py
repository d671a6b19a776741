import re
import subprocess

from django.test import override_settings

from town311.browser import DESKTOP, BrowserTestCase
from town311.open311.updates import EXTENDED_STATUS
from town311.open311.views_docs import ENDPOINTS
from town311.servicerequests.models import Channel, ServiceRequest
from town311.test import BaseTestCase

SITE = "https://311.testville.example"


@override_settings(SITE_URL=SITE)
class DeveloperPageTests(BaseTestCase):
    def get_page(self) -> str:
        response = self.client.get("/open311/")
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def commands(self, html: str) -> list[str]:
        blocks = re.findall(
            r'<pre class="api-example"[^>]*><code>(.*?)</code>', html, re.S
        )
        return [b.replace("&#x27;", "'").replace("&amp;", "&") for b in blocks]

    def test_it_lists_every_endpoint(self):
        html = self.get_page()

        for method, path, _ in ENDPOINTS:
            self.assertIn(
                f"<td>{method}</td><td><code>/open311/v2/{path}.{{format}}", html
            )
        self.assertEqual(len(ENDPOINTS), 9)

    def test_it_gives_the_base_url_jurisdiction_and_links(self):
        html = self.get_page()

        self.assertIn(f"<code>{SITE}/open311/v2/</code>", html)
        self.assertIn("<code>testville</code>", html)
        self.assertIn('href="/open311/v2/openapi.json"', html)
        self.assertIn('href="/open-data/"', html)

    def test_the_examples_use_a_public_service_of_the_town(self):
        self.pothole.order = 5
        self.pothole.save()

        commands = self.commands(self.get_page())

        self.assertEqual(len(commands), len(ENDPOINTS))
        self.assertIn(f"curl {SITE}/open311/v2/services/park-upkeep.json", commands)
        post = next(c for c in commands if "requests.json" in c and "POST" in c)
        self.assertIn("--data-urlencode service_code=park-upkeep", post)
        self.assertIn("--data-urlencode api_key=YOUR_API_KEY", post)
        self.assertNotIn("work-order", " ".join(commands))

    def test_the_post_example_places_the_request_inside_the_town(self):
        commands = self.commands(self.get_page())

        post = next(c for c in commands if "requests.json" in c and "POST" in c)
        lat = float(re.search(r"lat=([-\d.]+)", post).group(1))
        long = float(re.search(r"long=([-\d.]+)", post).group(1))
        self.assertLess(abs(lat - 40.0), 0.01)
        self.assertLess(abs(long + 90.0), 0.01)

    def test_the_request_example_names_a_public_request(self):
        shown = ServiceRequest.objects.create(
            service=self.pothole,
            department=self.roads,
            channel=Channel.WEB,
            lat=40.0,
            long=-90.0,
            description="Hole",
        )
        ServiceRequest.objects.create(
            service=self.work_order,
            department=self.roads,
            channel=Channel.PHONE,
            lat=40.0,
            long=-90.0,
            description="Internal",
        )

        commands = self.commands(self.get_page())

        self.assertIn(
            f"curl '{SITE}/open311/v2/requests/{shown.pk}.json?extensions=true'",
            commands,
        )

    def test_the_commands_are_valid_shell(self):
        for command in self.commands(self.get_page()):
            # bash -n parses without running anything.
            subprocess.run(["bash", "-n", "-c", command], check=True)

    def test_it_tables_every_extended_status(self):
        html = self.get_page()

        rows = re.findall(
            r"<tr><td>(\w[^<]*) \(<code>(\w+)</code>\)</td><td>(.*?)</td>"
            r"<td><code>(\w+)</code></td></tr>",
            html,
        )
        self.assertEqual(len(rows), len(EXTENDED_STATUS))
        self.assertEqual(rows[0], ("Submitted", "submitted", "—", "OPEN"))
        self.assertEqual(
            rows[4],
            (
                "Closed",
                "closed",
                "Duplicate (<code>duplicate</code>)",
                "DUPLICATE",
            ),
        )
        self.assertIn(
            (
                "Closed",
                "closed",
                "Referred to another agency (<code>referred</code>)",
                "NOT_COUNCILS_RESPONSIBILITY",
            ),
            rows,
        )

    def test_it_states_the_privacy_rules_and_key_limits(self):
        html = self.get_page()

        self.assertIn(
            "never gives out a reporter's name, e-mail address or phone", html
        )
        self.assertIn("60 calls a minute", html)
        self.assertIn("<code>t311_</code>", html)


class DeveloperPageBrowserTests(BrowserTestCase):
    def test_it_reads_well_and_passes_axe(self):
        page = self.new_page(viewport=DESKTOP)
        page.goto(self.url("/open311/"))

        self.assertEqual(page.locator("h1").inner_text(), "Open311 API for developers")
        self.assertEqual(
            page.locator("table.api-table").first.locator("tbody tr").count(), 9
        )
        self.assertEqual(page.locator("pre.api-example").count(), 9)
        self.screenshot(page, "open311-docs")
        self.assertAccessible(page)
