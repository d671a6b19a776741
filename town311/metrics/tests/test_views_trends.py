import io
import json
from datetime import UTC, datetime

import time_machine
from PIL import Image

from town311.metrics.tests.test_trends import SpringTownMixin, utc
from town311.servicerequests.models import Channel
from town311.test import BaseTestCase

# 10 May 2026 in Chicago: April is the last complete month.
NOW = datetime(2026, 5, 10, 15, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class TrendsPageTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_spring()
        self.submit(self.pothole, utc(2026, 3, 20, 12), channel=Channel.PHONE)

    def get(self, user, **query):
        self.client.force_login(user)
        return self.client.get("/metrics/trends/", query)

    def test_it_shows_a_coordinator_every_department_beside_the_town(self) -> None:
        r = self.get(self.coordinator, month="2026-03")

        self.assertEqual(r.status_code, 200)
        self.assertContains(r, "<h1>Trends: April 2025 to March 2026</h1>", html=True)
        table = r.context["medians"]["ack"]
        self.assertEqual(table["names"], ["Whole town", "Parks", "Roads"])
        # March: the town 1.0, Parks 0.25 and Roads 0.625, shown half up.
        self.assertEqual(
            table["rows"][-1],
            {"month": "Mar 2026", "cells": ["1.0 days", "0.3 days", "0.6 days"]},
        )
        self.assertEqual(table["rows"][0]["cells"], ["—", "—", "—"])
        self.assertContains(r, 'name="department"')

    def test_it_shows_a_clerk_their_department_beside_the_town(self) -> None:
        r = self.get(self.parks_clerk, month="2026-03")

        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.context["medians"]["ack"]["names"], ["Whole town", "Parks"])
        self.assertEqual(r.context["services"], [("Park upkeep", 2)])
        self.assertNotContains(r, 'name="department"')
        self.assertNotContains(r, "Roads")

    def test_it_counts_channels_and_services_of_the_whole_town(self) -> None:
        r = self.get(self.coordinator, month="2026-03")

        march = r.context["channels"]["rows"][-1]
        self.assertEqual(r.context["channels"]["names"][:2], ["Web", "Phone"])
        self.assertEqual(march, {"month": "Mar 2026", "cells": [4, 1, 0, 0, 0]})
        self.assertEqual(r.context["services"], [("Park upkeep", 3), ("Pothole", 2)])
        self.assertEqual(
            r.context["busiest"], [{"count": 5, "lat": "40.0011", "long": "-89.9985"}]
        )

    def test_it_narrows_to_the_department_a_coordinator_picks(self) -> None:
        r = self.get(self.coordinator, month="2026-03", department="roads")

        self.assertEqual(
            r.context["medians"]["close"]["names"], ["Whole town", "Roads"]
        )
        self.assertEqual(r.context["services"], [("Pothole", 2), ("Park upkeep", 1)])
        chart = r.context["charts"]["acknowledge"]
        self.assertEqual(
            chart["svg"],
            "/metrics/charts/acknowledge.svg?month=2026-03&department=roads",
        )
        self.assertContains(r, f'alt="{chart["chart"].alt}"')

    def test_it_links_each_chart_as_an_image_with_its_text(self) -> None:
        r = self.get(self.roads_clerk)

        for name in ("acknowledge", "close", "channels", "services"):
            self.assertContains(r, f'src="/metrics/charts/{name}.svg?month=2026-04"')
            self.assertContains(r, f'href="/metrics/charts/{name}.png?month=2026-04"')
        self.assertContains(r, 'data-heat="/metrics/heat.geojson?month=2026-04"')
        self.assertContains(r, "Show the numbers", count=5)

    def test_it_defaults_to_the_last_complete_month(self) -> None:
        r = self.get(self.coordinator)

        self.assertEqual(str(r.context["choice"].month), "2026-04")

    def test_it_explains_a_bad_month(self) -> None:
        r = self.get(self.coordinator, month="2026-13")

        self.assertEqual(r.status_code, 400)
        self.assertContains(r, "has no month 13", status_code=400)

    def test_it_refuses_a_month_not_begun(self) -> None:
        r = self.get(self.coordinator, month="2026-06")

        self.assertContains(r, "June 2026 has not begun yet", status_code=400)

    def test_it_explains_an_unknown_department(self) -> None:
        r = self.get(self.coordinator, department="nowhere")

        self.assertContains(r, "There is no such department", status_code=400)

    def test_it_refuses_a_clerk_another_departments_trends(self) -> None:
        r = self.get(self.parks_clerk, department="roads")

        self.assertContains(
            r, "The trends of Roads are for that department", status_code=403
        )

    def test_it_sends_anonymous_visitors_to_sign_in(self) -> None:
        r = self.client.get("/metrics/trends/")

        self.assertRedirects(
            r, "/staff/login/?next=/metrics/trends/", fetch_redirect_response=False
        )


@time_machine.travel(NOW, tick=False)
class ChartTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_spring()

    def get(self, user, path, **query):
        self.client.force_login(user)
        return self.client.get(path, query)

    def test_it_draws_each_chart_as_svg_and_png(self) -> None:
        for name in ("acknowledge", "close", "channels", "services"):
            svg = self.get(
                self.coordinator, f"/metrics/charts/{name}.svg", month="2026-03"
            )
            png = self.get(
                self.coordinator, f"/metrics/charts/{name}.png", month="2026-03"
            )

            self.assertEqual(svg["Content-Type"], "image/svg+xml")
            self.assertIn(b"<svg", svg.content)
            self.assertEqual(png["Content-Type"], "image/png")
            with Image.open(io.BytesIO(png.content)) as image:
                self.assertEqual(image.format, "PNG")
                self.assertEqual(image.width, 640)
            self.assertIn("private", svg["Cache-Control"])
            self.assertIn("private", png["Cache-Control"])

    def test_it_lets_a_clerk_draw_their_own_department(self) -> None:
        r = self.get(
            self.parks_clerk,
            "/metrics/charts/close.png",
            month="2026-03",
            department="parks",
        )

        self.assertEqual(r.status_code, 200)

    def test_it_refuses_a_clerk_another_departments_chart(self) -> None:
        r = self.get(
            self.parks_clerk, "/metrics/charts/acknowledge.svg", department="roads"
        )

        self.assertContains(
            r, "The trends of Roads are for that department", status_code=403
        )

    def test_it_explains_a_bad_month_in_plain_text(self) -> None:
        r = self.get(self.coordinator, "/metrics/charts/channels.png", month="March")

        self.assertEqual(r.status_code, 400)
        self.assertEqual(r["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("“March” is not a month", r.content.decode())

    def test_it_knows_only_its_charts(self) -> None:
        r = self.get(self.coordinator, "/metrics/charts/everything.svg")

        self.assertEqual(r.status_code, 404)


@time_machine.travel(NOW, tick=False)
class HeatTests(SpringTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        at = utc(2026, 3, 10, 12)
        self.submit(self.pothole, at)
        self.submit(self.pothole, at)
        self.submit(self.park_upkeep, at, lat=39.999, long=-90.001)

    def get(self, user, **query):
        self.client.force_login(user)
        return self.client.get("/metrics/heat.geojson", query)

    def test_it_gives_each_cell_as_a_rectangle_with_its_count(self) -> None:
        r = self.get(self.coordinator, month="2026-03")

        self.assertEqual(r["Content-Type"], "application/geo+json")
        self.assertIn("private", r["Cache-Control"])
        collection = json.loads(r.content)
        self.assertEqual(collection["type"], "FeatureCollection")
        counts = [f["properties"]["count"] for f in collection["features"]]
        self.assertEqual(counts, [1, 2])
        centre = collection["features"][1]
        south, west = 17760 / 444, -30600 / 340
        north, east = 17761 / 444, -30599 / 340
        self.assertEqual(
            centre["geometry"]["coordinates"],
            [
                [
                    [west, south],
                    [east, south],
                    [east, north],
                    [west, north],
                    [west, south],
                ]
            ],
        )

    def test_it_gives_a_clerk_their_departments_cells(self) -> None:
        r = self.get(self.parks_clerk, month="2026-03")

        counts = [f["properties"]["count"] for f in json.loads(r.content)["features"]]
        self.assertEqual(counts, [1])

    def test_it_gives_an_empty_month_no_cells(self) -> None:
        r = self.get(self.coordinator, month="2026-02")

        self.assertEqual(json.loads(r.content)["features"], [])

    def test_it_refuses_a_clerk_another_departments_cells(self) -> None:
        r = self.get(self.parks_clerk, month="2026-03", department="roads")

        self.assertEqual(r.status_code, 403)

    def test_it_explains_a_bad_month(self) -> None:
        r = self.get(self.coordinator, month="2026-00")

        self.assertEqual(r.status_code, 400)
        self.assertIn("has no month 00", r.content.decode())
