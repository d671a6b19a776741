"""Read-only queries for the figures the town publishes.

Every figure is a database aggregation, so it costs the same few queries
for a hundred requests or a million, on SQLite and on PostgreSQL alike.
The definitions are the ones in DESIGN.md ("Metrics: exact definitions").
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import DurationField, ExpressionWrapper, F, QuerySet
from django.utils import timezone

from town311.servicerequests.models import Resolution, ServiceRequest

SECONDS_PER_DAY = 24 * 60 * 60


@dataclass(frozen=True)
class Figure:
    """The median of a set of durations, and how many there were."""

    median: timedelta | None
    count: int

    @property
    def median_days(self) -> float | None:
        if self.median is None:
            return None

        return self.median.total_seconds() / SECONDS_PER_DAY


@dataclass(frozen=True)
class HeadlineFigures:
    days: int
    acknowledge: Figure
    close: Figure


def town_headline_figures(days: int = 30) -> HeadlineFigures:
    """The town-wide median times to acknowledge and to close over the last
    `days` days.

    Town-wide clocks start at submission. The acknowledgment figure covers
    the public requests acknowledged in the period, the close figure those
    closed in it (the latest close of a reopened request). Withdrawn
    requests are left out: the resident closed them, not the town.
    """
    since = timezone.now() - timedelta(days=days)
    counted = (
        ServiceRequest.objects.public()
        .exclude(resolution=Resolution.WITHDRAWN)
        .order_by()
    )

    acknowledged = counted.filter(acknowledged_at__gte=since)
    closed = counted.filter(closed_at__gte=since)
    return HeadlineFigures(
        days=days,
        acknowledge=_median_figure(acknowledged, "acknowledged_at"),
        close=_median_figure(closed, "closed_at"),
    )


def _median_figure(requests: QuerySet, end_field: str) -> Figure:
    """The median of `end_field − submitted_at` over the requests.

    The median interpolates between the two middle values of an even
    count, as PostgreSQL's percentile_cont does; SQLite has no percentile
    function, so the middle one or two values are fetched in order.
    """
    duration = ExpressionWrapper(
        F(end_field) - F("submitted_at"), output_field=DurationField()
    )
    count = requests.count()
    if count == 0:
        return Figure(median=None, count=0)

    ordered = (
        requests.annotate(duration=duration)
        .order_by("duration")
        .values_list("duration", flat=True)
    )

    middle = count // 2
    if count % 2:
        return Figure(median=ordered[middle], count=count)

    lower, upper = ordered[middle - 1 : middle + 1]
    return Figure(median=(lower + upper) / 2, count=count)
