import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from town311.metrics.figures import FIGURE_KEYS
from town311.metrics.tests.test_figures import (
    NOTHING,
    PARKS,
    ROADS,
    TOWN,
    JanuaryTownMixin,
)
from town311.test import BaseTestCase

JANUARY = ["--start", "2026-01-01", "--end", "2026-02-01"]


class ReportCommandTests(JanuaryTownMixin, BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.make_january()
        self.folder = Path(tempfile.mkdtemp(prefix="town311-report-test-"))
        self.addCleanup(shutil.rmtree, self.folder)

    def report(self, *args) -> str:
        out = io.StringIO()
        call_command("report", *args, stdout=out)
        return out.getvalue()

    def test_it_prints_json_with_the_documented_keys(self):
        rows = json.loads(self.report(*JANUARY, "--format", "json"))

        self.assertEqual(
            [row["department"] for row in rows],
            [
                "lights",
                "parks",
                "roads",
                None,
            ],
        )
        for row in rows:
            self.assertEqual(list(row), list(FIGURE_KEYS))
        self.assertRow(rows[0], NOTHING)
        self.assertRow(rows[1], PARKS)
        self.assertRow(rows[2], ROADS)
        self.assertRow(rows[3], TOWN)

    def test_it_prints_one_department_beside_the_town(self):
        rows = json.loads(
            self.report(*JANUARY, "--department", "roads", "--format", "json")
        )

        self.assertEqual([row["department"] for row in rows], ["roads", None])

    def test_it_prints_csv_unrounded(self):
        reader = csv.DictReader(io.StringIO(self.report(*JANUARY, "--format", "csv")))

        self.assertEqual(tuple(reader.fieldnames), FIGURE_KEYS)
        rows = list(reader)
        self.assertEqual(rows[2]["department"], "roads")
        self.assertEqual(float(rows[2]["ack_p90_days"]), ROADS["ack_p90_days"])
        self.assertEqual(rows[3]["department"], "")
        self.assertAlmostEqual(float(rows[3]["ack_mean_days"]), 14 / 6, places=9)
        # No data is an empty cell.
        self.assertEqual(rows[1]["close_median_days"], "")

    def test_it_writes_csv_to_a_file(self):
        path = self.folder / "january.csv"

        self.report(*JANUARY, "--output", str(path))

        self.assertTrue(path.read_text().startswith(",".join(FIGURE_KEYS)))

    def test_it_writes_xlsx(self):
        path = self.folder / "january.xlsx"

        self.report(*JANUARY, "--format", "xlsx", "--output", str(path))

        sheet = load_workbook(path).active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], FIGURE_KEYS)
        self.assertEqual(rows[3][:3], ("roads", 4, 5))
        self.assertAlmostEqual(rows[3][FIGURE_KEYS.index("close_p90_days")], 10.8)
        self.assertEqual(rows[4][0], None)

    def test_it_needs_a_file_for_xlsx(self):
        with self.assertRaisesMessage(CommandError, "--output"):
            self.report(*JANUARY, "--format", "xlsx")

    def test_it_refuses_a_bad_date(self):
        with self.assertRaisesMessage(CommandError, "write it as YYYY-MM-DD"):
            self.report("--start", "2026-13-01", "--end", "2026-02-01")

    def test_it_refuses_an_end_before_the_start(self):
        with self.assertRaisesMessage(CommandError, "must come after --start"):
            self.report("--start", "2026-02-01", "--end", "2026-01-01")

    def test_it_refuses_an_unknown_department(self):
        with self.assertRaisesMessage(CommandError, "No department"):
            self.report(*JANUARY, "--department", "harbour")
