"""The trends as charts: SVG for the pages, PNG for e-mails.

Drawn with matplotlib's object API on the Agg canvas, never pyplot, whose
global figures are not safe in threaded web processes. The colours are
Okabe and Ito's palette, which people with any common colour blindness can
tell apart; lines also differ by dash and marker, so they survive a grey
printout too. Each chart carries a sentence for screen readers.
"""

import io
import itertools
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import translation
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from town311.directory.models import Department
from town311.metrics.leaderboard import Month
from town311.metrics.trends import SERVICE_CHART_LIMIT, Trend
from town311.servicerequests.models import Channel

logger = logging.getLogger(__name__)

# 6.4 × 3.2 inches at 100 dots an inch: 640 × 320 pixels in an e-mail.
WIDTH = 6.4
HEIGHT = 3.2
DPI = 100

INK = "#222222"
GRID = "#dddddd"
TOWN_COLOUR = "#0072b2"
COLOURS = ["#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f7f"]
DASHES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v"]
BAR_COLOUR = "#56b4e9"
OTHER_COLOUR = "#bbbbbb"

TITLE_SIZE = 14
LABEL_SIZE = 12
TICK_SIZE = 11
LEGEND_SIZE = 10

# With more months than this, only every second (or third...) is labelled,
# always including the latest; twelve months are labelled by quarter.
MONTH_LABELS = 4

CLOCK_NAMES = {"ack": "acknowledge", "close": "close"}


@dataclass(frozen=True)
class Chart:
    """A chart ready to render; `alt` describes it in one or two sentences."""

    title: str
    alt: str
    draw: Callable[[Figure], None] = field(repr=False, compare=False)
    height: float = HEIGHT

    def svg(self) -> str:
        return self._render("svg").decode()

    def png(self) -> bytes:
        return self._render("png")

    def _render(self, format: str) -> bytes:
        figure = Figure(figsize=(WIDTH, self.height), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        figure.set_facecolor("white")
        self.draw(figure)

        # Without a date or software version the same figures give the same
        # PNG, so an e-mail sent twice carries identical attachments.
        metadata = {"Date": None} if format == "svg" else {"Software": None}
        buffer = io.BytesIO()
        figure.savefig(buffer, format=format, metadata=metadata)
        return buffer.getvalue()


@dataclass(frozen=True)
class _Line:
    label: str
    values: list
    colour: str
    width: float = 1.5
    dash: str = "-"
    marker: str = "o"


def month_label(month: Month) -> str:
    """A month as charts and their tables show it, like "Jan 2026"."""
    return f"{month.first_day:%b %Y}"


def days_text(days: float | None) -> str:
    """Days with one decimal, halves rounded up, as the dashboard shows them."""
    if days is None:
        return "—"

    shown = Decimal(repr(days)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{shown} days"


def channel_name(value: str) -> str:
    # Staff pages and e-mails are in English, whatever the reader's language.
    with translation.override("en"):
        names = {choice: str(label) for choice, label in Channel.choices}
    return names.get(value, value.replace("_", " ").capitalize())


# The charts


def median_trend_chart(
    trend: Trend, *, clock: str = "ack", department: Department | None = None
) -> Chart:
    """The town's median days per month in a bold line, beside that
    department's or, without one, every department's in thin ones."""
    if clock not in CLOCK_NAMES:
        raise ValueError(f"The clock is “ack” or “close”, not “{clock}”.")

    title = f"Median time to {CLOCK_NAMES[clock]}"
    shown = [
        (each, series)
        for each, series in trend.departments
        if department is None or each.pk == department.pk
    ]
    lines = [_Line("Whole town", trend.town[clock], TOWN_COLOUR, width=3)]
    for (each, series), colour, dash, marker in zip(
        shown, itertools.cycle(COLOURS), _dashes(), itertools.cycle(MARKERS)
    ):
        lines.append(_Line(each.name, series[clock], colour, 1.5, dash, marker))

    def draw(figure: Figure) -> None:
        _line_chart(figure, title, trend.months, lines, unit="days")

    return Chart(title=title, alt=_median_alt(title, trend.months, lines), draw=draw)


def channel_volume_chart(months: list[Month], volume: dict[str, list[int]]) -> Chart:
    """Requests received per month, a line for each channel used."""
    title = "Requests by channel"
    used = [(value, series) for value, series in volume.items() if any(series)]
    lines = [
        _Line(channel_name(value), series, colour, 2, dash, marker)
        for (value, series), colour, dash, marker in zip(
            used, itertools.cycle([TOWN_COLOUR, *COLOURS]), _dashes(), MARKERS * 3
        )
    ]

    def draw(figure: Figure) -> None:
        _line_chart(figure, title, months, lines, unit="requests", whole=True)

    return Chart(title=title, alt=_channel_alt(title, months, lines), draw=draw)


def service_volume_chart(rows: list[tuple[str, int]]) -> Chart:
    """Horizontal bars, largest on top: the top services and "Other"."""
    title = "Requests by service"
    bars = list(rows[:SERVICE_CHART_LIMIT])
    rest = rows[SERVICE_CHART_LIMIT:]
    if rest:
        bars.append((f"Other ({len(rest)} services)", sum(n for _, n in rest)))

    def draw(figure: Figure) -> None:
        axes = _axes(figure, title)
        if not bars:
            _say_empty(axes, "No requests in this period")
            return

        names = [name for name, _ in bars]
        counts = [count for _, count in bars]
        colours = [BAR_COLOUR] * len(rows[:SERVICE_CHART_LIMIT])
        colours += [OTHER_COLOUR] * (len(bars) - len(colours))
        positions = range(len(bars))
        drawn = axes.barh(positions, counts, color=colours, height=0.7)
        axes.bar_label(drawn, padding=3, fontsize=TICK_SIZE, color=INK)
        axes.set_yticks(positions, names, fontsize=TICK_SIZE, color=INK)
        # Largest on top; a few bars keep the thickness they would have
        # among six rather than filling the chart.
        axes.set_ylim(max(len(bars), 6) - 0.5, -0.5)
        # The bars carry their counts, so the count axis would repeat them.
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        axes.spines["left"].set_visible(False)
        axes.tick_params(axis="y", length=0)
        axes.set_xlim(0, max(counts) * 1.15)

    # Each bar needs about 0.28 inch to keep its name legible.
    height = max(HEIGHT, 0.8 + 0.28 * len(bars))
    return Chart(title=title, alt=_service_alt(title, bars), draw=draw, height=height)


def _dashes():
    # Solid lines for the first few, then dashes, so colours can repeat.
    for dash in itertools.cycle(DASHES):
        yield from [dash] * len(COLOURS)


# Drawing


def _axes(figure: Figure, title: str):
    axes = figure.add_subplot()
    axes.set_title(title, loc="left", fontsize=TITLE_SIZE, color=INK, pad=10)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        axes.spines[side].set_color("#888888")
    axes.tick_params(colors=INK, labelsize=TICK_SIZE)
    return axes


def _line_chart(
    figure: Figure,
    title: str,
    months: list[Month],
    lines: list[_Line],
    *,
    unit: str,
    whole: bool = False,
) -> None:
    axes = _axes(figure, title)
    positions = list(range(len(months)))
    for line in lines:
        # A month without figures is NaN, which matplotlib leaves as a gap.
        values = [math.nan if value is None else value for value in line.values]
        axes.plot(
            positions,
            values,
            label=line.label,
            color=line.colour,
            linewidth=line.width,
            linestyle=line.dash,
            marker=line.marker,
            markersize=3 + line.width,
        )

    step = math.ceil(len(months) / MONTH_LABELS)
    axes.set_xticks(positions)
    axes.set_xticklabels(
        [
            month_label(month) if (len(months) - 1 - index) % step == 0 else ""
            for index, month in enumerate(months)
        ],
        fontsize=TICK_SIZE,
    )
    axes.set_xlim(-0.4, len(months) - 0.6)
    axes.set_ylabel(unit, fontsize=LABEL_SIZE, color=INK)
    axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=whole))
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)

    if not any(v is not None for line in lines for v in line.values):
        axes.set_yticks([])
        _say_empty(axes, "No requests in these months")
        return

    axes.set_ylim(bottom=0)
    if len(lines) > 1:
        figure.legend(loc="outside right upper", frameon=False, fontsize=LEGEND_SIZE)


def _say_empty(axes, text: str) -> None:
    axes.text(
        0.5,
        0.5,
        text,
        transform=axes.transAxes,
        ha="center",
        va="center",
        fontsize=LABEL_SIZE,
        color="#555555",
    )


# Words for screen readers


def _span(months: list[Month]) -> str:
    if len(months) == 1:
        return f"in {month_label(months[0])}"

    return f"per month from {month_label(months[0])} to {month_label(months[-1])}"


def _ends(months: list[Month], values: list) -> tuple | None:
    """The first and last months with a value, and those values."""
    known = [(m, v) for m, v in zip(months, values, strict=True) if v is not None]
    if not known:
        return None

    return known[0], known[-1]


def _median_alt(title: str, months: list[Month], lines: list[_Line]) -> str:
    count = len(lines) - 1
    who = "the whole town"
    if count:
        who += f" and {count} department{'' if count == 1 else 's'}"
    sentences = [
        f"Line chart of the {title.lower()}, in days, {_span(months)}, for {who}."
    ]
    if not any(_ends(months, line.values) for line in lines):
        return f"{sentences[0]} No requests in these months."

    # Many departments would make a long text; the table has them all.
    for line in lines if len(lines) <= 4 else lines[:1]:
        ends = _ends(months, line.values)
        if ends is None:
            sentences.append(f"{line.label}: no requests in these months.")
            continue

        (first, was), (last, now) = ends
        if first == last:
            sentences.append(
                f"{line.label}: {days_text(now)} in {month_label(last)} only."
            )
        else:
            sentences.append(
                f"{line.label}: {days_text(was)} in {month_label(first)}, "
                f"{days_text(now)} in {month_label(last)}."
            )
    return " ".join(sentences)


def _channel_alt(title: str, months: list[Month], lines: list[_Line]) -> str:
    sentence = f"Line chart of the {title.lower()}, {_span(months)}."
    if not lines:
        return f"{sentence} No requests in these months."

    if len(months) == 1:
        counts = [f"{line.label}: {line.values[-1]}" for line in lines]
    else:
        counts = [
            f"{line.label}: {line.values[0]} in {month_label(months[0])}, "
            f"{line.values[-1]} in {month_label(months[-1])}"
            for line in lines
        ]
    return f"{sentence} {'; '.join(counts)}."


def _service_alt(title: str, bars: list[tuple[str, int]]) -> str:
    sentence = f"Bar chart of the {title.lower()}, largest first"
    if not bars:
        return f"{sentence}: no requests in this period."

    named = [f"{name}: {count}" for name, count in bars[:3]]
    rest = bars[3:]
    if rest:
        named.append(f"{sum(count for _, count in rest)} more in other services")
    return f"{sentence}. {'; '.join(named)}."
