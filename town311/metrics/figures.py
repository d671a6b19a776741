"""The dashboard table: a period's figures per department and for the town.

Every figure follows DESIGN.md ("Metrics: exact definitions") and is a
database aggregation. Percentiles interpolate linearly, as PostgreSQL's
percentile_cont does: PostgreSQL computes them itself, and on SQLite a
window query fetches only the two rows around each percentile of each
department, so the rows read stay the same for a hundred requests or a
million.
"""

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import NotSupportedError, connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import Abs, Coalesce, Least, RowNumber

from town311.directory.models import Department
from town311.servicerequests.models import Resolution, ServiceRequest

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 24 * 60 * 60
PERCENTILES = {"median": 0.5, "p90": 0.9}

# The columns of the table, in order, as the report command prints them.
FIGURE_KEYS = (
    "department",
    "received",
    "acknowledged",
    "closed",
    "open_at_end",
    "ack_median_days",
    "ack_mean_days",
    "ack_p90_days",
    "close_median_days",
    "close_mean_days",
    "close_p90_days",
    "ack_within_target_share",
    "close_within_target_share",
)


# Periods


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The start of `day` in the town's time zone, as an aware datetime."""
    # Midnight exists exactly once in the zones towns use (DST moves at 2:00),
    # so attaching the zone to the wall-clock time is exact.
    return datetime.combine(day, time.min, tzinfo=zone)


def month_bounds(year: int, month: int, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar month in the town's time zone, as [start, end).

    Both ends carry the town's zone, so `end - start` is wall-clock time
    (31 days for March); convert to UTC first for the elapsed time.
    """
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return local_midnight(date(year, month, 1), zone), local_midnight(following, zone)


# Durations in seconds, in each database's own arithmetic


class ElapsedSeconds(Func):
    """Seconds from the second datetime to the first."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Figures need PostgreSQL or SQLite.")

    def as_sqlite(self, compiler, connection, **extra_context):
        # Whole microseconds, as Django's django_timestamp_diff gives them,
        # but in SQLite's own C functions: calling back into Python for
        # every row was most of a month's figures on a large town. SQLite
        # keeps Django's timestamps as "YYYY-MM-DD HH:MM:SS[.ffffff]" text.
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"(((strftime('%%s', {end}) - strftime('%%s', {start})) * 1000000"
            f" + (CAST(substr({end}, 21) AS INTEGER)"
            f" - CAST(substr({start}, 21) AS INTEGER))) / 1000000.0)"
        )
        return sql, (*end_params, *start_params, *end_params, *start_params)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra_context,
        )


class DurationSeconds(Func):
    """A duration field (a department's target) in seconds."""

    arity = 1
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError("Figures need PostgreSQL or SQLite.")

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite stores durations as microseconds.
        return super().as_sql(
            compiler,
            connection,
            template="(%(expressions)s / 1000000.0)",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM %(expressions)s)::double precision",
            **extra_context,
        )


class PercentileCont(Aggregate):
    """PostgreSQL's linearly interpolated percentile of an expression."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)r) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is a fraction between 0 and 1.")

        super().__init__(expression, fraction=float(fraction), **extra)


# What is measured


@dataclass(frozen=True)
class Measure:
    """One of the two clocks: to acknowledge or to close."""

    prefix: str
    moment: str
    department: str
    entered: str
    target: str
    excluded_resolutions: tuple[str, ...] = ()

    def requests(self, start: datetime, end: datetime, scope: Q) -> QuerySet:
        """The requests this clock stopped for in [start, end)."""
        return (
            ServiceRequest.objects.filter(scope)
            .filter(**{f"{self.moment}__gte": start, f"{self.moment}__lt": end})
            .exclude(resolution__in=self.excluded_resolutions)
            .order_by()
            .annotate(
                town_clock=ElapsedSeconds(F(self.moment), F("submitted_at")),
                # Imported requests have no queue history: their department
                # clock starts at submission.
                department_clock=ElapsedSeconds(
                    F(self.moment), Coalesce(F(self.entered), F("submitted_at"))
                ),
                target_seconds=DurationSeconds(F(f"{self.department}__{self.target}")),
            )
        )


ACKNOWLEDGE = Measure(
    prefix="ack",
    moment="acknowledged_at",
    department="acknowledged_department",
    entered="acknowledged_department_entered_at",
    target="acknowledge_target",
)
CLOSE = Measure(
    prefix="close",
    moment="closed_at",
    department="department",
    entered="department_entered_at",
    target="close_target",
    # The resident withdrew it: nobody in the town did that work.
    excluded_resolutions=(Resolution.WITHDRAWN,),
)


@dataclass(frozen=True)
class Summary:
    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None
    within: int = 0


# The table


def period_figures(
    *,
    start: datetime,
    end: datetime,
    department: Department | None = None,
    service=None,
    channel: str | None = None,
    neighbourhood=None,
) -> list[dict]:
    """The dashboard table for [start, end): one row per department, then
    the town's row with `"department": None`.

    Rows carry FIGURE_KEYS; times are unrounded days, or None without data.

    - received: submitted in the period, by the department holding it now;
    - acknowledged, and the ack_* figures: acknowledged in the period, by
      the department that acknowledged it, its clock starting when the
      request entered that department's queue;
    - closed, and the close_* figures: closed in the period (the latest
      close of a reopened request), by the closing department, leaving out
      withdrawn requests;
    - open_at_end: submitted before the end and not closed by then, by the
      department holding it now. A reopen clears `closed_at`, so a request
      closed in the period and reopened after it counts as open at the end:
      an approximation the request row cannot avoid (the timeline has the
      exact answer);
    - *_within_target_share: the share whose department clock was within
      the department's target. The town's row uses the town clock (from
      submission) for its times, but judges each request by its own
      department's clock and target, so its share pools the departments'.

    `department` limits the department rows to that one; the town's row
    stays the whole town's. `service`, `channel` and `neighbourhood` narrow
    every row.
    """
    scope = Q()
    if service is not None:
        scope &= Q(service=service)
    if channel:
        scope &= Q(channel=channel)
    if neighbourhood is not None:
        scope &= Q(neighbourhood=neighbourhood)

    submitted = ServiceRequest.objects.filter(scope).order_by()
    received = _counts(submitted.filter(submitted_at__gte=start, submitted_at__lt=end))
    open_at_end = _counts(
        submitted.filter(submitted_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        )
    )

    acknowledged = ACKNOWLEDGE.requests(start, end, scope)
    closed = CLOSE.requests(start, end, scope)
    by_department = {
        ACKNOWLEDGE: summaries(acknowledged, ACKNOWLEDGE.department),
        CLOSE: summaries(closed, CLOSE.department),
    }
    town = {
        ACKNOWLEDGE: summaries(acknowledged, None)[None],
        CLOSE: summaries(closed, None)[None],
    }

    departments = Department.objects.order_by("name")
    if department is not None:
        departments = departments.filter(pk=department.pk)
    rows = []
    for each in departments:
        clocks = {m: by_department[m].get(each.pk, Summary()) for m in by_department}
        counted = received.get(each.pk, 0) or open_at_end.get(each.pk, 0)
        if not each.is_active and not counted and not _any(clocks):
            continue

        rows.append(
            _row(each, received.get(each.pk, 0), open_at_end.get(each.pk, 0), clocks)
        )

    rows.append(_row(None, sum(received.values()), sum(open_at_end.values()), town))
    return rows


def _counts(requests: QuerySet) -> dict[int | None, int]:
    grouped = requests.values("department").annotate(count=Count("pk"))
    return {group["department"]: group["count"] for group in grouped}


def _any(summaries: dict) -> bool:
    return any(summary.count for summary in summaries.values())


def _row(department, received: int, open_at_end: int, summaries: dict) -> dict:
    acknowledge, close = summaries[ACKNOWLEDGE], summaries[CLOSE]
    return {
        "department": department,
        "received": received,
        "acknowledged": acknowledge.count,
        "closed": close.count,
        "open_at_end": open_at_end,
        "ack_median_days": days_from_seconds(acknowledge.median),
        "ack_mean_days": days_from_seconds(acknowledge.mean),
        "ack_p90_days": days_from_seconds(acknowledge.p90),
        "close_median_days": days_from_seconds(close.median),
        "close_mean_days": days_from_seconds(close.mean),
        "close_p90_days": days_from_seconds(close.p90),
        "ack_within_target_share": within_share(acknowledge),
        "close_within_target_share": within_share(close),
    }


def days_from_seconds(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / SECONDS_PER_DAY


def within_share(summary: Summary) -> float | None:
    return summary.within / summary.count if summary.count else None


# Aggregations


def summaries(
    requests: QuerySet, group: str | tuple[str, ...] | None, clock: str | None = None
) -> dict:
    """Count, mean, percentiles and within-target count of a clock, per group.

    `requests` comes from `Measure.requests()`, possibly annotated further.
    `group` is a field or annotation name, a tuple of them, or None for the
    whole set; the result is keyed by the group's value (a tuple for a
    tuple, None for the whole set). `clock` is "department_clock" or
    "town_clock"; by default department groups use the department's clock
    and the whole set the town's. Within target always judges a request by
    its own department's clock and target.
    """
    fields = (group,) if isinstance(group, str) else tuple(group or ())
    clock = clock or ("department_clock" if group else "town_clock")
    figures = {
        "count": Count("pk"),
        "mean": Avg(clock),
        "within": Count("pk", filter=Q(department_clock__lte=F("target_seconds"))),
    }
    if connection.vendor == "postgresql":
        for name, fraction in PERCENTILES.items():
            figures[name] = PercentileCont(F(clock), fraction)

    if fields:
        grouped = requests.values(*fields).annotate(**figures)
        values = {_group_key(row, group, fields): row for row in grouped}
    else:
        values = {None: requests.aggregate(**figures)}

    if connection.vendor != "postgresql":
        percentiles = _interpolated_percentiles(requests, group, fields, clock)
        for key, row in values.items():
            row.update(percentiles.get(key, {}))

    return {
        key: Summary(**row) if row["count"] else Summary()
        for key, row in values.items()
    }


def _group_key(row: dict, group, fields: tuple[str, ...]):
    key = tuple(row.pop(field) for field in fields)
    return key[0] if isinstance(group, str) else key


def _interpolated_percentiles(
    requests: QuerySet, group, fields: tuple[str, ...], clock: str
):
    """Linearly interpolated percentiles without a percentile function.

    A percentile p of n ordered values sits at position h = (n − 1) · p
    (from 0), between the values at floor(h) and ceil(h); the query returns
    only the rows less than one position away from some h, so at most two
    per percentile and group.
    """
    partition = [F(field) for field in fields] or None
    ranked = requests.annotate(
        position=Window(
            RowNumber(), partition_by=partition, order_by=[F(clock).asc(), F("pk")]
        ),
        size=Window(Count("pk"), partition_by=partition),
    )
    distances = [
        Abs(F("position") - 1 - (F("size") - 1) * fraction)
        for fraction in PERCENTILES.values()
    ]
    nearby = ranked.annotate(distance=Least(*distances)).filter(distance__lt=1)
    rows = nearby.values_list(*fields, "position", "size", clock)

    values: dict = {}
    sizes: dict = {}
    width = len(fields)
    for row in rows:
        if not fields:
            key = None
        elif isinstance(group, str):
            key = row[0]
        else:
            key = tuple(row[:width])
        position, size, seconds = row[-3:]
        values.setdefault(key, {})[position - 1] = seconds
        sizes[key] = size

    percentiles = {}
    for key, at in values.items():
        percentiles[key] = {
            name: _interpolate(at, (sizes[key] - 1) * fraction)
            for name, fraction in PERCENTILES.items()
        }
    return percentiles


def _interpolate(at: dict[int, float], position: float) -> float:
    lower, upper = math.floor(position), math.ceil(position)
    weight = position - lower
    return at[lower] + (at[upper] - at[lower]) * weight
