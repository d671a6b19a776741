"""The requests behind the figures, one row per request, as CSV or XLSX.

An export lets anyone recompute the published figures (DESIGN.md,
"Metrics: exact definitions"): it holds every metric timestamp in ISO 8601
with the town's offset, and both clocks in unrounded days. It holds no
personal data: no reporter name, e-mail or phone, and no description,
which residents often fill with exactly those.

Rows are read with one query through a database cursor, a chunk at a time,
so a million requests never sit in memory at once.
"""

import csv
import logging
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook

from town311.directory.models import Department, Service, Town

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
SECONDS_PER_DAY = 24 * 60 * 60

# An Excel sheet holds 1,048,576 rows; larger exports go on to a new sheet.
XLSX_ROWS_PER_SHEET = 1_048_576

# The columns read from the database, in the order values_list returns them.
COLUMNS = (
    "pk",
    "service__code",
    "service__name",
    "department__slug",
    "channel",
    "status",
    "resolution",
    "neighbourhood__slug",
    "submitted_at",
    "acknowledged_at",
    "acknowledged_department__slug",
    "acknowledged_department_entered_at",
    "department_entered_at",
    "closed_at",
)

HEADER = (
    "number",
    "service_code",
    "service_name",
    "department",
    "channel",
    "status",
    "resolution",
    "neighbourhood",
    "submitted_at",
    "acknowledged_at",
    "acknowledged_department",
    "acknowledged_department_entered_at",
    "department_entered_at",
    "closed_at",
    "acknowledge_days",
    "close_days",
    "department_acknowledge_days",
    "department_close_days",
)


def requests_filtered(
    requests: QuerySet,
    *,
    zone: tzinfo,
    start: date | None = None,
    end: date | None = None,
    department: Department | None = None,
    service: Service | None = None,
    channel: str = "",
) -> QuerySet:
    """The requests submitted from `start` up to, not including, `end`
    (local dates in `zone`), narrowed to a department's current queue, a
    service and a channel when given, oldest first."""
    if start:
        requests = requests.filter(submitted_at__gte=_local_midnight(start, zone))
    if end:
        requests = requests.filter(submitted_at__lt=_local_midnight(end, zone))
    if department:
        requests = requests.filter(department=department)
    if service:
        requests = requests.filter(service=service)
    if channel:
        requests = requests.filter(channel=channel)

    return requests.order_by("submitted_at", "pk")


def export_rows(requests: QuerySet, *, zone: tzinfo | None = None) -> Iterator[tuple]:
    """The header, then one row per request, in the queryset's order.

    `zone` defaults to the town's time zone.
    """
    zone = zone or _town_zone()
    yield HEADER

    rows = requests.values_list(*COLUMNS).iterator(chunk_size=CHUNK_SIZE)
    for (
        number,
        service_code,
        service_name,
        department,
        channel,
        status,
        resolution,
        neighbourhood,
        submitted_at,
        acknowledged_at,
        acknowledged_department,
        acknowledged_department_entered_at,
        department_entered_at,
        closed_at,
    ) in rows:
        # Imported requests have no queue history, so their department
        # clock starts at submission (DESIGN.md).
        acknowledge_clock_start = acknowledged_department_entered_at or submitted_at
        close_clock_start = department_entered_at or submitted_at

        yield (
            number,
            service_code,
            service_name,
            department,
            channel,
            status,
            resolution,
            neighbourhood,
            _local_iso(submitted_at, zone),
            _local_iso(acknowledged_at, zone),
            acknowledged_department,
            _local_iso(acknowledged_department_entered_at, zone),
            _local_iso(department_entered_at, zone),
            _local_iso(closed_at, zone),
            _days(submitted_at, acknowledged_at),
            _days(submitted_at, closed_at),
            _days(acknowledge_clock_start, acknowledged_at),
            _days(close_clock_start, closed_at),
        )


class _Pieces:
    """A file the csv writer writes into, keeping what it was given so
    the stream can hand it on in chunks instead of building one string."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def write(self, text: str) -> None:
        self.pieces.append(text)

    def take(self) -> str:
        text = "".join(self.pieces)
        self.pieces.clear()
        return text


def csv_stream(
    requests: QuerySet, *, zone: tzinfo | None = None, rows_per_chunk: int = 500
) -> Iterator[str]:
    """The export as CSV text, a few hundred rows per chunk: one write per
    row would cost the server more than writing the rows themselves."""
    buffer = _Pieces()
    writer = csv.writer(buffer, lineterminator="\r\n")

    written = 0
    for row in export_rows(requests, zone=zone):
        writer.writerow("" if value is None else value for value in row)
        written += 1
        if written % rows_per_chunk == 0:
            yield buffer.take()

    if tail := buffer.take():
        yield tail

    logger.info("Exported %d requests as CSV", written - 1)


def xlsx_write(
    requests: QuerySet, fileobj: IO[bytes], *, zone: tzinfo | None = None
) -> int:
    """Write the export as an XLSX workbook to `fileobj`; return the number
    of requests written.

    The workbook is write-only, so openpyxl keeps the rows in its own
    temporary file rather than in memory. Timestamps stay ISO 8601 text:
    Excel has no way to store a time with its offset.
    """
    workbook = Workbook(write_only=True)
    sheet = None
    sheet_rows = XLSX_ROWS_PER_SHEET

    rows = export_rows(requests, zone=zone)
    header = next(rows)
    written = 0
    for row in rows:
        if sheet_rows == XLSX_ROWS_PER_SHEET:
            sheet_number = len(workbook.worksheets) + 1
            title = "Requests" if sheet_number == 1 else f"Requests {sheet_number}"
            sheet = workbook.create_sheet(title)
            sheet.append(header)
            sheet_rows = 1

        sheet.append(row)
        sheet_rows += 1
        written += 1

    # An export with no requests still says what its columns are.
    if sheet is None:
        workbook.create_sheet("Requests").append(header)

    workbook.save(fileobj)

    logger.info("Exported %d requests as XLSX", written)
    return written


def _town_zone() -> tzinfo:
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def _local_iso(moment: datetime | None, zone: tzinfo) -> str | None:
    if moment is None:
        return None

    return moment.astimezone(zone).isoformat()


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None

    return (end - start) / timedelta(seconds=SECONDS_PER_DAY)
