"""The requests behind the figures, one row per request, as CSV or XLSX,
and the dashboard table itself.

An export lets anyone recompute the published figures (DESIGN.md,
"Metrics: exact definitions"): it holds every metric timestamp in ISO 8601
with the town's offset, and both clocks in unrounded days. It holds no
personal data: no reporter name, e-mail or phone, and no description,
which residents often fill with exactly those.

Rows are read with one query through a database cursor, a chunk at a time,
so a million requests never sit in memory at once. The rows skip Django's
model layer: converting each timestamp through it cost more than writing
the whole row, so the export converts them itself with one cached zone.
"""

import csv
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta, tzinfo
from typing import IO

from django.db import connections, transaction
from django.db.models import CharField, Func, Q, QuerySet
from django.utils import timezone
from openpyxl import Workbook

from town311.directory.models import Department, Neighbourhood, Service, Town
from town311.lib.localtime import LocalTime

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
SECONDS_PER_DAY = 24 * 60 * 60
ONE_DAY = timedelta(seconds=SECONDS_PER_DAY)

# An Excel sheet holds 1,048,576 rows; larger exports go on to a new sheet.
XLSX_ROWS_PER_SHEET = 1_048_576

# Which requests a period's export holds: those submitted in it, or those
# its acknowledgment or close figures cover.
BASES = {
    "submitted": "submitted_at",
    "acknowledged": "acknowledged_at",
    "closed": "closed_at",
}

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

# The dashboard table as a download: the report command's columns, with
# the period and the department's name beside its slug.
TABLE_COLUMNS = (
    "period_start",
    "period_end",
    "department",
    "department_name",
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


# The requests


def requests_filtered(
    requests: QuerySet,
    *,
    zone: tzinfo,
    basis: str = "submitted",
    start: date | None = None,
    end: date | None = None,
    department: Department | None = None,
    service: Service | None = None,
    channel: str = "",
    area: Neighbourhood | None = None,
) -> QuerySet:
    """The requests whose `basis` moment (submitted, acknowledged or closed)
    falls from `start` up to, not including, `end` (local dates in `zone`),
    oldest first by that moment.

    `department` is the one the figures count a request for: the
    department that acknowledged it for the acknowledged basis, otherwise
    the one holding it now (which is also the one that closed it).
    `service`, `channel` and `area` (a neighbourhood) narrow it further.
    """
    moment = BASES[basis]
    if basis != "submitted":
        requests = requests.filter(**{f"{moment}__isnull": False})
    if start:
        requests = requests.filter(**{f"{moment}__gte": _local_midnight(start, zone)})
    if end:
        requests = requests.filter(**{f"{moment}__lt": _local_midnight(end, zone)})
    if department:
        if basis == "acknowledged":
            requests = requests.filter(acknowledged_department=department)
        else:
            requests = requests.filter(department=department)
    if service:
        requests = requests.filter(service=service)
    if channel:
        requests = requests.filter(channel=channel)
    if area:
        requests = requests.filter(neighbourhood=area)

    return requests.order_by(moment, "pk")


def departments_scope(departments: Iterable[int], basis: str) -> Q:
    """The requests of these departments, as the figures of `basis` count
    them: a department's acknowledgment figures include the requests it
    acknowledged and then handed on to another queue."""
    scope = Q(department__in=departments)
    if basis == "acknowledged":
        scope |= Q(acknowledged_department__in=departments)

    return scope


def export_rows(requests: QuerySet, *, zone: tzinfo | None = None) -> Iterator[tuple]:
    """The header, then one row per request, in the queryset's order.

    `zone` defaults to the town's time zone.
    """
    zone = zone or _town_zone()
    yield HEADER

    local = LocalTime(zone)
    for chunk in _chunks(requests):
        yield from _rows(chunk, local)


def _chunks(requests: QuerySet) -> Iterator[list[tuple]]:
    """The raw rows of `requests` with COLUMNS, timestamps as naive UTC
    text, CHUNK_SIZE at a time, through a server-side cursor where the
    database has one."""
    connection = connections[requests.db]
    columns = list(COLUMNS)
    for index in MOMENTS:
        name = f"export_{COLUMNS[index]}"
        requests = requests.annotate(**{name: _UtcText(COLUMNS[index])})
        columns[index] = name

    rows = requests.values_list(*columns)
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()

    # Outside a transaction PostgreSQL's cursor must outlive its query, so
    # the server copies every row aside before sending the first; inside
    # one it reads them as they are fetched, while this process writes.
    reading = nullcontext()
    if connection.vendor == "postgresql" and connection.get_autocommit():
        reading = transaction.atomic(using=requests.db)

    with reading, connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK_SIZE):
            yield chunk


# Where the timestamps sit in COLUMNS.
MOMENTS = (8, 9, 11, 12, 13)


class _UtcText(Func):
    """A timestamp as "YYYY-MM-DD HH:MM:SS[.ffffff]" text in UTC."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite keeps this very text; the unary plus drops the column's
        # declared type, which would make the driver convert it through a
        # regular expression.
        return super().as_sql(
            compiler, connection, template="(+%(expressions)s)", **extra_context
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            # Whole seconds without a fraction, as Python writes them.
            template="replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD HH24:MI:SS.US'), '.000000', '')",
            **extra_context,
        )


def _rows(chunk: list[tuple], local: LocalTime) -> Iterator[tuple]:
    parse = datetime.fromisoformat
    iso = local.iso
    for (
        number,
        service_code,
        service_name,
        department,
        channel,
        status,
        resolution,
        neighbourhood,
        submitted_text,
        acknowledged_text,
        acknowledged_department,
        acknowledged_entered_text,
        entered_text,
        closed_text,
    ) in chunk:
        # Naive UTC datetimes: their differences are the elapsed time.
        submitted_at = parse(submitted_text)
        acknowledged_at = acknowledged_text and parse(acknowledged_text)
        acknowledged_entered_at = acknowledged_entered_text and parse(
            acknowledged_entered_text
        )
        entered_at = entered_text and parse(entered_text)
        closed_at = closed_text and parse(closed_text)

        # Imported requests have no queue history, so their department
        # clock starts at submission (DESIGN.md).
        acknowledge_clock_start = acknowledged_entered_at or submitted_at
        close_clock_start = entered_at or submitted_at

        yield (
            number,
            service_code,
            service_name,
            department,
            channel,
            status,
            resolution,
            neighbourhood,
            iso(submitted_text, submitted_at),
            acknowledged_at and iso(acknowledged_text, acknowledged_at),
            acknowledged_department,
            acknowledged_entered_at
            and iso(acknowledged_entered_text, acknowledged_entered_at),
            entered_at and iso(entered_text, entered_at),
            closed_at and iso(closed_text, closed_at),
            acknowledged_at and (acknowledged_at - submitted_at) / ONE_DAY,
            closed_at and (closed_at - submitted_at) / ONE_DAY,
            acknowledged_at and (acknowledged_at - acknowledge_clock_start) / ONE_DAY,
            closed_at and (closed_at - close_clock_start) / ONE_DAY,
        )


def csv_stream(
    requests: QuerySet, *, zone: tzinfo | None = None, rows_per_chunk: int = 500
) -> Iterator[str]:
    """The export as CSV text, a few hundred rows per chunk: one write per
    row would cost the server more than writing the rows themselves.

    The lines are joined here rather than by the csv module, which took
    more time than reading the rows: only the cells holding text from the
    directory can need quoting, and those few values are quoted once.
    Empty cells stand for "no data".
    """
    quoted: dict[str, str] = {}
    lines = []
    written = -1
    for row in export_rows(requests, zone=zone):
        cells = [
            "" if value is None else value if value.__class__ is str else str(value)
            for value in row
        ]
        for index in TEXT_CELLS:
            text = cells[index]
            try:
                cells[index] = quoted[text]
            except KeyError:
                cells[index] = quoted[text] = _csv_quoted(text)

        lines.append(",".join(cells))
        if len(lines) == rows_per_chunk:
            written += len(lines)
            yield "\r\n".join(lines) + "\r\n"
            lines.clear()

    if lines:
        written += len(lines)
        yield "\r\n".join(lines) + "\r\n"

    logger.info("Exported %d requests as CSV", written)


# The cells that hold codes, names and slugs from the directory, which an
# administrator could write with a comma or a quote; the others hold
# numbers and the timestamps the export itself wrote.
TEXT_CELLS = (1, 2, 3, 4, 5, 6, 7, 10)


def _csv_quoted(text: str) -> str:
    """The cell as the csv module's default dialect writes it."""
    if any(character in text for character in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'

    return text


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


# The dashboard table


def table_rows(
    rows: list[dict], *, first: date | None = None, last: date | None = None
) -> list[dict]:
    """period_figures' rows with the department as its slug and name, and
    the period's first and last local days (both included) when given."""
    plain = []
    for row in rows:
        department = row["department"]
        plain.append(
            {
                "period_start": first.isoformat() if first else None,
                "period_end": last.isoformat() if last else None,
                **row,
                "department": department.slug if department else None,
                "department_name": department.name if department else None,
            }
        )

    return plain


def table_write_text(
    rows: list[dict], out: IO[str], *, format: str, columns: tuple[str, ...]
) -> None:
    """The table as JSON (a list of objects) or CSV, with these columns.

    Days stay unrounded so the figures can be checked against the export
    of the requests; empty cells stand for "no data", and the town's row
    names no department.
    """
    if format == "json":
        out.write(
            json.dumps([{key: row[key] for key in columns} for row in rows], indent=2)
            + "\n"
        )
        return

    writer = csv.DictWriter(
        out, fieldnames=columns, lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    writer.writerows(rows)


def table_write_xlsx(
    rows: list[dict], fileobj: IO[bytes] | str, *, columns: tuple[str, ...]
) -> None:
    """The table as a one-sheet workbook, to a file object or a path."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Figures"
    sheet.append(columns)
    for row in rows:
        sheet.append([row[key] for key in columns])

    workbook.save(fileobj)


def _town_zone() -> tzinfo:
    town = Town.objects.current()
    return town.zone if town else timezone.get_current_timezone()


def _local_midnight(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)
