"""Print the dashboard table for a period, for scripts and spreadsheets.

Towns feed their figures to council papers, open-data portals and their
own spreadsheets on a schedule; this gives them the same numbers the
dashboard shows without scraping a page. Dates are local days in the
town's time zone and the end date is excluded, so a month is
`--start 2026-01-01 --end 2026-02-01`. Days are printed unrounded in every
format, so the figures can be checked against the exported requests;
round them for display only.
"""

import logging
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from town311.directory.models import Department, Town
from town311.metrics.exports import table_rows, table_write_text, table_write_xlsx
from town311.metrics.figures import FIGURE_KEYS, local_midnight, period_figures

logger = logging.getLogger(__name__)

FORMATS = ("csv", "json", "xlsx")


class Command(BaseCommand):
    help = "Print the figures per department and for the town over a period."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--start", required=True, help="First day, YYYY-MM-DD (included)."
        )
        parser.add_argument(
            "--end", required=True, help="Last day, YYYY-MM-DD (excluded)."
        )
        parser.add_argument(
            "--department", metavar="SLUG", help="Only this department and the town."
        )
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument(
            "--output", metavar="FILE", help="Write here instead of standard output."
        )

    def handle(self, *args, **options) -> None:
        first_day = _day(options["start"], "--start")
        last_day = _day(options["end"], "--end")
        if last_day <= first_day:
            raise CommandError(
                f"--end ({last_day}) must come after --start ({first_day}); "
                "the end day is excluded."
            )

        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX is a binary file: give it a name with --output.")

        department = None
        if slug := options["department"]:
            department = Department.objects.filter(slug=slug).first()
            if department is None:
                raise CommandError(f"No department has the slug “{slug}”.")

        zone = _town_zone()
        rows = table_rows(
            period_figures(
                start=local_midnight(first_day, zone),
                end=local_midnight(last_day, zone),
                department=department,
            )
        )

        if options["format"] == "xlsx":
            table_write_xlsx(rows, options["output"], columns=FIGURE_KEYS)
            return

        if options["output"]:
            with open(options["output"], "w", newline="", encoding="utf-8") as out:
                table_write_text(
                    rows, out, format=options["format"], columns=FIGURE_KEYS
                )
        else:
            table_write_text(
                rows, self.stdout, format=options["format"], columns=FIGURE_KEYS
            )


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"{option} “{value}” is not a date; write it as YYYY-MM-DD."
        ) from None


def _town_zone() -> ZoneInfo:
    town = Town.objects.current()
    if town is None:
        # A fresh install before the town is set up still has a time zone.
        return ZoneInfo(settings.TIME_ZONE)

    return town.zone
