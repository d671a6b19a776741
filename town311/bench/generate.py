"""A large, generated town for the benchmark: Riverton's directory and any
number of requests over 24 months, written straight into the table.

The requests skip the lifecycle functions and their timeline: the figures
read only the request row, and replaying a million lifecycles would take
hours. Every value comes from one seeded NumPy generator, drawn in a fixed
order, so the same count, seed and first month give the same rows. What
was generated is kept in a marker table, so a second run reuses it.
"""

import json
import logging
import time
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from django.db import connection, transaction

from town311.demo.town import database_holds_data, demo_delete, town_create
from town311.directory.models import Department, Neighbourhood, Service, Town
from town311.lib.geo import parse_area
from town311.metrics.figures import local_midnight
from town311.servicerequests.models import Channel, Resolution, ServiceRequest, Status

logger = logging.getLogger(__name__)

MONTHS = 24
MARKER_TABLE = "town311_bench_marker"
HOUR = 3600
DAY = 24 * HOUR

# Rows handed to the database at once on SQLite; COPY streams them all.
SQLITE_BATCH = 50_000

CHANNELS = tuple(
    c.value
    for c in (Channel.WEB, Channel.PHONE, Channel.EMAIL, Channel.WALK_IN, Channel.API)
)
# The share of each channel at the start and at the end of the 24 months:
# residents move from calling to the web form over the years.
CHANNELS_FIRST = (0.35, 0.45, 0.10, 0.05, 0.05)
CHANNELS_LAST = (0.62, 0.20, 0.08, 0.02, 0.08)

# Share of requests acknowledged, and closed, once their time has come.
ACKNOWLEDGED = 0.95
CLOSED = 0.85
REASSIGNED = 0.07
REOPENED = 0.03

RESOLUTIONS = tuple(
    r.value
    for r in (
        Resolution.FIXED,
        Resolution.DUPLICATE,
        Resolution.REFERRED,
        Resolution.NO_ACTION,
        Resolution.NOT_LOCATED,
        Resolution.WITHDRAWN,
    )
)
RESOLUTION_SHARES = (0.78, 0.07, 0.04, 0.05, 0.03, 0.03)

# The request columns written, in this order.
COLUMNS = (
    "service_id",
    "description",
    "lat",
    "long",
    "address",
    "neighbourhood_id",
    "attributes",
    "channel",
    "is_public",
    "status",
    "resolution",
    "department_id",
    "department_entered_at",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "submitted_at",
    "acknowledged_at",
    "acknowledged_department_id",
    "acknowledged_department_entered_at",
    "closed_at",
    "updated_at",
    "acknowledge_due_at",
    "close_due_at",
    "version",
)


@dataclass(frozen=True)
class Marker:
    requests: int
    seed: int
    first_month: date

    @property
    def last_month(self) -> date:
        return _months_after(self.first_month, MONTHS - 1)


class NotABenchDatabase(Exception):
    """The database holds data the benchmark did not generate."""


def marker_read() -> Marker | None:
    if MARKER_TABLE not in connection.introspection.table_names():
        return None

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT requests, seed, first_month FROM {MARKER_TABLE}")
        row = cursor.fetchone()
    if row is None:
        return None

    requests, seed, first_month = row
    return Marker(requests, seed, date.fromisoformat(str(first_month)))


def town_generate(*, requests: int, seed: int, first_month: date) -> Marker:
    """Replace whatever the benchmark generated before with Riverton's
    directory and `requests` requests from `first_month` on."""
    if marker_read() is None and database_holds_data():
        raise NotABenchDatabase(
            "This database holds data the benchmark did not generate; point "
            "DATABASE_URL at an empty database or one the benchmark made."
        )

    marker = Marker(requests, seed, first_month)
    _sqlite_pragmas(loading=True)
    try:
        with transaction.atomic():
            _clear()
            town_create()
            rows = _requests(marker)
            _insert(rows)
            _marker_write(marker)
    finally:
        _sqlite_pragmas(loading=False)

    _analyze()
    return marker


def _clear() -> None:
    """Remove the previous generated town. It has no timeline, photos or
    followers, so emptying the tables is enough and far faster than
    deleting a million requests one by one."""
    tables = [
        ServiceRequest._meta.db_table,
        "servicerequests_event",
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {MARKER_TABLE}")
        for table in tables:
            cursor.execute(f"DELETE FROM {table}")

    # The directory goes through the demo's own deletion, in the order its
    # protected foreign keys need.
    demo_delete()


def _marker_write(marker: Marker) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {MARKER_TABLE} "
            "(requests integer, seed integer, first_month varchar(10))"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s)",
            [marker.requests, marker.seed, marker.first_month.isoformat()],
        )


# The rows


def _requests(marker: Marker) -> dict[str, np.ndarray]:
    """Every column of every request, as arrays; timestamps in epoch
    seconds, with -1 for "never"."""
    started = time.monotonic()
    rng = np.random.default_rng(marker.seed)
    count = marker.requests
    town = Town.objects.current()
    zone = town.zone
    start = int(local_midnight(marker.first_month, zone).timestamp())
    end_day = _months_after(marker.first_month, MONTHS)
    end = int(local_midnight(end_day, zone).timestamp())

    services = list(Service.objects.order_by("pk"))
    departments = {d.pk: d for d in Department.objects.order_by("pk")}
    service_department = np.array([s.department_id for s in services])
    department_ids = np.array(sorted(departments))
    acknowledge_target = {
        pk: d.acknowledge_target.total_seconds() for pk, d in departments.items()
    }
    close_target = {pk: d.close_target.total_seconds() for pk, d in departments.items()}

    # Submissions grow a little over the two years, mostly in daytime.
    spread = rng.power(1.15, count)
    days = np.sort(spread) * (end - start)
    # Most reports come in the town's daytime, about 19:00 UTC.
    hours = rng.normal(19, 3.5, count).clip(0, 23.99) * HOUR
    submitted = start + (days // DAY) * DAY + hours
    submitted = np.minimum(submitted.astype(np.int64), end - 1)
    submitted.sort()
    age = (submitted - start) / (end - start)

    weights = rng.gamma(1.2, 1.0, len(services))
    service = rng.choice(len(services), count, p=weights / weights.sum())
    service_ids = np.array([s.pk for s in services])[service]
    department = service_department[service]

    shares = np.outer(1 - age, CHANNELS_FIRST) + np.outer(age, CHANNELS_LAST)
    channel = (rng.random(count)[:, None] > shares.cumsum(axis=1)).sum(axis=1)
    channel = np.array(CHANNELS, dtype=object)[channel.clip(0, len(CHANNELS) - 1)]

    lat, long, neighbourhood = _locations(rng, count, town)

    # Some requests land in the wrong queue and move on after a while.
    reassigned = rng.random(count) < REASSIGNED
    moved_after = (rng.exponential(0.8, count) * DAY).astype(np.int64) + 600
    first_department = department.copy()
    other = department_ids[rng.integers(0, len(department_ids), count)]
    department = np.where(reassigned & (other != department), other, department)
    reassigned &= department != first_department
    entered = np.where(reassigned, submitted + moved_after, submitted)

    # Departments differ in speed, and get faster over the two years.
    pace = {pk: rng.uniform(0.3, 1.5) for pk in department_ids}
    department_pace = np.vectorize(pace.get)(first_department)
    improvement = 1 - 0.3 * age
    acknowledge_delay = (
        rng.lognormal(np.log(0.45 * DAY), 1.0, count) * department_pace * improvement
    ).astype(np.int64) + 60
    acknowledged = submitted + acknowledge_delay
    is_acknowledged = rng.random(count) < ACKNOWLEDGED

    # Acknowledged by the first department when it answered before the move.
    acknowledged_first = ~reassigned | (acknowledged < entered)
    acknowledged_department = np.where(acknowledged_first, first_department, department)
    acknowledged_entered = np.where(acknowledged_first, submitted, entered)
    acknowledged = np.where(
        acknowledged_first, acknowledged, np.maximum(acknowledged, entered + 60)
    )

    target = np.vectorize(close_target.get)(department).astype(np.float64)
    close_delay = (
        rng.lognormal(np.log(0.35), 0.9, count) * target * department_pace * improvement
    ).astype(np.int64)
    closed = np.maximum(entered, acknowledged) + close_delay + 300
    is_closed = is_acknowledged & (rng.random(count) < CLOSED / ACKNOWLEDGED)
    # A reopened request counts at its latest close; some are still open.
    reopened = is_closed & (rng.random(count) < REOPENED)
    closed = np.where(reopened, closed + (rng.exponential(4, count) * DAY), closed)
    closed = closed.astype(np.int64)
    is_closed &= ~(reopened & (rng.random(count) < 0.3))

    # Nothing happens after the end of the history.
    is_acknowledged &= acknowledged < end
    is_closed &= is_acknowledged & (closed < end)
    entered_known = entered < end
    resolution = np.array(RESOLUTIONS, dtype=object)[
        rng.choice(len(RESOLUTIONS), count, p=RESOLUTION_SHARES)
    ]
    in_progress = rng.random(count) < 0.4

    status = np.where(
        is_closed,
        Status.CLOSED.value,
        np.where(
            is_acknowledged,
            np.where(in_progress, Status.IN_PROGRESS.value, Status.ACKNOWLEDGED.value),
            Status.SUBMITTED.value,
        ),
    ).astype(object)

    never = -1
    updated = np.where(
        is_closed, closed, np.where(is_acknowledged, acknowledged, submitted)
    )
    updated = np.maximum(updated, np.where(entered_known, entered, submitted))
    columns = {
        "service_id": service_ids,
        "lat": lat,
        "long": long,
        "neighbourhood_id": neighbourhood,
        "channel": channel,
        "status": status,
        "resolution": np.where(is_closed, resolution, "").astype(object),
        "department_id": np.where(entered_known, department, first_department),
        "department_entered_at": np.where(entered_known, entered, submitted),
        "submitted_at": submitted,
        "acknowledged_at": np.where(is_acknowledged, acknowledged, never),
        "acknowledged_department_id": np.where(
            is_acknowledged, acknowledged_department, never
        ),
        "acknowledged_department_entered_at": np.where(
            is_acknowledged, acknowledged_entered, never
        ),
        "closed_at": np.where(is_closed, closed, never),
        "updated_at": updated,
        "acknowledge_due_at": submitted
        + np.vectorize(acknowledge_target.get)(first_department).astype(np.int64),
        "close_due_at": submitted + target.astype(np.int64),
        "version": is_acknowledged.astype(np.int64) + is_closed + reassigned,
    }
    logger.info("Generated %d requests in %.1f s", count, time.monotonic() - started)
    return columns


def _locations(
    rng: np.random.Generator, count: int, town: Town
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points inside the town's boundary, denser downtown, and the
    neighbourhood each falls in (-1 for none)."""
    boundary = parse_area(town.boundary)
    west, south, east, north = boundary.bounds
    centre = boundary.centroid
    lat = np.empty(0)
    long = np.empty(0)
    while len(lat) < count:
        wanted = int((count - len(lat)) * 1.6) + 100
        # Half the requests cluster around the centre, the rest anywhere.
        near = rng.random(wanted) < 0.5
        xs = np.where(
            near,
            rng.normal(centre.x, (east - west) / 8, wanted),
            rng.uniform(west, east, wanted),
        )
        ys = np.where(
            near,
            rng.normal(centre.y, (north - south) / 8, wanted),
            rng.uniform(south, north, wanted),
        )
        inside = shapely.contains_xy(boundary, xs, ys)
        long = np.concatenate([long, xs[inside]])
        lat = np.concatenate([lat, ys[inside]])

    lat, long = lat[:count].round(6), long[:count].round(6)
    neighbourhood = np.full(count, -1, dtype=np.int64)
    for each in Neighbourhood.objects.order_by("pk"):
        area = parse_area(each.area)
        shapely.prepare(area)
        inside = (neighbourhood == -1) & shapely.contains_xy(area, long, lat)
        neighbourhood[inside] = each.pk

    return lat, long, neighbourhood


# Writing


def _insert(columns: dict[str, np.ndarray]) -> None:
    started = time.monotonic()
    count = len(columns["submitted_at"])
    text = _as_text(columns, connection.vendor)
    names = ", ".join(COLUMNS)
    table = ServiceRequest._meta.db_table

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in zip(*text, strict=True):
                    copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        rows = zip(*text, strict=True)
        with connection.cursor() as cursor:
            for first in range(0, count, SQLITE_BATCH):
                batch = [next(rows) for _ in range(min(SQLITE_BATCH, count - first))]
                cursor.executemany(sql, batch)

    logger.info("Wrote %d requests in %.1f s", count, time.monotonic() - started)


def _as_text(columns: dict[str, np.ndarray], vendor: str) -> list[list]:
    """Each column as a list of Python values the database takes, in
    COLUMNS order: timestamps as UTC text the way Django writes them."""
    count = len(columns["submitted_at"])
    suffix = "+00" if vendor == "postgresql" else ""
    blank = [""] * count
    values = []
    for name in COLUMNS:
        if name in ("description", "address", "reporter_name", "reporter_email"):
            values.append(blank)
        elif name == "reporter_phone":
            values.append(blank)
        elif name == "attributes":
            values.append([json.dumps({})] * count)
        elif name == "is_public":
            values.append([True] * count)
        elif name.endswith("_at"):
            values.append(_timestamps(columns[name], suffix))
        elif name in ("neighbourhood_id", "acknowledged_department_id"):
            values.append(
                [None if v < 0 else v for v in columns[name].astype(int).tolist()]
            )
        elif name in ("lat", "long"):
            values.append(columns[name].tolist())
        elif columns[name].dtype == object:
            values.append(list(columns[name]))
        else:
            values.append(columns[name].astype(int).tolist())

    return values


def _timestamps(seconds: np.ndarray, suffix: str) -> list[str | None]:
    """Epoch seconds as "YYYY-MM-DD HH:MM:SS" in UTC; None for -1."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    text = np.char.add(np.char.replace(text, "T", " "), suffix).astype(object)
    text[seconds < 0] = None
    return text.tolist()


# The database's settings for a load


def _sqlite_pragmas(*, loading: bool) -> None:
    """On SQLite, write without waiting for the disk during the load, then
    return to the safe settings. Inside a transaction (the test suite's)
    the journal cannot change, and nothing needs it to."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return

    with connection.cursor() as cursor:
        if loading:
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA journal_mode=MEMORY")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def _analyze() -> None:
    """Give the planner statistics on the new rows, as a database in use
    would have (PostgreSQL's autovacuum gathers them after a while)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def first_month_for(today: date) -> date:
    """The first of the 24 months that end with the last complete month."""
    return _months_after(today.replace(day=1), -MONTHS)


def _months_after(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
