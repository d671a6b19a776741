import csv
import os
import tempfile
from datetime import UTC, datetime, timedelta
from io import StringIO

from django.core.management import CommandError, call_command

from town311.notifications.models import Message
from town311.servicerequests.models import Event, ServiceRequest, Status
from town311.test import BaseTestCase

HEADER = [
    "external_id",
    "service_code",
    "department",
    "lat",
    "long",
    "address",
    "description",
    "channel",
    "submitted_at",
    "acknowledged_at",
    "closed_at",
    "resolution",
]
GOOD_ROWS = [
    # Closed by Parks although potholes are Roads' service.
    ["A-1", "pothole", "parks", "40.001", "-90.001", "1 Main St", "Deep hole",
     "phone", "2026-01-05T09:00:00-06:00", "2026-01-06T09:00:00-06:00",
     "2026-01-08T09:00:00-06:00", "fixed"],
    # Acknowledged only; naive timestamps are Chicago time.
    ["A-2", "park-upkeep", "", "40.002", "-90.002", "", "", "",
     "2026-01-10T08:00:00", "2026-01-11T08:00:00", "", ""],
    # Only submitted.
    ["A-3", "work-order", "", "40.0", "-90.0", "", "", "web",
     "2026-01-12T10:00:00+00:00", "", "", ""],
]  # fmt: skip


class ImportRequestsTests(BaseTestCase):
    def write_csv(self, rows, header=HEADER) -> str:
        handle, path = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(handle, "w", newline="", encoding="utf-8") as csv_file:
            writer = csv.writer(csv_file)
            writer.writerow(header)
            writer.writerows(rows)
        self.addCleanup(os.remove, path)
        return path

    def run_import(self, path, *args) -> tuple[str, str]:
        out, err = StringIO(), StringIO()
        call_command("import_requests", path, *args, stdout=out, stderr=err)
        return out.getvalue(), err.getvalue()

    def test_good_file(self) -> None:
        out, _ = self.run_import(self.write_csv(GOOD_ROWS))

        self.assertIn("Imported 3 requests; 0 already imported; 0 refused.", out)
        first = ServiceRequest.objects.get(idempotency_key="import:A-1")
        self.assertEqual(first.status, Status.CLOSED)
        self.assertEqual(first.resolution, "fixed")
        self.assertEqual(first.channel, "phone")
        self.assertEqual(first.department, self.parks)
        self.assertEqual(first.address, "1 Main St")
        second = ServiceRequest.objects.get(idempotency_key="import:A-2")
        self.assertEqual(second.status, Status.ACKNOWLEDGED)
        self.assertEqual(second.channel, "web")
        self.assertEqual(second.department, self.parks)
        self.assertEqual(second.submitted_at, datetime(2026, 1, 10, 14, tzinfo=UTC))
        third = ServiceRequest.objects.get(idempotency_key="import:A-3")
        self.assertEqual(third.status, Status.SUBMITTED)
        self.assertFalse(third.is_public)
        self.assertIsNotNone(third.acknowledge_due_at)
        self.assertEqual(
            list(Event.objects.values_list("request__idempotency_key", "kind")),
            [
                ("import:A-1", Event.Kind.SUBMITTED),
                ("import:A-2", Event.Kind.SUBMITTED),
                ("import:A-3", Event.Kind.SUBMITTED),
            ],
        )

    def test_metric_fields_have_no_queue_history(self) -> None:
        self.run_import(self.write_csv(GOOD_ROWS))

        closed = ServiceRequest.objects.get(idempotency_key="import:A-1")
        self.assertEqual(closed.department_entered_at, closed.submitted_at)
        self.assertEqual(closed.acknowledged_department, self.parks)
        self.assertEqual(closed.acknowledged_department_entered_at, closed.submitted_at)
        # The department's clocks equal the town's.
        self.assertEqual(
            closed.acknowledged_at - closed.acknowledged_department_entered_at,
            closed.acknowledged_at - closed.submitted_at,
        )
        self.assertEqual(
            closed.closed_at - closed.department_entered_at, timedelta(days=3)
        )
        submitted = ServiceRequest.objects.get(idempotency_key="import:A-3")
        self.assertIsNone(submitted.acknowledged_at)
        self.assertIsNone(submitted.acknowledged_department)
        self.assertIsNone(submitted.acknowledged_department_entered_at)

    def test_mapping_columns(self) -> None:
        header = ["Ticket", "Type", "Lat", "Lon", "Created At"]
        rows = [["X9", "pothole", "40.0", "-90.0", "2026-02-01T12:00:00-06:00"]]
        path = self.write_csv(rows, header=header)

        out, _ = self.run_import(
            path,
            "--map", "Ticket=external_id",
            "--map", "Type=service_code",
            "--map", "Lat=lat",
            "--map", "Lon=long",
            "--map", "Created At=submitted_at",
        )  # fmt: skip

        self.assertIn("Imported 1 request;", out)
        imported = ServiceRequest.objects.get(idempotency_key="import:X9")
        self.assertEqual(imported.service, self.pothole)
        self.assertEqual(imported.department, self.roads)

    def test_bad_mapping_is_refused(self) -> None:
        with self.assertRaisesMessage(CommandError, "not a town311 column"):
            self.run_import(self.write_csv(GOOD_ROWS), "--map", "Ticket=ticket")

    def test_refused_rows_have_line_numbers_and_nothing_is_imported(self) -> None:
        good = GOOD_ROWS[0]
        rows = [
            good,
            ["B-1", "graffiti", *good[2:]],
            ["B-2", good[1], "sewers", *good[3:]],
            ["B-3", *good[1:3], "41.0", *good[4:]],
            ["B-4", *good[1:3], "north", *good[4:]],
            ["B-5", *good[1:7], "fax", *good[8:]],
            ["B-6", *good[1:9], "2026-01-01T09:00:00-06:00", *good[10:]],
            ["B-7", *good[1:10], "2026-01-01T09:00:00-06:00", "fixed"],
            ["B-8", *good[1:11], ""],
            ["B-9", *good[1:11], "mended"],
            ["B-10", *good[1:8], "yesterday", "", "", ""],
            ["A-1", *good[1:]],
        ]
        path = self.write_csv(rows)

        err = StringIO()
        with self.assertRaisesMessage(CommandError, "11 row(s) refused"):
            call_command("import_requests", path, stdout=StringIO(), stderr=err)

        self.assertFalse(ServiceRequest.objects.exists())
        self.assertFalse(Event.objects.exists())
        report = err.getvalue()
        for line, reason in [
            (3, "Unknown service_code 'graffiti'"),
            (4, "Unknown department 'sewers'"),
            (5, "The point (41.0, -90.001) is outside the town boundary"),
            (6, "lat 'north' is not a number"),
            (7, "Unknown channel 'fax'"),
            (8, "acknowledged_at is before submitted_at"),
            (9, "closed_at is before submitted_at"),
            (10, "A closed request needs a resolution"),
            (11, "Unknown resolution 'mended'"),
            (12, "submitted_at 'yesterday' is not an ISO 8601 timestamp"),
            (13, "external_id 'A-1' already appears on line 2"),
        ]:
            self.assertIn(f"Line {line}: {reason}", report)
        self.assertIn("Nothing was imported", report)

    def test_line_numbers_count_multiline_cells(self) -> None:
        rows = [
            [*GOOD_ROWS[0][:6], "two\nlines", *GOOD_ROWS[0][7:]],
            ["C-1", "graffiti", *GOOD_ROWS[0][2:]],
        ]
        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_requests", self.write_csv(rows), stdout=StringIO(), stderr=err
            )
        self.assertIn("Line 4: Unknown service_code", err.getvalue())

    def test_dry_run_imports_nothing(self) -> None:
        out, _ = self.run_import(self.write_csv(GOOD_ROWS), "--dry-run")

        self.assertIn("Would import 3 requests; 0 already imported; 0 refused.", out)
        self.assertFalse(ServiceRequest.objects.exists())

    def test_dry_run_reports_refused_rows_without_failing(self) -> None:
        rows = [GOOD_ROWS[0], ["B-1", "graffiti", *GOOD_ROWS[0][2:]]]
        out, err = self.run_import(self.write_csv(rows), "--dry-run")

        self.assertIn("Line 3: Unknown service_code 'graffiti'", err)
        self.assertIn("1 refused.", out)
        self.assertFalse(ServiceRequest.objects.exists())

    def test_rerun_imports_nothing_twice(self) -> None:
        path = self.write_csv(GOOD_ROWS[:2])
        self.run_import(path)
        path = self.write_csv(GOOD_ROWS)

        out, _ = self.run_import(path)
        again, _ = self.run_import(path)

        self.assertIn("Imported 1 request; 2 already imported; 0 refused.", out)
        self.assertIn("Imported 0 requests; 3 already imported; 0 refused.", again)
        self.assertEqual(ServiceRequest.objects.count(), 3)
        self.assertEqual(Event.objects.count(), 3)

    def test_no_email_is_sent(self) -> None:
        self.run_import(self.write_csv(GOOD_ROWS))
        self.assertFalse(Message.objects.exists())
