"""Fairness by area: whether some neighbourhoods wait longer than others,
and how many open requests are waiting on each kind of blocker.

The figures follow DESIGN.md ("Metrics: exact definitions") and the
dashboard's table (figures.period_figures), with one difference: an area
is not a department, so times run on the town clock, from submission.
Every figure is a database aggregation, and the number of queries does not
grow with the requests.
"""

import logging
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from town311.directory.models import Blocker, Department, Neighbourhood
from town311.metrics.figures import (
    ACKNOWLEDGE,
    CLOSE,
    FIGURE_KEYS,
    SECONDS_PER_DAY,
    Measure,
    Summary,
    days_from_seconds,
    summaries,
    within_share,
)
from town311.servicerequests.models import ServiceRequest, Status

logger = logging.getLogger(__name__)

NOT_IN_ANY_AREA = "Not in any area"
WHOLE_TOWN = "Whole town"

# Below this many requests a median says more about chance than about the
# area, so the page shows no gap for it.
FEWEST_TO_COMPARE = 10

# The columns of the area table, in order, as the CSV download writes them.
AREA_FIGURE_KEYS = (
    "area",
    "name",
    "is_town",
    *FIGURE_KEYS[1:],
    "ack_median_gap_days",
    "close_median_gap_days",
)


def area_figures(
    *,
    start: datetime,
    end: datetime,
    service=None,
    channel: str | None = None,
    department: Department | None = None,
) -> list[dict]:
    """The figures for [start, end) per neighbourhood, then the town.

    One row per neighbourhood by name (`"area"` is the Neighbourhood), then
    a "Not in any area" row (`"area"` None) when requests outside every
    area have any figure, and the town's row last (`"is_town"` True). Rows
    carry AREA_FIGURE_KEYS; times are unrounded days, or None without data.

    The counts mean what they mean on the dashboard. Times run from
    submission (the town clock); the within-target shares judge each
    request by its own department's clock and target, as the dashboard's
    town row does. The gaps are an area's median minus the town row's
    median, in days.

    `department` keeps only that department's requests: received and open
    by the department holding them now, acknowledged and closed by the
    department that did so. The town row then covers the same requests, so
    an area is compared with its department's whole town.
    """
    scope = Q()
    if service is not None:
        scope &= Q(service=service)
    if channel:
        scope &= Q(channel=channel)

    held = scope & Q(department=department) if department is not None else scope
    submitted = ServiceRequest.objects.filter(held).order_by()
    received = _counts(submitted.filter(submitted_at__gte=start, submitted_at__lt=end))
    open_at_end = _counts(
        submitted.filter(submitted_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        )
    )

    by_area, town = {}, {}
    for measure in (ACKNOWLEDGE, CLOSE):
        requests = measure.requests(
            start, end, _measure_scope(measure, scope, department)
        )
        by_area[measure] = summaries(requests, "neighbourhood", clock="town_clock")
        town[measure] = summaries(requests, None, clock="town_clock")[None]

    rows = []
    for area in Neighbourhood.objects.order_by("name"):
        clocks = {m: by_area[m].get(area.pk, Summary()) for m in by_area}
        rows.append(
            _row(
                area,
                area.name,
                received.get(area.pk, 0),
                open_at_end.get(area.pk, 0),
                clocks,
            )
        )

    outside = {m: by_area[m].get(None, Summary()) for m in by_area}
    if (
        received.get(None)
        or open_at_end.get(None)
        or any(s.count for s in outside.values())
    ):
        rows.append(
            _row(
                None,
                NOT_IN_ANY_AREA,
                received.get(None, 0),
                open_at_end.get(None, 0),
                outside,
            )
        )

    town_row = _row(
        None, WHOLE_TOWN, sum(received.values()), sum(open_at_end.values()), town
    )
    town_row["is_town"] = True
    for row in rows:
        row["ack_median_gap_days"] = _gap(row, town_row, "ack_median_days")
        row["close_median_gap_days"] = _gap(row, town_row, "close_median_days")

    rows.append(town_row)
    return rows


def _measure_scope(measure: Measure, scope: Q, department) -> Q:
    # Each clock belongs to the department that stopped it, as on the
    # dashboard: the acknowledging one, or the closing one.
    if department is None:
        return scope

    return scope & Q(**{measure.department: department})


def _counts(requests: QuerySet) -> dict[int | None, int]:
    grouped = requests.values("neighbourhood").annotate(count=Count("pk"))
    return {group["neighbourhood"]: group["count"] for group in grouped}


def _row(area, name: str, received: int, open_at_end: int, clocks: dict) -> dict:
    acknowledge, close = clocks[ACKNOWLEDGE], clocks[CLOSE]
    return {
        "area": area,
        "name": name,
        "is_town": False,
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
        "ack_median_gap_days": None,
        "close_median_gap_days": None,
    }


def _gap(row: dict, town_row: dict, key: str) -> float | None:
    if row[key] is None or town_row[key] is None:
        return None

    return row[key] - town_row[key]


# Blockers


def blocker_counts(
    *, department: Department | None = None, now: datetime | None = None
) -> list[dict]:
    """Open requests waiting on each blocker, then a total row.

    Each row has `"blocker"` (None for the total), `"name"`, `"waiting"`
    (open requests marked with it) and `"oldest_days"`: how long the
    longest-waiting of them has waited, counted from when the blocker was
    set (`blocked_at`), or from submission for a request marked before that
    was recorded; None when nothing waits. Every active blocker is listed,
    with 0 when nothing waits on it; a retired one only while requests
    still wait on it. `department` keeps the requests it holds now.
    """
    now = now or timezone.now()
    waiting = ServiceRequest.objects.exclude(status=Status.CLOSED).filter(
        blocker__isnull=False
    )
    if department is not None:
        waiting = waiting.filter(department=department)
    grouped = (
        waiting.order_by()
        .values("blocker")
        .annotate(
            waiting=Count("pk"),
            since=Min(Coalesce("blocked_at", "submitted_at")),
        )
    )
    by_blocker = {group["blocker"]: group for group in grouped}

    rows = []
    for blocker in Blocker.objects.order_by("order", "name"):
        group = by_blocker.get(blocker.pk)
        if group is None and not blocker.is_active:
            continue

        rows.append(_blocker_row(blocker, blocker.name, group, now))

    sinces = [group["since"] for group in by_blocker.values()]
    total = {
        "waiting": sum(group["waiting"] for group in by_blocker.values()),
        "since": min(sinces) if sinces else None,
    }
    rows.append(_blocker_row(None, "All blockers", total, now))
    return rows


def _blocker_row(blocker, name: str, group: dict | None, now: datetime) -> dict:
    since = group["since"] if group else None
    return {
        "blocker": blocker,
        "name": name,
        "waiting": group["waiting"] if group else 0,
        "oldest_days": (
            (now - since).total_seconds() / SECONDS_PER_DAY if since else None
        ),
    }
