"""Figures over time: monthly median trends, volumes by channel and by
service, and where requests come from.

Each function is a few grouped database aggregations, so its query count
stays the same for any number of requests or months. Months are calendar
months in the town's time zone, told apart by the database itself; the
medians are exactly those `period_figures` gives for each month.
"""

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Floor

from town311.directory.models import Department, Town
from town311.lib import geo
from town311.metrics.figures import (
    ACKNOWLEDGE,
    CLOSE,
    days_from_seconds,
    month_bounds,
    summaries,
)
from town311.metrics.leaderboard import Month
from town311.servicerequests.models import Channel, ServiceRequest

logger = logging.getLogger(__name__)

# The series of a trend, each with the clock measure behind it.
SERIES = {"ack": ACKNOWLEDGE, "close": CLOSE}

# Heat cells are this many to a degree of latitude, about 250 m each.
CELLS_PER_DEGREE = 444

# Services beyond the largest ones are summed as "Other" on the chart.
SERVICE_CHART_LIMIT = 12


@dataclass(frozen=True)
class Trend:
    months: list[Month]
    town: dict[str, list[float | None]]
    departments: list[tuple[Department, dict[str, list[float | None]]]]


def trend_months(*, last: Month, months: int = 12) -> list[Month]:
    """The `months` months ending with `last`, oldest first."""
    if months < 1:
        raise ValueError("A trend covers at least one month.")

    chosen = [last]
    while len(chosen) < months:
        chosen.append(chosen[-1].previous)
    return chosen[::-1]


def trend_bounds(months: list[Month], zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) from the first month's start to the last month's end."""
    start, _ = month_bounds(months[0].year, months[0].month, zone)
    _, end = month_bounds(months[-1].year, months[-1].month, zone)
    return start, end


def median_trend(
    *,
    last: Month,
    months: int = 12,
    zone: ZoneInfo,
    department: Department | None = None,
) -> Trend:
    """Median days to acknowledge and to close per month, for the town and
    for every department with figures (or only `department`).

    As in `period_figures`, an acknowledgment counts in the month it
    happened and a close in the month of the latest close, withdrawn
    requests left out; departments are timed by their own clock, the town
    from submission. A month without requests is None.
    """
    chosen = trend_months(last=last, months=months)
    start, end = trend_bounds(chosen, zone)

    town = {key: [None] * len(chosen) for key in SERIES}
    by_department: dict[int, dict[str, list[float | None]]] = {}
    for key, measure in SERIES.items():
        stopped = measure.requests(start, end, Q()).annotate(
            month=_month_index(measure.moment, chosen, zone)
        )
        town_medians = summaries(stopped, "month", clock="town_clock")
        for index, summary in town_medians.items():
            town[key][index] = days_from_seconds(summary.median)

        if department is not None:
            stopped = stopped.filter(**{measure.department: department})
        grouped = summaries(stopped, ("month", measure.department))
        for (index, pk), summary in grouped.items():
            series = by_department.setdefault(
                pk, {each: [None] * len(chosen) for each in SERIES}
            )
            series[key][index] = days_from_seconds(summary.median)

    departments = Department.objects.filter(pk__in=by_department).order_by("name")
    return Trend(
        months=chosen,
        town=town,
        departments=[(each, by_department[each.pk]) for each in departments],
    )


def _month_index(moment: str, months: list[Month], zone: ZoneInfo) -> Case:
    """The position in `months` of the local month `moment` falls in.

    Comparing with each month's bounds keeps the work in the database's
    own comparisons; truncating to the local month instead makes SQLite
    call back into Python for every row, which at a million requests is
    minutes rather than seconds.
    """
    whens = []
    for index, month in enumerate(months):
        start, end = month_bounds(month.year, month.month, zone)
        whens.append(
            When(**{f"{moment}__gte": start, f"{moment}__lt": end}, then=Value(index))
        )
    return Case(*whens, output_field=IntegerField())


def channel_volume(
    *,
    last: Month,
    months: int = 12,
    zone: ZoneInfo,
    department: Department | None = None,
) -> tuple[list[Month], dict[str, list[int]]]:
    """Requests received per month for each channel, zeros where none.

    With `department`, only the requests it holds now, as the dashboard
    counts them.
    """
    chosen = trend_months(last=last, months=months)
    start, end = trend_bounds(chosen, zone)
    received = _received(start, end, department=department)
    grouped = (
        received.annotate(month=_month_index("submitted_at", chosen, zone))
        .values("month", "channel")
        .annotate(count=Count("pk"))
    )

    volume = {channel: [0] * len(chosen) for channel in Channel.values}
    for row in grouped:
        # A channel dropped from the choices still counts under its own name.
        series = volume.setdefault(row["channel"], [0] * len(chosen))
        series[row["month"]] = row["count"]
    return chosen, volume


def service_volume(
    *, start: datetime, end: datetime, department: Department | None = None
) -> list[tuple[str, int]]:
    """Requests received in [start, end) per service, largest first."""
    grouped = (
        _received(start, end, department=department)
        .values("service", "service__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "service__name")
    )
    return [(row["service__name"], row["count"]) for row in grouped]


def heat_cells(
    *,
    start: datetime,
    end: datetime,
    department: Department | None = None,
    service=None,
    channel: str | None = None,
) -> list[dict]:
    """Requests received in [start, end) counted per cell of a fixed grid
    of about 250 m, each cell with its edges in degrees."""
    rows_per_degree, columns_per_degree = heat_grid()
    received = _received(start, end, department=department)
    if service is not None:
        received = received.filter(service=service)
    if channel:
        received = received.filter(channel=channel)

    grouped = (
        received.values(
            row=Floor(F("lat") * rows_per_degree),
            column=Floor(F("long") * columns_per_degree),
        )
        .annotate(count=Count("pk"))
        .order_by("row", "column")
    )
    return [
        {
            "south": int(cell["row"]) / rows_per_degree,
            "west": int(cell["column"]) / columns_per_degree,
            "north": (int(cell["row"]) + 1) / rows_per_degree,
            "east": (int(cell["column"]) + 1) / columns_per_degree,
            "count": cell["count"],
        }
        for cell in grouped
    ]


def heat_grid() -> tuple[int, int]:
    """Cells per degree of latitude and of longitude.

    A degree of longitude shrinks away from the equator, so the town's
    latitude sets how many cells it holds for them to stay near square.
    """
    town = Town.objects.current()
    lat = 0.0
    if town is not None:
        try:
            _, south, _, north = geo.prepared_area(town.boundary).bounds
            lat = (south + north) / 2
        except ValidationError:
            logger.warning("The town boundary cannot be read; heat cells use 0°")

    columns = round(CELLS_PER_DEGREE * math.cos(math.radians(lat)))
    return CELLS_PER_DEGREE, max(columns, 1)


def _received(
    start: datetime, end: datetime, *, department: Department | None
) -> QuerySet:
    received = ServiceRequest.objects.filter(
        submitted_at__gte=start, submitted_at__lt=end
    ).order_by()
    if department is not None:
        received = received.filter(department=department)
    return received
