import io
import math
from xml.etree import ElementTree

from django.test import SimpleTestCase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from town311.directory.models import Department
from town311.metrics.charts import (
    channel_volume_chart,
    days_text,
    median_trend_chart,
    month_label,
    service_volume_chart,
)
from town311.metrics.leaderboard import Month
from town311.metrics.trends import Trend, trend_months

MONTHS = trend_months(last=Month(2026, 1), months=12)
ROADS = Department(pk=1, name="Roads")
PARKS = Department(pk=2, name="Parks")
TREND = Trend(
    months=MONTHS,
    town={
        "ack": [1.2, 1.0, None, 0.8, 0.9, 1.1, 0.7, 0.6, 0.65, 0.5, 0.55, 0.44],
        "close": [None] * 12,
    },
    departments=[
        (PARKS, {"ack": [0.5] * 6 + [None] * 6, "close": [None] * 12}),
        (ROADS, {"ack": [1.5] * 11 + [0.25], "close": [None] * 11 + [6.0]}),
    ],
)


def drawn(chart, height: float = 3.2) -> Figure:
    figure = Figure(figsize=(6.4, height))
    FigureCanvasAgg(figure)
    chart.draw(figure)
    return figure


class ChartFormatsTests(SimpleTestCase):
    def test_it_draws_a_png_of_640_by_320_pixels(self) -> None:
        png = median_trend_chart(TREND).png()

        self.assertEqual(png[:8], b"\x89PNG\r\n\x1a\n")
        with Image.open(io.BytesIO(png)) as image:
            image.verify()
        with Image.open(io.BytesIO(png)) as image:
            self.assertEqual(image.size, (640, 320))

    def test_it_draws_an_svg_document(self) -> None:
        svg = median_trend_chart(TREND, clock="close").svg()

        root = ElementTree.fromstring(svg)
        self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
        self.assertEqual(
            (root.get("width"), root.get("height")), ("460.8pt", "230.4pt")
        )

    def test_the_same_figures_give_the_same_png(self) -> None:
        chart = channel_volume_chart(MONTHS, {"web": [1] * 12})

        self.assertEqual(chart.png(), chart.png())


class MedianTrendChartTests(SimpleTestCase):
    def test_it_draws_the_town_bold_and_each_department_thin(self) -> None:
        (axes,) = drawn(median_trend_chart(TREND)).axes

        lines = {line.get_label(): line for line in axes.get_lines()}
        self.assertEqual(list(lines), ["Whole town", "Parks", "Roads"])
        self.assertGreater(
            lines["Whole town"].get_linewidth(), lines["Roads"].get_linewidth()
        )
        self.assertEqual(axes.get_ylabel(), "days")
        self.assertEqual(axes.get_title(loc="left"), "Median time to acknowledge")

    def test_it_leaves_a_gap_for_a_month_without_figures(self) -> None:
        (axes,) = drawn(median_trend_chart(TREND)).axes

        town = axes.get_lines()[0].get_ydata()
        self.assertTrue(math.isnan(town[2]))
        self.assertEqual(town[3], 0.8)

    def test_it_draws_only_the_department_asked_for(self) -> None:
        chart = median_trend_chart(TREND, department=ROADS)
        (axes,) = drawn(chart).axes

        labels = [line.get_label() for line in axes.get_lines()]
        self.assertEqual(labels, ["Whole town", "Roads"])

    def test_it_labels_months_by_quarter_ending_with_the_last(self) -> None:
        (axes,) = drawn(median_trend_chart(TREND)).axes

        labels = [label.get_text() for label in axes.get_xticklabels()]
        self.assertEqual(len(labels), 12)
        self.assertEqual(
            [label for label in labels if label],
            ["Apr 2025", "Jul 2025", "Oct 2025", "Jan 2026"],
        )

    def test_its_text_names_the_months_and_the_ends_of_each_line(self) -> None:
        chart = median_trend_chart(TREND, clock="close", department=ROADS)

        self.assertEqual(chart.title, "Median time to close")
        self.assertEqual(
            chart.alt,
            "Line chart of the median time to close, in days, per month from "
            "Feb 2025 to Jan 2026, for the whole town and 1 department. Whole "
            "town: no requests in these months. Roads: 6.0 days in Jan 2026 only.",
        )

    def test_its_text_gives_first_and_last_months_rounded_half_up(self) -> None:
        chart = median_trend_chart(TREND)

        self.assertIn(
            "Whole town: 1.2 days in Feb 2025, 0.4 days in Jan 2026.", chart.alt
        )
        self.assertIn("Roads: 1.5 days in Feb 2025, 0.3 days in Jan 2026.", chart.alt)
        self.assertIn("Parks: 0.5 days in Feb 2025, 0.5 days in Jul 2025.", chart.alt)

    def test_it_says_so_when_there_is_nothing_to_draw(self) -> None:
        empty = Trend(
            months=MONTHS,
            town={"ack": [None] * 12, "close": [None] * 12},
            departments=[],
        )
        chart = median_trend_chart(empty)
        (axes,) = drawn(chart).axes

        self.assertEqual(axes.texts[0].get_text(), "No requests in these months")
        self.assertTrue(
            chart.alt.endswith("the whole town. No requests in these months.")
        )

    def test_it_refuses_an_unknown_clock(self) -> None:
        with self.assertRaisesMessage(ValueError, "“ack” or “close”"):
            median_trend_chart(TREND, clock="open")


class ChannelVolumeChartTests(SimpleTestCase):
    VOLUME = {
        "web": [10, 12, 15, 18, 20, 25, 30, 33, 35, 40, 42, 45],
        "phone": [40, 38, 35, 33, 30, 28, 25, 22, 20, 18, 15, 12],
        "email": [0] * 12,
        "walk_in": [0] * 11 + [1],
        "api": [0] * 12,
    }

    def test_it_draws_a_line_for_each_channel_used(self) -> None:
        (axes,) = drawn(channel_volume_chart(MONTHS, self.VOLUME)).axes

        lines = {line.get_label(): list(line.get_ydata()) for line in axes.get_lines()}
        self.assertEqual(list(lines), ["Web", "Phone", "Walk-in"])
        self.assertEqual(lines["Phone"], self.VOLUME["phone"])
        self.assertEqual(axes.get_ylabel(), "requests")

    def test_its_text_tells_how_each_channel_changed(self) -> None:
        chart = channel_volume_chart(MONTHS, self.VOLUME)

        self.assertEqual(
            chart.alt,
            "Line chart of the requests by channel, per month from Feb 2025 to "
            "Jan 2026. Web: 10 in Feb 2025, 45 in Jan 2026; Phone: 40 in Feb "
            "2025, 12 in Jan 2026; Walk-in: 0 in Feb 2025, 1 in Jan 2026.",
        )


class ServiceVolumeChartTests(SimpleTestCase):
    ROWS = [
        (f"Service {letter}", 30 - index)
        for index, letter in enumerate("ABCDEFGHIJKLMNO")
    ]

    def test_it_draws_the_top_twelve_and_the_rest_as_other(self) -> None:
        chart = service_volume_chart(self.ROWS)
        (axes,) = drawn(chart, chart.height).axes

        names = [label.get_text() for label in axes.get_yticklabels()]
        widths = [bar.get_width() for bar in axes.patches]
        self.assertEqual(names[:2], ["Service A", "Service B"])
        self.assertEqual(names[-1], "Other (3 services)")
        self.assertEqual(len(names), 13)
        # The last three are 18, 17 and 16.
        self.assertEqual(widths[-1], 51)
        self.assertEqual(widths[:2], [30, 29])

    def test_its_text_names_the_largest_services(self) -> None:
        chart = service_volume_chart(self.ROWS[:4])

        self.assertEqual(
            chart.alt,
            "Bar chart of the requests by service, largest first. Service A: "
            "30; Service B: 29; Service C: 28; 27 more in other services.",
        )

    def test_it_grows_taller_for_many_services_but_stays_readable_small(self) -> None:
        self.assertEqual(service_volume_chart(self.ROWS[:3]).height, 3.2)
        chart = service_volume_chart(self.ROWS)

        with Image.open(io.BytesIO(chart.png())) as image:
            self.assertEqual(image.width, 640)
            self.assertGreater(image.height, 320)

    def test_it_says_so_when_there_is_nothing_to_draw(self) -> None:
        chart = service_volume_chart([])

        self.assertEqual(
            chart.alt,
            "Bar chart of the requests by service, largest first: no requests "
            "in this period.",
        )
        self.assertEqual(chart.png()[:4], b"\x89PNG")


class FormattingTests(SimpleTestCase):
    def test_days_have_one_decimal_with_halves_rounded_up(self) -> None:
        self.assertEqual(days_text(0.25), "0.3 days")
        self.assertEqual(days_text(1.04), "1.0 days")
        self.assertEqual(days_text(None), "—")

    def test_months_read_like_jan_2026(self) -> None:
        self.assertEqual(month_label(Month(2026, 1)), "Jan 2026")
